import { describe, expect, it } from "vitest";
import {
  Camarilla,
  Doji,
  camarilla,
  camarillaLevels,
  doji,
  donchian,
  efficiencyRatio,
  isDoji,
  supertrend,
  volumeRatio,
} from "../../../src/engine/indicators/index.js";
import { barsOf, expectClose, expectIdentical, firstValid, loadDaily } from "./helpers.js";

describe("SuperTrend", () => {
  // Range 2 around each close (H = C+1, L = C-1); ATR(3), multiplier 1.
  const closes = [10, 11, 12, 13, 14, 15, 14, 12, 9, 8, 9, 11, 13];
  const bars = barsOf(closes.map((c) => [c, c + 1, c - 1, c]));

  it("follows the final-band rules and flips both ways", () => {
    // bar 2: ATR = 2, mid 12, bands 14/10; the first bar starts down, line = upper 14.
    // bar 3: basic upper 15 is not below 14 and close 12 did not exceed 14: upper stays 14; lower rises to 11.
    // bar 4: close 14 is not above 14: still down.
    // bar 5: close 15 > 14: flips up, line = lower band 13.
    // bar 6: prev close 15 was above upper 14, so upper resets to basic 16; lower stays 13 (basic 12 is lower).
    // bar 7: TR = |11 - 14| = 3, ATR = (2*2+3)/3 = 7/3, basic 12 -/+ 7/3. Close 12 < lower 13: flips down,
    //        line = upper = min(43/3, 16) = 43/3.
    // bar 8..10: down, upper ratchets to 286/27 and holds (bar 10's basic 923/81 is higher).
    // bar 11: close 11 > 286/27 = 10.59: flips up, line = lower = 11 - 631/243 = 2042/243.
    const st = supertrend(bars, { period: 3, multiplier: 1 });
    expect(Array.from(st.direction)).toEqual([0, 0, -1, -1, -1, 1, 1, -1, -1, -1, -1, 1, 1]);
    const expected = [NaN, NaN, 14, 14, 14, 13, 13, 43 / 3, 107 / 9, 286 / 27, 286 / 27, 2042 / 243, 7486 / 729];
    expectClose(st.value, expected, 1e-12, "supertrend");
  });

  it("defaults to ATR(10) x 3: first value at bar 9", () => {
    const rel = loadDaily("RELIANCE");
    const st = supertrend(rel);
    expect(firstValid(st.value)).toBe(9);
    expect(st.direction[8]).toBe(0);
    // The line sits below the close in an uptrend and above it in a downtrend.
    for (let i = 9; i < rel.close.length; i++) {
      if (st.direction[i] === 1) expect(st.value[i]!).toBeLessThanOrEqual(rel.close[i]!);
      else expect(st.value[i]!).toBeGreaterThanOrEqual(rel.close[i]!);
    }
  });
});

describe("Donchian", () => {
  const high = [5, 7, 6, 9, 8, 4, 3, 10];
  const low = [1, 2, 0, 3, 4, 2, 1, 5];

  it("includes the current bar by default", () => {
    const d = donchian({ high, low }, 3);
    expectIdentical(d.upper, [NaN, NaN, 7, 9, 9, 9, 8, 10], "upper");
    expectIdentical(d.lower, [NaN, NaN, 0, 0, 0, 2, 1, 1], "lower");
    expectIdentical(d.middle, [NaN, NaN, 3.5, 4.5, 4.5, 5.5, 4.5, 5.5], "middle");
  });

  it("excludeCurrent uses the N bars before, so a breakout is visible", () => {
    const d = donchian({ high, low }, 3, { excludeCurrent: true });
    expectIdentical(d.upper, [NaN, NaN, NaN, 7, 9, 9, 9, 8], "upper");
    expectIdentical(d.lower, [NaN, NaN, NaN, 0, 0, 0, 2, 1], "lower");
    // Bar 7 closes at 9.5: above the previous 3 bars' high (8), never above an upper band that includes it.
    expect(9.5 > d.upper[7]!).toBe(true);
  });

  it("matches a brute-force window scan on real data", () => {
    const rel = loadDaily("RELIANCE");
    for (const excludeCurrent of [false, true]) {
      const N = 20;
      const d = donchian(rel, N, { excludeCurrent });
      const off = excludeCurrent ? 1 : 0;
      for (let i = 0; i < rel.high.length; i++) {
        const from = i - N + 1 - off;
        if (from < 0) {
          expect(d.upper[i]).toBeNaN();
          continue;
        }
        const hs = rel.high.slice(from, i + 1 - off);
        const ls = rel.low.slice(from, i + 1 - off);
        expect(d.upper[i]).toBe(Math.max(...hs));
        expect(d.lower[i]).toBe(Math.min(...ls));
      }
    }
  });
});

