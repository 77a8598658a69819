import { describe, expect, it } from "vitest";
import { atr, atrPercent, dmi, rsi, trueRange } from "../../../src/engine/indicators/index.js";
import { barsOf, expectClose, expectIdentical, firstValid } from "./helpers.js";
import { refAtr, refDmi, refRsi } from "./reference.js";

/*
 * Ten bars worked by hand with N = 3 (halves only, so floats are exact inputs).
 *
 * bar   H     L     C     change  TR   +DM  -DM
 *  0   10     8     9       -      2    -    -     TR0 = H-L
 *  1   11     9    10.5   +1.5     2    1    0
 *  2   12    10    11     +0.5     2    1    0
 *  3   11.5   9.5  10      -1      2    0    0.5
 *  4   13    10    12.5   +2.5     3   1.5   0
 *  5   12     9     9.5    -3     3.5   0    1     |L - prevC| = |9 - 12.5|
 *  6   10.5   8.5  10     +0.5     2    0    0.5
 *  7   11     9.5  10.5   +0.5    1.5  0.5   0
 *  8   12.5  10.5  12     +1.5     2   1.5   0
 *  9   13    11    12.5   +0.5     2   0.5   0
 */
const SMALL = barsOf([
  [9, 10, 8, 9],
  [10, 11, 9, 10.5],
  [10.5, 12, 10, 11],
  [11, 11.5, 9.5, 10],
  [10, 13, 10, 12.5],
  [12.5, 12, 9, 9.5],
  [9.5, 10.5, 8.5, 10],
  [10, 11, 9.5, 10.5],
  [10.5, 12.5, 10.5, 12],
  [12, 13, 11, 12.5],
]);

describe("RSI, ATR, ADX with N = 3, worked by hand", () => {
  it("true range", () => {
    expectIdentical(trueRange(SMALL), [2, 2, 2, 2, 3, 3.5, 2, 1.5, 2, 2], "tr");
  });

  it("RSI(3)", () => {
    // bar 3: avgGain = (1.5+0.5+0)/3 = 2/3, avgLoss = 1/3, RS = 2, RSI = 100 - 100/3 = 66.667
    // bar 4: avgGain = (2/3*2 + 2.5)/3 = 23/18, avgLoss = (1/3*2 + 0)/3 = 2/9,
    //        RS = 23/4, RSI = 100 - 100/6.75 = 2300/27 = 85.185
    // bar 5: avgGain = (23/18*2)/3 = 23/27, avgLoss = (2/9*2 + 3)/3 = 31/27, RSI = 1150/27
    // bar 6..9 continue the same way: 11900/243, 31900/567, 136700/1863, 69260/891
    const expected = [NaN, NaN, NaN, 200 / 3, 2300 / 27, 1150 / 27, 11900 / 243, 31900 / 567, 136700 / 1863, 69260 / 891];
    expectClose(rsi(SMALL.close, 3), expected, 1e-12, "rsi");
  });

  it("ATR(3)", () => {
    // bar 2: (2+2+2)/3 = 2 (TR0 counts); bar 3: (2*2+2)/3 = 2; bar 4: (2*2+3)/3 = 7/3;
    // bar 5: (7/3*2 + 3.5)/3 = 49/18; bar 6: 67/27; bar 7: 349/162; bar 8: 511/243; bar 9: 1508/729
    const expected = [NaN, NaN, 2, 2, 7 / 3, 49 / 18, 67 / 27, 349 / 162, 511 / 243, 1508 / 729];
    expectClose(atr(SMALL, 3), expected, 1e-12, "atr");
    // ATR% at bar 4: (7/3)/12.5*100
    expect(atrPercent(SMALL, 3)[4]).toBeCloseTo(((7 / 3) / 12.5) * 100, 12);
  });

  it("+DI, -DI, DX, ADX(3)", () => {
    // bar 3: sTR = 2+2+2 = 6, s+DM = 1+1+0 = 2, s-DM = 0.5
    //        +DI = 100*2/6 = 33.333, -DI = 100*0.5/6 = 8.333, DX = 100*25/41.667 = 60
    // bar 4: sTR = 6 - 6/3 + 3 = 7, s+DM = 2 - 2/3 + 1.5 = 17/6, s-DM = 0.5 - 0.5/3 = 1/3
    //        +DI = 850/21, -DI = 100/21, DX = 100*750/950 = 1500/19 = 78.947
    // bar 5: sTR = 7 - 7/3 + 3.5 = 49/6, s+DM = 17/9, s-DM = 11/9
    //        +DI = 3400/147, -DI = 2200/147, DX = 100*1200/5600 = 150/7 = 21.429
    //        ADX (first, bar 2N-1 = 5) = (60 + 1500/19 + 150/7)/3 = 7110/133 = 53.459
    // bar 6: +DI = 3400/201, -DI = 3550/201, DX = 300/139, ADX = (7110/133*2 + 300/139)/3 = 36.3585
    const d = dmi(SMALL, 3);
    const nan3 = [NaN, NaN, NaN];
    expectClose(d.plusDi, [...nan3, 100 / 3, 850 / 21, 3400 / 147, 3400 / 201, 21700 / 1047, 58150 / 1533, 5875 / 174], 1e-12, "+DI");
    expectClose(d.minusDi, [...nan3, 25 / 3, 100 / 21, 2200 / 147, 3550 / 201, 14200 / 1047, 14200 / 1533, 7100 / 1131], 1e-12, "-DI");
    expectClose(d.dx, [...nan3, 60, 1500 / 19, 150 / 7, 300 / 139, 7500 / 359, 87900 / 1447, 248700 / 3623], 1e-12, "DX");
    const adx = [...nan3, NaN, NaN, 7110 / 133, 672160 / 18487, 621263380 / 19910499, 3548069083820 / 86431476159, 50.248696067514764];
    expectClose(d.adx, adx, 1e-12, "ADX");
  });
});

