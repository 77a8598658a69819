import type { Store } from "../db/store.js";
import type { Clock } from "./clock.js";
import { EventBus } from "./events.js";
import type { Broker, BrokerFill } from "./execution/broker.js";
import { OrderManager } from "./execution/order-manager.js";
import { clientOrderId } from "./ids.js";
import type { CrashPoint } from "./execution/order-manager.js";
import { ProtectiveStops } from "./execution/protective-stop.js";
import { Reconciler, type ReconcileReport } from "./execution/reconciler.js";
import { barClose, timeframeMs, type Candle } from "./market/candle.js";
import { alreadyDecided } from "./decision-text.js";
import { PositionManager } from "./position-manager.js";
import { Controls, type SwitchName } from "./controls.js";
import { CandleSeries } from "./market/candle-series.js";
import { LtpCache } from "./market/ltp-cache.js";
import { formatRupees, type Paise } from "./money.js";
import { ledger, type LedgerSnapshot } from "./portfolio/ledger.js";
import { Portfolio, type FillCharges, type FillResult } from "./portfolio/portfolio.js";
import { Reports } from "./reports.js";
import { DEFAULT_MAX_DAILY_LOSS_PCT } from "./risk/breaker.js";
import { kellyFraction } from "./risk/kelly.js";
import { checkEntry, positionExposure, resolveLimits, type LimitCheck, type LimitSettings } from "./risk/limits.js";
import { sizeSignal } from "./risk/sizing.js";
import type { Intelligence } from "./intelligence/intelligence.js";
import { Serial } from "./serial.js";
import type { SignalDraft } from "./strategies/signal.js";
import type { Strategy } from "./strategies/strategy.js";
import { fromIst, formatIst, istDate, type IstDate } from "./time/ist.js";
import type { OrderView, PositionView, SignalView } from "./views.js";
import { SyntheticDesk, type SyntheticSettings } from "./fno/synthetic-desk.js";
import type { UnitRollovers } from "./fno/rollover.js";
import type { DivergenceReport } from "./fno/divergence.js";
import { DivergenceWatch, type TrackState } from "./fno/divergence-watch.js";

export interface DeskOptions {
  repo: Store;
  broker: Broker;
  /** Market time: the replayed bar's time in replay, the wall clock live. */
  marketClock: Clock & { set?(t: Date): void };
  /** Wall-clock time: signal expiry and decision stamps. */
  wallClock: Clock;
  capital: Paise;
  riskPct: number;
  signalTtlMinutes: number;
  strategies: ReadonlyArray<Strategy<unknown>>;
  /** Auto-accept on first start, before /auto has said otherwise. */
  autoAccept: readonly string[];
  charges: FillCharges;
  mode: "paper" | "live";
  bus?: EventBus;
  /** Risk limits (defaults where unset) and the daily-loss breaker's percent (default 3). */
  limits?: Partial<LimitSettings>;
  maxDailyLossPct?: number;
  /** Named moments of the order flow, for the crash tests (see OrderManager). */
  crashPoint?: (point: CrashPoint) => void;
  /** Said next to the broker's name in /status (paper orders on a live broker's prices). */
  brokerNote?: string;
  /** How long an unanswered order must be missing from the broker's book before it is placed again (default 30 s). */
  unknownGraceMs?: number;
  /**
   * Why the broker cannot take orders now (its market is closed), or null. Orders
   * decided meanwhile are committed and queued, and sent at the open. Unset: the
   * broker always takes them (paper fills them on the next price).
   */
  orderWindow?: () => string | null;
  /** Strategies traded as INTRADAY (MIS): squared off before the session's end (squareOffIntraday). */
  intraday?: readonly string[];
  /** Indices traded as synthetic futures (option legs), with their sizing, margin, rollover and gap settings. */
  synthetic?: SyntheticSettings;
  /** News sentiment, regime and allocation for cash entries (INTELLIGENCE=on); unset: sized without them. */
  intelligence?: Intelligence;
}

export type Decision = { ok: true; signal: SignalView } | { ok: false; message: string; signal?: SignalView };

export interface FeedState {
  kind: string;
  /** Market time the feed has reached. */
  at: Date | null;
  finished: boolean;
}

/**
 * The engine's public face. Bars come in, signals go out, decisions come back;
 * every mutation runs through one serial queue so nothing interleaves.
 */
export class Desk {
  readonly bus: EventBus;
  readonly series = new CandleSeries();
  readonly reports: Reports;
  readonly feed: FeedState = { kind: "replay", at: null, finished: false };
  private readonly serial = new Serial();
  readonly ltp = new LtpCache();
  readonly controls: Controls;
  readonly limits: LimitSettings;
  /** Net P&L of each strategy's closed trades, for its half-Kelly cap: read once, then kept as trades close. */
  private nets: Map<string, Array<{ net: Paise }>> | null = null;
  /** Wall-clock times of entry orders placed, for MAX_ORDERS_PER_MINUTE (live only). */
  private readonly entryTimes: number[] = [];
  private readonly auto = new Set<string>();
  private readonly intraday: ReadonlySet<string>;
  /** The day intraday positions were squared off: no new intraday entry until the session closes. */
  private squaredOffOn: IstDate | null = null;
  private readonly orders: OrderManager;
  private readonly portfolio: Portfolio;
  private readonly positions: PositionManager;
  private readonly reconciler: Reconciler;
  private readonly stops: ProtectiveStops;
  /** A real broker's queued orders go out only once its books have been read since this start (an order sent before a crash is found, not doubled). */
  private reconciled = false;
  /** Stops to bring back after a restart on a simulated clock, once the market time is known again. */
  private stopsAfterRestart = false;
  private lastRelease = -Infinity;
  /** Synthetic futures on an index (null: none traded). */
  readonly fno: SyntheticDesk | null;
  private readonly watch: DivergenceWatch | null;

