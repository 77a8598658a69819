/**
 * Monthly rollover of synthetic units (seed 002): ROLLOVER_DAYS_BEFORE_EXPIRY
 * trading days before expiry, at ROLLOVER_AT, every unit's legs move to next
 * month's ATM legs, unit numbers kept. Each rollover is recorded with its
 * orders before any is sent, and priced apart from trading P&L once they fill.
 */
import type { Candle } from "../market/candle.js";
import { barClose, timeframeMs } from "../market/candle.js";
import { followingMonthlyExpiry, type ExpiryUnderlying } from "../market/expiry.js";
import { clientOrderId } from "../ids.js";
import { formatRupees, type Paise } from "../money.js";
import { fromIst, istDate, type IstDate } from "../time/ist.js";
import type { OrderView, PositionView } from "../views.js";
import { ROLLOVER_AT, rolloverDay } from "./rollover-calendar.js";
import { syntheticLegs, type SyntheticLeg } from "./synthetic.js";
import { buysFirst, type HeldUnit, type SyntheticDeps, type SyntheticDesk } from "./synthetic-desk.js";

/** A rollover in the books: its orders, and the fills they have had. */
export interface RolloverRecord {
  id: string;
  strategy: string;
  underlying: string;
  unit: number;
  side: "long" | "short";
  qty: number;
  fromExpiry: IstDate;
  toExpiry: IstDate;
  at: string;
  reason: string;
  /** clientOrderId → what it is and, once filled, its price and charges. */
  orders: Record<string, { role: "close" | "open"; type: "CE" | "PE"; strike: Paise; side: "buy" | "sell"; price?: Paise; charges?: Paise; filledQty?: number }>;
  cost?: { spread: Paise; charges: Paise; total: Paise };
}

export interface RolloverPreview {
  strategy: string;
  unit: number;
  side: "long" | "short";
  qty: number;
  fromExpiry: IstDate;
  toExpiry: IstDate;
  from: Array<{ symbol: string; side: "long" | "short" }>;
  to: Array<{ symbol: string; side: "buy" | "sell" }>;
}

const ROLL_PREFIX = "R";

export class UnitRollovers {
  constructor(
    private readonly fno: SyntheticDesk,
    private readonly d: SyntheticDeps,
  ) {}

  /** When a unit in this expiry rolls: ROLLOVER_AT on the rollover day. */
  moment(expiry: IstDate): Date {
    return fromIst(rolloverDay(expiry, this.fno.settings.rolloverDaysBefore, this.fno.settings.calendar), ROLLOVER_AT);
  }

  /**
   * Units whose roll is due by `at` (or every unit, when forced: /rollover), with
   * what they become: next month's ATM legs at the index price now.
   */
  async plan(at: Date, force: boolean): Promise<RolloverPreview[]> {
    const plans: RolloverPreview[] = [];
    for (const u of this.fno.units(await this.d.repo.openPositions())) {
      if (!force && at < this.moment(u.expiry)) continue;
      if (await this.rollingNow(u)) continue;
      const spot = this.fno.spotOf(u.underlying);
      if (spot === undefined) continue;
      const toExpiry = followingMonthlyExpiry(u.underlying as ExpiryUnderlying, istDate(at) > u.expiry ? istDate(at) : u.expiry, this.fno.settings.calendar);
      const legs = syntheticLegs(u.side, u.underlying, spot, toExpiry);
      plans.push({
        strategy: u.strategy,
        unit: u.unit,
        side: u.side,
        qty: u.qty,
        fromExpiry: u.expiry,
        toExpiry,
        from: u.legs.map((p) => ({ symbol: p.symbol, side: p.side })),
        to: buysFirst(legs).map((l) => ({ symbol: l.contract.symbol, side: l.side })),
      });
    }
    return plans;
  }

  /** A unit whose legs already have closing orders working is mid-roll (or mid-exit): not rolled again. */
  private async rollingNow(u: HeldUnit): Promise<boolean> {
    const ids = new Set(u.legs.map((p) => p.id));
    return (await this.d.repo.ordersByStatus(["new", "submitted", "partially_filled", "unknown"])).some((o) => o.positionId !== null && ids.has(o.positionId) && o.purpose !== "entry");
  }

