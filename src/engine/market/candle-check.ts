/**
 * What is wrong with a store of candles: missing trading days, bars on closed
 * days, days without any intraday bar. Used at start (logged) and by `dalal db check`.
 */
import { istDate } from "../time/ist.js";
import type { NseCalendar } from "./calendar.js";
import type { Candle, Timeframe } from "./candle.js";
import { findGapsWithReport } from "./gaps.js";

export interface CandleProblem {
  symbol: string;
  timeframe: Timeframe;
  text: string;
}

function listDays(days: string[]): string {
  return days.length <= 6 ? days.join(", ") : `${days.slice(0, 5).join(", ")} and ${days.length - 5} more`;
}

/** Problems in one timeframe's bars (any mix of symbols); none means sound. */
export function checkCandles(bars: readonly Candle[], timeframe: Timeframe, calendar: NseCalendar): CandleProblem[] {
  if (bars.length === 0) return [];
  // Intraday bars are checked day by day: one stand-in daily bar per symbol and day.
  let daily: Candle[] = bars as Candle[];
  if (timeframe !== "1d") {
    const seen = new Set<string>();
    daily = [];
    for (const b of bars) {
      const key = `${b.symbol}\u0000${istDate(b.time)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      daily.push({ ...b, timeframe: "1d" });
    }
  }
  const report = findGapsWithReport(daily, calendar);
  const out: CandleProblem[] = [];
  for (const g of report.gaps) {
    out.push({ symbol: g.symbol, timeframe, text: `no ${timeframe} bars on ${g.missingDays.length} trading day${g.missingDays.length > 1 ? "s" : ""}: ${listDays(g.missingDays)}` });
  }
  for (const u of report.unexpected) out.push({ symbol: u.symbol, timeframe, text: `a bar on ${u.date}, when NSE had no session` });
  return out;
}