  constructor(readonly opts: DeskOptions) {
    this.bus = opts.bus ?? new EventBus();
    this.intraday = new Set(opts.intraday ?? []);
    this.portfolio = new Portfolio(opts.charges);
    this.orders = new OrderManager(opts.repo, opts.broker, opts.marketClock, this.portfolio, {
      context: (o) => this.fillContext(o),
      filled: (o, f, r) => this.afterFill(o, f, r),
      rejected: (o, reason) => this.afterReject(o, reason),
      product: async (o) => (this.intraday.size > 0 && this.intraday.has(await this.strategyOf(o)) ? "INTRADAY" : undefined),
      unknown: async (o, reason) => {
        this.bus.emit("alert", { level: "error", text: `No answer from the broker for order ${o.clientOrderId} (${o.side} ${o.qty} ${o.symbol}): ${reason}. It will be looked up by its tag, not sent again.` });
      },
    }, { ...(opts.crashPoint ? { crashPoint: opts.crashPoint } : {}), ...(opts.orderWindow ? { closed: opts.orderWindow } : {}) });
    this.stops = new ProtectiveStops({
      repo: opts.repo,
      orders: this.orders,
      clock: opts.wallClock,
      lastPrice: (symbol) => this.ltp.price(symbol),
      alert: (text) => this.bus.emit("alert", { level: "warn", text }),
    });
    this.reconciler = new Reconciler({
      repo: opts.repo,
      broker: opts.broker,
      orders: this.orders,
      clock: opts.wallClock,
      ...(opts.unknownGraceMs !== undefined ? { unknownGraceMs: opts.unknownGraceMs } : {}),
      hooks: { rejected: (o, reason) => this.afterReject(o, reason) },
    });
    this.reports = new Reports(opts.repo, () => this.marketDate(), opts.capital);
    this.controls = new Controls(opts.repo, opts.wallClock, opts.maxDailyLossPct ?? DEFAULT_MAX_DAILY_LOSS_PCT);
    this.limits = resolveLimits(opts.limits);
    this.positions = new PositionManager({
      repo: opts.repo,
      orders: this.orders,
      bus: this.bus,
      series: this.series,
      marketClock: opts.marketClock,
      wallClock: opts.wallClock,
      ownExits: new Set(opts.strategies.filter((s) => s.ownExits).map((s) => s.name)),
      exit: (id, why) => this.exitPosition(id, null, why),
      stops: this.stops,
    });
    this.fno = opts.synthetic
      ? new SyntheticDesk(opts.synthetic, {
          repo: opts.repo,
          orders: this.orders,
          bus: this.bus,
          marketClock: opts.marketClock,
          wallClock: opts.wallClock,
          ltp: this.ltp,
          broker: opts.broker,
          exitPosition: (id, signalId, why) => this.exitPosition(id, signalId, why),
        })
      : null;
    this.watch = opts.synthetic ? new DivergenceWatch(opts.repo, opts.synthetic.divergenceAlertPct) : null;
  }

  get repo(): Store {
    return this.opts.repo;
  }

  /** Loads durable state: auto-accept flags, working orders, last prices. */
  async init(): Promise<{ resumedOrders: number; openPositions: number; pendingSignals: number }> {
    await this.controls.load();
    for (const s of this.opts.strategies) {
      const stored = await this.repo.getSetting<boolean>(`auto:${s.name}`);
      const on = stored ?? this.opts.autoAccept.includes(s.name);
      if (on) this.auto.add(s.name);
    }
    const resumedOrders = await this.orders.resume();
    // A real broker's books are the truth after a restart: what was sent before the crash is found by its tag.
    if (!this.opts.broker.inProcess) await this.reconcileNow("start-up");
    // In-process stops were taken back at their written price: one moved just before a crash follows its position again.
    // On a simulated clock that waits for the first bar or tick: the clock starts at zero, and a stop placed at
    // zero would meet the replayed bars of its own past (the uninterrupted run placed it when its position opened).
    else if (this.opts.marketClock.set) this.stopsAfterRestart = true;
    else await this.stops.ensure(await this.repo.openPositions(), "restart");
    const open = await this.repo.openPositions();
    // Prices marked before a restart, as of the feed's last bar (or when the position opened).
    for (const p of open) if (p.lastPrice !== null) this.ltp.set(p.symbol, p.lastPrice, this.feed.at ?? p.openedAt);
    const pending = await this.repo.signalsByStatus(["proposed"]);
    return { resumedOrders, openPositions: open.length, pendingSignals: pending.length };
  }

  /** The stops held back at a restart on a simulated clock, placed now that the market time is set. */
  private async restoreStops(): Promise<void> {
    if (!this.stopsAfterRestart) return;
    this.stopsAfterRestart = false;
    await this.stops.ensure(await this.repo.openPositions(), "restart");
  }

  marketDate(): IstDate {
    return istDate(this.opts.marketClock.now());
  }

  /** Bars seen before the feed starts playing: warm-up history for the strategies. */
  addHistory(bars: readonly Candle[]): void {
    for (const b of bars) {
      this.series.add(b);
      this.ltp.set(b.symbol, b.close, barClose(b));
    }
  }

  /** One whole trading day at once: the open, every intraday bar in time order, the close. */
  async onDay(date: IstDate, bars: readonly Candle[]): Promise<void> {
    const daily = bars.filter((b) => b.timeframe === "1d");
    const intraday = bars.filter((b) => b.timeframe !== "1d").sort((a, b) => a.time.getTime() - b.time.getTime());
    await this.openDay(date, daily);
    for (const b of intraday) await this.onIntradayBar(b);
    await this.closeDay(date, daily);
  }

  /** A trading day opens: working orders on the daily symbols meet the day's bars (market orders fill at the open). */
  openDay(date: IstDate, daily: readonly Candle[]): Promise<void> {
    return this.serial.run(async () => {
      this.opts.marketClock.set?.(fromIst(date, "09:15"));
      await this.restoreStops();
      // The day's first mark, before any of today's prices: the breaker's baseline is yesterday's close.
      await this.markEquity();
      for (const b of daily) this.series.add(b);
      for (const b of daily) await this.opts.broker.onBar(b);
      for (const b of daily) this.ltp.set(b.symbol, b.close, barClose(b));
    });
  }

  /**
   * A live trade price: marked, and met by a simulated broker's working orders
   * (a live broker's orders are matched at the exchange; it ignores the tick).
   */
  onTick(symbol: string, price: Paise, at: Date): Promise<void> {
    return this.serial.run(async () => {
      if (!this.ltp.set(symbol, price, at)) return; // older than what is held: out of order
      if (at.getTime() > this.opts.marketClock.now().getTime()) this.opts.marketClock.set?.(at);
      await this.restoreStops();
      await this.releaseQueued();
      await this.opts.broker.onTick?.(symbol, price, at);
      // Paper on live index prices: the options in play move with the index under the model.
      if (this.fno?.handles(symbol) && this.fno.settings.vix) {
        for (const [s, p] of await this.fno.optionTicks(symbol, price, at)) {
          this.ltp.set(s, p, at);
          await this.opts.broker.onTick?.(s, p, at);
        }
      }
      this.feed.at = at;
    });
  }