/*
 * The first 30 RELIANCE daily bars, N = 14. Expected numbers were worked with
 * exact rational arithmetic on the decimal prices (independent of floats):
 * - RSI: changes 1..14 sum to gains 48.40 and losses 104.75, so the first
 *   averages are 3.457142857 and 7.482142857; RS = 0.462053, RSI(14) at bar 14
 *   = 31.603003591. Bar 15 (change +2.90): gains (3.457142857*13 + 2.90)/14 =
 *   3.417346939, losses 7.482142857*13/14 = 6.947704082, RSI = 32.969899830.
 * - ATR: TR[0..13] sum to 378.40 (TR0 = 1078.90 - 1055.20 = 23.70), so ATR at
 *   bar 13 = 27.028571429; bar 14 (TR 19.75): (27.028571429*13 + 19.75)/14 = 26.508673469.
 * - DMI: at bar 14, sums over bars 1..14 are TR 374.45, +DM 60.10, -DM 92.85,
 *   so +DI = 16.050206970, -DI = 24.796368006, DX = 21.412226218. The DX of
 *   bars 14..27 average to the first ADX at bar 27: 34.164700547.
 */
const RELIANCE_30 = barsOf([
  [1078.9, 1078.9, 1055.2, 1060.55], [1069.5, 1071.95, 1051.4, 1054.3], [1060.55, 1064.7, 1049.3, 1053.45],
  [1065.2, 1100.5, 1058.05, 1075.9], [1076.65, 1080.9, 1059.05, 1067.2], [1065.2, 1073.8, 1056.7, 1064.45],
  [1065.2, 1075.1, 1061.0, 1066.2], [1063.1, 1089.4, 1060.85, 1087.0], [1086.1, 1098.1, 1081.2, 1090.2],
  [1091.4, 1091.4, 1046.1, 1051.6], [1055.7, 1064.0, 1035.5, 1037.0], [1043.8, 1062.2, 1027.15, 1037.2],
  [1038.5, 1045.2, 1025.75, 1027.5], [1033.3, 1044.7, 999.8, 1012.6], [1013.9, 1016.35, 996.6, 1004.2],
  [1003.7, 1017.55, 999.15, 1007.1], [1001.8, 1001.8, 962.0, 967.1], [969.8, 981.7, 955.6, 969.65],
  [973.1, 980.7, 956.7, 958.65], [951.8, 973.2, 948.9, 966.0], [969.2, 984.2, 963.6, 979.2],
  [966.1, 966.1, 886.1, 894.8], [900.8, 909.8, 874.6, 881.9], [875.5, 919.35, 875.5, 911.8],
  [931.7, 934.6, 920.8, 931.75], [948.4, 972.3, 942.8, 967.1], [982.8, 986.1, 970.35, 977.35],
  [989.9, 996.1, 972.8, 993.5], [995.6, 998.5, 942.75, 951.9], [944.15, 957.2, 936.5, 943.7],
]);

