import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ADX, ATR, RSI } from "technicalindicators";
import { describe, expect, it } from "vitest";
import * as ind from "../../../src/engine/indicators/index.js";
import type { Candle } from "../../../src/engine/indicators/index.js";
import { expectClose, expectIdentical, firstValid, loadDaily } from "./helpers.js";
import { refAtr, refAtrTaLibSeed, refDmi, refRsi } from "./reference.js";

const rel = loadDaily("RELIANCE");
const n = rel.close.length;
const candles: Candle[] = rel.close.map((_, i) => ({
  open: rel.open[i]!,
  high: rel.high[i]!,
  low: rel.low[i]!,
  close: rel.close[i]!,
  volume: rel.volume[i]!,
}));

/** Feeds every candle to a streaming indicator and collects one field per bar. */
function stream<T>(step: (c: Candle) => T, pick: (v: T) => number): number[] {
  return candles.map((c) => pick(step(c)));
}

describe("RELIANCE daily: batch equals streaming bit for bit", () => {
  it("has the expected rows", () => {
    expect(n).toBe(1241);
  });

  it("series indicators", () => {
    const cl = (c: Candle) => c.close;
    const cases: [string, { next(x: number): number }, Float64Array][] = [
      ["sma", new ind.Sma(20), ind.sma(rel.close, 20)],
      ["ema", new ind.Ema(20), ind.ema(rel.close, 20)],
      ["wma", new ind.Wma(20), ind.wma(rel.close, 20)],
      ["rsi", new ind.Rsi(14), ind.rsi(rel.close, 14)],
      ["er", new ind.EfficiencyRatio(10), ind.efficiencyRatio(rel.close, 10)],
    ];
    for (const [name, s, batch] of cases) expectIdentical(stream((c) => s.next(cl(c)), (v) => v), batch, name);
  });

  it("volume ratio, both averaging choices", () => {
    for (const includeCurrent of [false, true]) {
      const s = new ind.VolumeRatio(20, { includeCurrent });
      const batch = ind.volumeRatio(rel.volume, 20, { includeCurrent });
      expectIdentical(stream((c) => s.next(c.volume!), (v) => v), batch, `vr ${includeCurrent}`);
    }
  });

  it("true range, ATR, ATR%", () => {
    const tr = new ind.TrueRange();
    const a = new ind.Atr(14);
    const ap = new ind.AtrPercent(14);
    expectIdentical(stream((c) => tr.next(c), (v) => v), ind.trueRange(rel), "tr");
    expectIdentical(stream((c) => a.next(c), (v) => v), ind.atr(rel, 14), "atr");
    expectIdentical(stream((c) => ap.next(c), (v) => v), ind.atrPercent(rel, 14), "atr%");
  });

  it("+DI, -DI, DX, ADX", () => {
    const s = new ind.Dmi(14);
    const out = candles.map((c) => s.next(c));
    const batch = ind.dmi(rel, 14);
    expectIdentical(out.map((v) => v.plusDi), batch.plusDi, "+di");
    expectIdentical(out.map((v) => v.minusDi), batch.minusDi, "-di");
    expectIdentical(out.map((v) => v.dx), batch.dx, "dx");
    expectIdentical(out.map((v) => v.adx), batch.adx, "adx");
    expectIdentical(ind.adx(rel, 14), batch.adx, "adx()");
  });

  it("SuperTrend", () => {
    const s = new ind.SuperTrend();
    const out = candles.map((c) => s.next(c));
    const batch = ind.supertrend(rel);
    expectIdentical(out.map((v) => v.value), batch.value, "value");
    expectIdentical(out.map((v) => v.direction), batch.direction, "direction");
    // Both directions occur on five years of data.
    expect(new Set(batch.direction)).toEqual(new Set([0, 1, -1]));
  });

  it("Donchian, both window choices", () => {
    for (const excludeCurrent of [false, true]) {
      const s = new ind.Donchian(20, { excludeCurrent });
      const out = candles.map((c) => s.next(c));
      const batch = ind.donchian(rel, 20, { excludeCurrent });
      expectIdentical(out.map((v) => v.upper), batch.upper, "upper");
      expectIdentical(out.map((v) => v.lower), batch.lower, "lower");
      expectIdentical(out.map((v) => v.middle), batch.middle, "middle");
    }
  });

  it("Camarilla and doji", () => {
    const s = new ind.Camarilla();
    const out = candles.map((c) => s.next(c));
    const batch = ind.camarilla(rel);
    for (const k of ["pivot", "r1", "r2", "r3", "r4", "r5", "s1", "s2", "s3", "s4", "s5"] as const) {
      expectIdentical(out.map((v) => v[k]), batch[k], k);
    }
    const d = new ind.Doji();
    expectIdentical(stream((c) => d.next(c), (v) => (v ? 1 : 0)), ind.doji(rel), "doji");
  });
});

