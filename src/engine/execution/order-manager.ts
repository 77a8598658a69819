import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import type { Paise } from "../money.js";
import type { FillResult, Portfolio } from "../portfolio/portfolio.js";
import type { OrderView } from "../views.js";
import { clientOrderId } from "../ids.js";
import { BrokerError, type Broker, type BrokerFill, type OrderChange, type OrderRequest, type Product } from "./broker.js";
import { assertMove, pastStop, statusAfterFill } from "./order-state.js";

export interface OrderIntent {
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  type: "market" | "limit" | "stop";
  price?: Paise;
  purpose: OrderView["purpose"];
  signalId?: string | null;
  positionId?: number | null;
}

export interface FillContext {
  strategy: string;
  stop: Paise | null;
  targets: Paise[];
  exitReason: string;
}

export interface OrderManagerHooks {
  /** What the fill belongs to (strategy, stop, why the exit). */
  context(order: OrderView): Promise<FillContext>;
  /** After the fill is in the books (same serial turn): protective stops, events. */
  filled(order: OrderView, fill: BrokerFill, result: FillResult): Promise<void>;
  rejected(order: OrderView, reason: string): Promise<void>;
  /** The broker gave no usable answer: the order may or may not exist until reconciliation looks it up. */
  unknown?(order: OrderView, reason: string): Promise<void>;
  /** The product an order goes as (INTRADAY for an intraday strategy's); unset: the broker's default for the instrument. */
  product?(order: OrderView): Promise<Product | undefined>;
}

/** Named moments of the order flow; a crash test stops the process at one of them. */
export type CrashPoint = "intent-committed" | "broker-answered" | "fill-received" | "fill-booked";

export interface OrderManagerOptions {
  /** Called at each crash point (a reliability test kills the process there); a no-op in use. */
  crashPoint?: (point: CrashPoint) => void;
  /**
   * Why the broker cannot take orders now (its market is closed), or null when it
   * can. While closed, an order's intent is committed and queued as `new`; it is
   * sent by releaseQueued() once the session opens. Unset: always open (paper).
   */
  closed?: () => string | null;
}

export type ModifyResult = { ok: true; order: OrderView } | { ok: false; order: OrderView; reason: string };

/**
 * Intent first: the order is committed with its client id before the broker is
 * called, so a crash never loses an order and a retry never doubles one (the
 * unique client id refuses the second).
 */
export class OrderManager {
  constructor(
    private readonly repo: Store,
    private readonly broker: Broker,
    private readonly clock: Clock,
    private readonly portfolio: Portfolio,
    private readonly hooks: OrderManagerHooks,
    private readonly opts: OrderManagerOptions = {},
  ) {
    broker.onFill(async (f) => {
      await this.bookFill(f);
    });
  }

  /** Client ids whose placement call is under way: reconciliation must not judge them. */
  private readonly inFlight = new Set<string>();

  isInFlight(clientOrderId: string): boolean {
    return this.inFlight.has(clientOrderId);
  }

  async submit(intent: OrderIntent): Promise<OrderView> {
    const at = this.clock.now();
    const { order, created } = await this.repo.insertOrder({
      clientOrderId: intent.clientOrderId,
      signalId: intent.signalId ?? null,
      positionId: intent.positionId ?? null,
      symbol: intent.symbol,
      side: intent.side,
      qty: intent.qty,
      orderType: intent.type,
      limitPrice: intent.price ?? null,
      purpose: intent.purpose,
      at,
    });
    if (!created && order.status !== "new") return order;
    this.opts.crashPoint?.("intent-committed");
    const closed = this.closedReason();
    if (closed) {
      this.queued = true;
      return created ? this.repo.updateOrder(order.id, "new", at, {}, `queued: ${closed}; sent when the market opens`) : order;
    }
    return this.place(order, at);
  }

  /** Why orders cannot reach the broker now, or null. */
  closedReason(): string | null {
    return this.opts.closed?.() ?? null;
  }

  /** True when an order may be waiting as `new` for the market to open (or for a broker that refused to take calls). */
  get hasQueued(): boolean {
    return this.queued;
  }

  private queued = true;