  /** An intraday bar has closed: working orders meet it, then the strategies on its timeframe run. */
  onIntradayBar(bar: Candle): Promise<void> {
    return this.serial.run(async () => {
      this.opts.marketClock.set?.(bar.time);
      await this.restoreStops();
      this.series.add(bar);
      if (this.fno?.handles(bar.symbol)) await this.beforeIndexBar(bar);
      await this.opts.broker.onBar(bar);
      this.ltp.set(bar.symbol, bar.close, barClose(bar));
      this.opts.marketClock.set?.(new Date(bar.time.getTime() + timeframeMs(bar.timeframe)));
      this.fno?.barClosed(bar);
      await this.managePositions([bar]);
      await this.runStrategies([bar]);
      // A replay rolls on its bars; live, the feed rolls at 15:00 itself.
      if (this.fno?.handles(bar.symbol) && this.feed.kind !== "live") {
        const due = this.fno.rolls.dueAfterBar(bar);
        if (due) await this.fno.rolls.run(due, false, "schedule");
      }
      await this.markEquity();
      if (this.fno?.handles(bar.symbol)) await this.watchDivergence();
      this.feed.at = this.opts.marketClock.now();
    });
  }

  /**
   * The day's last index bar, still forming a few minutes before the close: its
   * entries are decided now (and go in before the close) rather than meet the
   * next open. The closed bar's signal has the same id, so it is not taken twice.
   */
  onFormingBar(bar: Candle): Promise<void> {
    return this.serial.run(async () => {
      if (!this.fno?.handles(bar.symbol)) return;
      const bars = [...this.series.bars(bar.symbol, bar.timeframe).filter((b) => b.time < bar.time), bar];
      for (const strategy of this.opts.strategies) {
        if (strategy.timeframe !== bar.timeframe) continue;
        for (const d of strategy.evaluate(bars, strategy.defaults)) if (d.kind === "entry") await this.onDraft(d);
      }
    });
  }

  /** The day closes at 15:30: the daily strategies run, prices are marked and the day is booked. */
  closeDay(date: IstDate, daily: readonly Candle[]): Promise<void> {
    return this.serial.run(async () => {
      this.opts.marketClock.set?.(fromIst(date, "15:30"));
      await this.restoreStops();
      // Signals from now on are for the next session: intraday entries are taken again.
      this.squaredOffOn = null;
      // A live day's bars are built from its ticks and known only now (a replayed day's were added at the open).
      for (const b of daily) this.series.add(b);
      await this.managePositions(daily);
      await this.runStrategies(daily);
      await this.repo.markPrices(this.ltp.snapshot());
      await this.markEquity();
      await this.reports.closeDay(date, await this.ledger());
      this.feed.at = fromIst(date, "15:30");
      this.bus.emit("replay.day", { date, bars: daily.length });
    });
  }

  private async runStrategies(bars: readonly Candle[]): Promise<void> {
    for (const strategy of this.opts.strategies) {
      for (const b of bars) {
        if (b.timeframe !== strategy.timeframe) continue;
        if (strategy.needsVolume && b.volume === 0) continue; // an index: nothing to read
        const drafts = strategy.evaluate(this.series.bars(b.symbol, b.timeframe), strategy.defaults);
        for (const d of drafts) await this.onDraft(d);
      }
    }
  }

  private async closedNets(strategy: string): Promise<Array<{ net: Paise }>> {
    if (!this.nets) {
      this.nets = new Map();
      for (const t of await this.repo.trades()) {
        const list = this.nets.get(t.strategy);
        if (list) list.push({ net: t.net });
        else this.nets.set(t.strategy, [{ net: t.net }]);
      }
    }
    return this.nets.get(strategy) ?? [];
  }

  // ---- position management (seed 001) ----

  /** Seed 001's rules for the open positions in these bars' symbols (position-manager.ts). */
  private async managePositions(bars: readonly Candle[]): Promise<void> {
    await this.positions.manage(bars, await this.repo.openPositions());
  }

  // ---- signals ----

  private onDraft(d: SignalDraft): Promise<void> {
    switch (d.kind) {
      case "entry":
        return this.onEntryDraft(d);
      case "exit":
        return this.onExitDraft(d);
      case "alert":
        return this.onAlertDraft(d);
    }
  }

  /** The fields of a draft that are stored (the note is for the alert text only). */
  private stored(d: SignalDraft) {
    const { note: _note, alertIfFlat: _flat, firedAt: _at, ...rest } = d;
    return { ...rest, unit: d.unit ?? null };
  }

  private async onEntryDraft(d: SignalDraft): Promise<void> {
    if (await this.repo.signal(d.id)) return; // seen before a restart
    const now = this.opts.wallClock.now();
    const base: Omit<Parameters<Store["insertSignal"]>[0], "status"> = { ...this.stored(d), qty: 0, sizing: {}, createdAt: now, expiresAt: null };
    if (this.fno?.handles(d.symbol)) return this.onSyntheticEntry(d, base);
    if (await this.stoppedAtTheGate(d, base)) return;
    const intel = this.opts.intelligence ? await this.opts.intelligence.assess(d, this.opts.marketClock.now()) : null;
    if (intel) base.intelligence = intel.record;
    if (intel && !intel.trade) {
      await this.repo.insertSignal({ ...base, status: "refused", statusReason: intel.skipReason });
      this.bus.emit("signal.decided", { signal: (await this.repo.signal(d.id))! });
      return;
    }
    const book = await this.ledger();
    const open = await this.repo.openPositions();
    const kelly = kellyFraction(await this.closedNets(d.strategy));
    const sizing = sizeSignal({
      strategy: d.strategy,
      symbol: d.symbol,
      side: d.side,
      capital: this.opts.capital,
      equity: book.equity,
      riskPct: this.opts.riskPct,
      entry: d.entry,
      stop: d.stop,
      strength: d.strength,
      ...(intel ? { allocationWeight: intel.allocationWeight, sentimentMultiplier: intel.sentimentMultiplier, regimeMultiplier: intel.regimeMultiplier } : {}),
      kelly: { fraction: kelly.fraction, trades: kelly.trades },
      maxPositionPct: this.limits.MAX_POSITION_PCT,
      heldValue: open.filter((p) => p.symbol === d.symbol).reduce((v, p) => v + p.qty * (this.ltp.price(p.symbol) ?? Math.round(p.costBasis / p.qty)), 0),
      available: book.cash,
    });
    if (!sizing.ok) {
      await this.repo.insertSignal({ ...base, sizing: sizing.inputs, status: "refused", statusReason: sizing.reason });
      const s = (await this.repo.signal(d.id))!;
      this.bus.emit("signal.decided", { signal: s });
      return;
    }
    const limit = this.checkLimits({ symbol: d.symbol, side: d.side, qty: sizing.qty, entry: d.entry, stop: d.stop }, book, open);
    if (!limit.ok) {
      await this.repo.insertSignal({ ...base, qty: sizing.qty, sizing: sizing.inputs, status: "refused", statusReason: limit.reason });
      this.bus.emit("signal.decided", { signal: (await this.repo.signal(d.id))! });
      return;
    }
    const expiresAt = new Date(now.getTime() + this.opts.signalTtlMinutes * 60_000);
    await this.repo.insertSignal({ ...base, qty: sizing.qty, sizing: { ...sizing.inputs, riskAmount: sizing.riskAmount, kellyReason: kelly.reason }, status: "proposed", expiresAt });
    const s = (await this.repo.signal(d.id))!;
    if (this.auto.has(d.strategy)) {
      await this.decide(s.id, "auto", true);
    } else {
      this.bus.emit("signal.proposed", { signal: s });
    }
  }