describe("Camarilla", () => {
  it("levels from H 110, L 100, C 105", () => {
    const lv = camarillaLevels(110, 100, 105);
    // range 10: R1 = 105 + 11/12, R2 = 105 + 11/6, R3 = 105 + 2.75, R4 = 105 + 5.5, R5 = 110/100*105
    expect(lv.pivot).toBeCloseTo(105, 12);
    expect(lv.r1).toBeCloseTo(105 + 11 / 12, 12);
    expect(lv.r2).toBeCloseTo(105 + 11 / 6, 12);
    expect(lv.r3).toBeCloseTo(107.75, 12);
    expect(lv.r4).toBeCloseTo(110.5, 12);
    expect(lv.r5).toBeCloseTo(115.5, 12);
    expect(lv.s1).toBeCloseTo(105 - 11 / 12, 12);
    expect(lv.s2).toBeCloseTo(105 - 11 / 6, 12);
    expect(lv.s3).toBeCloseTo(102.25, 12);
    expect(lv.s4).toBeCloseTo(99.5, 12);
    expect(lv.s5).toBeCloseTo(94.5, 12);
  });

  it("levels from RELIANCE's first day (H 1078.90, L 1055.20, C 1060.55)", () => {
    const lv = camarillaLevels(1078.9, 1055.2, 1060.55);
    // range 23.70; 23.70*1.1 = 26.07; /12 = 2.1725, /6 = 4.345, /4 = 6.5175, /2 = 13.035
    const want = {
      r1: 1062.7225, r2: 1064.895, r3: 1067.0675, r4: 1073.585, r5: 1084.370162054587,
      s1: 1058.3775, s2: 1056.205, s3: 1054.0325, s4: 1047.515, s5: 1036.7298379454132,
      pivot: 1064.8833333333334,
    };
    for (const [k, v] of Object.entries(want)) expect(lv[k as keyof typeof want], k).toBeCloseTo(v, 9);
  });

  it("the series form gives each day the previous day's levels", () => {
    const rel = loadDaily("RELIANCE");
    const s = camarilla(rel);
    expect(s.r4[0]).toBeNaN();
    expect(s.r4[1]).toBe(camarillaLevels(rel.high[0]!, rel.low[0]!, rel.close[0]!).r4);
    const stream = new Camarilla();
    stream.next({ high: 110, low: 100, close: 105 });
    expect(stream.upcoming.r4).toBe(camarillaLevels(110, 100, 105).r4);
  });
});

describe("doji", () => {
  it("body within 10% of the range by default", () => {
    expect(isDoji(100, 105, 95, 100.9)).toBe(true);
    expect(isDoji(100, 105, 95, 101)).toBe(true); // exactly 10%: 1 <= 0.1*10
    expect(isDoji(100, 105, 95, 101.1)).toBe(false);
    expect(isDoji(100, 105, 95, 98.9)).toBe(false);
  });

  it("fraction is configurable", () => {
    expect(new Doji({ fraction: 0.05 }).next({ open: 100, high: 105, low: 95, close: 100.9 })).toBe(false);
    expect(new Doji({ fraction: 0.2 }).next({ open: 100, high: 105, low: 95, close: 101.9 })).toBe(true);
    expect(() => new Doji({ fraction: -1 })).toThrow(RangeError);
  });

  it("zero-range candles are dojis; a body without range is not", () => {
    expect(isDoji(100, 100, 100, 100)).toBe(true);
    expect(isDoji(100, 100, 100, 101)).toBe(false);
  });

  it("batch gives 1/0 per bar", () => {
    const c = barsOf([[100, 105, 95, 100.5], [100, 105, 95, 104], [50, 50, 50, 50]]);
    expect(Array.from(doji(c))).toEqual([1, 0, 1]);
  });
});

