/**
 * Parity: the daemon's replay (database, bar-by-bar strategy evaluation,
 * auto-accept) and the backtester (in-memory store, one precomputed scan per
 * symbol) run the same engine, so they close exactly the same trades.
 */
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { runBacktest } from "../../src/engine/backtest/backtester.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { paperBroker } from "../../src/engine/execution/paper-setup.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { STRATEGIES } from "../../src/engine/strategies/registry.js";
import type { TradeView } from "../../src/engine/views.js";

const SYMBOLS = ["RELIANCE", "INFY", "M&M", "SBIN", "TCS", "ITC", "AXISBANK", "TATASTEEL", "HDFCBANK", "ICICIBANK", "ASIANPAINT", "LT"];
const FROM = "2023-01-01";
const TO = "2024-06-30";

/** What a trade is, without store-assigned ids. */
const key = (t: TradeView) => ({
  symbol: t.symbol,
  strategy: t.strategy,
  side: t.side,
  qty: t.qty,
  entryTime: t.entryTime.toISOString(),
  entryPrice: t.entryPrice,
  exitTime: t.exitTime.toISOString(),
  exitPrice: t.exitPrice,
  gross: t.gross,
  charges: t.charges,
  net: t.net,
  exitReason: t.exitReason,
});

describe.each(["sma-cross", "three-week-inside", "camarilla"])("replay and backtest parity for %s", (name) => {
  it("closes exactly the same trades", async () => {
    const strategy = STRATEGIES.get(name)!;
    const candles = loadShippedDaily(undefined, SYMBOLS).candles;

    // The daemon's way: a real database, the replay feed, each bar evaluated on its own.
    const database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    const repo = new Repo(database.db);
    await repo.upsertCandles(candles);
    const clock = new ManualClock();
    // The daemon's paper broker: seed 000's slippage on volumes from the desk's own series.
    const ref: { desk: Desk | null } = { desk: null };
    const desk = new Desk({
      repo,
      broker: paperBroker("seed", (symbol) => ref.desk?.series.bars(symbol, "1d") ?? []),
      marketClock: clock,
      wallClock: clock,
      capital: 40_000_000,
      riskPct: 1.5,
      signalTtlMinutes: 15,
      strategies: [strategy],
      autoAccept: [name],
      charges: deliveryFillCharges,
      mode: "paper",
    });
    ref.desk = desk;
    await desk.init();
    const feed = new ReplayFeed(repo, desk, { from: FROM, to: TO, paceMs: 0 });
    await feed.prepare();
    while (await feed.step()) {
      /* every day */
    }
    const replayed = (await repo.trades()).map(key);
    await database.close();

    // The backtester's way.
    const series = new Map<string, Candle[]>();
    for (const c of candles) {
      const list = series.get(c.symbol);
      if (list) list.push(c);
      else series.set(c.symbol, [c]);
    }
    const bt = await runBacktest({ strategy, series, from: FROM, to: TO, capital: 40_000_000, riskPct: 1.5, slippage: "seed" });
    // Slippage was really applied: some fill is off the bar's open.
    expect(bt.trades.some((t) => !candles.some((c) => c.symbol === t.symbol && c.time.getTime() === t.entryTime.getTime() && c.open === t.entryPrice))).toBe(true);
    const tested = bt.trades.filter((t) => t.exitReason !== "end_of_test").map(key);

    expect(replayed.length).toBeGreaterThan(3);
    const order = (a: ReturnType<typeof key>, b: ReturnType<typeof key>) => (a.exitTime + a.symbol < b.exitTime + b.symbol ? -1 : 1);
    expect(tested.sort(order)).toEqual(replayed.sort(order));
    // What the replay still held at the end is what the backtest closed as end_of_test.
    expect(bt.trades.length - tested.length).toBe(bt.trades.filter((t) => t.exitReason === "end_of_test").length);
  }, 120_000);
});
