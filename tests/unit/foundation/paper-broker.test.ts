import { describe, expect, it } from "vitest";
import type { BrokerFill, OrderRequest } from "../../../src/engine/execution/broker.js";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { fromIst } from "../../../src/engine/time/ist.js";

function bar(symbol: string, date: string, open: number, high: number, low: number, close: number): Candle {
  return { symbol, timeframe: "1d", time: fromIst(date, "09:15"), open, high, low, close, volume: 1 };
}

function setup() {
  const broker = new PaperBroker();
  const fills: BrokerFill[] = [];
  broker.onFill(async (f) => {
    fills.push(f);
  });
  return { broker, fills };
}

const order = (o: Partial<OrderRequest> & Pick<OrderRequest, "clientOrderId">): OrderRequest => ({
  symbol: "RELIANCE",
  side: "buy",
  qty: 10,
  type: "market",
  ...o,
});

describe("PaperBroker market orders", () => {
  it("fill at the open of the next bar of their symbol only", async () => {
    const { broker, fills } = setup();
    const { brokerOrderId } = await broker.placeOrder(order({ clientOrderId: "C1" }));
    expect(brokerOrderId).toBe("P-C1");
    await broker.onBar(bar("TCS", "2025-01-02", 400000, 410000, 390000, 405000));
    expect(fills).toEqual([]);
    const b = bar("RELIANCE", "2025-01-02", 123455, 125000, 120000, 124000);
    await broker.onBar(b);
    expect(fills).toEqual([{ fillId: "P-C1-1", clientOrderId: "C1", brokerOrderId: "P-C1", qty: 10, price: 123455, time: b.time }]);
    expect(broker.workingOrders()).toEqual([]);
  });

  it("fill once: the next bar does not fill the order again", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "C1" }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 100, 110, 90, 100));
    await broker.onBar(bar("RELIANCE", "2025-01-03", 200, 210, 190, 200));
    expect(fills).toHaveLength(1);
    expect(fills[0]!.price).toBe(100);
  });

  it("fill a sell at the open too", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "S1", side: "sell", qty: 3 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 5005, 5100, 4900, 5000));
    expect(fills.map((f) => [f.clientOrderId, f.qty, f.price])).toEqual([["S1", 3, 5005]]);
  });

  it("fill in the order they were placed", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.placeOrder(order({ clientOrderId: "A" }));
    await broker.placeOrder(order({ clientOrderId: "C" }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 100, 110, 90, 100));
    expect(fills.map((f) => f.clientOrderId)).toEqual(["B", "A", "C"]);
  });
});

describe("PaperBroker sell stops", () => {
  it("do not trigger while the low stays above the trigger", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9800, 9900, 9505, 9600));
    expect(fills).toEqual([]);
    expect(broker.workingOrders().map((o) => o.clientOrderId)).toEqual(["ST"]);
  });

  it("trigger when the low touches the trigger and fill at the trigger", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9800, 9900, 9500, 9600));
    expect(fills.map((f) => f.price)).toEqual([9500]);
  });

  it("trigger when the low goes through and fill at the trigger", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9800, 9900, 9000, 9600));
    expect(fills.map((f) => f.price)).toEqual([9500]);
  });

  it("fill at the open when the bar gaps below the trigger", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9300, 9400, 9200, 9350));
    expect(fills.map((f) => f.price)).toEqual([9300]);
  });

  it("ignore other symbols' bars", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "ST", side: "sell", type: "stop", price: 9500 }));
    await broker.onBar(bar("TCS", "2025-01-02", 100, 200, 50, 150));
    expect(fills).toEqual([]);
  });

  it("buy stops are refused", async () => {
    const { broker } = setup();
    await expect(broker.placeOrder(order({ clientOrderId: "BS", side: "buy", type: "stop", price: 9500 }))).rejects.toThrow(/sell stops only/);
    expect(broker.workingOrders()).toEqual([]);
  });

  it("a stop placed by the listener while a market buy fills is matched on the same bar", async () => {
    const broker = new PaperBroker();
    const fills: BrokerFill[] = [];
    broker.onFill(async (f) => {
      fills.push(f);
      if (f.clientOrderId === "BUY") await broker.placeOrder(order({ clientOrderId: "STOP", side: "sell", type: "stop", price: 9500 }));
    });
    await broker.placeOrder(order({ clientOrderId: "BUY" }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 10000, 10100, 9400, 9450));
    expect(fills.map((f) => [f.clientOrderId, f.price])).toEqual([
      ["BUY", 10000],
      ["STOP", 9500],
    ]);
  });
});