  /**
   * Sends the orders queued while the market was closed (or refused as
   * unavailable). A queued protective stop the price has already gone through
   * (a gap at the open) would be refused by the exchange: it goes out as a
   * market order instead, so the position is not left unprotected.
   */
  async releaseQueued(lastPrice: (symbol: string) => Paise | undefined): Promise<OrderView[]> {
    if (this.closedReason()) return [];
    const sent: OrderView[] = [];
    let left = false;
    for (const o of await this.repo.ordersByStatus(["new"])) {
      if (this.inFlight.has(o.clientOrderId)) continue;
      const crossed = o.orderType === "stop" && o.limitPrice !== null && pastStop(o.side, o.limitPrice, lastPrice(o.symbol));
      let placed: OrderView;
      if (crossed) {
        await this.settle(o, "cancelled", {}, "the price opened through the stop: sent at market instead");
        placed = await this.submit({
          clientOrderId: clientOrderId(o.clientOrderId, "gap"),
          symbol: o.symbol,
          side: o.side,
          qty: o.qty,
          type: "market",
          purpose: o.purpose,
          signalId: o.signalId,
          positionId: o.positionId,
        });
      } else {
        placed = await this.place(o, this.clock.now(), "sent at the market's open");
      }
      if (placed.status === "new") left = true;
      sent.push(placed);
    }
    this.queued = left;
    return sent;
  }

  /**
   * Sends an order the books hold as `new` (or `unknown`, once reconciliation has
   * seen the broker does not have it) and records the answer:
   * - accepted → submitted;
   * - refused → rejected;
   * - no usable answer → unknown: it may exist; never resent blindly;
   * - refused before the order system (rate limit) → stays new for the next pass.
   */
  async place(order: OrderView, at: Date = this.clock.now(), note?: string): Promise<OrderView> {
    if (this.closedReason()) {
      this.queued = true;
      return order;
    }
    // Read before the call: a failure to read it is not the broker refusing the order.
    const product = await this.hooks.product?.(order);
    this.inFlight.add(order.clientOrderId);
    try {
      const { brokerOrderId } = await this.broker.placeOrder({ ...this.requestOf(order, order.qty, at), ...(product ? { product } : {}) });
      this.opts.crashPoint?.("broker-answered");
      assertMove(order.clientOrderId, order.status, "submitted");
      return await this.repo.updateOrder(order.id, "submitted", this.clock.now(), { brokerOrderId }, note);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (err instanceof BrokerError && err.kind === "ambiguous") {
        if (order.status === "unknown") return order;
        const unknown = await this.repo.updateOrder(order.id, "unknown", this.clock.now(), { reason }, "no answer from the broker: to be looked up by its tag");
        await this.hooks.unknown?.(unknown, reason);
        return unknown;
      }
      if (err instanceof BrokerError && err.kind === "unavailable") {
        // Nothing reached the order system: it stays as it is and the next pass places it.
        if (order.status === "new") this.queued = true;
        return order;
      }
      const rejected = await this.repo.updateOrder(order.id, "rejected", this.clock.now(), { reason });
      await this.hooks.rejected(rejected, reason);
      return rejected;
    } finally {
      this.inFlight.delete(order.clientOrderId);
    }
  }

  private requestOf(o: OrderView, qty: number, since: Date): OrderRequest {
    return {
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      qty,
      type: o.orderType,
      ...(o.limitPrice !== null ? { price: o.limitPrice } : {}),
      since,
    };
  }

  /**
   * Cancels at the broker, then in the books. A cancel the broker refused or did
   * not answer leaves the order as it is (it may still be working): the next
   * reconciliation reads its real state.
   */
  async cancel(order: OrderView, note: string): Promise<OrderView> {
    if (order.brokerOrderId) {
      try {
        await this.broker.cancelOrder(order.brokerOrderId);
      } catch (err) {
        if (err instanceof BrokerError) return order;
        throw err;
      }
    }
    if (order.status === "cancelled") return order;
    assertMove(order.clientOrderId, order.status, "cancelled");
    return this.repo.updateOrder(order.id, "cancelled", this.clock.now(), {}, note);
  }