describe("RSI(14), ATR(14), ADX(14) on 30 real bars", () => {
  it("RSI(14) matches the exact values and the reference", () => {
    const r = rsi(RELIANCE_30.close, 14);
    expect(firstValid(r)).toBe(14);
    expect(r[14]).toBeCloseTo(31.60300359125041, 9);
    expect(r[15]).toBeCloseTo(32.969899830178925, 9);
    expect(r[29]).toBeCloseTo(41.31006324462384, 9);
    expectClose(r, refRsi(RELIANCE_30.close, 14), 1e-9, "rsi vs reference");
  });

  it("ATR(14) matches the exact values and the reference", () => {
    const a = atr(RELIANCE_30, 14);
    expect(firstValid(a)).toBe(13);
    expect(a[13]).toBeCloseTo(27.02857142857143, 9);
    expect(a[14]).toBeCloseTo(26.508673469387755, 9);
    expect(a[29]).toBeCloseTo(31.680107496090624, 9);
    expectClose(a, refAtr(RELIANCE_30, 14), 1e-9, "atr vs reference");
  });

  it("DMI(14) matches the exact values and the reference", () => {
    const d = dmi(RELIANCE_30, 14);
    expect(firstValid(d.plusDi)).toBe(14);
    expect(firstValid(d.adx)).toBe(27);
    expect(d.plusDi[14]).toBeCloseTo(16.050206970222995, 9);
    expect(d.minusDi[14]).toBeCloseTo(24.796368006409402, 9);
    expect(d.dx[14]).toBeCloseTo(21.41222621771821, 9);
    expect(d.adx[27]).toBeCloseTo(34.16470054674131, 9);
    expect(d.adx[28]).toBeCloseTo(32.97974150985313, 9);
    expect(d.adx[29]).toBeCloseTo(32.04288651649029, 9);
    const ref = refDmi(RELIANCE_30, 14);
    expectClose(d.plusDi, ref.plusDi, 1e-9, "+DI");
    expectClose(d.minusDi, ref.minusDi, 1e-9, "-DI");
    expectClose(d.adx, ref.adx, 1e-9, "ADX");
  });
});

describe("degenerate windows", () => {
  it("RSI: only gains -> 100, only losses -> 0, flat -> 50", () => {
    expect(rsi([1, 2, 3, 4], 3)[3]).toBe(100);
    expect(rsi([4, 3, 2, 1], 3)[3]).toBe(0);
    expect(rsi([5, 5, 5, 5, 5], 3)[4]).toBe(50);
  });

  it("DMI on a flat series: DI = 0 and DX = 0, not NaN", () => {
    const flat = barsOf(new Array(8).fill([5, 5, 5, 5]));
    const d = dmi(flat, 3);
    expect(d.plusDi[3]).toBe(0);
    expect(d.dx[3]).toBe(0);
    expect(d.adx[7]).toBe(0);
  });

  it("series shorter than the warm-up are all NaN", () => {
    expect(Array.from(rsi([1, 2], 14)).every(Number.isNaN)).toBe(true);
    expect(Array.from(dmi(RELIANCE_30, 16).adx).every(Number.isNaN)).toBe(true);
    expect(atr({ high: [], low: [], close: [] }).length).toBe(0);
  });

  it("rejects inputs of different lengths", () => {
    expect(() => atr({ high: [1, 2], low: [1], close: [1, 2] })).toThrow(RangeError);
  });
});