describe("PaperBroker limit orders", () => {
  it("a buy limit fills at the limit when the low reaches it", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9800, 9900, 9501, 9600));
    expect(fills).toEqual([]);
    await broker.onBar(bar("RELIANCE", "2025-01-03", 9800, 9900, 9500, 9600));
    expect(fills.map((f) => f.price)).toEqual([9500]);
  });

  it("a buy limit fills at the better open when the bar gaps below", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "BL", type: "limit", price: 9500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9400, 9450, 9300, 9420));
    expect(fills.map((f) => f.price)).toEqual([9400]);
  });

  it("a sell limit fills at the limit when the high reaches it, at the open on a gap up", async () => {
    const { broker, fills } = setup();
    await broker.placeOrder(order({ clientOrderId: "SL1", side: "sell", type: "limit", price: 10500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 10000, 10499, 9900, 10100));
    expect(fills).toEqual([]);
    await broker.onBar(bar("RELIANCE", "2025-01-03", 10000, 10500, 9900, 10100));
    expect(fills.map((f) => f.price)).toEqual([10500]);
    await broker.placeOrder(order({ clientOrderId: "SL2", side: "sell", type: "limit", price: 10500 }));
    await broker.onBar(bar("RELIANCE", "2025-01-06", 10600, 10700, 10550, 10650));
    expect(fills.map((f) => [f.clientOrderId, f.price])).toEqual([
      ["SL1", 10500],
      ["SL2", 10600],
    ]);
  });
});

describe("PaperBroker cancel, adopt, validation", () => {
  it("cancel removes a working order so it never fills", async () => {
    const { broker, fills } = setup();
    const { brokerOrderId } = await broker.placeOrder(order({ clientOrderId: "C1" }));
    await broker.placeOrder(order({ clientOrderId: "C2" }));
    await broker.cancelOrder(brokerOrderId);
    expect(broker.workingOrders().map((o) => o.clientOrderId)).toEqual(["C2"]);
    await broker.onBar(bar("RELIANCE", "2025-01-02", 100, 110, 90, 100));
    expect(fills.map((f) => f.clientOrderId)).toEqual(["C2"]);
  });

  it("cancel of an unknown order is harmless", async () => {
    const { broker } = setup();
    await expect(broker.cancelOrder("P-NOPE")).resolves.toBeUndefined();
  });

  it("adopt re-queues an order after a restart, keeping its broker id", async () => {
    const { broker, fills } = setup();
    broker.adopt({ clientOrderId: "OLD", brokerOrderId: "P-OLD", symbol: "RELIANCE", side: "sell", qty: 7, type: "stop", price: 9500 });
    expect(broker.workingOrders()).toHaveLength(1);
    await broker.onBar(bar("RELIANCE", "2025-01-02", 9800, 9900, 9400, 9600));
    expect(fills).toEqual([{ fillId: "P-OLD-1", clientOrderId: "OLD", brokerOrderId: "P-OLD", qty: 7, price: 9500, time: fromIst("2025-01-02", "09:15") }]);
  });

  it("an adopted order can be cancelled by its broker id", async () => {
    const { broker, fills } = setup();
    broker.adopt({ clientOrderId: "OLD", brokerOrderId: "P-OLD", symbol: "RELIANCE", side: "buy", qty: 1, type: "market" });
    await broker.cancelOrder("P-OLD");
    await broker.onBar(bar("RELIANCE", "2025-01-02", 100, 110, 90, 100));
    expect(fills).toEqual([]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses quantity %s", async (qty) => {
    const { broker } = setup();
    await expect(broker.placeOrder(order({ clientOrderId: "Q", qty }))).rejects.toThrow(/quantity/);
    expect(broker.workingOrders()).toEqual([]);
  });

  it("awaits each fill listener before the next fill", async () => {
    const broker = new PaperBroker();
    const log: string[] = [];
    broker.onFill(async (f) => {
      log.push(`start ${f.clientOrderId}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${f.clientOrderId}`);
    });
    await broker.placeOrder(order({ clientOrderId: "A" }));
    await broker.placeOrder(order({ clientOrderId: "B" }));
    await broker.onBar(bar("RELIANCE", "2025-01-02", 100, 110, 90, 100));
    expect(log).toEqual(["start A", "end A", "start B", "end B"]);
  });
});