  /**
   * Rolls every due unit: next month's bought leg, this month's sold leg bought
   * back, next month's sold leg, this month's bought leg sold. Each order is
   * retried once; the first one still refused stops that unit's roll and the
   * admin is told exactly what is held, so a half-rolled unit is never silent.
   */
  async run(at: Date, force: boolean, reason: string): Promise<RolloverPreview[]> {
    const plans = await this.plan(at, force);
    const open = await this.d.repo.openPositions();
    for (const plan of plans) {
      const legs = this.fno.legsOf(open, plan.from[0] ? this.fno.leg(plan.from[0].symbol)!.underlying : "", plan.strategy, plan.unit);
      const underlying = this.fno.leg(legs[0]!.symbol)!.underlying;
      const spot = this.fno.spotOf(underlying)!;
      const newLegs = buysFirst(syntheticLegs(plan.side, underlying, spot, plan.toExpiry));
      const rollId = `${ROLL_PREFIX}${plan.toExpiry.replaceAll("-", "")}-${legs[0]!.id}`;
      const origin = legs[0]!.signalId ? await this.d.repo.signal(legs[0]!.signalId) : undefined;
      const now = this.d.wallClock.now();
      // The new legs' signal carries the unit, so their fills join the same unit; it is no new decision of the strategy.
      await this.d.repo.insertSignal({
        id: rollId,
        strategy: plan.strategy,
        symbol: underlying,
        timeframe: origin?.timeframe ?? "75m",
        barTime: at,
        side: plan.side,
        kind: "entry",
        unit: plan.unit,
        entry: spot,
        stop: origin?.stop ?? null,
        targets: [],
        strength: origin?.strength ?? 100,
        conditions: { rollover: true },
        qty: plan.qty,
        sizing: { instrument: "synthetic future", expiry: plan.toExpiry, rolloverFrom: plan.fromExpiry, lotSize: this.fno.lotSize(underlying, plan.toExpiry) },
        createdAt: now,
        expiresAt: null,
        status: "approved",
        statusReason: `rollover ${plan.fromExpiry} → ${plan.toExpiry} (${reason})`,
        decidedBy: "rollover",
        decidedAt: now,
        positionId: null,
      });
      const record: RolloverRecord = {
        id: rollId,
        strategy: plan.strategy,
        underlying,
        unit: plan.unit,
        side: plan.side,
        qty: plan.qty,
        fromExpiry: plan.fromExpiry,
        toExpiry: plan.toExpiry,
        at: at.toISOString(),
        reason,
        orders: {},
      };
      const why = `rollover:${plan.toExpiry}`;
      const steps: Array<{ kind: "open"; leg: SyntheticLeg } | { kind: "close"; pos: PositionView }> = [];
      const closing = [...legs].sort((a, b) => (a.side === b.side ? 0 : a.side === "short" ? -1 : 1));
      const buyNew = newLegs.filter((l) => l.side === "buy");
      const sellNew = newLegs.filter((l) => l.side === "sell");
      for (const l of buyNew) steps.push({ kind: "open", leg: l });
      for (const p of closing.filter((p) => p.side === "short")) steps.push({ kind: "close", pos: p });
      for (const l of sellNew) steps.push({ kind: "open", leg: l });
      for (const p of closing.filter((p) => p.side === "long")) steps.push({ kind: "close", pos: p });
      // The record names every order before any is sent, so a fill can always find its rollover.
      for (const st of steps) {
        if (st.kind === "open") {
          record.orders[clientOrderId(rollId, `entry:${st.leg.contract.type}`)] = { role: "open", type: st.leg.contract.type, strike: st.leg.contract.strike, side: st.leg.side };
        } else {
          const c = this.fno.leg(st.pos.symbol)!;
          const cid = clientOrderId(st.pos.id, "exit", why);
          record.orders[cid] = { role: "close", type: c.type, strike: c.strike, side: st.pos.side === "long" ? "sell" : "buy" };
          await this.d.repo.setSetting(`exitReason:${cid}`, "rollover", now, "rollover");
        }
      }
      for (const cid of Object.keys(record.orders)) await this.d.repo.setSetting(`rolloverOrder:${cid}`, rollId, now, "rollover");
      await this.d.repo.setSetting(`rollover:${rollId}`, record, now, "rollover");
      await this.d.repo.event("rollover", `rollover of ${plan.strategy} ${underlying} unit ${plan.unit} (${plan.qty}): ${plan.fromExpiry} → ${plan.toExpiry}`, now, "rollover", {
        rollId,
        reason,
        ...plan,
      });

      let failed: string | null = null;
      for (const st of steps) {
        if (st.kind === "open") {
          const o = await this.fno.submitLeg(rollId, st.leg, plan.qty, "entry");
          if (o.status === "rejected") failed = `the ${st.leg.side} of ${st.leg.contract.symbol} was refused: ${o.reason ?? "no reason given"}`;
        } else {
          const o = await this.d.exitPosition(st.pos.id, null, why);
          if (o?.status === "rejected") failed = `closing ${st.pos.symbol} was refused: ${o.reason ?? "no reason given"}`;
        }
        if (failed) break;
      }
      if (failed) {
        const held = (await this.d.repo.openPositions()).filter((p) => this.fno.leg(p.symbol)?.underlying === underlying && p.strategy === plan.strategy);
        this.d.bus.emit("alert", {
          level: "error",
          text: `⚠️ Rollover of ${underlying} unit ${plan.unit} stopped: ${failed}. Held now: ${held.map((p) => `${p.side} ${p.qty} ${p.symbol}`).join(", ") || "nothing"}. Nothing else is sent for this unit; check the broker and use /rollover again.`,
        });
        await this.d.repo.transitionSignal(rollId, ["approved"], "failed", { statusReason: failed });
      } else {
        await this.d.repo.transitionSignal(rollId, ["approved"], "ordered");
      }
    }
    return plans;
  }