  /**
   * An entry that conflicts with what is held is stored as skipped, one that a
   * halt, pause, breaker or the intraday square-off blocks as refused; true when
   * either happened.
   */
  private async stoppedAtTheGate(d: SignalDraft, base: Omit<Parameters<Store["insertSignal"]>[0], "status">): Promise<boolean> {
    const skip = await this.entryConflict(d);
    if (skip) {
      await this.repo.insertSignal({ ...base, status: "skipped", statusReason: skip });
      return true;
    }
    const blocked = this.controls.entryBlock() ?? this.intradayTooLate(d.strategy);
    if (blocked) {
      await this.repo.insertSignal({ ...base, status: "refused", statusReason: blocked });
      this.bus.emit("signal.decided", { signal: (await this.repo.signal(d.id))! });
      return true;
    }
    return false;
  }

  /** An index entry sized in whole lots under the margin model, then proposed or auto-accepted like any other. */
  private async onSyntheticEntry(d: SignalDraft, draft: Omit<Parameters<Store["insertSignal"]>[0], "status">): Promise<void> {
    const open = await this.repo.openPositions();
    const sized = this.fno!.size(d, (await this.ledger(open)).cash, open);
    // Sized before anything can stop it: the theoretical track holds the unit at this size, executed or not.
    const base = { ...draft, qty: sized.qty, sizing: sized.sizing };
    if (await this.stoppedAtTheGate(d, base)) return;
    if (!sized.ok) {
      await this.repo.insertSignal({ ...base, qty: sized.qty, sizing: sized.sizing, status: "refused", statusReason: sized.reason });
      this.bus.emit("signal.decided", { signal: (await this.repo.signal(d.id))! });
      return;
    }
    const now = this.opts.wallClock.now();
    const expiresAt = new Date(now.getTime() + this.opts.signalTtlMinutes * 60_000);
    await this.repo.insertSignal({ ...base, qty: sized.qty, sizing: sized.sizing, status: "proposed", expiresAt });
    const s = (await this.repo.signal(d.id))!;
    if (this.auto.has(d.strategy)) await this.decide(s.id, "auto", true);
    else this.bus.emit("signal.proposed", { signal: s });
  }

  /** Why an entry cannot open now (a base while holding, a pyramid without its base or twice), or null. */
  private async entryConflict(d: SignalDraft): Promise<string | null> {
    const held = await this.openPositionsOf(d.symbol, d.strategy);
    const unit = d.unit ?? 0;
    if (unit === 0) return held.length > 0 ? `already holding ${d.symbol} for ${d.strategy}` : null;
    if (held.length === 0) return `pyramid unit ${unit} needs an open ${d.strategy} position in ${d.symbol}`;
    if (held.some((p) => p.unit === unit)) return `pyramid unit ${unit} of ${d.strategy} in ${d.symbol} is already open`;
    return null;
  }

  private async onExitDraft(d: SignalDraft): Promise<void> {
    if (await this.repo.signal(d.id)) return;
    if (this.fno?.handles(d.symbol)) return this.onSyntheticExit(d);
    // An exit reading "short" closes longs and one reading "long" closes shorts; a unit exit closes that unit only.
    const held = (await this.openPositionsOf(d.symbol, d.strategy)).filter((p) => p.side !== d.side && (d.unit === undefined || p.unit === d.unit));
    const now = this.opts.wallClock.now();
    if (held.length === 0) {
      // Nothing to close: a downside breakout on a cash stock is still news to the trader.
      if (d.alertIfFlat) await this.onAlertDraft(d);
      return;
    }
    await this.repo.insertSignal({
      ...this.stored(d),
      qty: held.reduce((q, p) => q + p.qty, 0),
      sizing: {},
      createdAt: now,
      expiresAt: null,
      status: "approved",
      statusReason: d.note ? `exit: ${d.note}` : "exit on the strategy's signal",
      decidedBy: "strategy",
      decidedAt: now,
      positionId: held[0]!.id,
    });
    for (const p of held) await this.exitPosition(p.id, d.id, "signal_exit");
    await this.repo.transitionSignal(d.id, ["approved"], "ordered");
  }

  /**
   * An index exit closes the unit's two legs (or every unit's). It is stored even
   * with nothing held (a unit refused, skipped on a gap): the theoretical track
   * follows every signal of the strategy, held or not.
   */
  private async onSyntheticExit(d: SignalDraft): Promise<void> {
    const open = await this.repo.openPositions();
    const units = this.fno!.units(this.fno!.legsOf(open, d.symbol, d.strategy, d.unit)).filter((u) => u.side !== d.side);
    const legs = units.flatMap((u) => u.legs);
    const now = this.opts.wallClock.now();
    const note = d.note ? `exit: ${d.note}` : "exit on the strategy's signal";
    await this.repo.insertSignal({
      ...this.stored(d),
      qty: units.reduce((q, u) => q + u.qty, 0),
      sizing: {},
      createdAt: now,
      expiresAt: null,
      status: legs.length ? "approved" : "skipped",
      statusReason: legs.length ? note : `${note}; nothing held`,
      decidedBy: "strategy",
      decidedAt: now,
      positionId: legs[0]?.id ?? null,
    });
    if (legs.length === 0) return;
    // Working entries of the unit (a leg still queued for the open) go first: the unit is leaving.
    for (const u of units) for (const p of u.legs) await this.cancelWorking(p.id, "unit exit");
    await this.fno!.exitLegs(legs, d.id, "signal_exit");
    await this.repo.transitionSignal(d.id, ["approved"], "ordered");
  }

