/**
 * A crash between writing an order and the broker's answer leaves it `new`.
 * With the in-process paper broker nothing was ever placed, so a restart places
 * it once: it fills at the next bar, and a second restart places nothing more.
 */
import { describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { fromIst } from "../../src/engine/time/ist.js";

describe("an order written but never acknowledged", () => {
  it("is placed once after a restart with the paper broker, and fills at the next open", async () => {
    const database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    const repo = new Repo(database.db);
    const placedAt = fromIst("2025-01-21", "15:30");
    const { order } = await repo.insertOrder({ clientOrderId: "Dcrashed00000000", symbol: "ONGC", side: "buy", qty: 75, orderType: "market", limitPrice: null, purpose: "entry", signalId: null, positionId: null, at: placedAt });
    expect(order.status).toBe("new");

    const build = () => {
      const broker = new PaperBroker();
      const clock = new ManualClock(placedAt);
      const desk = new Desk({ repo, broker, marketClock: clock, wallClock: clock, capital: 40_000_000, riskPct: 1.5, signalTtlMinutes: 15, strategies: [], autoAccept: [], charges: deliveryFillCharges, mode: "paper" });
      return { desk, broker };
    };
    const first = build();
    expect((await first.desk.init()).resumedOrders).toBe(1);
    const placed = (await repo.orderByClientId("Dcrashed00000000"))!;
    expect(placed.status).toBe("submitted");
    expect(placed.brokerOrderId).not.toBeNull();
    // The replayed day's own open is in the order's past; the next open fills it.
    await first.desk.openDay("2025-01-21", [{ symbol: "ONGC", timeframe: "1d", time: fromIst("2025-01-21", "09:15"), open: 26_835, high: 27_000, low: 26_500, close: 26_700, volume: 1_000_000 }]);
    expect((await repo.orderByClientId("Dcrashed00000000"))!.status).toBe("submitted");
    await first.desk.openDay("2025-01-22", [{ symbol: "ONGC", timeframe: "1d", time: fromIst("2025-01-22", "09:15"), open: 26_630, high: 26_900, low: 26_400, close: 26_800, volume: 1_000_000 }]);
    const filled = (await repo.orderByClientId("Dcrashed00000000"))!;
    expect(filled.status).toBe("filled");
    expect(filled.avgFillPrice).toBe(26_630);

    // Another restart: nothing new to place, nothing doubled.
    const second = build();
    expect((await second.desk.init()).resumedOrders).toBe(0);
    expect((await repo.ordersByStatus(["new", "submitted", "filled"])).filter((o) => o.clientOrderId === "Dcrashed00000000")).toHaveLength(1);
    await database.close();
  });
});
