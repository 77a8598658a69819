/**
 * Runs the live engine over history: the same desk, strategies, sizing, limits,
 * position rules, paper broker and charges as the daemon, on an in-memory store
 * and a simulated clock, auto-accepting the strategy's signals. No second copy
 * of the trading logic: only the store and the clock differ.
 */
import type { Store } from "../../db/store.js";
import type { Intelligence } from "../intelligence/intelligence.js";
import { MemoryStore } from "../../db/memory-store.js";
import { ManualClock } from "../clock.js";
import { deliveryFillCharges } from "../costs/index.js";
import { Desk, type DeskOptions } from "../desk.js";
import { paperBroker } from "../execution/paper-setup.js";
import { ReplayFeed } from "../feed/replay-feed.js";
import type { Candle } from "../market/candle.js";
import type { Paise } from "../money.js";
import type { FillCharges } from "../portfolio/portfolio.js";
import type { LimitSettings } from "../risk/limits.js";
import type { Strategy } from "../strategies/strategy.js";
import { fromIst, istDate, type IstDate } from "../time/ist.js";
import type { TradeView } from "../views.js";
import { computeMetrics, drawdownSeries, type EquityRow, type Metrics } from "./metrics.js";
import { precomputed } from "./precomputed.js";

export interface BacktestOptions {
  strategy: Strategy<unknown>;
  params?: unknown;
  /** Every bar of the universe in the strategy's timeframe, by symbol, oldest first (history before `from` warms up). */
  series: ReadonlyMap<string, Candle[]>;
  from: IstDate;
  to: IstDate;
  capital: Paise;
  riskPct: number;
  limits?: Partial<LimitSettings>;
  maxDailyLossPct?: number;
  charges?: FillCharges;
  riskFreePct?: number;
  /** Paper fills: seed 000's slippage model (default) or none. */
  slippage?: "seed" | "none";
  /** Indices traded as synthetic futures (option legs priced by the model): the Bank Nifty replay. */
  synthetic?: DeskOptions["synthetic"];
  /** Called after each replayed day. */
  onProgress?: (done: number, total: number) => void;
  /** The intelligence layer on (`--intelligence on`): built on the run's own store, so the allocator reads the run's days. */
  intelligence?: (store: Store) => Intelligence;
}

export interface BacktestResult {
  metrics: Metrics;
  trades: TradeView[];
  equity: EquityRow[];
  drawdownPct: number[];
  /** Bars the engine processed (every symbol, every replayed day). */
  bars: number;
  /** The desk after the run (its store holds every signal, order and event). */
  desk: Desk;
}

export class BacktestRangeError extends Error {
  override name = "BacktestRangeError";
}

export async function runBacktest(o: BacktestOptions): Promise<BacktestResult> {
  if (o.from > o.to) throw new BacktestRangeError(`--from ${o.from} is after --to ${o.to}`);
  const params = o.params ?? o.strategy.defaults;
  const store = new MemoryStore();
  const all = [...o.series.values()].flat();
  await store.upsertCandles(all);
  const clock = new ManualClock(fromIst(o.from, "09:15"));
  const desk = new Desk({
    repo: store,
    broker: paperBroker(o.slippage ?? "seed", (symbol) => o.series.get(symbol) ?? []),
    marketClock: clock,
    // Simulated time throughout: signals are decided the moment they are made.
    wallClock: clock,
    capital: o.capital,
    riskPct: o.riskPct,
    signalTtlMinutes: 15,
    strategies: [precomputed(o.strategy, params, o.series)],
    autoAccept: [o.strategy.name],
    charges: o.charges ?? deliveryFillCharges,
    mode: "paper",
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.maxDailyLossPct !== undefined ? { maxDailyLossPct: o.maxDailyLossPct } : {}),
    ...(o.synthetic ? { synthetic: o.synthetic } : {}),
    ...(o.intelligence ? { intelligence: o.intelligence(store) } : {}),
  });
  await desk.init();
  const feed = new ReplayFeed(store, desk, { from: o.from, to: o.to, paceMs: 0 });
  const prepared = await feed.prepare();
  if (prepared.days === 0) throw new BacktestRangeError(`no bars between ${o.from} and ${o.to}: the data runs from ${prepared.dataFrom} to ${prepared.dataTo}`);

  const before = all.filter((c) => istDate(c.time) < o.from).map((c) => istDate(c.time));
  const startDate = before.length ? before.reduce((a, b) => (a > b ? a : b)) : o.from;
  const equity: EquityRow[] = [{ date: startDate, equity: o.capital }];
  let exposureDays = 0;
  let bars = 0;
  for (const c of all) {
    const d = istDate(c.time);
    if (d >= o.from && d <= o.to) bars++;
  }
  const total = prepared.days;
  let done = 0;
  while (await feed.step()) {
    const book = await desk.ledger();
    const date = istDate(clock.now());
    if (equity[equity.length - 1]!.date === date) equity[equity.length - 1] = { date, equity: book.equity };
    else equity.push({ date, equity: book.equity });
    if ((await store.openPositions()).length > 0) exposureDays++;
    o.onProgress?.(++done, total);
  }

  // Close what is still open at each symbol's last close inside the test.
  const last = new Map<string, Candle>();
  for (const c of all) if (istDate(c.time) <= o.to && (!last.has(c.symbol) || last.get(c.symbol)!.time < c.time)) last.set(c.symbol, c);
  await desk.endOfTest(last);
  const final = await desk.ledger();
  equity[equity.length - 1] = { date: equity[equity.length - 1]!.date, equity: final.equity };

  const trades = (await store.trades()).slice().sort((a, b) => a.exitTime.getTime() - b.exitTime.getTime() || a.id - b.id);
  const metrics = computeMetrics({
    startingCapital: o.capital,
    equity,
    trades,
    riskFreePct: o.riskFreePct ?? 0,
    exposureDays: Math.min(exposureDays, equity.length),
  });
  return { metrics, trades, equity, drawdownPct: drawdownSeries(equity), bars, desk };
}