  /** Stored once per id, so a restart never repeats an alert. */
  private async onAlertDraft(d: SignalDraft): Promise<void> {
    const now = this.opts.wallClock.now();
    const inserted = await this.repo.insertSignal({
      ...this.stored(d),
      kind: "alert",
      qty: 0,
      sizing: {},
      createdAt: now,
      expiresAt: null,
      status: "alerted",
      statusReason: d.note ?? null,
    });
    if (inserted) this.bus.emit("signal.alert", { signal: (await this.repo.signal(d.id))! });
  }

  /** Cancels the position's working orders, then closes what is held at market. */
  private async exitPosition(positionId: number, signalId: string | null, why: string): Promise<OrderView | undefined> {
    const pos = await this.repo.position(positionId);
    if (!pos || pos.status !== "open") return undefined;
    // Market orders already closing the position (an exit, a stop sent at market) may have filled at the broker
    // unseen: they are never cancelled and sent again, and only what they leave is exited now.
    const open = (await this.repo.ordersByStatus(["new", "unknown", "submitted", "partially_filled"])).filter((o) => o.positionId === positionId);
    const closing = open.filter((o) => o.orderType === "market" && o.purpose !== "entry");
    // One whose answer was lost (or still queued) settles first: reconciliation says whether it exists.
    const unsettled = closing.find((o) => o.status === "new" || o.status === "unknown");
    if (unsettled) return unsettled;
    const left = pos.qty - closing.reduce((n, o) => n + o.qty - o.filledQty, 0);
    if (left <= 0) return closing[0];
    // Its stop (and any limit) is cancelled first; one the broker would not cancel may be filling: no exit beside it.
    for (const o of open) if (o.orderType !== "market") await this.orders.cancel(o, why);
    const stuck = (await this.repo.ordersByStatus(["submitted", "partially_filled", "unknown"])).find((o) => o.positionId === positionId && o.orderType !== "market");
    if (stuck) {
      this.bus.emit("alert", { level: "error", text: `Exit of ${pos.symbol} (position ${pos.id}) held back: its order ${stuck.clientOrderId} could not be cancelled and may be filling. Reconciliation reads it first.` });
      return stuck;
    }
    const order = await this.orders.submit({
      clientOrderId: clientOrderId(positionId, "exit", signalId ?? why),
      symbol: pos.symbol,
      side: pos.side === "long" ? "sell" : "buy",
      qty: left,
      type: "market",
      purpose: "exit",
      signalId,
      positionId,
    });
    this.bus.emit("order.placed", { order });
    return order;
  }

  /** Every open unit of a strategy in a symbol (one, unless it pyramids); an index's are its option legs. */
  private async openPositionsOf(symbol: string, strategy: string): Promise<PositionView[]> {
    const open = await this.repo.openPositions();
    if (this.fno?.handles(symbol)) return this.fno.legsOf(open, symbol, strategy);
    return open.filter((p) => p.symbol === symbol && p.strategy === strategy);
  }

  /** Cancels whatever still works at the broker for a position (its stop, an unfilled exit). */
  private async cancelWorking(positionId: number, why: string): Promise<void> {
    // A queued order is known unsent once the broker's books were read (or with paper): it is dropped in the books.
    const queuedToo = this.opts.broker.inProcess || this.reconciled;
    for (const o of await this.repo.ordersByStatus(queuedToo ? ["new", "submitted", "partially_filled"] : ["submitted", "partially_filled"])) {
      if (o.positionId === positionId && !this.orders.isInFlight(o.clientOrderId)) await this.orders.cancel(o, why);
    }
  }

  /** The risk limits for a new entry of `qty` (halt, pause and breaker are checked before). */
  private checkLimits(
    o: { symbol: string; side: "long" | "short"; qty: number; entry: Paise; stop: Paise | null },
    book: LedgerSnapshot,
    open: readonly PositionView[],
  ): LimitCheck {
    const now = this.opts.wallClock.now();
    while (this.entryTimes.length && this.entryTimes[0]! < now.getTime() - 60_000) this.entryTimes.shift();
    return checkEntry({
      now,
      capital: this.opts.capital,
      equity: book.equity,
      peakEquity: Math.max(this.controls.peakEquity ?? book.equity, book.equity),
      positions: open.map((p) =>
        positionExposure({ symbol: p.symbol, side: p.side, qty: p.qty, entry: Math.round(p.costBasis / p.qty), mark: this.ltp.price(p.symbol), stop: p.stop }),
      ),
      order: positionExposure({ symbol: o.symbol, side: o.side, qty: o.qty, entry: o.entry, stop: o.stop }),
      // A replay plays days in seconds: a per-minute cap on wall-clock time only means something live.
      recentOrders: this.opts.mode === "live" ? this.entryTimes : [],
      // Paper and replay orders queue for the next bar's open, like an after-market order.
      market: { open: true },
      availableMargin: book.cash,
      settings: this.limits,
    });
  }

  /** Marks equity for the breaker and the peak; tells everyone when the breaker trips. */
  private async markEquity(): Promise<void> {
    const book = await this.ledger();
    const tripped = await this.controls.markEquity(this.opts.marketClock.now(), this.marketDate(), book.equity);
    if (tripped) this.bus.emit("alert", { level: "warn", text: `⛔ Daily-loss circuit breaker TRIPPED: ${tripped}. No new entries until the admin resets it (/reset_breaker); exits go on.` });
  }

  /** `/breaker trip` (admin) and `/reset_breaker` (admin). False when nothing changed. */
  setBreaker(trip: boolean, actor: string): Promise<boolean> {
    return this.serial.run(async () => {
      const equity = (await this.ledger()).equity;
      const now = this.opts.marketClock.now();
      const changed = trip ? await this.controls.tripBreaker(actor, now, this.marketDate(), equity) : await this.controls.resetBreaker(actor, now, this.marketDate(), equity);
      if (changed) {
        this.bus.emit("alert", {
          level: "warn",
          text: trip ? `⛔ Circuit breaker tripped by hand by ${actor}: no new entries; exits go on.` : `Circuit breaker reset by ${actor}: entries are taken again.`,
        });
      }
      return changed;
    });
  }

