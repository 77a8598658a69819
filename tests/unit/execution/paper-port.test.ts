/** The paper broker answers the whole broker port from what it has seen since start. */
import { describe, expect, it } from "vitest";
import type { BrokerFill } from "../../../src/engine/execution/broker.js";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import type { Candle } from "../../../src/engine/market/candle.js";

const at = (s: string) => new Date(`2025-03-03T${s}:00+05:30`);
const bar = (time: string, o: number, h: number, l: number, c: number): Candle => ({ symbol: "SBIN", timeframe: "75m", time: at(time), open: o, high: h, low: l, close: c, volume: 1_000_000 });

function broker() {
  const b = new PaperBroker({ cash: () => 5_00_000_00 });
  const fills: BrokerFill[] = [];
  b.onFill(async (f) => void fills.push(f));
  return { b, fills };
}

describe("paper broker as a full broker port", () => {
  it("lists its orders, trades and net position after fills", async () => {
    const { b, fills } = broker();
    await b.placeOrder({ clientOrderId: "DA", symbol: "SBIN", side: "buy", qty: 10, type: "market", since: at("09:15") });
    await b.placeOrder({ clientOrderId: "DB", symbol: "SBIN", side: "sell", qty: 4, type: "limit", price: 76_000, since: at("09:15") });
    expect((await b.orderBook()).map((o) => [o.tag, o.status])).toEqual([["DA", "open"], ["DB", "open"]]);
    await b.onBar(bar("09:15", 75_000, 76_500, 74_800, 76_200));
    expect(fills.map((f) => [f.clientOrderId, f.qty, f.price])).toEqual([["DA", 10, 75_000], ["DB", 4, 76_000]]);
    const book = await b.orderBook();
    expect(book.map((o) => [o.tag, o.status, o.filledQty, o.avgPrice])).toEqual([["DA", "filled", 10, 75_000], ["DB", "filled", 4, 76_000]]);
    expect((await b.tradeBook()).map((t) => [t.tag, t.side, t.qty])).toEqual([["DA", "buy", 10], ["DB", "sell", 4]]);
    expect(await b.positions()).toEqual([{ symbol: "SBIN", product: "DELIVERY", netQty: 6, avgPrice: 75_000 }]);
    expect((await b.funds()).cash).toBe(5_00_000_00);
    expect((await b.quotes(["SBIN", "INFY"])).map((q) => [q.symbol, q.ltp])).toEqual([["SBIN", 76_200]]);
  });

  it("modifies and cancels a working order; a cancelled order never fills", async () => {
    const { b, fills } = broker();
    const { brokerOrderId } = await b.placeOrder({ clientOrderId: "DC", symbol: "SBIN", side: "buy", qty: 5, type: "limit", price: 70_000 });
    await b.modifyOrder(brokerOrderId, { price: 74_900, qty: 8 });
    await b.onBar(bar("09:15", 75_000, 75_500, 74_800, 75_200));
    expect(fills.map((f) => [f.qty, f.price])).toEqual([[8, 74_900]]);
    const { brokerOrderId: id2 } = await b.placeOrder({ clientOrderId: "DD", symbol: "SBIN", side: "buy", qty: 5, type: "limit", price: 70_000 });
    await b.cancelOrder(id2);
    await b.onBar(bar("10:30", 69_000, 69_500, 68_800, 69_200));
    expect(fills).toHaveLength(1);
    expect((await b.orderBook()).find((o) => o.tag === "DD")?.status).toBe("cancelled");
    await expect(b.modifyOrder(id2, { price: 1 })).rejects.toThrow(/not working/);
  });

  it("fills a market order at the next live tick, and a stop when a tick reaches it", async () => {
    const { b, fills } = broker();
    await b.placeOrder({ clientOrderId: "DE", symbol: "SBIN", side: "buy", qty: 3, type: "market", since: at("10:00") });
    await b.onTick("SBIN", 75_010, at("09:59")); // before the order: not matched
    await b.onTick("SBIN", 75_020, at("10:00"));
    await b.placeOrder({ clientOrderId: "DF", symbol: "SBIN", side: "sell", qty: 3, type: "stop", price: 74_500, since: at("10:01") });
    await b.onTick("SBIN", 74_600, at("10:02"));
    await b.onTick("SBIN", 74_450, at("10:03"));
    expect(fills.map((f) => [f.clientOrderId, f.price, f.time.toISOString()])).toEqual([
      ["DE", 75_020, at("10:00").toISOString()],
      ["DF", 74_450, at("10:03").toISOString()],
    ]);
    expect(await b.positions()).toEqual([]);
  });

  it("keeps GTT rules and places the limit order when the trigger is reached", async () => {
    const { b, fills } = broker();
    const { id } = await b.createGtt({ symbol: "SBIN", side: "sell", qty: 2, trigger: 74_000, limit: 73_900, product: "DELIVERY" });
    await b.onBar(bar("09:15", 75_000, 75_500, 74_100, 75_200));
    expect((await b.listGtt())[0]!.status).toBe("active");
    await b.onBar(bar("10:30", 74_500, 74_600, 73_950, 74_000)); // triggers: the limit goes out
    expect((await b.listGtt())[0]!.status).toBe("triggered");
    await b.onBar(bar("11:45", 73_950, 74_000, 73_800, 73_900));
    expect(fills.map((f) => [f.clientOrderId, f.qty, f.price])).toEqual([[`GTT-${id}`, 2, 73_950]]);
    await expect(b.modifyGtt(id, { symbol: "SBIN", side: "sell", qty: 1, trigger: 1, limit: 1, product: "DELIVERY" })).rejects.toThrow(/not active/);
  });
});
