/**
 * Doji test: |close - open| <= fraction * (high - low), default fraction 0.1.
 *
 * A zero-range candle (high == low, so open == close) passes: 0 <= 0. That is
 * the "four-price doji" of a halted or illiquid session, which is indecision
 * too; callers who want to skip such bars can test high > low themselves.
 * Inconsistent data (a body but no range) fails.
 */
import { checkLengths, type Candle, type Ohlcv } from "./types.js";

export interface DojiOptions {
  /** Largest body as a fraction of the high-low range (default 0.1). */
  fraction?: number;
}

function fractionOf(opts: DojiOptions): number {
  const f = opts.fraction ?? 0.1;
  if (!(f >= 0) || !Number.isFinite(f)) throw new RangeError(`fraction must be >= 0, got ${f}`);
  return f;
}

export function isDoji(
  open: number,
  high: number,
  low: number,
  close: number,
  fraction = 0.1,
): boolean {
  return Math.abs(close - open) <= fraction * (high - low);
}

export class Doji {
  readonly fraction: number;

  constructor(opts: DojiOptions = {}) {
    this.fraction = fractionOf(opts);
  }

  update(open: number, high: number, low: number, close: number): boolean {
    return isDoji(open, high, low, close, this.fraction);
  }

  next(c: Pick<Candle, "open" | "high" | "low" | "close">): boolean {
    return this.update(c.open, c.high, c.low, c.close);
  }
}

/** 1 where the bar is a doji, else 0. */
export function doji(c: Pick<Ohlcv, "open" | "high" | "low" | "close">, opts: DojiOptions = {}): Uint8Array {
  const n = checkLengths(c.open, c.high, c.low, c.close);
  const s = new Doji(opts);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.update(c.open[i]!, c.high[i]!, c.low[i]!, c.close[i]!) ? 1 : 0;
  return out;
}
