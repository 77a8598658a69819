import type { Candle } from "../market/candle.js";

/**
 * Average daily volume over the `period` bars before `t` (the bar at `t` itself
 * is not known yet when an order fills at its open), for the slippage model.
 * Null when there are fewer bars or no volume (an index).
 */
export function advFrom(bars: (symbol: string) => readonly Candle[], period = 20): (symbol: string, t: Date) => number | null {
  return (symbol, t) => {
    const list = bars(symbol);
    const ms = t.getTime();
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.time.getTime() < ms) lo = mid + 1;
      else hi = mid;
    }
    if (lo < period) return null;
    let sum = 0;
    for (let i = lo - period; i < lo; i++) sum += list[i]!.volume;
    return sum > 0 ? sum / period : null;
  };
}
