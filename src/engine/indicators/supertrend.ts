/**
 * SuperTrend (defaults: ATR period 10, multiplier 3), following TradingView's
 * ta.supertrend with the Wilder ATR from atr.ts:
 * - basic bands: (high+low)/2 -/+ multiplier*ATR;
 * - final upper = basic upper if it is lower than the previous final upper or
 *   the previous close closed above it, else the previous final upper; final
 *   lower mirrors that;
 * - in a downtrend the line is the final upper band and the trend flips up
 *   when the close ends above it; in an uptrend the line is the final lower
 *   band and the trend flips down when the close ends below it.
 * The first bar with an ATR (bar period-1) starts in a downtrend with the
 * basic bands as final bands, as TradingView does; the path converges at the
 * first flip. Direction: 1 = up (line below price), -1 = down, 0 = warm-up.
 */
import { Atr } from "./atr.js";
import { checkLengths, type Hlc, type HlcCandle } from "./types.js";

export type TrendDirection = 1 | -1 | 0;

export interface SuperTrendOptions {
  period?: number;
  multiplier?: number;
}

export interface SuperTrendValue {
  value: number;
  direction: TrendDirection;
}

export class SuperTrend {
  private readonly atr: Atr;
  readonly multiplier: number;
  private prevClose = NaN;
  private upper = NaN; // final bands of the previous bar
  private lower = NaN;
  /** Latest line value (NaN in warm-up) and direction (0 in warm-up). */
  value = NaN;
  direction: TrendDirection = 0;

  constructor(opts: SuperTrendOptions = {}) {
    const multiplier = opts.multiplier ?? 3;
    if (!(multiplier > 0) || !Number.isFinite(multiplier)) {
      throw new RangeError(`multiplier must be a positive number, got ${multiplier}`);
    }
    this.multiplier = multiplier;
    this.atr = new Atr(opts.period ?? 10);
  }

  /** Feeds one bar and returns the line value; `direction` is updated too. */
  update(high: number, low: number, close: number): number {
    const a = this.atr.update(high, low, close);
    const prevClose = this.prevClose;
    this.prevClose = close;
    if (Number.isNaN(a)) return NaN;

    const mid = (high + low) / 2;
    const basicUpper = mid + this.multiplier * a;
    const basicLower = mid - this.multiplier * a;
    if (this.direction === 0) {
      this.upper = basicUpper;
      this.lower = basicLower;
      this.direction = -1;
    } else {
      const pu = this.upper;
      const pl = this.lower;
      this.upper = basicUpper < pu || prevClose > pu ? basicUpper : pu;
      this.lower = basicLower > pl || prevClose < pl ? basicLower : pl;
      if (this.direction === -1) {
        if (close > this.upper) this.direction = 1;
      } else if (close < this.lower) {
        this.direction = -1;
      }
    }
    this.value = this.direction === 1 ? this.lower : this.upper;
    return this.value;
  }

  next(c: HlcCandle): SuperTrendValue {
    this.update(c.high, c.low, c.close);
    return { value: this.value, direction: this.direction };
  }
}

export interface SuperTrendSeries {
  value: Float64Array;
  direction: Int8Array;
}

export function supertrend(c: Hlc, opts: SuperTrendOptions = {}): SuperTrendSeries {
  const n = checkLengths(c.high, c.low, c.close);
  const s = new SuperTrend(opts);
  const value = new Float64Array(n);
  const direction = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    value[i] = s.update(c.high[i]!, c.low[i]!, c.close[i]!);
    direction[i] = s.direction;
  }
  return { value, direction };
}
