/**
 * Each failure the SmartAPI stand-in can serve, as the broker port's error
 * kinds: "ambiguous" when the order may exist (and then it is found by its
 * tag), "unavailable" when nothing happened and a retry is safe, "rejected"
 * when Angel answered no.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokerError, type OrderRequest } from "../../../src/engine/execution/broker.js";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
let broker: AngelOneBroker;

async function failure(p: Promise<unknown>): Promise<BrokerError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BrokerError);
  return err as BrokerError;
}

const order = (clientOrderId: string, over: Partial<OrderRequest> = {}): OrderRequest => ({ clientOrderId, symbol: "RELIANCE", side: "buy", qty: 1, type: "limit", price: 139_000, ...over });

beforeEach(async () => {
  standIn = await startSmartApiStandIn();
  standIn.market.now = fromIst("2025-11-21", "10:00");
  standIn.market.tick("RELIANCE", 140_000);
  broker = standInBroker(standIn, { timeoutMs: 800 });
  await broker.connect();
});

afterEach(async () => {
  await broker.close();
  await standIn.close();
});

describe("placing an order", () => {
  it("a timeout is ambiguous", async () => {
    standIn.faults.next("placeOrder", "timeout");
    const err = await failure(broker.placeOrder(order("D20251121T0001")));
    expect(err.kind).toBe("ambiguous");
    expect(err.message).toMatch(/look it up by its tag/);
    expect(await broker.orderBook()).toEqual([]);
  });

  it("a connection dropped after Angel accepted it is ambiguous, and the order is in the book under its tag", async () => {
    standIn.faults.next("placeOrder", "dropAfterAccept");
    const err = await failure(broker.placeOrder(order("D20251121T0002")));
    expect(err.kind).toBe("ambiguous");
    const book = await broker.orderBook();
    expect(book).toEqual([expect.objectContaining({ tag: "D20251121T0002", symbol: "RELIANCE", qty: 1, price: 139_000, status: "open" })]);
  });

  it("a timeout after Angel accepted it is ambiguous, and the order is in the book under its tag", async () => {
    standIn.faults.next("placeOrder", "timeoutAfterAccept");
    const err = await failure(broker.placeOrder(order("D20251121T0003")));
    expect(err.kind).toBe("ambiguous");
    expect((await broker.orderBook()).map((o) => o.tag)).toEqual(["D20251121T0003"]);
  });

  it("a 5xx is ambiguous", async () => {
    standIn.faults.next("placeOrder", "5xx");
    const err = await failure(broker.placeOrder(order("D20251121T0004")));
    expect(err.kind).toBe("ambiguous");
    expect(err.message).toMatch(/HTTP 503/);
  });

  it("a dropped connection is ambiguous", async () => {
    standIn.faults.next("placeOrder", "drop");
    expect((await failure(broker.placeOrder(order("D20251121T0005")))).kind).toBe("ambiguous");
  });

  it("a rate-limit refusal is unavailable: nothing was placed", async () => {
    standIn.faults.next("placeOrder", "rateLimit");
    const err = await failure(broker.placeOrder(order("D20251121T0006")));
    expect(err.kind).toBe("unavailable");
    expect(err.message).toMatch(/rate limit.*HTTP 403/);
    expect(await broker.orderBook()).toEqual([]);
  });

  it("an expired token is renewed and the order is placed exactly once", async () => {
    standIn.faults.next("placeOrder", "expiredToken");
    const { brokerOrderId } = await broker.placeOrder(order("D20251121T0007"));
    expect((await broker.orderBook()).map((o) => [o.brokerOrderId, o.tag])).toEqual([[brokerOrderId, "D20251121T0007"]]);
  });

  it("a split order whose second piece fails is ambiguous and names the piece placed", async () => {
    const opt = "BANKNIFTY25NOV2557000CE";
    // The first piece goes through; its answer arms a 5xx for the second.
    let armed = false;
    standIn.on("placeOrder", "answered", () => {
      if (armed) return;
      armed = true;
      standIn.faults.next("placeOrder", "5xx");
    });
    const err = await failure(broker.placeOrder({ clientOrderId: "D20251121T0008", symbol: opt, side: "buy", qty: 35 * 40, type: "limit", price: 20_000 }));
    expect(err.kind).toBe("ambiguous");
    expect(err.message).toMatch(/1 of 3 pieces placed .*piece 2 failed/);
    expect((await broker.orderBook()).map((o) => o.tag)).toEqual(["D20251121T0008.1"]);
  });
});

describe("changing an order", () => {
  it("a rate-limited modify is unavailable and leaves the order as it was", async () => {
    const { brokerOrderId } = await broker.placeOrder(order("D20251121M0001"));
    standIn.faults.next("modifyOrder", "rateLimit");
    expect((await failure(broker.modifyOrder(brokerOrderId, { price: 138_000 }))).kind).toBe("unavailable");
    expect((await broker.orderBook())[0]).toMatchObject({ price: 139_000 });
  });

  it("a timed-out cancel is ambiguous", async () => {
    const { brokerOrderId } = await broker.placeOrder(order("D20251121M0002"));
    standIn.faults.next("cancelOrder", "timeout");
    expect((await failure(broker.cancelOrder(brokerOrderId))).kind).toBe("ambiguous");
  });

  it("cancelling a filled order is rejected with Angel's words", async () => {
    const { brokerOrderId } = await broker.placeOrder(order("D20251121M0003", { type: "market", price: undefined }));
    const err = await failure(broker.cancelOrder(brokerOrderId));
    expect(err.kind).toBe("rejected");
    expect(err.code).toBe("AB2000");
    expect(err.message).toMatch(/complete and can no longer be changed/);
  });

  it("an order id Angel does not know is rejected", async () => {
    const err = await failure(broker.cancelOrder("999999999999"));
    expect(err.kind).toBe("rejected");
    expect(err.message).toMatch(/not in Angel One's order book/);
  });
});

describe("reading", () => {
  it("a 5xx, a timeout or a dropped connection on a read is unavailable", async () => {
    standIn.faults.next("getOrderBook", "5xx");
    expect((await failure(broker.orderBook())).kind).toBe("unavailable");
    standIn.faults.next("getTradeBook", "timeout");
    expect((await failure(broker.tradeBook())).kind).toBe("unavailable");
    standIn.faults.next("getPosition", "drop");
    expect((await failure(broker.positions())).kind).toBe("unavailable");
    standIn.faults.next("quote", "rateLimit");
    expect((await failure(broker.quotes(["RELIANCE"]))).kind).toBe("unavailable");
    // Nothing stuck: the same reads then work.
    await expect(broker.orderBook()).resolves.toEqual([]);
    await expect(broker.quotes(["RELIANCE"])).resolves.toHaveLength(1);
  });

  it("a fill missed by a failed poll is delivered by the next one", async () => {
    const fills: string[] = [];
    broker.onFill(async (f) => {
      fills.push(f.clientOrderId);
    });
    await broker.placeOrder(order("D20251121Q0001", { type: "market", price: undefined }));
    standIn.faults.next("getTradeBook", "5xx");
    await expect(broker.pollFills()).rejects.toBeInstanceOf(BrokerError);
    expect(fills).toEqual([]);
    await broker.pollFills();
    expect(fills).toEqual(["D20251121Q0001"]);
  });
});
