import type { Candle } from "../market/candle.js";

export interface OhlcvArrays {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

interface Cached {
  n: number;
  last: Candle | undefined;
  arrays: OhlcvArrays;
}

// Every strategy of a scan reads the same series: convert it once. A series only
// grows by appending (CandleSeries copies on an in-place replacement), so its
// length and last bar tell whether the cached arrays still describe it.
const CACHE = new WeakMap<readonly Candle[], Cached>();

/**
 * Candles (paise) as the indicator library's parallel arrays, still in paise.
 * The arrays are shared between callers: read them, never write to them.
 */
export function toOhlcv(bars: readonly Candle[]): OhlcvArrays {
  const n = bars.length;
  const hit = CACHE.get(bars);
  if (hit && hit.n === n && hit.last === bars[n - 1]) return hit.arrays;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const b = bars[i]!;
    open[i] = b.open;
    high[i] = b.high;
    low[i] = b.low;
    close[i] = b.close;
    volume[i] = b.volume;
  }
  const arrays = { open, high, low, close, volume };
  CACHE.set(bars, { n, last: bars[n - 1], arrays });
  return arrays;
}