  /**
   * Moves a working order's price (a stop's trigger) or quantity: at the broker
   * first, then in the books. A queued order has not been sent: only the books
   * change. A refusal or no answer leaves the books as they were (the order still
   * works at its old terms, or reconciliation reads what the broker has).
   */
  async modify(order: OrderView, change: OrderChange, note: string): Promise<ModifyResult> {
    const fields = { ...(change.qty !== undefined ? { qty: change.qty } : {}), ...(change.price !== undefined ? { limitPrice: change.price } : {}) };
    if (order.status === "new" && !this.inFlight.has(order.clientOrderId)) {
      return { ok: true, order: await this.repo.updateOrder(order.id, "new", this.clock.now(), fields, note) };
    }
    if ((order.status !== "submitted" && order.status !== "partially_filled") || order.brokerOrderId === null) {
      return { ok: false, order, reason: `order ${order.clientOrderId} is ${order.status}: nothing working to change` };
    }
    if (change.qty !== undefined && change.qty <= order.filledQty) {
      return { ok: false, order, reason: `order ${order.clientOrderId} has ${order.filledQty} filled already: it cannot shrink to ${change.qty}` };
    }
    try {
      await this.broker.modifyOrder(order.brokerOrderId, change);
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      return { ok: false, order, reason: err.message };
    }
    return { ok: true, order: await this.repo.updateOrder(order.id, order.status, this.clock.now(), fields, note) };
  }

  /** Moves an order to what reconciliation found at the broker. */
  async settle(order: OrderView, status: OrderView["status"], fields: { brokerOrderId?: string; reason?: string }, note: string): Promise<OrderView> {
    if (order.status === status && fields.brokerOrderId === undefined) return order;
    if (order.status !== status) assertMove(order.clientOrderId, order.status, status);
    return this.repo.updateOrder(order.id, status, this.clock.now(), fields, note);
  }

  /** After a restart: hand the working orders back to the broker. */
  async resume(): Promise<number> {
    // A submitted order always carries the broker's id: it is written with the status.
    const working = (await this.repo.ordersByStatus(["submitted", "partially_filled"])).filter((o) => o.brokerOrderId !== null);
    for (const o of working) {
      // Written at the market time it was placed: a day replayed after a crash must not fill it in its own past.
      this.broker.adopt({ ...this.requestOf(o, o.qty - o.filledQty, o.placedAt), brokerOrderId: o.brokerOrderId! });
    }
    // Written but never acknowledged (a crash between the two): with an in-process broker it was never
    // placed anywhere, so place it now. A real broker's would need reconciling by its tag first.
    let replaced = 0;
    if (this.broker.inProcess) {
      for (const o of await this.repo.ordersByStatus(["new"])) {
        const placed = await this.place(o, o.placedAt, "placed after a restart");
        if (placed.status === "submitted") replaced++;
      }
    }
    return working.length + replaced;
  }

  /** Books a fill once (a fill seen twice — a replayed bar, a broker retry, a reconciliation — is booked once). Returns whether it was new. */
  async bookFill(fill: BrokerFill): Promise<boolean> {
    const known = await this.repo.orderByClientId(fill.clientOrderId);
    if (!known) throw new Error(`fill ${fill.fillId} for an unknown order ${fill.clientOrderId}`);
    this.opts.crashPoint?.("fill-received");
    const ctx = await this.hooks.context(known);
    const outcome = await this.repo.tx(async (tx) => {
      // Read again inside the transaction: the quantities must be the committed ones.
      const order = (await tx.orderByClientId(fill.clientOrderId))!;
      const charges = this.portfolio.chargesFor(order, fill);
      const fresh = await tx.insertFill({ fillId: fill.fillId, orderId: order.id, symbol: order.symbol, side: order.side, qty: fill.qty, price: fill.price, charges, time: fill.time });
      if (!fresh) return undefined;
      const result = await this.portfolio.applyFill(tx, order, fill, ctx, charges);
      const filledQty = order.filledQty + fill.qty;
      const avg = Math.round(((order.avgFillPrice ?? 0) * order.filledQty + fill.price * fill.qty) / filledQty);
      const status = statusAfterFill(order.status, filledQty, order.qty);
      assertMove(order.clientOrderId, order.status, status);
      const updated = await tx.updateOrder(order.id, status, fill.time, {
        filledQty,
        avgFillPrice: avg,
        ...(order.brokerOrderId === null ? { brokerOrderId: fill.brokerOrderId } : {}),
      });
      return { updated, result };
    });
    if (!outcome) return false;
    this.opts.crashPoint?.("fill-booked");
    await this.hooks.filled(outcome.updated, fill, outcome.result);
    return true;
  }
}
