/**
 * Orders through the Angel One broker against the SmartAPI stand-in, with the
 * real smartapi-javascript client: placement and its wire parameters, fills
 * from the trade book (each once), stop orders, orders split at the freeze
 * quantity, the 20-character tag limit, modify and cancel, adoption after a
 * restart, and the account's books.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokerError, type BrokerFill, type OrderRequest } from "../../../src/engine/execution/broker.js";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
const brokers: AngelOneBroker[] = [];

async function connected(): Promise<{ broker: AngelOneBroker; fills: BrokerFill[] }> {
  const broker = standInBroker(standIn, { timeoutMs: 1500 });
  brokers.push(broker);
  await broker.connect();
  const fills: BrokerFill[] = [];
  broker.onFill(async (f) => {
    fills.push(f);
  });
  return { broker, fills };
}

const placed = (): Array<Record<string, string>> => standIn.requests.filter((r) => r.path.endsWith("/placeOrder")).map((r) => r.body as Record<string, string>);

const OPTION = "BANKNIFTY25NOV2557000CE";

beforeEach(async () => {
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
});

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
  expect(standIn.errors).toEqual([]);
  await standIn.close();
});

describe("placing and filling", () => {
  it("a market buy is placed with its tag, fills, and pollFills delivers the fill once", async () => {
    const { broker, fills } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    const req: OrderRequest = { clientOrderId: "D20251121A0001", symbol: "RELIANCE", side: "buy", qty: 10, type: "market" };
    const { brokerOrderId } = await broker.placeOrder(req);

    expect(placed()).toEqual([
      expect.objectContaining({
        variety: "NORMAL",
        tradingsymbol: "RELIANCE-EQ",
        symboltoken: "2885",
        exchange: "NSE",
        transactiontype: "BUY",
        ordertype: "MARKET",
        producttype: "DELIVERY",
        duration: "DAY",
        price: "0",
        quantity: "10",
        ordertag: "D20251121A0001",
      }),
    ]);
    const book = await broker.orderBook();
    expect(book).toEqual([expect.objectContaining({ brokerOrderId, tag: "D20251121A0001", symbol: "RELIANCE", side: "buy", qty: 10, filledQty: 10, avgPrice: 140_000, status: "filled", product: "DELIVERY", type: "market" })]);

    await broker.pollFills();
    expect(fills).toEqual([
      { fillId: expect.stringContaining(brokerOrderId), clientOrderId: "D20251121A0001", brokerOrderId, qty: 10, price: 140_000, time: fromIst("2025-11-21", "10:00") },
    ]);
    await broker.pollFills();
    expect(fills).toHaveLength(1);

    expect(await broker.positions()).toEqual([{ symbol: "RELIANCE", product: "DELIVERY", netQty: 10, avgPrice: 140_000 }]);
  });

  it("a stop is placed as STOPLOSS / STOPLOSS_MARKET and fills at the tick that reaches its trigger", async () => {
    const { broker, fills } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    const { brokerOrderId } = await broker.placeOrder({ clientOrderId: "D20251121S0001", symbol: "RELIANCE", side: "sell", qty: 5, type: "stop", price: 139_000 });
    expect(placed()[0]).toMatchObject({ variety: "STOPLOSS", ordertype: "STOPLOSS_MARKET", triggerprice: "1390.00", price: "0", quantity: "5" });
    expect(await broker.orderBook()).toEqual([expect.objectContaining({ brokerOrderId, status: "trigger_pending", type: "stop", price: 139_000 })]);

    standIn.market.tick("RELIANCE", 139_500, fromIst("2025-11-21", "10:05"));
    await broker.pollFills();
    expect(fills).toEqual([]);

    standIn.market.tick("RELIANCE", 138_900, fromIst("2025-11-21", "10:07"));
    await broker.pollFills();
    expect(fills).toEqual([expect.objectContaining({ clientOrderId: "D20251121S0001", qty: 5, price: 138_900, time: fromIst("2025-11-21", "10:07") })]);
  });

  it("a limit order is placed with its price in rupees, modified, then cancelled", async () => {
    const { broker } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    const { brokerOrderId } = await broker.placeOrder({ clientOrderId: "D20251121L0001", symbol: "RELIANCE", side: "buy", qty: 2, type: "limit", price: 138_050 });
    expect(placed()[0]).toMatchObject({ ordertype: "LIMIT", price: "1380.50" });

    await broker.modifyOrder(brokerOrderId, { price: 138_500 });
    let [row] = await broker.orderBook();
    expect(row).toMatchObject({ status: "open", price: 138_500, qty: 2 });

    await broker.modifyOrder(brokerOrderId, { qty: 4 });
    [row] = await broker.orderBook();
    expect(row).toMatchObject({ status: "open", price: 138_500, qty: 4 });

    await broker.cancelOrder(brokerOrderId);
    [row] = await broker.orderBook();
    expect(row).toMatchObject({ status: "cancelled" });
  });

  it("an order the exchange refuses is in the book as rejected with Angel's reason", async () => {
    const { broker } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    // Far more than the account's cash.
    const { brokerOrderId } = await broker.placeOrder({ clientOrderId: "D20251121R0001", symbol: "RELIANCE", side: "buy", qty: 50_000_000, type: "limit", price: 138_050 });
    const [row] = await broker.orderBook();
    expect(row).toMatchObject({ brokerOrderId, status: "rejected", reason: expect.stringMatching(/Insufficient Funds/) });
  });

  it("puts an off-tick price on the instrument's tick: a buy's down, a sell stop's up", async () => {
    const { broker } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    // RELIANCE moves in 10-paise steps: 1380.55 and 1364.15 are off the tick.
    await broker.placeOrder({ clientOrderId: "D20251121R0002", symbol: "RELIANCE", side: "buy", qty: 1, type: "limit", price: 138_055 });
    await broker.placeOrder({ clientOrderId: "D20251121R0003", symbol: "RELIANCE", side: "sell", qty: 1, type: "stop", price: 136_415 });
    expect(placed().map((p) => [p.ordertag, p.price, p.triggerprice])).toEqual([
      ["D20251121R0002", "1380.50", undefined],
      ["D20251121R0003", "0", "1364.20"],
    ]);
    expect((await broker.orderBook()).map((o) => o.status).sort()).toEqual(["open", "trigger_pending"]);
  });

  it("a malformed order is refused with Angel's code in plain words", async () => {
    const { broker } = await connected();
    const err = await broker.placeOrder({ clientOrderId: "D20251121X0001", symbol: "BANKNIFTY", side: "buy", qty: 1, type: "market" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).kind).toBe("rejected");
    expect((err as BrokerError).message).toMatch(/index, not tradable/);
    const unknown = await broker.placeOrder({ clientOrderId: "D20251121X0002", symbol: "NOSUCHCO", side: "buy", qty: 1, type: "market" }).catch((e: unknown) => e);
    expect((unknown as BrokerError).message).toMatch(/NOSUCHCO: not in Angel One's instrument list/);
    expect(placed()).toEqual([]);
  });

  it("a fill of an order placed by hand in Angel's app (no tag) is left to reconciliation", async () => {
    const { broker, fills } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    await broker.placeOrder({ clientOrderId: "D20251121H0001", symbol: "RELIANCE", side: "buy", qty: 3, type: "market" });
    standIn.market.closePositionByHand("RELIANCE");
    const trades = await broker.tradeBook();
    expect(trades.map((t) => t.tag)).toEqual(["D20251121H0001", null]);
    await broker.pollFills();
    expect(fills.map((f) => f.clientOrderId)).toEqual(["D20251121H0001"]);
    expect(await broker.positions()).toEqual([]);
  });
});

describe("bracket orders", () => {
  it("go out as ROBO with target and stop in rupees; an account where Angel blocks them is refused in plain words", async () => {
    const { broker } = await connected();
    const err = await broker
      .placeBracket({ clientOrderId: "D20251121B0001", symbol: "RELIANCE", side: "buy", qty: 2, type: "limit", price: 139_000 }, { squareoff: 2_000, stoploss: 1_050 })
      .catch((e: unknown) => e);
    expect(placed()[0]).toMatchObject({ variety: "ROBO", producttype: "BO", ordertype: "LIMIT", price: "1390.00", squareoff: "20.00", stoploss: "10.50", ordertag: "D20251121B0001" });
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).kind).toBe("rejected");
    expect((err as BrokerError).code).toBe("AB2002");
    expect((err as BrokerError).message).toMatch(/bracket \(ROBO\) orders are blocked/);
  });
});

describe("the 20-character tag limit", () => {
  it("a 20-character id goes out; a 21-character one is refused before any call", async () => {
    const { broker } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    await broker.placeOrder({ clientOrderId: "D".repeat(20), symbol: "RELIANCE", side: "buy", qty: 1, type: "market" });
    const err = await broker.placeOrder({ clientOrderId: "D".repeat(21), symbol: "RELIANCE", side: "buy", qty: 1, type: "market" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as BrokerError).kind).toBe("rejected");
    expect((err as BrokerError).message).toMatch(/21 characters; Angel One takes at most 20/);
    expect(placed()).toHaveLength(1);
  });

  it("a split order whose piece tags would pass 20 characters is refused whole", async () => {
    const { broker } = await connected();
    const err = await broker.placeOrder({ clientOrderId: "D".repeat(19), symbol: OPTION, side: "buy", qty: 35 * 40, type: "limit", price: 20_000 }).catch((e: unknown) => e);
    expect((err as BrokerError).message).toMatch(/D{19}\.1" is 21 characters/);
    expect(placed()).toEqual([]);
  });
});

describe("orders above the freeze quantity", () => {
  it("go out in whole-lot pieces within the limit, tagged id.1 … id.N, and act as one order", async () => {
    const { broker, fills } = await connected();
    // BANKNIFTY: freeze 600 from 2025-11-03, lot 35 → at most 17 lots (595) a piece.
    const { brokerOrderId } = await broker.placeOrder({ clientOrderId: "D20251121F0001", symbol: OPTION, side: "buy", qty: 35 * 40, type: "limit", price: 20_000 });
    const sent = placed();
    expect(sent.map((p) => [p.ordertag, p.quantity, p.producttype, p.exchange])).toEqual([
      ["D20251121F0001.1", "595", "CARRYFORWARD", "NFO"],
      ["D20251121F0001.2", "595", "CARRYFORWARD", "NFO"],
      ["D20251121F0001.3", "210", "CARRYFORWARD", "NFO"],
    ]);
    const ids = brokerOrderId.split(",");
    expect(ids).toHaveLength(3);
    const book = await broker.orderBook();
    expect(book.map((o) => [o.brokerOrderId, o.tag, o.qty, o.status])).toEqual([
      [ids[0], "D20251121F0001.1", 595, "open"],
      [ids[1], "D20251121F0001.2", 595, "open"],
      [ids[2], "D20251121F0001.3", 210, "open"],
    ]);

    await broker.modifyOrder(brokerOrderId, { price: 19_500 });
    expect((await broker.orderBook()).map((o) => o.price)).toEqual([19_500, 19_500, 19_500]);
    const qtyChange = await broker.modifyOrder(brokerOrderId, { qty: 35 }).catch((e: unknown) => e);
    expect((qtyChange as BrokerError).kind).toBe("rejected");

    standIn.market.tick(OPTION, 19_000);
    await broker.pollFills();
    expect(fills.map((f) => [f.clientOrderId, f.brokerOrderId, f.qty, f.price])).toEqual([
      ["D20251121F0001", brokerOrderId, 595, 19_000],
      ["D20251121F0001", brokerOrderId, 595, 19_000],
      ["D20251121F0001", brokerOrderId, 210, 19_000],
    ]);
    expect(new Set(fills.map((f) => f.fillId)).size).toBe(3);
  });

  it("a split order is cancelled piece by piece", async () => {
    const { broker } = await connected();
    const { brokerOrderId } = await broker.placeOrder({ clientOrderId: "D20251121F0002", symbol: OPTION, side: "sell", qty: 35 * 20, type: "limit", price: 30_000 });
    expect(brokerOrderId.split(",")).toHaveLength(2);
    await broker.cancelOrder(brokerOrderId);
    expect((await broker.orderBook()).map((o) => o.status)).toEqual(["cancelled", "cancelled"]);
  });

  it("a quantity within the freeze limit goes out whole with the plain id as its tag", async () => {
    const { broker } = await connected();
    await broker.placeOrder({ clientOrderId: "D20251121F0003", symbol: OPTION, side: "buy", qty: 35 * 17, type: "limit", price: 20_000 });
    expect(placed().map((p) => [p.ordertag, p.quantity])).toEqual([["D20251121F0003", "595"]]);
  });

  it("a quantity that is not whole lots is refused before any call", async () => {
    const { broker } = await connected();
    const err = await broker.placeOrder({ clientOrderId: "D20251121F0004", symbol: OPTION, side: "buy", qty: 50, type: "limit", price: 20_000 }).catch((e: unknown) => e);
    expect((err as BrokerError).message).toMatch(/not a whole number of lots of 35/);
    expect(placed()).toEqual([]);
  });
});

describe("after a restart", () => {
  it("an adopted order's fills are attributed, and it can be cancelled", async () => {
    const first = await connected();
    const req: OrderRequest = { clientOrderId: "D20251121P0001", symbol: OPTION, side: "buy", qty: 35 * 20, type: "limit", price: 20_000 };
    const { brokerOrderId } = await first.broker.placeOrder(req);

    const second = await connected();
    second.broker.adopt({ ...req, brokerOrderId });
    standIn.market.tick(OPTION, 19_900);
    await second.broker.pollFills();
    expect(second.fills.map((f) => [f.clientOrderId, f.brokerOrderId, f.qty])).toEqual([
      ["D20251121P0001", brokerOrderId, 595],
      ["D20251121P0001", brokerOrderId, 105],
    ]);

    const resting = await second.broker.placeOrder({ ...req, clientOrderId: "D20251121P0002", price: 10_000 });
    const third = await connected();
    third.broker.adopt({ ...req, clientOrderId: "D20251121P0002", brokerOrderId: resting.brokerOrderId });
    await third.broker.cancelOrder(resting.brokerOrderId);
    const statuses = (await third.broker.orderBook()).filter((o) => o.tag?.startsWith("D20251121P0002")).map((o) => o.status);
    expect(statuses).toEqual(["cancelled", "cancelled"]);
  });
});

describe("the account", () => {
  it("funds, holdings and GTT rules", async () => {
    const { broker } = await connected();
    standIn.market.tick("RELIANCE", 140_000);
    standIn.market.addHolding("INFY", 12, 150_000);
    await broker.placeOrder({ clientOrderId: "D20251121G0001", symbol: "RELIANCE", side: "buy", qty: 1, type: "limit", price: 130_000 });
    expect(await broker.funds()).toEqual({ cash: 100_000_000 - 130_000, used: 130_000 });
    expect(await broker.holdings()).toEqual([{ symbol: "INFY", qty: 12, avgPrice: 150_000 }]);

    const { id } = await broker.createGtt({ symbol: "RELIANCE", side: "sell", qty: 3, trigger: 150_000, limit: 149_900, product: "DELIVERY" });
    expect(await broker.listGtt()).toEqual([{ id, symbol: "RELIANCE", side: "sell", qty: 3, trigger: 150_000, limit: 149_900, product: "DELIVERY", status: "active" }]);
    await broker.modifyGtt(id, { symbol: "RELIANCE", side: "sell", qty: 4, trigger: 151_000, limit: 150_900, product: "DELIVERY" });
    expect(await broker.listGtt()).toEqual([expect.objectContaining({ id, qty: 4, trigger: 151_000, limit: 150_900 })]);
    await broker.cancelGtt(id);
    expect(await broker.listGtt()).toEqual([expect.objectContaining({ id, status: "cancelled" })]);
  });
});
