/**
 * True Range, ATR (Wilder) and ATR as a percentage of the close.
 *
 * Definitions (TradingView's ta.tr(true) / ta.atr):
 * - TR of bar 0 is high - low (no previous close); later bars use
 *   max(high - low, |high - prevClose|, |low - prevClose|).
 * - ATR: the first value, at bar N-1, is the mean of TR over bars 0..N-1;
 *   then atr = (prev*(N-1) + tr)/N.
 *
 * Checked against a plain reference and hand-worked values (tests/unit/indicators/wilder.test.ts, real-data.test.ts).
 * technicalindicators 3.1 does not round ATR by default, but it follows the
 * TA-Lib seeding instead: it has no TR for bar 0, so its first ATR is at bar N
 * and is the mean of TR over bars 1..N. Its recursion is the same, so the gap
 * to this ATR shrinks by (N-1)/N each bar. On RELIANCE daily, N=14: +0.2378 at
 * bar 14 (0.9%), +0.0058 at bar 64, +1.4e-4 at bar 114, +8.7e-8 at bar 214.
 */
import { checkLengths, checkPeriod, type Hlc, type HlcCandle } from "./types.js";

export class TrueRange {
  private prevClose = NaN;

  update(high: number, low: number, close: number): number {
    const pc = this.prevClose;
    this.prevClose = close;
    let tr = high - low;
    if (!Number.isNaN(pc)) {
      const up = Math.abs(high - pc);
      const down = Math.abs(low - pc);
      if (up > tr) tr = up;
      if (down > tr) tr = down;
    }
    return tr;
  }

  next(c: HlcCandle): number {
    return this.update(c.high, c.low, c.close);
  }
}

export function trueRange(c: Hlc): Float64Array {
  const n = checkLengths(c.high, c.low, c.close);
  const s = new TrueRange();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.update(c.high[i]!, c.low[i]!, c.close[i]!);
  return out;
}

export class Atr {
  private readonly tr = new TrueRange();
  private count = 0;
  private value = 0; // running TR sum until the N-th bar

  constructor(readonly period: number) {
    checkPeriod(period);
  }

  update(high: number, low: number, close: number): number {
    const tr = this.tr.update(high, low, close);
    const n = this.period;
    if (this.count < n) {
      this.count++;
      this.value += tr;
      if (this.count < n) return NaN;
      this.value = this.value / n;
      return this.value;
    }
    this.value = (this.value * (n - 1) + tr) / n;
    return this.value;
  }

  next(c: HlcCandle): number {
    return this.update(c.high, c.low, c.close);
  }
}

/** Wilder ATR; NaN for bars 0..N-2. */
export function atr(c: Hlc, period = 14): Float64Array {
  const n = checkLengths(c.high, c.low, c.close);
  const s = new Atr(period);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.update(c.high[i]!, c.low[i]!, c.close[i]!);
  return out;
}

/** ATR / close * 100, same warm-up as ATR. */
export class AtrPercent {
  private readonly atr: Atr;

  constructor(readonly period: number) {
    this.atr = new Atr(period);
  }

  update(high: number, low: number, close: number): number {
    return (this.atr.update(high, low, close) / close) * 100;
  }

  next(c: HlcCandle): number {
    return this.update(c.high, c.low, c.close);
  }
}

export function atrPercent(c: Hlc, period = 14): Float64Array {
  const n = checkLengths(c.high, c.low, c.close);
  const s = new AtrPercent(period);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.update(c.high[i]!, c.low[i]!, c.close[i]!);
  return out;
}
