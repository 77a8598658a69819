import { EMA, SMA, WMA } from "technicalindicators";
import { describe, expect, it } from "vitest";
import { Ema, Sma, Wma, ema, sma, wma } from "../../../src/engine/indicators/index.js";
import { expectClose, expectIdentical, loadDaily } from "./helpers.js";

/** Library output (warm-up bars dropped) padded back to input alignment. */
function padded(values: number[], n: number): number[] {
  return [...new Array<number>(n - values.length).fill(NaN), ...values];
}

describe("moving averages, hand-worked", () => {
  const xs = [1, 3, 2, 6, 4, 8, 5];

  it("SMA(3)", () => {
    // (1+3+2)/3 = 2, (3+2+6)/3 = 11/3, (2+6+4)/3 = 4, (6+4+8)/3 = 6, (4+8+5)/3 = 17/3
    expectClose(sma(xs, 3), [NaN, NaN, 2, 11 / 3, 4, 6, 17 / 3], 1e-12, "sma");
  });

  it("EMA(3): seed = SMA of the first 3, then k = 2/(3+1) = 0.5", () => {
    // seed 2; 2 + 0.5*(6-2) = 4; 4 + 0.5*(4-4) = 4; 4 + 0.5*(8-4) = 6; 6 + 0.5*(5-6) = 5.5
    expectIdentical(ema(xs, 3), [NaN, NaN, 2, 4, 4, 6, 5.5], "ema");
  });

  it("WMA(3): weights 1,2,3 over 6", () => {
    // (1*1+3*2+2*3)/6 = 13/6, (3+4+18)/6 = 25/6, (2+12+12)/6 = 26/6, (6+8+24)/6 = 38/6, (4+16+15)/6 = 35/6
    expectClose(wma(xs, 3), [NaN, NaN, 13 / 6, 25 / 6, 26 / 6, 38 / 6, 35 / 6], 1e-12, "wma");
  });

  it("period 1 returns the input", () => {
    expectIdentical(sma(xs, 1), xs, "sma1");
    expectIdentical(ema(xs, 1), xs, "ema1");
    expectIdentical(wma(xs, 1), xs, "wma1");
  });

  it("rejects bad periods", () => {
    expect(() => sma(xs, 0)).toThrow(RangeError);
    expect(() => new Ema(2.5)).toThrow(RangeError);
  });

  it("an EMA seeded at exactly 0 continues normally", () => {
    // technicalindicators gives [0.5, 2.25, 3.125] here: it skips a bar when the seed is 0.
    expect(EMA.calculate({ period: 3, values: [-2, 1, 1, 4, 4] })).toEqual([0.5, 2.25, 3.125]);
    expectIdentical(ema([-2, 1, 1, 4, 4], 3), [NaN, NaN, 0, 2, 3], "ema zero seed");
  });
});

describe("moving averages vs technicalindicators on RELIANCE closes", () => {
  const close = loadDaily("RELIANCE").close;
  const n = close.length;

  for (const period of [5, 20, 50]) {
    it(`SMA(${period}) and EMA(${period}) equal the library bit for bit`, () => {
      expectIdentical(sma(close, period), padded(SMA.calculate({ period, values: close }), n), "sma");
      expectIdentical(ema(close, period), padded(EMA.calculate({ period, values: close }), n), "ema");
    });

    it(`WMA(${period}) agrees with the library's O(n*N) sum`, () => {
      const worst = expectClose(wma(close, period), padded(WMA.calculate({ period, values: close }), n), 1e-9, "wma");
      expect(worst).toBeLessThan(1e-9);
    });
  }

  it("streaming equals batch", () => {
    for (const period of [3, 20]) {
      const [s, e, w] = [new Sma(period), new Ema(period), new Wma(period)];
      expectIdentical(close.map((x) => s.next(x)), sma(close, period), "sma");
      expectIdentical(close.map((x) => e.next(x)), ema(close, period), "ema");
      expectIdentical(close.map((x) => w.next(x)), wma(close, period), "wma");
    }
  });
});
