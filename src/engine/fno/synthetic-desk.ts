/**
 * An index traded as synthetic futures (seed 002): a long unit is a bought ATM
 * call and a sold ATM put of one monthly expiry, a short unit the reverse. The
 * strategy's signals name the index ("BANKNIFTY"); here they become two option
 * legs, each an ordinary order and position in the books (intent committed
 * first, fills booked to the paisa), tied together by the signal and the unit.
 *
 * - Sizing is in whole lots of the strategy's own capital (lot-sizing.ts), and
 *   the margin model (margin.ts) is checked before entry instead of the cash
 *   desk's notional caps, which a leveraged index position always breaks.
 * - Orders: buys before sells, so the book never holds a sold option without
 *   its hedge: a long's call is bought before its put is sold; on exit the
 *   sold leg is bought back before the bought leg is sold.
 * - Stops are the strategy's own (a unit's Basso stop on the index close): its
 *   exit signal closes both legs at market. No stop order sits on a leg.
 * - Paper on bars: with no option prices stored, each index bar gives every
 *   option in play a modelled bar (option-model.ts), labelled modelled.
 */
import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import type { EventBus } from "../events.js";
import type { Broker } from "../execution/broker.js";
import type { OrderManager } from "../execution/order-manager.js";
import { clientOrderId } from "../ids.js";
import { barClose, type Candle } from "../market/candle.js";
import type { NseCalendar } from "../market/calendar.js";
import type { ExpiryUnderlying } from "../market/expiry.js";
import { lotSizeOn } from "../market/lot-sizes.js";
import type { LtpCache } from "../market/ltp-cache.js";
import { formatRupees, type Paise } from "../money.js";
import type { SignalView, OrderView, PositionView } from "../views.js";
import { fromIst, istDate, type IstDate } from "../time/ist.js";
import type { VixSeries } from "./india-vix.js";
import { sizeLots } from "./lot-sizing.js";
import { syntheticMargin } from "./margin.js";
import { parseOptionSymbol, type OptionContract } from "./option-contract.js";
import { modelOptionBar, modelPremium } from "./option-model.js";
import { heldExpiry } from "./rollover-calendar.js";
import { divergence, type DivergenceReport } from "./divergence.js";
import { UnitEntries } from "./unit-entries.js";
import { UnitRollovers, type RolloverRecord } from "./rollover.js";

export type { RolloverPreview, RolloverRecord } from "./rollover.js";
import { syntheticLegs, type SyntheticLeg } from "./synthetic.js";

export interface SyntheticSettings {
  /** Indices traded as synthetic futures (their signals become option legs). */
  underlyings: readonly ExpiryUnderlying[];
  /** The strategy's own capital for sizing (BANKNIFTY_CAPITAL). */
  capital: Paise;
  /** Risk of one unit to its stop, % of that capital. */
  riskPct: number;
  /** Margin model: % of the sold leg's notional (FNO_MARGIN_PCT). */
  marginPct: number;
  /** Trading days before expiry that positions roll (ROLLOVER_DAYS_BEFORE_EXPIRY, 3-5). */
  rolloverDaysBefore: number;
  /** Option model's interest rate, % a year. */
  ratePct: number;
  calendar: NseCalendar;
  /** India VIX by day: option prices are modelled from the index bars. Null: option prices come from the feed. */
  vix: VixSeries | null;
  /** Gap rule at the next open (GAP_ADJUST_PCT, GAP_SKIP_PCT). */
  gapAdjustPct: number;
  gapSkipPct: number;
  /** Theoretical and actual tracks parting by more than this % of capital alert (DIVERGENCE_ALERT_PCT). */
  divergenceAlertPct: number;
  /** Lot size of a contract (the instrument master when one is loaded); default: the dated lot-size table. */
  lotSize?: (underlying: string, expiry: IstDate) => number;
}

export interface SyntheticDeps {
  repo: Store;
  orders: OrderManager;
  bus: EventBus;
  marketClock: Clock;
  wallClock: Clock;
  ltp: LtpCache;
  broker: Broker;
  /** The desk's exit of one position (never doubles an exit already working). */
  exitPosition(positionId: number, signalId: string | null, why: string): Promise<OrderView | undefined>;
}

/** One synthetic unit as held: its legs, one expiry, one size. */
export interface HeldUnit {
  strategy: string;
  underlying: string;
  unit: number;
  side: "long" | "short";
  expiry: IstDate;
  qty: number;
  legs: PositionView[];
}

export type SizeResult =
  | { ok: true; qty: number; sizing: Record<string, unknown> }
  | { ok: false; reason: string; qty: number; sizing: Record<string, unknown> };

const unitKey = (strategy: string, underlying: string, unit: number) => `${strategy}\u0000${underlying}\u0000${unit}`;

