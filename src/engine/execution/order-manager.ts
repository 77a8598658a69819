import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import type { Paise } from "../money.js";
import type { FillResult, Portfolio } from "../portfolio/portfolio.js";
import type { OrderView } from "../views.js";
import type { Broker, BrokerFill } from "./broker.js";

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
}

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
  ) {
    broker.onFill((f) => this.handleFill(f));
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
    try {
      const { brokerOrderId } = await this.broker.placeOrder({
        clientOrderId: order.clientOrderId,
        symbol: order.symbol,
        side: order.side,
        qty: order.qty,
        type: order.orderType,
        ...(order.limitPrice !== null ? { price: order.limitPrice } : {}),
        since: at,
      });
      return await this.repo.updateOrder(order.id, "submitted", at, { brokerOrderId });
    } catch (err) {
      const reason = (err as Error).message;
      const rejected = await this.repo.updateOrder(order.id, "rejected", at, { reason });
      await this.hooks.rejected(rejected, reason);
      return rejected;
    }
  }

  async cancel(order: OrderView, note: string): Promise<OrderView> {
    if (order.brokerOrderId) await this.broker.cancelOrder(order.brokerOrderId);
    return this.repo.updateOrder(order.id, "cancelled", this.clock.now(), {}, note);
  }

  /** After a restart: hand the working orders back to the broker. */
  async resume(): Promise<number> {
    // A submitted order always carries the broker's id: it is written with the status.
    const working = (await this.repo.ordersByStatus(["submitted", "partially_filled"])).filter((o) => o.brokerOrderId !== null);
    for (const o of working) {
      this.broker.adopt({
        clientOrderId: o.clientOrderId,
        brokerOrderId: o.brokerOrderId!,
        symbol: o.symbol,
        side: o.side,
        qty: o.qty - o.filledQty,
        type: o.orderType,
        ...(o.limitPrice !== null ? { price: o.limitPrice } : {}),
        // Written at the market time it was placed: a day replayed after a crash must not fill it in its own past.
        since: o.placedAt,
      });
    }
    // Written but never acknowledged (a crash between the two): with an in-process broker it was never
    // placed anywhere, so place it now. A real broker's would need reconciling by its tag first.
    let replaced = 0;
    if (this.broker.inProcess) {
      for (const o of await this.repo.ordersByStatus(["new"])) {
        const { brokerOrderId } = await this.broker.placeOrder({
          clientOrderId: o.clientOrderId,
          symbol: o.symbol,
          side: o.side,
          qty: o.qty,
          type: o.orderType,
          ...(o.limitPrice !== null ? { price: o.limitPrice } : {}),
          since: o.placedAt,
        });
        await this.repo.updateOrder(o.id, "submitted", this.clock.now(), { brokerOrderId }, "placed after a restart");
        replaced++;
      }
    }
    return working.length + replaced;
  }

  private async handleFill(fill: BrokerFill): Promise<void> {
    const order = await this.repo.orderByClientId(fill.clientOrderId);
    if (!order) throw new Error(`fill ${fill.fillId} for an unknown order ${fill.clientOrderId}`);
    const ctx = await this.hooks.context(order);
    const outcome = await this.repo.tx(async (tx) => {
      // A fill seen twice (a replayed bar, a broker retry) is booked once.
      const charges = this.portfolio.chargesFor(order, fill);
      const fresh = await tx.insertFill({ fillId: fill.fillId, orderId: order.id, symbol: order.symbol, side: order.side, qty: fill.qty, price: fill.price, charges, time: fill.time });
      if (!fresh) return undefined;
      const result = await this.portfolio.applyFill(tx, order, fill, ctx, charges);
      const filledQty = order.filledQty + fill.qty;
      const avg = Math.round(((order.avgFillPrice ?? 0) * order.filledQty + fill.price * fill.qty) / filledQty);
      const updated = await tx.updateOrder(order.id, filledQty >= order.qty ? "filled" : "partially_filled", fill.time, {
        filledQty,
        avgFillPrice: avg,
      });
      return { updated, result };
    });
    if (outcome) await this.hooks.filled(outcome.updated, fill, outcome.result);
  }
}
