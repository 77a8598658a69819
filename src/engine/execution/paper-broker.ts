import type { Candle } from "../market/candle.js";
import type { Broker, BrokerFill, OrderRequest } from "./broker.js";

type Working = OrderRequest & { brokerOrderId: string; placedAt: number };

/**
 * Simulated fills on the feed's prices. A market order fills at the open of the
 * next bar of its symbol; a sell stop triggers when the bar trades at or below
 * its trigger and fills there, or at the open when the bar gaps through it.
 */
export class PaperBroker implements Broker {
  readonly name = "paper";
  private readonly working = new Map<string, Working>();
  private listener: (f: BrokerFill) => Promise<void> = async () => {};
  private seq = 0;

  async placeOrder(req: OrderRequest): Promise<{ brokerOrderId: string }> {
    if (!Number.isInteger(req.qty) || req.qty <= 0) throw new Error(`quantity must be a positive whole number, got ${req.qty}`);
    if (req.type === "stop" && req.side !== "sell") throw new Error("paper stops protect longs: sell stops only");
    if (req.type !== "market" && !(Number.isInteger(req.price) && req.price! > 0)) throw new Error(`a ${req.type} order needs a price in whole paise`);
    const brokerOrderId = `P-${req.clientOrderId}`;
    if (this.working.has(brokerOrderId)) throw new Error(`order ${req.clientOrderId} is already working`);
    this.working.set(brokerOrderId, { ...req, brokerOrderId, placedAt: ++this.seq });
    return { brokerOrderId };
  }

  async cancelOrder(brokerOrderId: string): Promise<void> {
    this.working.delete(brokerOrderId);
  }

  adopt(order: OrderRequest & { brokerOrderId: string }): void {
    this.working.set(order.brokerOrderId, { ...order, placedAt: ++this.seq });
  }

  onFill(listener: (f: BrokerFill) => Promise<void>): void {
    this.listener = listener;
  }

  workingOrders(): readonly Working[] {
    return [...this.working.values()];
  }

  async onBar(c: Candle): Promise<void> {
    // Market orders first (they fill at the open); the stops they cause are matched after.
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "market")) {
      await this.fill(o, c.open, c.time);
    }
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "limit")) {
      const p = o.price!;
      if (o.side === "buy" && c.low <= p) await this.fill(o, Math.min(p, c.open), c.time);
      else if (o.side === "sell" && c.high >= p) await this.fill(o, Math.max(p, c.open), c.time);
    }
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "stop")) {
      const trigger = o.price!;
      if (c.low <= trigger) await this.fill(o, Math.min(trigger, c.open), c.time);
    }
  }

  private bySymbol(symbol: string, pred: (o: Working) => boolean): Working[] {
    return [...this.working.values()].filter((o) => o.symbol === symbol && pred(o)).sort((a, b) => a.placedAt - b.placedAt);
  }

  private async fill(o: Working, price: number, time: Date): Promise<void> {
    if (!this.working.delete(o.brokerOrderId)) return;
    await this.listener({ fillId: `${o.brokerOrderId}-1`, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, qty: o.qty, price, time });
  }
}
