import type { Candle } from "../market/candle.js";
import type { Ohlcv } from "../indicators/types.js";

/** Candles (paise) as the indicator library's parallel arrays, still in paise. */
export function toOhlcv(bars: readonly Candle[]): Required<Ohlcv> & { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array } {
  const n = bars.length;
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
  return { open, high, low, close, volume };
}
