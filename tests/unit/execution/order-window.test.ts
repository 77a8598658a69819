/**
 * Orders decided while the broker's market is closed are committed and queued,
 * then sent at the open; a queued stop the open has gone through goes at market;
 * a working order's price and size change by modification, the books following
 * only what the broker accepted.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/db/memory-store.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { deliveryFillCharges } from "../../../src/engine/costs/index.js";
import { onInstrumentTick } from "../../../src/engine/execution/angelone/order-params.js";
import { OrderManager } from "../../../src/engine/execution/order-manager.js";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import { Portfolio } from "../../../src/engine/portfolio/portfolio.js";
import { fromIst } from "../../../src/engine/time/ist.js";

let repo: MemoryStore;
let broker: PaperBroker;
let orders: OrderManager;
let closed: string | null;
const clock = new ManualClock(fromIst("2025-03-03", "15:40"));

// The in-memory store keeps the Repo's contract (tests/db/store-contract.test.ts).
beforeEach(() => {
  repo = new MemoryStore();
  broker = new PaperBroker();
  closed = "market closed: after the close";
  orders = new OrderManager(
    repo,
    broker,
    clock,
    new Portfolio(deliveryFillCharges),
    { context: async () => ({ strategy: "manual", stop: null, targets: [], exitReason: "manual" }), filled: async () => {}, rejected: async () => {} },
    { closed: () => closed },
  );
});

const entry = { clientOrderId: "DQUEUED000000001", symbol: "SBIN", side: "buy" as const, qty: 10, type: "market" as const, purpose: "entry" as const };
const stop = { clientOrderId: "DQUEUEDSTOP00001", symbol: "SBIN", side: "sell" as const, qty: 10, type: "stop" as const, price: 74_000, purpose: "stop" as const, positionId: 7 };

describe("the order window", () => {
  it("queues an order decided while the market is closed and sends it once at the open", async () => {
    const queued = await orders.submit(entry);
    expect(queued.status).toBe("new");
    expect(await broker.orderBook()).toEqual([]);
    // Another pass while still closed sends nothing.
    expect(await orders.releaseQueued(() => 75_000)).toEqual([]);
    expect((await orders.place(queued)).status).toBe("new");
    expect(await broker.orderBook()).toEqual([]);

    closed = null;
    const sent = await orders.releaseQueued(() => 75_000);
    expect(sent.map((o) => [o.clientOrderId, o.status])).toEqual([["DQUEUED000000001", "submitted"]]);
    expect((await broker.orderBook()).map((o) => o.tag)).toEqual(["DQUEUED000000001"]);
    expect(orders.hasQueued).toBe(false);
    // Nothing is left to send: a second release places nothing twice.
    expect(await orders.releaseQueued(() => 75_000)).toEqual([]);
    expect(await broker.orderBook()).toHaveLength(1);
  });

  it("sends a queued stop the open has gone through as a market order, marked a stop", async () => {
    await orders.submit(stop);
    closed = null;
    const [sent] = await orders.releaseQueued(() => 73_500);
    expect(sent).toMatchObject({ orderType: "market", purpose: "stop", side: "sell", qty: 10, positionId: 7, status: "submitted" });
    expect((await repo.orderByClientId(stop.clientOrderId))!.status).toBe("cancelled");
    const book = await broker.orderBook();
    expect(book.map((o) => [o.type, o.side, o.qty])).toEqual([["market", "sell", 10]]);
  });

  it("sends a queued stop the price has not reached as a stop", async () => {
    await orders.submit(stop);
    closed = null;
    const [sent] = await orders.releaseQueued(() => 74_500);
    expect(sent).toMatchObject({ clientOrderId: stop.clientOrderId, orderType: "stop", limitPrice: 74_000, status: "submitted" });
  });
});

describe("modifying an order", () => {
  it("changes a queued order in the books only", async () => {
    const queued = await orders.submit(stop);
    const r = await orders.modify(queued, { price: 74_500, qty: 6 }, "stop moved");
    expect(r.ok).toBe(true);
    expect(r.order).toMatchObject({ status: "new", limitPrice: 74_500, qty: 6 });
    expect(await broker.orderBook()).toEqual([]);
  });

  it("changes a working order at the broker, then in the books", async () => {
    closed = null;
    const working = await orders.submit(stop);
    const r = await orders.modify(working, { price: 74_800 }, "stop moved");
    expect(r).toMatchObject({ ok: true, order: { status: "submitted", limitPrice: 74_800, qty: 10 } });
    expect((await broker.orderBook())[0]).toMatchObject({ price: 74_800, qty: 10 });
    expect((await repo.orderByClientId(stop.clientOrderId))!.limitPrice).toBe(74_800);
  });

  it("leaves the books as they were when the broker refuses the change", async () => {
    closed = null;
    const working = await orders.submit(stop);
    await broker.cancelOrder(working.brokerOrderId!); // gone at the broker, still working in our books
    const r = await orders.modify(working, { price: 74_800 }, "stop moved");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/not working/);
    expect((await repo.orderByClientId(stop.clientOrderId))!.limitPrice).toBe(74_000);
  });

  it("refuses to shrink an order below what has filled, and to change a finished one", async () => {
    closed = null;
    const working = await orders.submit(stop);
    expect(await orders.modify({ ...working, filledQty: 4 }, { qty: 4 }, "x")).toMatchObject({ ok: false });
    expect(await orders.modify({ ...working, status: "filled" }, { price: 74_100 }, "x")).toMatchObject({ ok: false });
  });
});

describe("prices on the instrument's tick", () => {
  it("moves a sell up and a buy down to the tick: stops tighter, limits never more aggressive", () => {
    expect(onInstrumentTick(146_415, 10, "sell")).toBe(146_420);
    expect(onInstrumentTick(146_415, 10, "buy")).toBe(146_410);
    expect(onInstrumentTick(146_420, 10, "sell")).toBe(146_420);
    expect(onInstrumentTick(146_415, 1, "buy")).toBe(146_415);
  });
});