export class SyntheticDesk {
  /** The index's latest intraday price (a replayed day's daily bar must not leak its close into the day). */
  private readonly spot = new Map<string, Paise>();
  private readonly expiredSaid = new Set<string>();
  private inPlay = new Set<string>();
  private inPlayAt = -Infinity;
  /** Monthly rollovers of the units held. */
  readonly rolls: UnitRollovers;
  /** When approved units go in: now, or at the next open's gap check. */
  readonly entries: UnitEntries;

  constructor(
    readonly settings: SyntheticSettings,
    private readonly d: SyntheticDeps,
  ) {
    this.rolls = new UnitRollovers(this, d);
    this.entries = new UnitEntries(this, d);
  }

  handles(symbol: string): boolean {
    return (this.settings.underlyings as readonly string[]).includes(symbol);
  }

  /** An option leg of a handled index. */
  leg(symbol: string): OptionContract | null {
    const c = parseOptionSymbol(symbol);
    return c && this.handles(c.underlying) ? c : null;
  }

  spotOf(underlying: string): Paise | undefined {
    return this.spot.get(underlying) ?? this.d.ltp.price(underlying);
  }

  lotSize(underlying: string, expiry: IstDate): number {
    return (this.settings.lotSize ?? lotSizeOn)(underlying, expiry);
  }

  /** The monthly expiry a unit opened now takes. */
  expiryFor(underlying: string, date: IstDate): IstDate {
    return heldExpiry(underlying as ExpiryUnderlying, date, this.settings.rolloverDaysBefore, this.settings.calendar);
  }

  // ---- entries ----

  /** Whole lots for a new unit, and whether the margin model lets it in. */
  size(d: Pick<SignalView, "symbol" | "side" | "entry" | "stop">, free: Paise, open: readonly PositionView[]): SizeResult {
    const date = istDate(this.d.marketClock.now());
    const expiry = this.expiryFor(d.symbol, date);
    const lotSize = this.lotSize(d.symbol, expiry);
    const lots = sizeLots({ capital: this.settings.capital, riskPct: this.settings.riskPct, side: d.side, entry: d.entry, stop: d.stop, lotSize });
    const base = { instrument: "synthetic future", expiry, lotSize, capital: this.settings.capital, riskPct: this.settings.riskPct, budget: lots.budget, riskPerLot: lots.riskPerLot };
    if (!lots.ok) return { ok: false, reason: lots.reason, qty: 0, sizing: base };
    const margin = syntheticMargin({ spot: d.entry, qty: lots.qty, marginPct: this.settings.marginPct });
    const used = this.marginUsed(open);
    const sizing = { ...base, lots: lots.lots, margin, marginUsed: used, marginFree: free - used };
    if (margin > free - used) {
      return {
        ok: false,
        reason: `not enough margin: ${lots.lots} lots need ${formatRupees(margin)} (${this.settings.marginPct}% of the sold leg's notional), ${formatRupees(Math.max(0, free - used))} free`,
        qty: lots.qty,
        sizing,
      };
    }
    return { ok: true, qty: lots.qty, sizing };
  }

  /** Margin the open sold legs hold under the model. */
  marginUsed(open: readonly PositionView[]): Paise {
    let used = 0;
    for (const p of open) {
      const c = this.leg(p.symbol);
      if (!c || p.side !== "short") continue;
      used += syntheticMargin({ spot: this.spotOf(c.underlying) ?? c.strike, qty: p.qty, marginPct: this.settings.marginPct });
    }
    return used;
  }

  /**
   * Both legs of an approved unit at market, the bought one first. A bought leg
   * the broker refuses stops the unit there (a sold option is never left naked);
   * a sold leg refused after it is retried once, then the admin is told exactly
   * what is held.
   */
  async enter(s: SignalView, opts: { spot?: Paise; limitPct?: number } = {}): Promise<OrderView[]> {
    const spot = opts.spot ?? this.spotOf(s.symbol) ?? s.entry;
    const now = this.d.marketClock.now();
    const expiry = (s.sizing["expiry"] as IstDate | undefined) ?? this.expiryFor(s.symbol, istDate(now));
    const legs = syntheticLegs(s.side, s.symbol, spot, expiry);
    const placed: OrderView[] = [];
    for (const leg of buysFirst(legs)) {
      const limit = opts.limitPct !== undefined ? this.limitFor(leg, opts.limitPct, now) : undefined;
      const order = await this.submitLeg(s.id, leg, s.qty, "entry", limit);
      placed.push(order);
      if (order.status === "rejected") {
        const held = placed.filter((o) => o.status !== "rejected").map((o) => `${o.side} ${o.qty} ${o.symbol}`);
        this.d.bus.emit("alert", {
          level: "error",
          text: `Synthetic ${s.symbol} unit ${s.unit ?? 0} (${s.id}) not completed: the ${leg.side} of ${leg.contract.symbol} was refused: ${order.reason ?? "no reason given"}. ${held.length ? `Sent: ${held.join(", ")}.` : "Nothing was sent."}`,
        });
        break;
      }
    }
    return placed;
  }

