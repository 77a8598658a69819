/**
 * Shared shapes for the indicator library.
 *
 * Conventions (every file follows them):
 * - Batch input is struct-of-arrays (`Ohlcv`): one array per field, oldest bar
 *   first. Plain `number[]` and `Float64Array` both fit, so loaders can hand
 *   over typed arrays without copying.
 * - Batch output is aligned with the input: same length, index i is bar i.
 *   Warm-up bars hold `NaN` (never `undefined`), so outputs can be typed arrays.
 *   Boolean outputs are `Uint8Array` (1/0); directions are `Int8Array`.
 * - Values are full precision floats; nothing is rounded.
 * - Each indicator also has a streaming class. Its `next(...)` returns the value
 *   for the bar just fed in, and the batch function is a loop over the same
 *   class, so batch and streaming results are bit-for-bit identical.
 * - Inputs must be finite; a NaN input poisons the running state from then on.
 */

/** A numeric series, oldest first. */
export type Series = ArrayLike<number>;

/** Candles as parallel arrays, oldest first. */
export interface Ohlcv {
  open: Series;
  high: Series;
  low: Series;
  close: Series;
  volume?: Series;
}

/** The fields most range-based indicators need. */
export type Hlc = Pick<Ohlcv, "high" | "low" | "close">;

/** One candle, as fed to the streaming classes. */
export interface Candle {
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

export type HlcCandle = Pick<Candle, "high" | "low" | "close">;

/** Throws unless `period` is a whole number >= `min`. */
export function checkPeriod(period: number, name = "period", min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${period}`);
  }
}

/** Throws unless every series has the length of the first; returns that length. */
export function checkLengths(...series: Series[]): number {
  const n = series[0]?.length ?? 0;
  for (const s of series) {
    if (s.length !== n) throw new RangeError(`input series differ in length (${s.length} vs ${n})`);
  }
  return n;
}
