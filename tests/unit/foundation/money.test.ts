import { describe, expect, it } from "vitest";
import { formatRupees, formatSignedRupees, groupIndian, roundToTick, toPaise, toRupees } from "../../../src/engine/money.js";

/**
 * Independent reference for "rupees with exactly three decimals" given as an
 * integer count of thousandths of a rupee: half a paisa rounds away from zero.
 */
function paiseFromThousandths(milli: number): number {
  const abs = Math.abs(milli);
  const p = Math.floor(abs / 10) + (abs % 10 >= 5 ? 1 : 0);
  return milli < 0 ? -p : p;
}

describe("toPaise from numbers", () => {
  it("absorbs float noise in ordinary prices", () => {
    // These products land a hair below the whole number in floating point.
    expect(1.15 * 100).toBeLessThan(115);
    expect(0.29 * 100).toBeLessThan(29);
    expect(toPaise(1.15)).toBe(115);
    expect(toPaise(0.29)).toBe(29);
    expect(toPaise(4.35)).toBe(435);
    expect(toPaise(1060.55)).toBe(106055);
    expect(toPaise(0.1 + 0.2)).toBe(30);
    expect(toPaise(100)).toBe(10000);
    expect(toPaise(0)).toBe(0);
    expect(toPaise(0.05)).toBe(5);
  });

  it("handles negative amounts symmetrically", () => {
    expect(toPaise(-1060.55)).toBe(-106055);
    expect(toPaise(-(0.1 + 0.2))).toBe(-30);
    expect(toPaise(-12.34)).toBe(-1234);
  });

  it("rounds half a paisa away from zero, and less than half toward zero", () => {
    expect(toPaise(1.005)).toBe(101);
    expect(toPaise(-1.005)).toBe(-101);
    expect(toPaise(0.125)).toBe(13);
    expect(toPaise(-0.125)).toBe(-13);
    expect(toPaise(2.675)).toBe(268);
    expect(toPaise(0.124)).toBe(12);
    expect(toPaise(-0.124)).toBe(-12);
    expect(toPaise(0.126)).toBe(13);
  });

  it("agrees with exact integer arithmetic for every three-decimal amount up to ₹2,000", () => {
    const bad: string[] = [];
    for (let milli = 0; milli <= 2_000_000; milli++) {
      const rupees = Number((milli / 1000).toFixed(3));
      const want = paiseFromThousandths(milli);
      if (toPaise(rupees) !== want) bad.push(`${rupees} → ${toPaise(rupees)} (want ${want})`);
      if (toPaise(-rupees) !== -want && want !== 0) bad.push(`${-rupees} → ${toPaise(-rupees)} (want ${-want})`);
      if (bad.length > 5) break;
    }
    expect(bad).toEqual([]);
  });

  it("stays exact for large amounts (crores)", () => {
    expect(toPaise(12345678.9)).toBe(1234567890);
    expect(toPaise(99999999.99)).toBe(9999999999);
    expect(toPaise(400000)).toBe(40_000_000);
  });

  it("throws RangeError for NaN and infinities", () => {
    expect(() => toPaise(Number.NaN)).toThrow(RangeError);
    expect(() => toPaise(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => toPaise(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("toPaise from strings", () => {
  it("parses decimal strings exactly", () => {
    expect(toPaise("1060.55")).toBe(106055);
    expect(toPaise("12")).toBe(1200);
    expect(toPaise("0.5")).toBe(50);
    expect(toPaise("0.05")).toBe(5);
    expect(toPaise("  12.5 ")).toBe(1250);
    expect(toPaise("12345678.90")).toBe(1234567890);
    expect(toPaise("-12.34")).toBe(-1234);
  });

  it("rounds on the third decimal only, half away from zero", () => {
    expect(toPaise("1.005")).toBe(101);
    expect(toPaise("-1.005")).toBe(-101);
    expect(toPaise("1.0049999")).toBe(100);
    expect(toPaise("1.0050001")).toBe(101);
    expect(toPaise("-0.015")).toBe(-2);
    expect(toPaise("0.994")).toBe(99);
    expect(toPaise("0.995")).toBe(100);
    expect(toPaise("9.999")).toBe(1000);
  });

  it("agrees with exact integer arithmetic for three-decimal strings", () => {
    const bad: string[] = [];
    for (let milli = -50_000; milli <= 50_000; milli += 7) {
      const abs = Math.abs(milli);
      const s = `${milli < 0 ? "-" : ""}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
      const want = paiseFromThousandths(milli);
      const got = toPaise(s);
      // -0 and 0 are the same amount.
      if (got !== want) bad.push(`${s} → ${got} (want ${want})`);
    }
    expect(bad).toEqual([]);
  });

  it.each(["", "abc", "1e3", "1.", ".5", "+5", "12.3.4", "₹5", "1,000", "1 000", "--5", "0x10", "NaN", "Infinity"])(
    "rejects %j with a RangeError",
    (s) => {
      expect(() => toPaise(s)).toThrow(RangeError);
    },
  );

  it("names the bad input in the error", () => {
    expect(() => toPaise("12abc")).toThrow(/12abc/);
  });
});

describe("toRupees", () => {
  it("turns paise into rupees", () => {
    expect(toRupees(106055)).toBe(1060.55);
    expect(toRupees(-5)).toBe(-0.05);
    expect(toRupees(0)).toBe(0);
  });
});

describe("groupIndian / formatRupees", () => {
  it("groups the last three digits, then pairs (lakh and crore)", () => {
    expect(groupIndian(1234567890)).toBe("1,23,45,678.90");
    expect(groupIndian(99900)).toBe("999.00");
    expect(groupIndian(100000)).toBe("1,000.00");
    expect(groupIndian(10_000_000)).toBe("1,00,000.00");
    expect(groupIndian(1_000_000_000)).toBe("1,00,00,000.00");
    expect(groupIndian(5)).toBe("0.05");
    expect(groupIndian(0)).toBe("0.00");
    expect(groupIndian(-1234567890)).toBe("-1,23,45,678.90");
  });

  it("formats with the rupee sign, minus before the sign", () => {
    expect(formatRupees(1234567890)).toBe("₹1,23,45,678.90");
    expect(formatRupees(99900)).toBe("₹999.00");
    expect(formatRupees(100000)).toBe("₹1,000.00");
    expect(formatRupees(5)).toBe("₹0.05");
    expect(formatRupees(0)).toBe("₹0.00");
    expect(formatRupees(-5)).toBe("-₹0.05");
    expect(formatRupees(-1234567890)).toBe("-₹1,23,45,678.90");
    expect(formatRupees(-100000)).toBe("-₹1,000.00");
  });

  it("matches the en-IN locale grouping for many amounts", () => {
    const inr = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: true });
    const bad: string[] = [];
    let p = 1;
    for (let i = 0; i < 400; i++) {
      p = (p * 37 + 11) % 9_999_999_999_999; // spread across magnitudes
      for (const v of [p, Math.floor(p / 1000), Math.floor(p / 1_000_000), -p]) {
        const want = inr.format(v / 100);
        if (groupIndian(v) !== want) bad.push(`${v}: ${groupIndian(v)} vs ${want}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("formatSignedRupees puts + on gains only", () => {
    expect(formatSignedRupees(120000)).toBe("+₹1,200.00");
    expect(formatSignedRupees(-30000)).toBe("-₹300.00");
    expect(formatSignedRupees(0)).toBe("₹0.00");
  });
});

describe("roundToTick", () => {
  it("rounds to the nearest tick by default", () => {
    expect(roundToTick(10123, 5)).toBe(10125);
    expect(roundToTick(10122, 5)).toBe(10120);
    expect(roundToTick(10125, 5)).toBe(10125);
    expect(roundToTick(10123, 1)).toBe(10123);
  });

  it("rounds down and up on request", () => {
    expect(roundToTick(10124, 5, "down")).toBe(10120);
    expect(roundToTick(10121, 5, "up")).toBe(10125);
    expect(roundToTick(10120, 5, "down")).toBe(10120);
    expect(roundToTick(10120, 5, "up")).toBe(10120);
    expect(roundToTick(10123, 1, "down")).toBe(10123);
    expect(roundToTick(10123, 1, "up")).toBe(10123);
  });

  it("always lands on a multiple of the tick, within one tick, on the requested side", () => {
    for (let price = 1; price <= 3000; price++) {
      for (const tick of [1, 5, 10]) {
        const d = roundToTick(price, tick, "down");
        const u = roundToTick(price, tick, "up");
        const n = roundToTick(price, tick, "nearest");
        for (const r of [d, u, n]) expect(r % tick).toBe(0);
        expect(d).toBeLessThanOrEqual(price);
        expect(price - d).toBeLessThan(tick);
        expect(u).toBeGreaterThanOrEqual(price);
        expect(u - price).toBeLessThan(tick);
        expect(Math.abs(n - price)).toBeLessThanOrEqual(tick / 2);
      }
    }
  });

  it.each([0, -5, 2.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects tick %s with a RangeError", (tick) => {
    expect(() => roundToTick(10000, tick)).toThrow(RangeError);
  });
});
