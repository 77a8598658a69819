/**
 * Directional movement: +DI, -DI, DX and ADX (Wilder, as TA-Lib's book
 * definition and TradingView's DMI with DI length = ADX smoothing = N).
 *
 * - +DM = up if up > down and up > 0 else 0, where up = high - prevHigh and
 *   down = prevLow - low; -DM symmetrically. TR as in atr.ts. Bar 0 has none.
 * - TR, +DM, -DM are Wilder-smoothed: first value = sum over bars 1..N, then
 *   s = s - s/N + x. +DI = 100*s(+DM)/s(TR), same for -DI, from bar N.
 * - DX = 100*|+DI - -DI|/(+DI + -DI), from bar N.
 * - ADX: first value = mean of DX over bars N..2N-1 (so at bar 2N-1), then
 *   adx = (prev*(N-1) + dx)/N.
 * Degenerate bars: s(TR) = 0 (no range at all) gives DI = 0; +DI + -DI = 0
 * gives DX = 0, as TradingView does (it divides by 1 when the sum is 0).
 *
 * Checked against a plain reference and hand-worked values (tests/unit/indicators/wilder.test.ts, real-data.test.ts).
 * technicalindicators 3.1 ADX follows the same definition: on RELIANCE daily
 * its ADX/+DI/-DI agree with the reference to 3e-14 (no rounding by default).
 * Its output starts at bar 2N-1, so it drops the first N-1 DI values, and it
 * returns NaN DX when both DIs are 0. Its issue 244 (ADX differs from
 * TradingView) names no defect, and none showed here; a likely cause of such
 * differences is history length, since Wilder smoothing carries its seed for a
 * long time and ADX depends on where the series starts.
 */
import { TrueRange } from "./atr.js";
import { checkLengths, checkPeriod, type Hlc, type HlcCandle } from "./types.js";

export interface DmiValue {
  plusDi: number;
  minusDi: number;
  dx: number;
  adx: number;
}

export class Dmi {
  private started = false;
  private prevHigh = 0;
  private prevLow = 0;
  private readonly trueRange = new TrueRange();
  private count = 0; // bars after the first
  private sTr = 0;
  private sPlus = 0;
  private sMinus = 0;
  private dxCount = 0;
  private dxSum = 0;
  /** Latest values; NaN during warm-up. */
  plusDi = NaN;
  minusDi = NaN;
  dx = NaN;
  adx = NaN;

  constructor(readonly period: number) {
    checkPeriod(period);
  }

  /** Feeds one bar and returns ADX; the DI and DX fields are updated too. */
  update(high: number, low: number, close: number): number {
    if (!this.started) {
      this.started = true;
      this.prevHigh = high;
      this.prevLow = low;
      this.trueRange.update(high, low, close);
      return NaN;
    }
    const n = this.period;
    const up = high - this.prevHigh;
    const down = this.prevLow - low;
    const plusDm = up > down && up > 0 ? up : 0;
    const minusDm = down > up && down > 0 ? down : 0;
    const tr = this.trueRange.update(high, low, close);
    this.prevHigh = high;
    this.prevLow = low;

    if (this.count < n) {
      this.count++;
      this.sTr += tr;
      this.sPlus += plusDm;
      this.sMinus += minusDm;
      if (this.count < n) return NaN;
    } else {
      this.sTr = this.sTr - this.sTr / n + tr;
      this.sPlus = this.sPlus - this.sPlus / n + plusDm;
      this.sMinus = this.sMinus - this.sMinus / n + minusDm;
    }

    const pdi = this.sTr === 0 ? 0 : (100 * this.sPlus) / this.sTr;
    const mdi = this.sTr === 0 ? 0 : (100 * this.sMinus) / this.sTr;
    const sum = pdi + mdi;
    const dx = sum === 0 ? 0 : (100 * Math.abs(pdi - mdi)) / sum;
    this.plusDi = pdi;
    this.minusDi = mdi;
    this.dx = dx;

    if (this.dxCount < n) {
      this.dxCount++;
      this.dxSum += dx;
      if (this.dxCount < n) return NaN;
      this.adx = this.dxSum / n;
      return this.adx;
    }
    this.adx = (this.adx * (n - 1) + dx) / n;
    return this.adx;
  }

  next(c: HlcCandle): DmiValue {
    this.update(c.high, c.low, c.close);
    return { plusDi: this.plusDi, minusDi: this.minusDi, dx: this.dx, adx: this.adx };
  }
}

export interface DmiSeries {
  plusDi: Float64Array;
  minusDi: Float64Array;
  dx: Float64Array;
  adx: Float64Array;
}

/** +DI/-DI/DX (NaN for bars 0..N-1) and ADX (NaN for bars 0..2N-2). */
export function dmi(c: Hlc, period = 14): DmiSeries {
  const n = checkLengths(c.high, c.low, c.close);
  const s = new Dmi(period);
  const out: DmiSeries = {
    plusDi: new Float64Array(n),
    minusDi: new Float64Array(n),
    dx: new Float64Array(n),
    adx: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    out.adx[i] = s.update(c.high[i]!, c.low[i]!, c.close[i]!);
    out.plusDi[i] = s.plusDi;
    out.minusDi[i] = s.minusDi;
    out.dx[i] = s.dx;
  }
  return out;
}

/** ADX alone; see `dmi`. */
export function adx(c: Hlc, period = 14): Float64Array {
  return dmi(c, period).adx;
}
