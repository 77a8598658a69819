import { describe, expect, it } from "vitest";
import { bsPrice, normCdf } from "../../../src/engine/fno/black-scholes.js";

// Reference values from an independent implementation: 0.5 · erfc(−x/√2) (Python's math.erfc).
describe("normCdf", () => {
  it("agrees with the erfc-based CDF to 1e-12", () => {
    const ref: Array<[number, number]> = [
      [-3, 0.0013498980316300957],
      [-1.96, 0.024997895148220435],
      [-1, 0.15865525393145707],
      [0, 0.5],
      [0.5, 0.6914624612740131],
      [1, 0.8413447460685429],
      [2.5, 0.9937903346742238],
    ];
    for (const [x, p] of ref) expect(Math.abs(normCdf(x) - p), `x=${x}`).toBeLessThan(1e-12);
  });

  it("is symmetric, monotone and saturates in the tails", () => {
    for (let x = -9; x <= 9; x += 0.37) {
      expect(Math.abs(normCdf(x) + normCdf(-x) - 1)).toBeLessThan(1e-14);
      expect(normCdf(x + 0.01)).toBeGreaterThanOrEqual(normCdf(x));
    }
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(40)).toBe(1);
    expect(normCdf(-8)).toBeGreaterThan(0);
    expect(() => normCdf(Number.NaN)).toThrow(/NaN/);
  });
});

describe("bsPrice", () => {
  it("matches textbook values", () => {
    // Hull, Options, Futures and Other Derivatives, example 15.6: c ≈ 4.76, p ≈ 0.81.
    const hull = { spot: 42, strike: 40, years: 0.5, vol: 0.2, rate: 0.1 };
    expect(bsPrice({ type: "CE", ...hull })).toBeCloseTo(4.759422392871535, 10);
    expect(bsPrice({ type: "PE", ...hull })).toBeCloseTo(0.8085993729000958, 10);
    // The classic at-the-money case: S = K = 100, one year, 20 %, 5 %.
    const atm = { spot: 100, strike: 100, years: 1, vol: 0.2, rate: 0.05 };
    expect(bsPrice({ type: "CE", ...atm })).toBeCloseTo(10.450583572185565, 10);
    expect(bsPrice({ type: "PE", ...atm })).toBeCloseTo(5.573526022256971, 10);
    // A Bank Nifty month: 43,038.50 spot, 43,000 strike, 26 days, 14.68 %, 6.5 %.
    const bnf = { spot: 43_038.5, strike: 43_000, years: 26 / 365, vol: 0.1468, rate: 0.065 };
    expect(bsPrice({ type: "CE", ...bnf })).toBeCloseTo(796.0483792707346, 8);
    expect(bsPrice({ type: "PE", ...bnf })).toBeCloseTo(558.9126989302604, 8);
  });

  it("keeps put-call parity C − P = S − K·e^(−rT) to 1e-6", () => {
    for (const spot of [30_000, 39_876.55, 43_000, 47_500])
      for (const strike of [35_000, 43_000, 50_000])
        for (const years of [1 / 365, 0.05, 0.5, 2])
          for (const vol of [0.05, 0.15, 0.6])
            for (const rate of [0, 0.065]) {
              const o = { spot, strike, years, vol, rate };
              const gap = bsPrice({ type: "CE", ...o }) - bsPrice({ type: "PE", ...o }) - (spot - strike * Math.exp(-rate * years));
              expect(Math.abs(gap), JSON.stringify(o)).toBeLessThan(1e-6);
            }
  });

  it("is the intrinsic value at and after expiry", () => {
    const o = { spot: 43_120, strike: 43_000, vol: 0.15, rate: 0.065 };
    expect(bsPrice({ type: "CE", ...o, years: 0 })).toBe(120);
    expect(bsPrice({ type: "PE", ...o, years: 0 })).toBe(0);
    expect(bsPrice({ type: "PE", ...o, years: -0.01 })).toBe(0);
    expect(bsPrice({ type: "PE", ...o, spot: 42_900, years: 0 })).toBe(100);
  });

  it("with no volatility is the discounted forward's intrinsic value", () => {
    const o = { spot: 43_000, strike: 43_000, years: 0.25, vol: 0, rate: 0.065 };
    expect(bsPrice({ type: "CE", ...o })).toBeCloseTo(43_000 * (1 - Math.exp(-0.065 * 0.25)), 9);
    expect(bsPrice({ type: "PE", ...o })).toBe(0);
  });

  it("never goes negative far out of the money, and grows with volatility and time", () => {
    const far = { spot: 40_000, strike: 43_000, years: 1 / 365, vol: 0.15, rate: 0.065 };
    expect(bsPrice({ type: "CE", ...far })).toBeGreaterThanOrEqual(0);
    expect(bsPrice({ type: "CE", ...far })).toBeLessThan(1e-12);
    expect(bsPrice({ type: "PE", ...far })).toBeCloseTo(2992.343147548192, 8);
    const base = { type: "CE" as const, spot: 43_000, strike: 43_000, years: 0.1, vol: 0.15, rate: 0.065 };
    expect(bsPrice({ ...base, vol: 0.2 })).toBeGreaterThan(bsPrice(base));
    expect(bsPrice({ ...base, years: 0.2 })).toBeGreaterThan(bsPrice(base));
  });

  it("refuses bad inputs, naming them", () => {
    const ok = { type: "CE" as const, spot: 100, strike: 100, years: 1, vol: 0.2, rate: 0.05 };
    expect(() => bsPrice({ ...ok, spot: 0 })).toThrow(/spot/);
    expect(() => bsPrice({ ...ok, strike: -1 })).toThrow(/strike/);
    expect(() => bsPrice({ ...ok, years: Number.NaN })).toThrow(/years/);
    expect(() => bsPrice({ ...ok, vol: -0.1 })).toThrow(/vol/);
    expect(() => bsPrice({ ...ok, rate: Number.POSITIVE_INFINITY })).toThrow(/rate/);
    expect(() => bsPrice({ ...ok, type: "C" as "CE" })).toThrow(/type/);
  });
});
