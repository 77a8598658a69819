/**
 * Donchian channel: upper = highest high, lower = lowest low over N bars,
 * middle = (upper + lower)/2.
 *
 * By default the window is the N bars ending at and including the current bar
 * (as TradingView's ta.highest/ta.lowest), first value at bar N-1. With
 * `excludeCurrent: true` the window is the N bars before the current one
 * (first value at bar N): breakout rules compare today's close with the
 * previous N bars, and with the current bar included a close can never be
 * above the upper band.
 */
import { RollingExtreme } from "./rolling.js";
import { checkLengths, checkPeriod, type Candle, type Ohlcv } from "./types.js";

export interface DonchianOptions {
  /** Use the N bars before the current one (default false: include it). */
  excludeCurrent?: boolean;
}

export interface DonchianValue {
  upper: number;
  lower: number;
  middle: number;
}

export class Donchian {
  private readonly highs: RollingExtreme;
  private readonly lows: RollingExtreme;
  readonly excludeCurrent: boolean;
  /** Latest channel; NaN in warm-up. */
  upper = NaN;
  lower = NaN;
  middle = NaN;

  constructor(
    readonly period = 20,
    opts: DonchianOptions = {},
  ) {
    checkPeriod(period);
    this.excludeCurrent = opts.excludeCurrent ?? false;
    this.highs = new RollingExtreme(period, true);
    this.lows = new RollingExtreme(period, false);
  }

  /** Feeds one bar and returns the upper band; `lower`/`middle` are updated too. */
  update(high: number, low: number): number {
    if (this.excludeCurrent) {
      this.read();
      this.highs.push(high);
      this.lows.push(low);
    } else {
      this.highs.push(high);
      this.lows.push(low);
      this.read();
    }
    return this.upper;
  }

  private read(): void {
    if (this.highs.count < this.period) return;
    this.upper = this.highs.value;
    this.lower = this.lows.value;
    this.middle = (this.upper + this.lower) / 2;
  }

  next(c: Pick<Candle, "high" | "low">): DonchianValue {
    this.update(c.high, c.low);
    return { upper: this.upper, lower: this.lower, middle: this.middle };
  }
}

export interface DonchianSeries {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

export function donchian(
  c: Pick<Ohlcv, "high" | "low">,
  period = 20,
  opts: DonchianOptions = {},
): DonchianSeries {
  const n = checkLengths(c.high, c.low);
  const s = new Donchian(period, opts);
  const out: DonchianSeries = {
    upper: new Float64Array(n),
    lower: new Float64Array(n),
    middle: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    out.upper[i] = s.update(c.high[i]!, c.low[i]!);
    out.lower[i] = s.lower;
    out.middle[i] = s.middle;
  }
  return out;
}