describe("RSI(14), ATR(14), ADX(14) vs the plain reference on every shipped symbol", () => {
  const dir = fileURLToPath(new URL("../../../data/nifty50_daily/", import.meta.url));
  const symbols = readdirSync(dir).filter((f) => f.endsWith(".csv")).map((f) => f.slice(0, -4));

  it("agree within 1e-9", () => {
    expect(symbols.length).toBe(50);
    for (const sym of symbols) {
      const b = loadDaily(sym);
      expectClose(ind.rsi(b.close, 14), refRsi(b.close, 14), 1e-9, `${sym} rsi`);
      expectClose(ind.atr(b, 14), refAtr(b, 14), 1e-9, `${sym} atr`);
      const d = ind.dmi(b, 14);
      const r = refDmi(b, 14);
      expectClose(d.plusDi, r.plusDi, 1e-9, `${sym} +di`);
      expectClose(d.minusDi, r.minusDi, 1e-9, `${sym} -di`);
      expectClose(d.adx, r.adx, 1e-9, `${sym} adx`);
    }
  });
});

describe("technicalindicators 3.1 vs Wilder on RELIANCE", () => {
  const N = 14;

  it("RSI is rounded to 2 decimals, and that is its only deviation", () => {
    const lib = RSI.calculate({ period: N, values: rel.close });
    const ours = ind.rsi(rel.close, N);
    expect(lib.length).toBe(n - N); // first value at bar N, as ours
    let worst = 0;
    let exact = 0;
    for (let k = 0; k < lib.length; k++) {
      const x = ours[k + N]!;
      const d = Math.abs(lib[k]! - x);
      worst = Math.max(worst, d);
      if (lib[k] === x) exact++;
      expect(lib[k]).toBe(Number.parseFloat(x.toFixed(2)));
    }
    // Deviations up to half a cent of RSI, and almost no value survives rounding unchanged.
    expect(worst).toBeGreaterThan(0.0049);
    expect(worst).toBeLessThanOrEqual(0.005);
    expect(exact).toBeLessThan(5);
    expect(lib[0]).toBe(31.6);
    expect(ours[N]).toBeCloseTo(31.60300359125041, 12);
  });

  it("ATR is unrounded but TA-Lib-seeded; the gap decays by 13/14 a bar", () => {
    const lib = ATR.calculate({ period: N, high: rel.high, low: rel.low, close: rel.close });
    const ours = ind.atr(rel, N);
    expect(lib.length).toBe(n - N); // first value at bar N; ours starts at bar N-1
    expect(firstValid(ours)).toBe(N - 1);
    const talib = refAtrTaLibSeed(rel, N);
    const gap: number[] = [];
    for (let k = 0; k < lib.length; k++) {
      expect(Math.abs(lib[k]! - talib[k + N]!)).toBeLessThan(1e-9);
      gap.push(lib[k]! - ours[k + N]!);
    }
    expect(gap[0]).toBeCloseTo(0.23775510204, 9);
    expect(gap[50]).toBeCloseTo(0.0058465, 6);
    expect(Math.abs(gap[200]!)).toBeLessThan(1e-7);
    for (const k of [1, 10, 100]) expect(gap[k]! / gap[k - 1]!).toBeCloseTo(13 / 14, 6);
  });

  it("ADX, +DI, -DI match the Wilder reference, from bar 2N-1 only", () => {
    const lib = ADX.calculate({ period: N, high: rel.high, low: rel.low, close: rel.close });
    const ours = ind.dmi(rel, N);
    expect(lib.length).toBe(n - (2 * N - 1));
    let worst = 0;
    for (let k = 0; k < lib.length; k++) {
      const i = k + 2 * N - 1;
      worst = Math.max(
        worst,
        Math.abs(lib[k]!.adx - ours.adx[i]!),
        Math.abs(lib[k]!.pdi - ours.plusDi[i]!),
        Math.abs(lib[k]!.mdi - ours.minusDi[i]!),
      );
    }
    expect(worst).toBeLessThan(1e-12);
  });
});