  /**
   * A fill of one of a rollover's orders: noted in its record; the last one
   * prices the rollover's cost, kept apart from trading P&L: the difference of
   * the two synthetic prices (strike + call − put) times the size, and the
   * charges of its four fills.
   */
  async fill(o: OrderView, price: Paise, qty: number, charges: Paise): Promise<void> {
    if (!this.fno.leg(o.symbol)) return;
    const rollId = await this.d.repo.getSetting<string>(`rolloverOrder:${o.clientOrderId}`);
    if (!rollId) return;
    const rec = await this.d.repo.getSetting<RolloverRecord>(`rollover:${rollId}`);
    if (!rec) return;
    const leg = rec.orders[o.clientOrderId];
    if (!leg) return;
    const before = leg.filledQty ?? 0;
    const filled = before + qty;
    leg.price = Math.round(((leg.price ?? 0) * before + price * qty) / filled);
    leg.filledQty = filled;
    leg.charges = (leg.charges ?? 0) + charges;
    const all = Object.values(rec.orders);
    if (!rec.cost && all.every((l) => (l.filledQty ?? 0) >= rec.qty)) {
      const synthetic = (role: "close" | "open") => {
        const ce = all.find((l) => l.role === role && l.type === "CE")!;
        const pe = all.find((l) => l.role === role && l.type === "PE")!;
        return ce.strike + ce.price! - pe.price!;
      };
      const dir = rec.side === "long" ? 1 : -1;
      const spread = dir * (synthetic("open") - synthetic("close")) * rec.qty;
      const chg = all.reduce((s, l) => s + (l.charges ?? 0), 0);
      rec.cost = { spread, charges: chg, total: spread + chg };
      const now = this.d.wallClock.now();
      await this.d.repo.event("rollover.done", `rolled ${rec.underlying} unit ${rec.unit}: cost ${formatRupees(rec.cost.total)}`, now, "rollover", { ...rec });
      this.d.bus.emit("alert", {
        level: "info",
        text: `🔄 Rolled ${rec.underlying} unit ${rec.unit} (${rec.qty}) from ${rec.fromExpiry} to ${rec.toExpiry}: cost ${formatRupees(rec.cost.total)} (spread ${formatRupees(spread)}, charges ${formatRupees(chg)}), kept apart from trading P&L.`,
      });
    }
    await this.d.repo.setSetting(`rollover:${rollId}`, rec, this.d.wallClock.now(), "rollover");
  }

  /** Every rollover recorded, oldest first. */
  async records(): Promise<RolloverRecord[]> {
    const out: RolloverRecord[] = [];
    for (const e of await this.d.repo.events("rollover", 10_000)) {
      const id = (e.detail as { rollId?: string }).rollId;
      const rec = id ? await this.d.repo.getSetting<RolloverRecord>(`rollover:${id}`) : undefined;
      if (rec) out.push(rec);
    }
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The bar on which a replay rolls: the last bar boundary at or before ROLLOVER_AT on the roll day. */
  dueAfterBar(bar: Candle): Date | null {
    const close = barClose(bar);
    const nextClose = close.getTime() + timeframeMs(bar.timeframe);
    const day = istDate(bar.time);
    const at = fromIst(day, ROLLOVER_AT).getTime();
    return close.getTime() <= at && nextClose > at ? new Date(at) : null;
  }
}
