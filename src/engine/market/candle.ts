import type { Paise } from "../money.js";

export type Timeframe = "1m" | "75m" | "1d" | "1w";

/** One bar. `time` is the bar's opening instant; prices in paise. */
export interface Candle {
  symbol: string;
  timeframe: Timeframe;
  time: Date;
  open: Paise;
  high: Paise;
  low: Paise;
  close: Paise;
  volume: number;
}

/** Why a bar is not a bar, or null when it is sound. */
export function candleProblem(c: Candle): string | null {
  if (![c.open, c.high, c.low, c.close].every((p) => Number.isInteger(p) && p > 0)) return "prices must be positive";
  if (c.low > Math.min(c.open, c.close) || c.high < Math.max(c.open, c.close)) return "OHLC out of order (low above open/close or high below)";
  if (!Number.isFinite(c.volume) || c.volume < 0) return "volume must be zero or more";
  return null;
}

const TIMEFRAME_MS: Record<Timeframe, number> = { "1m": 60_000, "75m": 75 * 60_000, "1d": 375 * 60_000, "1w": 5 * 375 * 60_000 };

/** How long a bar of the timeframe lasts in session time (a daily bar: 09:15 to 15:30). */
export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MS[tf];
}

/** When a bar's close was traded. */
export function barClose(b: Candle): Date {
  return new Date(b.time.getTime() + timeframeMs(b.timeframe));
}
