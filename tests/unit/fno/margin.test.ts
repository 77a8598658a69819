import { describe, expect, it } from "vitest";
import { syntheticMargin } from "../../../src/engine/fno/margin.js";

describe("syntheticMargin", () => {
  it("is marginPct % of the sold leg's notional, spot × qty", () => {
    // One Bank Nifty lot of 25 at 43,000.00: notional ₹10,75,000; 15 % is ₹1,61,250.
    expect(syntheticMargin({ spot: 4_300_000, qty: 25, marginPct: 15 })).toBe(16_125_000);
    expect(syntheticMargin({ spot: 4_300_000, qty: 50, marginPct: 12 })).toBe(25_800_000);
  });

  it("rounds up to the paisa", () => {
    // 4,300,005 × 15 × 15 % = 9,675,011.25 paise → 9,675,012.
    expect(syntheticMargin({ spot: 4_300_005, qty: 15, marginPct: 15 })).toBe(9_675_012);
    // 1 paisa × 1 × 0.0001 % is a millionth of a paisa: still a whole paisa.
    expect(syntheticMargin({ spot: 1, qty: 1, marginPct: 0.0001 })).toBe(1);
    // 12.5 % of 333 paise = 41.625 → 42.
    expect(syntheticMargin({ spot: 333, qty: 1, marginPct: 12.5 })).toBe(42);
  });

  it("is exact for fractional percentages that floats cannot hold", () => {
    // 12.3 % of 21,000 paise is exactly 2,583; in floats 21000 × 12.3 / 100 is 2583.0000000000005, which rounds up to 2,584.
    expect(syntheticMargin({ spot: 7_000, qty: 3, marginPct: 12.3 })).toBe(2_583);
  });

  it("refuses bad inputs, naming them", () => {
    expect(() => syntheticMargin({ spot: 0, qty: 25, marginPct: 15 })).toThrow(/spot/);
    expect(() => syntheticMargin({ spot: 4_300_000.5, qty: 25, marginPct: 15 })).toThrow(/spot/);
    expect(() => syntheticMargin({ spot: 4_300_000, qty: 0, marginPct: 15 })).toThrow(/qty/);
    expect(() => syntheticMargin({ spot: 4_300_000, qty: 2.5, marginPct: 15 })).toThrow(/qty/);
    expect(() => syntheticMargin({ spot: 4_300_000, qty: 25, marginPct: 0 })).toThrow(/marginPct/);
    expect(() => syntheticMargin({ spot: 4_300_000, qty: 25, marginPct: 101 })).toThrow(/marginPct/);
    expect(() => syntheticMargin({ spot: 4_300_000, qty: 25, marginPct: 15.00001 })).toThrow(/4 decimals/);
    expect(() => syntheticMargin({ spot: Number.MAX_SAFE_INTEGER, qty: 1_000_000, marginPct: 100 })).toThrow(/too large/);
  });
});
