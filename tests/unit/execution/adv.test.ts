import { describe, expect, it } from "vitest";
import { advFrom } from "../../../src/engine/execution/adv.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { paperBroker } from "../../../src/engine/execution/paper-setup.js";
import { fromIst, addDays } from "../../../src/engine/time/ist.js";

const bars: Candle[] = Array.from({ length: 25 }, (_, i) => ({
  symbol: "X",
  timeframe: "1d",
  time: fromIst(addDays("2024-01-01", i), "09:15"),
  open: 10_000,
  high: 10_100,
  low: 9_900,
  close: 10_000,
  volume: (i + 1) * 100, // 100, 200, ..., 2500
}));

describe("advFrom", () => {
  const adv = advFrom((s) => (s === "X" ? bars : []));

  it("averages the 20 bars before the instant, never the bar at it", () => {
    // At bar 20's open: bars 0..19 → volumes 100..2000, mean 1050.
    expect(adv("X", bars[20]!.time)).toBe(1050);
    // At bar 24's open: bars 4..23 → 500..2400, mean 1450.
    expect(adv("X", bars[24]!.time)).toBe(1450);
  });

  it("is null with fewer than 20 bars before, for an unknown symbol, or with no volume", () => {
    expect(adv("X", bars[19]!.time)).toBeNull();
    expect(adv("Y", bars[24]!.time)).toBeNull();
    const index = advFrom(() => bars.map((b) => ({ ...b, volume: 0 })));
    expect(index("X", bars[24]!.time)).toBeNull();
  });
});

describe("paperBroker", () => {
  it("fills a market buy against the trader with seed slippage, and at the open without it", async () => {
    const fills: number[] = [];
    for (const mode of ["seed", "none"] as const) {
      const broker = paperBroker(mode, () => bars);
      broker.onFill(async (f) => void fills.push(f.price));
      await broker.placeOrder({ clientOrderId: `c-${mode}`, symbol: "X", side: "buy", qty: 10, type: "market" });
      await broker.onBar(bars[24]!);
    }
    // ₹100.00 open; ADV 1,450 shares × ₹100 is far under ₹20 crore a day: small cap, 20 bps × VIX unknown (×2) = 40 bps → ₹100.40.
    expect(fills).toEqual([10_040, 10_000]);
  });
});