describe("volume ratio", () => {
  const vol = [10, 20, 30, 40, 50];

  it("defaults to the average of the previous N bars", () => {
    // bar 2: 30 / ((10+20)/2) = 2; bar 3: 40/25; bar 4: 50/35
    expectClose(volumeRatio(vol, 2), [NaN, NaN, 2, 1.6, 50 / 35], 1e-12, "excl");
  });

  it("includeCurrent averages the N bars ending today", () => {
    expectClose(volumeRatio(vol, 2, { includeCurrent: true }), [NaN, 20 / 15, 1.2, 40 / 35, 50 / 45], 1e-12, "incl");
  });

  it("zero averages give Infinity or NaN", () => {
    expectIdentical(volumeRatio([0, 0, 5, 0], 2), [NaN, NaN, Infinity, 0], "zeros");
    expect(volumeRatio([0, 0, 0], 2)[2]).toBeNaN();
  });

  it("default period 20 matches a brute-force mean of the previous 20 days", () => {
    const v = loadDaily("RELIANCE").volume;
    const r = volumeRatio(v);
    expect(firstValid(r)).toBe(20);
    for (let i = 20; i < v.length; i++) {
      const prev = v.slice(i - 20, i).reduce((a, b) => a + b, 0) / 20;
      expect(r[i]).toBeCloseTo(v[i]! / prev, 12);
    }
  });
});

describe("efficiency ratio", () => {
  it("worked example: closes 10, 12, 11, 13, 12 with N = 4", () => {
    // net |12 - 10| = 2; path 2 + 1 + 2 + 1 = 6; ER = 1/3
    expectClose(efficiencyRatio([10, 12, 11, 13, 12], 4), [NaN, NaN, NaN, NaN, 1 / 3], 1e-15, "er");
  });

  it("a straight line gives 1, a zig-zag gives near 0, a flat line gives 0", () => {
    const line = Array.from({ length: 40 }, (_, i) => 100 + 1.7 * i);
    const er = efficiencyRatio(line, 10);
    for (let i = 10; i < 40; i++) expect(er[i]).toBeCloseTo(1, 12);
    const zigzag = Array.from({ length: 40 }, (_, i) => 100 + (i % 2) * 3 + 0.01 * i);
    const ez = efficiencyRatio(zigzag, 10);
    for (let i = 10; i < 40; i++) expect(ez[i]!).toBeLessThan(0.01);
    expect(efficiencyRatio(new Array(12).fill(5), 10)[11]).toBe(0);
  });

  it("stays within [0, 1] despite float residue in the running sum", () => {
    for (const step of [0.05, 0.1, 0.3, -1.7, 2.35]) {
      for (const start of [17.3, 1060.55]) {
        const line = Array.from({ length: 300 }, (_, i) => start + step * i);
        for (const v of efficiencyRatio(line, 10).slice(10)) {
          expect(v).toBeLessThanOrEqual(1);
          expect(v).toBeGreaterThan(1 - 1e-9);
        }
      }
    }
  });

  it("matches a brute-force computation on real data", () => {
    const c = loadDaily("RELIANCE").close;
    const N = 10;
    const er = efficiencyRatio(c, N);
    expect(firstValid(er)).toBe(N);
    for (let i = N; i < c.length; i++) {
      let path = 0;
      for (let j = i - N + 1; j <= i; j++) path += Math.abs(c[j]! - c[j - 1]!);
      expect(er[i]).toBeCloseTo(Math.abs(c[i]! - c[i - N]!) / path, 12);
    }
  });
});