  /**
   * A backtest's last step: every open position is closed at its symbol's last
   * close (exit reason `end_of_test`), so the results hold no open risk.
   */
  endOfTest(lastBars: ReadonlyMap<string, Candle>): Promise<number> {
    return this.serial.run(async () => {
      const now = this.opts.wallClock.now();
      let closed = 0;
      const legBars = new Map<string, Candle>();
      for (const p of await this.repo.openPositions()) {
        // An option leg ends at its model price on the index's last close.
        const leg = this.fno?.leg(p.symbol);
        const index = leg ? lastBars.get(leg.underlying) : undefined;
        if (leg && index) legBars.set(p.symbol, { ...index, symbol: p.symbol, close: this.fno!.premium(leg, barClose(index)) ?? 5 });
        const bar = lastBars.get(p.symbol) ?? legBars.get(p.symbol);
        if (!bar) continue;
        await this.cancelWorking(p.id, "end of test");
        const id = clientOrderId(p.id, "end_of_test");
        await this.repo.setSetting(`exitReason:${id}`, "end_of_test", now, "backtest");
        await this.orders.submit({ clientOrderId: id, symbol: p.symbol, side: p.side === "long" ? "sell" : "buy", qty: p.qty, type: "market", purpose: "exit", signalId: null, positionId: p.id });
        closed++;
      }
      // One flat bar at each last close: the paper broker fills the exits there.
      for (const bar of [...lastBars.values(), ...legBars.values()]) {
        const at = new Date(bar.time.getTime() + timeframeMs(bar.timeframe));
        this.opts.marketClock.set?.(at);
        await this.opts.broker.onBar({ ...bar, time: at, open: bar.close, high: bar.close, low: bar.close });
      }
      await this.repo.markPrices(this.ltp.snapshot());
      return closed;
    });
  }

  // ---- controls ----

  /** Halt (admin: no new orders but exits) or pause (no new entries); false when already so. */
  setSwitch(name: SwitchName, on: boolean, actor: string, reason?: string): Promise<boolean> {
    return this.serial.run(async () => {
      const changed = await this.controls.set(name, on, actor, reason);
      if (changed) {
        const what = name === "halted" ? (on ? "Trading HALTED: no new orders; exits and stops go on." : "Trading resumed: the halt is lifted.") : on ? "New entries paused; exits go on." : "New entries resumed.";
        this.bus.emit("alert", { level: "warn", text: `${what} (${actor})` });
      }
      return changed;
    });
  }

  /**
   * Closes every open position of an intraday strategy at market, before the
   * broker's own square-off (which charges for it and picks its own moment).
   * Until the session closes, no new intraday entry is taken.
   */
  squareOffIntraday(date: IstDate): Promise<Array<{ symbol: string; qty: number; clientOrderId: string; status: string }>> {
    return this.serial.run(async () => {
      this.squaredOffOn = date;
      const now = this.opts.wallClock.now();
      const exits = [];
      for (const p of await this.repo.openPositions()) {
        if (!this.intraday.has(p.strategy)) continue;
        const why = `intraday_square_off:${date}`;
        await this.repo.setSetting(`exitReason:${clientOrderId(p.id, "exit", why)}`, "intraday_square_off", now, "desk");
        const order = await this.exitPosition(p.id, null, why);
        if (order) exits.push({ symbol: p.symbol, qty: p.qty, clientOrderId: order.clientOrderId, status: order.status });
      }
      if (exits.length) {
        await this.repo.event("square_off", `intraday square-off: ${exits.length} positions`, now, "desk", { exits });
        this.bus.emit("alert", { level: "info", text: `Intraday square-off: ${exits.map((e) => `${e.symbol} × ${e.qty}`).join(", ")} closed at market before the session ends.` });
      }
      return exits;
    });
  }

  /** Why an intraday strategy may not enter now (its positions were squared off for the day), or null. */
  private intradayTooLate(strategy: string): string | null {
    if (!this.intraday.has(strategy) || this.squaredOffOn !== this.marketDate()) return null;
    return "intraday positions were squared off for the day: no new intraday entry until the next session";
  }

  /** The strategy an order belongs to (its signal's, else its position's). */
  private async strategyOf(o: OrderView): Promise<string> {
    if (o.signalId) {
      const s = await this.repo.signal(o.signalId);
      if (s) return s.strategy;
    }
    if (o.positionId !== null) {
      const p = await this.repo.position(o.positionId);
      if (p) return p.strategy;
    }
    return "manual";
  }

  /**
   * Emergency flatten: cancels every working order (stops included), then exits
   * every open position at market. Returns what was done.
   */
  flatten(actor: string): Promise<{ cancelled: number; exits: Array<{ symbol: string; qty: number; clientOrderId: string; status: string }> }> {
    return this.serial.run(async () => {
      const now = this.opts.wallClock.now();
      let cancelled = 0;
      for (const o of await this.repo.ordersByStatus(["submitted", "partially_filled"])) {
        await this.orders.cancel(o, `flatten by ${actor}`);
        cancelled++;
      }
      const exits = [];
      for (const p of await this.repo.openPositions()) {
        const order = await this.exitPosition(p.id, null, `flatten:${now.toISOString()}`);
        if (order) exits.push({ symbol: p.symbol, qty: p.qty, clientOrderId: order.clientOrderId, status: order.status });
      }
      await this.repo.event("flatten", `flatten by ${actor}: ${cancelled} orders cancelled, ${exits.length} positions exited`, now, actor, { cancelled, exits });
      return { cancelled, exits };
    });
  }

  /** What /rollover would do now: every open synthetic unit, into the next monthly expiry. */
  rolloverPreview(): Promise<Awaited<ReturnType<UnitRollovers["plan"]>>> {
    return this.serial.run(async () => (this.fno ? this.fno.rolls.plan(this.opts.marketClock.now(), true) : []));
  }

  /**
   * Rolls synthetic units: the scheduled job at ROLLOVER_AT rolls those due
   * (force false); /rollover rolls every unit now (force true).
   */
  rollover(force: boolean, actor: string): Promise<Awaited<ReturnType<UnitRollovers["run"]>>> {
    return this.serial.run(async () => {
      if (!this.fno) return [];
      const done = await this.fno.rolls.run(this.opts.marketClock.now(), force, force ? `by ${actor}` : "schedule");
      if (force) await this.repo.event("rollover.manual", `rollover by ${actor}: ${done.length} units`, this.opts.wallClock.now(), actor, { units: done.length });
      return done;
    });
  }

  /** Exits one open position at market (a trader's /exit). */
  exitNow(positionId: number, actor: string): Promise<{ ok: true; order: OrderView } | { ok: false; message: string }> {
    return this.serial.run(async () => {
      const pos = await this.repo.position(positionId);
      if (!pos || pos.status !== "open") return { ok: false as const, message: `Position ${positionId} is not open.` };
      const now = this.opts.wallClock.now();
      const order = await this.exitPosition(pos.id, null, `manual:${actor}:${now.toISOString()}`);
      if (!order) return { ok: false as const, message: `Position ${positionId} is not open.` };
      await this.repo.event("exit", `exit ${pos.symbol} × ${pos.qty} by ${actor}`, now, actor, { positionId });
      return { ok: true as const, order };
    });
  }