  /** A gapped entry's limit: the leg's price now, moved pct against us (a buy pays up to it, a sell takes down to it), on the tick. */
  private limitFor(leg: SyntheticLeg, pct: number, at: Date): Paise | undefined {
    const p = this.premium(leg.contract, at);
    if (p === undefined) return undefined;
    const raw = leg.side === "buy" ? p * (1 + pct / 100) : p * (1 - pct / 100);
    const ticks = leg.side === "buy" ? Math.ceil(raw / OPTION_TICK) : Math.floor(raw / OPTION_TICK);
    return Math.max(OPTION_TICK, ticks * OPTION_TICK);
  }

  /** One leg, retried once under a new id when the broker refuses it. */
  /** One leg under a signal; used by entries and rollovers alike. */
  async submitLeg(
    signalId: string,
    leg: SyntheticLeg,
    qty: number,
    purpose: "entry",
    limit?: Paise,
  ): Promise<OrderView> {
    const intent = (tag: string) => ({
      clientOrderId: clientOrderId(signalId, `entry:${leg.contract.type}${tag}`),
      symbol: leg.contract.symbol,
      side: leg.side,
      qty,
      type: limit !== undefined ? ("limit" as const) : ("market" as const),
      ...(limit !== undefined ? { price: limit } : {}),
      purpose,
      signalId,
    });
    this.inPlayAt = -Infinity; // a new option is in play from the next tick
    let order = await this.d.orders.submit(intent(""));
    if (order.status === "rejected") order = await this.d.orders.submit(intent(":retry"));
    if (order.status !== "rejected") this.d.bus.emit("order.placed", { order });
    return order;
  }

  // ---- held units ----

  /** Open units of handled indices, their legs grouped by strategy, index and unit. */
  units(open: readonly PositionView[]): HeldUnit[] {
    const byKey = new Map<string, HeldUnit>();
    for (const p of open) {
      const c = this.leg(p.symbol);
      if (!c) continue;
      const unit = p.unit ?? 0;
      const k = unitKey(p.strategy, c.underlying, unit);
      const side = (c.type === "CE") === (p.side === "long") ? "long" : "short";
      const u = byKey.get(k) ?? { strategy: p.strategy, underlying: c.underlying, unit, side, expiry: c.expiry, qty: p.qty, legs: [] };
      u.legs.push(p);
      if (c.expiry < u.expiry) u.expiry = c.expiry;
      byKey.set(k, u);
    }
    return [...byKey.values()].sort((a, b) => a.strategy.localeCompare(b.strategy) || a.unit - b.unit);
  }

  /** The legs of a strategy's units in an index (one unit, or all). */
  legsOf(open: readonly PositionView[], underlying: string, strategy: string, unit?: number): PositionView[] {
    return open.filter((p) => p.strategy === strategy && this.leg(p.symbol)?.underlying === underlying && (unit === undefined || (p.unit ?? 0) === unit));
  }

  /** Closes legs at market, the sold ones first. */
  async exitLegs(legs: readonly PositionView[], signalId: string | null, why: string): Promise<OrderView[]> {
    const out: OrderView[] = [];
    for (const p of [...legs].sort((a, b) => (a.side === b.side ? 0 : a.side === "short" ? -1 : 1))) {
      const o = await this.d.exitPosition(p.id, signalId, why);
      if (o) out.push(o);
    }
    return out;
  }

  // ---- prices ----

  /**
   * An index bar is about to meet the working orders: the options in play get
   * their modelled bars first (when prices are modelled), so orders on them
   * fill at this bar's open like any other.
   */
  async optionBars(bar: Candle): Promise<Candle[]> {
    if (!this.handles(bar.symbol)) return [];
    const vix = this.settings.vix;
    if (!vix) return [];
    const symbols = await this.symbolsInPlay(bar.symbol);
    const vol = this.volOn(istDate(bar.time));
    const out: Candle[] = [];
    for (const sym of symbols) {
      const c = this.leg(sym)!;
      // An expired contract has no price to model (its legs should have rolled): said once, left to the trader.
      if (barClose(bar) > fromIst(c.expiry, "15:30")) {
        if (!this.expiredSaid.has(sym)) {
          this.expiredSaid.add(sym);
          this.d.bus.emit("alert", { level: "error", text: `${sym} expired on ${c.expiry} while still held or ordered: it was not rolled. Check the broker's settlement and close it by hand.` });
        }
        continue;
      }
      out.push(modelOptionBar(bar, c, vol, this.settings.ratePct));
    }
    return out;
  }

