/**
 * RSI with Wilder's smoothing, as TA-Lib and TradingView define it: the first
 * average gain/loss is the simple mean of the first N close-to-close changes,
 * then avg = (prev*(N-1) + x)/N. The first value is at bar N.
 *
 * Checked against a plain reference and hand-worked values (tests/unit/indicators/wilder.test.ts, real-data.test.ts).
 * technicalindicators 3.1 uses the same smoothing but rounds every RSI to 2
 * decimals (`toFixed(2)`) whatever the precision setting: on RELIANCE daily
 * (1,241 bars) its 1,227 values differ from the exact ones by up to 0.00499 and
 * each equals the exact value rounded to 2 decimals. Rounding flips threshold
 * tests near 30/70, so RSI is implemented here in full precision.
 *
 * Degenerate windows: no losses -> 100, no gains -> 0, as TradingView and the
 * library do. A window with neither (a flat series) gives 50 (neutral) rather
 * than TradingView's 100 or TA-Lib's 0, so a suspended stock never reads as
 * overbought or oversold.
 */
import { checkPeriod, type Series } from "./types.js";

export class Rsi {
  private started = false;
  private prev = 0;
  private count = 0; // changes seen so far
  private avgGain = 0; // holds the running sum until the N-th change
  private avgLoss = 0;

  constructor(readonly period: number) {
    checkPeriod(period);
  }

  next(close: number): number {
    if (!this.started) {
      // The first bar only sets the reference close.
      this.started = true;
      this.prev = close;
      return NaN;
    }
    const change = close - this.prev;
    this.prev = close;
    return this.step(change);
  }

  private step(change: number): number {
    const n = this.period;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    this.count++;
    if (this.count < n) {
      this.avgGain += gain;
      this.avgLoss += loss;
      return NaN;
    }
    if (this.count === n) {
      this.avgGain = (this.avgGain + gain) / n;
      this.avgLoss = (this.avgLoss + loss) / n;
    } else {
      this.avgGain = (this.avgGain * (n - 1) + gain) / n;
      this.avgLoss = (this.avgLoss * (n - 1) + loss) / n;
    }
    return rsiFromAverages(this.avgGain, this.avgLoss);
  }
}

function rsiFromAverages(g: number, l: number): number {
  if (l === 0) return g === 0 ? 50 : 100;
  if (g === 0) return 0;
  return 100 - 100 / (1 + g / l);
}

/** RSI over `values` (usually closes); NaN for bars 0..N-1. */
export function rsi(values: Series, period = 14): Float64Array {
  const s = new Rsi(period);
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = s.next(values[i]!);
  return out;
}
