/**
 * An exit asked for twice before its fill is read (fills come from the trade
 * book every few seconds) reaches the broker once: the first market order may
 * already have filled, so it is never cancelled and sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../../../src/db/memory-store.js";
import { ManualClock } from "../../../src/engine/clock.js";
import { deliveryFillCharges } from "../../../src/engine/costs/index.js";
import { Desk } from "../../../src/engine/desk.js";
import type { AngelOneBroker } from "../../../src/engine/execution/angelone/angel-broker.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../../stand-ins/smartapi/server.js";
import { standInBroker } from "../../stand-ins/smartapi/broker.js";

let standIn: SmartApiStandIn;
let broker: AngelOneBroker;

beforeAll(async () => {
  standIn = await startSmartApiStandIn({ cash: 1e13 });
  standIn.market.now = fromIst("2025-11-21", "10:00");
  standIn.market.tick("RELIANCE", 140_000);
  broker = standInBroker(standIn);
  await broker.connect();
});

afterAll(async () => {
  await broker.close();
  await standIn.close();
});

describe("an exit asked for twice before its fill is read", () => {
  it("is sent once, and books one closing fill", async () => {
    const repo = new MemoryStore();
    const clock = new ManualClock(fromIst("2025-11-21", "10:00"));
    // Bought by hand earlier at the broker: the books hold it as ours.
    standIn.market.placeOrder({ variety: "NORMAL", symboltoken: "2885", exchange: "NSE", transactiontype: "BUY", ordertype: "MARKET", producttype: "DELIVERY", duration: "DAY", quantity: 5 } as never);
    await repo.insertPosition({ symbol: "RELIANCE", strategy: "manual", side: "long", qty: 5, costBasis: 700_000, openCharges: 0, initialStop: null, stop: null, targets: [], lastPrice: 140_000, signalId: null, openedAt: clock.now() });
    const desk = new Desk({ repo, broker, marketClock: clock, wallClock: clock, capital: 10_000_000, riskPct: 1, signalTtlMinutes: 15, strategies: [], autoAccept: [], charges: deliveryFillCharges, mode: "live" });
    const [pos] = await repo.openPositions();
    const first = await desk.exitNow(pos!.id, "@a");
    clock.advance(1000);
    const second = await desk.exitNow(pos!.id, "@b");
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.order.clientOrderId).toBe(first.order.clientOrderId);
    const sells = standIn.market.orders().filter((o) => o.transactiontype === "SELL");
    expect(sells).toHaveLength(1);
    await desk.pollBroker();
    expect(await repo.openPositions()).toEqual([]);
    expect((await repo.trades()).map((t) => [t.symbol, t.qty, t.exitPrice])).toEqual([["RELIANCE", 5, 140_000]]);
  });
});