  /**
   * A signal from outside the engine's own strategies (a TradingView webhook):
   * the same pipeline as theirs (risk, approval or auto-accept, orders), in the
   * order of the calls. Resolves with the stored signal (undefined when nothing
   * was stored: an exit with nothing to close).
   */
  submitDraft(d: SignalDraft): Promise<SignalView | undefined> {
    return this.serial.run(async () => {
      await this.onDraft(d);
      return this.repo.signal(d.id);
    });
  }

  approve(id: string, actor: string): Promise<Decision> {
    return this.serial.run(() => this.decide(id, actor, true));
  }

  reject(id: string, actor: string, reason?: string): Promise<Decision> {
    return this.serial.run(() => this.decide(id, actor, false, reason));
  }

  private async decide(id: string, actor: string, approve: boolean, reason?: string): Promise<Decision> {
    const now = this.opts.wallClock.now();
    const current = await this.repo.signal(id);
    if (!current) return { ok: false, message: `No signal with id ${id}.` };
    if (current.status === "proposed" && current.expiresAt && current.expiresAt <= now) {
      await this.expire(current);
      return { ok: false, message: `Signal ${id} expired at ${formatIst(current.expiresAt)}; nothing was ordered.`, signal: (await this.repo.signal(id))! };
    }
    const decided = await this.repo.transitionSignal(id, ["proposed"], approve ? "approved" : "rejected", {
      decidedBy: actor,
      decidedAt: now,
      ...(reason ? { statusReason: reason } : {}),
    });
    if (!decided) return { ok: false, message: alreadyDecided(current), signal: current };
    if (!approve) {
      await this.repo.event("signal.rejected", `${id} rejected by ${actor}`, now, actor, { reason: reason ?? null });
      this.bus.emit("signal.decided", { signal: decided });
      return { ok: true, signal: decided };
    }
    // A halt or pause that came while the signal waited still stops its order (and so does the intraday square-off).
    const blocked = this.controls.entryBlock() ?? this.intradayTooLate(decided.strategy);
    if (blocked) {
      const refused = (await this.repo.transitionSignal(id, ["approved"], "refused", { statusReason: blocked }))!;
      this.bus.emit("signal.decided", { signal: refused });
      return { ok: false, message: `Not ordered: ${blocked}.`, signal: refused };
    }
    if (this.fno?.handles(decided.symbol)) return this.decideSynthetic(decided, actor, now);
    const book = await this.ledger();
    const limit = this.checkLimits(decided, book, await this.repo.openPositions());
    if (!limit.ok) {
      const refused = (await this.repo.transitionSignal(id, ["approved"], "refused", { statusReason: limit.reason }))!;
      this.bus.emit("signal.decided", { signal: refused });
      return { ok: false, message: `Not ordered: ${limit.reason}.`, signal: refused };
    }
    const value = decided.qty * decided.entry;
    const need = value + this.opts.charges({ side: "buy", value, time: this.opts.marketClock.now() });
    if (need > book.cash) {
      const refused = (await this.repo.transitionSignal(id, ["approved"], "refused", {
        statusReason: `not enough cash: needs ${formatRupees(need)} with charges, ${formatRupees(book.cash)} available`,
      }))!;
      this.bus.emit("signal.decided", { signal: refused });
      return { ok: false, message: refused.statusReason!, signal: refused };
    }
    await this.repo.event("signal.approved", `${id} approved by ${actor}`, now, actor);
    this.entryTimes.push(now.getTime());
    const order = await this.orders.submit({
      clientOrderId: clientOrderId(id, "entry"),
      symbol: decided.symbol,
      side: decided.side === "long" ? "buy" : "sell",
      qty: decided.qty,
      type: "market",
      purpose: "entry",
      signalId: id,
    });
    const final = order.status === "rejected" ? (await this.repo.signal(id))! : (await this.repo.transitionSignal(id, ["approved"], "ordered")) ?? (await this.repo.signal(id))!;
    this.bus.emit("signal.decided", { signal: final });
    if (order.status !== "rejected") this.bus.emit("order.placed", { order });
    return { ok: true, signal: final };
  }

  /**
   * An approved index unit: margin checked again on the books of now, then its
   * legs go out, or, decided after the close, it waits for the next open's gap
   * check (seed 002's end-of-day rule).
   */
  private async decideSynthetic(s: SignalView, actor: string, now: Date): Promise<Decision> {
    const fno = this.fno!;
    const open = await this.repo.openPositions();
    const sized = fno.size(s, (await this.ledger(open)).cash, open);
    if (!sized.ok) {
      const refused = (await this.repo.transitionSignal(s.id, ["approved"], "refused", { statusReason: sized.reason }))!;
      this.bus.emit("signal.decided", { signal: refused });
      return { ok: false, message: `Not ordered: ${sized.reason}.`, signal: refused };
    }
    await this.repo.event("signal.approved", `${s.id} approved by ${actor}`, now, actor);
    return { ok: true, signal: fno.entries.afterSession() ? await fno.entries.hold(s) : await fno.entries.enter(s) };
  }

  /**
   * An index bar is about to meet the working orders: units held since the last
   * close meet its open, then every option in play gets this bar's prices.
   */
  private async beforeIndexBar(bar: Candle): Promise<void> {
    const fno = this.fno!;
    fno.barOpened(bar);
    await fno.entries.meetOpen(bar);
    for (const b of await fno.optionBars(bar)) {
      await this.opts.broker.onBar(b);
      this.ltp.set(b.symbol, b.close, barClose(b));
    }
  }

  /** Folds the latest theoretical and actual tracks into their peaks and drawdowns; alerts when they part. */
  private async watchDivergence(): Promise<Array<DivergenceReport & { track: TrackState | undefined }>> {
    const out = [];
    for (const r of await this.fno!.divergence(this.opts.strategies.map((s) => s.name))) {
      const alert = await this.watch!.mark(r, this.opts.wallClock.now());
      if (alert) this.bus.emit("alert", { level: "warn", text: `⚠️ Divergence: ${alert}. /divergence shows both tracks.` });
      out.push({ ...r, track: await this.watch!.state(r) });
    }
    return out;
  }

