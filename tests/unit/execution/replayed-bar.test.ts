import { describe, expect, it } from "vitest";
import { PaperBroker } from "../../../src/engine/execution/paper-broker.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const bar = (date: string, open: number): Candle => ({ symbol: "ONGC", timeframe: "1d", time: fromIst(date, "09:15"), open, high: open + 500, low: open - 500, close: open, volume: 1_000_000 });

describe("a day replayed after a restart", () => {
  it("never fills an order on a bar that opened before the order was placed", async () => {
    const broker = new PaperBroker();
    const fills: Array<{ price: number; time: Date }> = [];
    broker.onFill(async (f) => void fills.push({ price: f.price, time: f.time }));
    // Placed at the close of 21 Jan (as the books say), adopted after a crash that came before the day was marked done.
    broker.adopt({ clientOrderId: "c1", brokerOrderId: "P-1", symbol: "ONGC", side: "buy", qty: 75, type: "market", since: fromIst("2025-01-21", "15:30") });
    await broker.onBar(bar("2025-01-21", 26_835)); // the day replayed: its open is in the order's past
    expect(fills).toEqual([]);
    await broker.onBar(bar("2025-01-22", 26_630)); // the next open
    expect(fills).toEqual([{ price: 26_630, time: fromIst("2025-01-22", "09:15") }]);
  });

  it("still lets a stop placed at a bar's open meet that same bar", async () => {
    const broker = new PaperBroker();
    const fills: number[] = [];
    broker.onFill(async (f) => void fills.push(f.price));
    await broker.placeOrder({ clientOrderId: "s1", symbol: "ONGC", side: "sell", qty: 75, type: "stop", price: 26_500, since: fromIst("2025-01-22", "09:15") });
    await broker.onBar(bar("2025-01-22", 26_630)); // low 26,130 reaches the stop
    expect(fills).toEqual([26_500]);
  });
});