  /**
   * Model prices of the options in play at an index tick (paper on live prices).
   * Which options are in play is read from the books at most once a second.
   */
  async optionTicks(underlying: string, spot: Paise, at: Date): Promise<Array<[string, Paise]>> {
    this.spot.set(underlying, spot);
    if (!this.settings.vix) return [];
    if (at.getTime() - this.inPlayAt >= 1000) {
      this.inPlay = await this.symbolsInPlay(underlying);
      this.inPlayAt = at.getTime();
    }
    const out: Array<[string, Paise]> = [];
    const vol = this.volOn(istDate(at));
    for (const sym of this.inPlay) {
      const c = this.leg(sym)!;
      if (at > fromIst(c.expiry, "15:30")) continue;
      out.push([sym, modelPremium(c, spot, at, vol, this.settings.ratePct)]);
    }
    return out;
  }

  private async symbolsInPlay(underlying: string): Promise<Set<string>> {
    const symbols = new Set<string>();
    for (const p of await this.d.repo.openPositions()) if (this.leg(p.symbol)?.underlying === underlying) symbols.add(p.symbol);
    for (const o of await this.d.repo.ordersByStatus(["new", "submitted", "partially_filled", "unknown"])) if (this.leg(o.symbol)?.underlying === underlying) symbols.add(o.symbol);
    return symbols;
  }

  /** An index bar opens: the index price as of its open (a gapped unit's strike and limits are set on it). */
  barOpened(bar: Candle): void {
    if (this.handles(bar.symbol)) this.spot.set(bar.symbol, bar.open);
  }

  /** The bar has closed: the index price as of its close. */
  barClosed(bar: Candle): void {
    if (this.handles(bar.symbol)) this.spot.set(bar.symbol, bar.close);
  }

  /** India VIX of the day (the last one known within a week); 20 when none is. */
  volOn(date: IstDate): number {
    return this.settings.vix?.on(date) ?? DEFAULT_VOL_PCT;
  }

  /** What a contract would cost now under the model, or its last traded price. */
  premium(c: OptionContract, at: Date): Paise | undefined {
    const last = this.d.ltp.price(c.symbol);
    if (last !== undefined) return last;
    const spot = this.spotOf(c.underlying);
    if (spot === undefined) return undefined;
    const bar: Candle = { symbol: c.underlying, timeframe: "1m", time: at, open: spot, high: spot, low: spot, close: spot, volume: 0 };
    return modelOptionBar(bar, c, this.volOn(istDate(at)), this.settings.ratePct).open;
  }

  /** Theoretical versus actual for each strategy that has signalled on a handled index. */
  async divergence(strategies: readonly string[]): Promise<DivergenceReport[]> {
    const out: DivergenceReport[] = [];
    let shared: { orders: OrderView[]; trades: Awaited<ReturnType<Store["trades"]>>; open: PositionView[]; rolls: RolloverRecord[] } | null = null;
    const units = new Map<number, number>();
    for (const underlying of this.settings.underlyings) {
      for (const strategy of strategies) {
        const signals = await this.d.repo.signalsOf(strategy, underlying);
        if (signals.length === 0) continue;
        shared ??= {
          orders: await this.d.repo.ordersByStatus(["filled", "partially_filled", "cancelled"]),
          trades: await this.d.repo.trades(),
          open: await this.d.repo.openPositions(),
          rolls: await this.rolls.records(),
        };
        for (const o of shared.orders) {
          if (o.purpose === "entry" || o.positionId === null || units.has(o.positionId) || !this.leg(o.symbol)) continue;
          const p = await this.d.repo.position(o.positionId);
          if (p) units.set(p.id, p.unit ?? 0);
        }
        const rolls = shared.rolls.filter((r) => r.strategy === strategy && r.underlying === underlying);
        const rolloverCost = rolls.reduce((s, r) => s + (r.cost?.total ?? 0), 0);
        const rolloverSpread = rolls.reduce((s, r) => s + (r.cost?.spread ?? 0), 0);
        out.push(
          divergence({
            strategy,
            underlying,
            capital: this.settings.capital,
            signals,
            orders: shared.orders,
            trades: shared.trades,
            open: shared.open,
            spot: this.spotOf(underlying),
            rolloverCost,
            rolloverSpread,
            unitOfPosition: units,
          }),
        );
      }
    }
    return out;
  }
}

/** Index options trade on a ₹0.05 tick. */
const OPTION_TICK: Paise = 5;

/** India VIX's long-run middle, for a day the series does not cover. */
const DEFAULT_VOL_PCT = 20;

/** Buys before sells: never a sold option without its hedge. */
export function buysFirst(legs: readonly SyntheticLeg[]): SyntheticLeg[] {
  return [...legs].sort((a, b) => (a.side === b.side ? 0 : a.side === "buy" ? -1 : 1));
}