  /** /divergence: each synthetic strategy's theoretical and actual tracks, side by side. */
  divergence(): Promise<Array<DivergenceReport & { track: TrackState | undefined }>> {
    return this.serial.run(async () => (this.fno ? this.watchDivergence() : []));
  }

  /** Expires every proposed signal whose wall-clock time is up. */
  expireDue(): Promise<number> {
    return this.serial.run(async () => {
      const due = await this.repo.signalsDueToExpire(this.opts.wallClock.now());
      for (const s of due) await this.expire(s);
      return due.length;
    });
  }

  private async expire(s: SignalView): Promise<void> {
    const expired = await this.repo.transitionSignal(s.id, ["proposed"], "expired", { decidedBy: "timeout", decidedAt: s.expiresAt ?? this.opts.wallClock.now() });
    if (expired) this.bus.emit("signal.decided", { signal: expired });
  }

  // ---- the broker's books ----

  /** Compares our books with a real broker's and fixes ours (null with an in-process broker: its books are ours). */
  reconcile(reason: string): Promise<ReconcileReport | null> {
    if (this.opts.broker.inProcess) return Promise.resolve(null);
    return this.serial.run(() => this.reconcileNow(reason));
  }

  /** Asks a live broker for fills now. */
  pollBroker(): Promise<void> {
    return this.serial.run(async () => {
      await this.opts.broker.pollFills?.();
    });
  }

  private async reconcileNow(reason: string): Promise<ReconcileReport> {
    const report = await this.reconciler.run(reason);
    if (report.ok) {
      this.reconciled = true;
      // A stop the broker let lapse with its day, or one lost to a crash, goes out again; one left at an old price follows.
      await this.stops.ensure(await this.repo.openPositions(), `reconciliation (${reason})`);
    }
    if (!report.ok || report.differences.length) this.bus.emit("reconciled", { report });
    return report;
  }

  /**
   * Sends what waited for the market to open (or for a broker that refused to
   * take calls), at most once a second. With a real broker, only after its books
   * were read since this start.
   */
  private async releaseQueued(): Promise<void> {
    if (!this.orders.hasQueued || this.orders.closedReason()) return;
    if (!this.opts.broker.inProcess && !this.reconciled) return;
    const now = this.opts.wallClock.now().getTime();
    if (now - this.lastRelease < 1000) return;
    this.lastRelease = now;
    for (const o of await this.orders.releaseQueued((symbol) => this.ltp.price(symbol))) {
      if (o.status === "rejected") continue; // said by the rejection hook
      this.bus.emit("order.placed", { order: o });
    }
  }

  /** Sends the orders queued for the market's open now (the open's scheduled job; ticks do it too). */
  releaseAtOpen(): Promise<void> {
    return this.serial.run(() => this.releaseQueued());
  }

  // ---- fills ----

  private async fillContext(o: OrderView) {
    const s = o.signalId ? await this.repo.signal(o.signalId) : undefined;
    const pos = o.positionId ? await this.repo.position(o.positionId) : undefined;
    // An option leg carries no stop of its own: the unit's stop is on the index, and its exit signal closes both legs.
    const leg = this.fno?.leg(o.symbol) ?? null;
    return {
      strategy: s?.strategy ?? pos?.strategy ?? "manual",
      stop: leg ? null : (s?.stop ?? null),
      targets: leg ? [] : (s?.targets ?? []),
      exitReason:
        o.purpose === "stop"
          ? "stop"
          : s?.kind === "exit"
            ? "signal_exit"
            : o.purpose === "exit"
              ? ((await this.repo.getSetting<string>(`exitReason:${o.clientOrderId}`)) ?? "manual")
              : "manual",
      unit: s?.unit ?? null,
    };
  }

  private async afterFill(o: OrderView, f: BrokerFill, r: FillResult): Promise<void> {
    this.ltp.set(o.symbol, f.price, f.time);
    if (this.fno?.leg(o.symbol)) await this.fno.rolls.fill(o, f.price, f.qty, this.portfolio.chargesFor(o, f));
    this.bus.emit("order.filled", { order: o, qty: f.qty, price: f.price });
    if (o.purpose === "entry") {
      if (o.signalId) await this.repo.transitionSignal(o.signalId, ["ordered", "approved"], "filled", { positionId: r.position.id });
      if (r.opened) {
        this.bus.emit("position.opened", { position: r.position });
        await this.stops.open(r.position);
      } else if (r.position.stop !== null && r.position.status === "open") {
        // A later part of the entry: the stop grows with the position.
        await this.stops.follow(r.position, r.position.stop, r.position.qty, "entry filled further");
      }
      return;
    }
    if (o.signalId) await this.repo.transitionSignal(o.signalId, ["ordered", "approved"], "filled");
    if (r.trade) {
      const list = this.nets?.get(r.trade.strategy);
      if (list) list.push({ net: r.trade.net });
      else this.nets?.set(r.trade.strategy, [{ net: r.trade.net }]);
      this.bus.emit("position.closed", { trade: r.trade });
    }
    if (r.position.status === "closed") await this.cancelWorking(r.position.id, "position closed");
  }

  private async afterReject(o: OrderView, reason: string): Promise<void> {
    if (o.signalId) await this.repo.transitionSignal(o.signalId, ["approved", "ordered"], "failed", { statusReason: reason });
    this.bus.emit("order.rejected", { order: o, reason });
    this.bus.emit("alert", { level: "error", text: `Order ${o.clientOrderId} (${o.side} ${o.qty} ${o.symbol}) was rejected: ${reason}` });
  }

  // ---- queries ----

  ledger(open?: PositionView[]): Promise<LedgerSnapshot> {
    return ledger(this.repo, this.opts.capital, open);
  }

  lastPrice(symbol: string): Paise | undefined {
    return this.ltp.price(symbol);
  }

  isAuto(strategy: string): boolean {
    return this.auto.has(strategy);
  }

  strategies(): ReadonlyArray<Strategy<unknown>> {
    return this.opts.strategies;
  }

  setAuto(strategy: string, on: boolean, actor: string): Promise<void> {
    return this.serial.run(async () => {
      const now = this.opts.wallClock.now();
      await this.repo.setSetting(`auto:${strategy}`, on, now, actor);
      if (on) this.auto.add(strategy);
      else this.auto.delete(strategy);
      await this.repo.event("auto", `auto-accept ${on ? "on" : "off"} for ${strategy}`, now, actor);
    });
  }

  pendingSignals(): Promise<SignalView[]> {
    return this.repo.signalsByStatus(["proposed"]);
  }

  /** Waits for everything queued so far (tests, shutdown). */
  idle(): Promise<void> {
    return this.serial.idle();
  }
}
