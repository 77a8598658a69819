import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import { clientOrderId } from "../ids.js";
import { formatRupees, type Paise } from "../money.js";
import type { OrderView, PositionView } from "../views.js";
import type { OrderManager } from "./order-manager.js";
import { pastStop } from "./order-state.js";

export interface ProtectiveStopDeps {
  repo: Store;
  orders: OrderManager;
  /** Wall-clock time: makes each replacement stop's client id new. */
  clock: Clock;
  /** The last traded price we know of a symbol. */
  lastPrice(symbol: string): Paise | undefined;
  alert(text: string): void;
}

/**
 * The stop-loss order (SL-M) that protects an open position at the broker. A
 * move of the stop or a smaller position modifies the working order in place,
 * so the position is never without a stop between a cancel and a new order;
 * only when the broker refuses the change is the stop cancelled and placed again.
 */
export class ProtectiveStops {
  constructor(private readonly d: ProtectiveStopDeps) {}

  /** The position's stop orders that are, or may be, working: queued, sent, or awaiting an answer. */
  async of(positionId: number): Promise<OrderView[]> {
    return (await this.d.repo.ordersByStatus(["new", "unknown", "submitted", "partially_filled"])).filter((o) => o.positionId === positionId && o.purpose === "stop");
  }

  /** The first stop of a newly opened position (its id follows from the position, so a retry never doubles it). */
  open(pos: PositionView): Promise<OrderView> | undefined {
    if (pos.stop === null) return undefined;
    return this.submit(pos, pos.stop, pos.qty, clientOrderId(pos.id, "stop", pos.stop));
  }

  /**
   * Makes the broker's stop for the position read `stop` for `qty` shares:
   * modified when one works, placed when none does, cancelled when `stop` is null
   * or nothing is held.
   */
  async follow(pos: PositionView, stop: Paise | null, qty: number, why: string): Promise<void> {
    const list = await this.of(pos.id);
    if (list.some((o) => o.orderType === "market")) return; // already stopped out at market
    if (list.some((o) => o.status === "unknown")) {
      // An unanswered stop may be working: reconciliation settles it first, then the next pass follows.
      this.d.alert(`Stop for ${pos.symbol} (position ${pos.id}) not moved to ${stop === null ? "none" : formatRupees(stop)}: its last order is unconfirmed; it follows after the next reconciliation.`);
      return;
    }
    if (this.d.orders.closedReason()) {
      // The market is closed: the broker takes no change. A queued stop is changed in the books; a working
      // one ends with its day, and the next reconciliation places it again at the position's stop.
      const queued = list.filter((o) => o.status === "new");
      for (const o of queued) {
        if (stop === null || qty <= 0) await this.d.orders.cancel(o, why);
        else await this.d.orders.modify(o, { price: stop, qty }, why);
      }
      if (list.length === 0 && stop !== null && qty > 0) await this.submit(pos, stop, qty, clientOrderId(pos.id, "stop", stop, qty, this.d.clock.now().getTime()));
      return;
    }
    if (stop === null || qty <= 0) {
      for (const o of list) await this.d.orders.cancel(o, why);
      return;
    }
    if (list.length === 1) {
      const o = list[0]!;
      if (o.limitPrice === stop && o.qty === qty) return;
      const moved = await this.d.orders.modify(o, { price: stop, ...(o.qty !== qty ? { qty } : {}) }, why);
      if (moved.ok) return;
      const gone = await this.d.orders.cancel(o, `${why}: the broker refused the change (${moved.reason})`);
      if (gone.status !== "cancelled") {
        this.d.alert(`Stop for ${pos.symbol} (position ${pos.id}) could not be moved to ${formatRupees(stop)}: ${moved.reason}. It stays at ${o.limitPrice !== null ? formatRupees(o.limitPrice) : "its old price"} until reconciliation.`);
        return;
      }
    } else {
      for (const o of list) {
        const gone = await this.d.orders.cancel(o, why);
        if (gone.status !== "cancelled") {
          this.d.alert(`Stop ${o.clientOrderId} for ${pos.symbol} could not be cancelled: a new stop is not placed beside it until reconciliation.`);
          return;
        }
      }
    }
    await this.submit(pos, stop, qty, clientOrderId(pos.id, "stop", stop, qty, this.d.clock.now().getTime()));
  }

  /** After reconciliation: every open position with a stop has one stop order, at its price and size. */
  async ensure(open: readonly PositionView[], why: string): Promise<void> {
    const live = await this.d.repo.ordersByStatus(["new", "unknown", "submitted", "partially_filled"]);
    // A position on its way out needs no new stop beside its exit.
    const exiting = new Set(live.filter((o) => o.purpose === "exit" || o.orderType === "market").map((o) => o.positionId));
    for (const p of open) if (p.stop !== null && !exiting.has(p.id)) await this.follow(p, p.stop, p.qty, why);
  }

  private submit(pos: PositionView, stop: Paise, qty: number, id: string): Promise<OrderView> {
    const side = pos.side === "long" ? "sell" : "buy";
    const base = { symbol: pos.symbol, side, qty, purpose: "stop", positionId: pos.id } as const;
    // The price is already through the stop: the exchange would refuse the stop order, so the position goes at market.
    if (pastStop(side, stop, this.d.lastPrice(pos.symbol))) return this.d.orders.submit({ ...base, clientOrderId: clientOrderId(id, "market"), type: "market" });
    return this.d.orders.submit({ ...base, clientOrderId: id, type: "stop", price: stop });
  }
}
