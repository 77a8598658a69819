/**
 * Data-quality checks on bars against the NSE calendar: missing days, bars on
 * closed days, missing minutes within a session, duplicate bars.
 *
 * Required vs optional days: a trading day (`isTradingDay`) must have a bar.
 * A special session on a non-trading day (Muhurat, weekend drills) may have
 * one, but many data vendors publish none, so its absence is not a gap.
 */
import { addDays, fromIst, istDate, istMinuteOfDay, type IstDate } from "../time/ist.js";
import type { NseCalendar } from "./calendar.js";
import type { Candle, Timeframe } from "./candle.js";

const MINUTE_MS = 60_000;

/** A run of consecutive required trading days without a bar (days between them are closed or optional). */
export interface Gap {
  symbol: string;
  from: IstDate;
  to: IstDate;
  missingDays: IstDate[];
}

/** A bar on a day the calendar has no session at all. */
export interface UnexpectedBar {
  symbol: string;
  date: IstDate;
  time: Date;
}

export interface DailyGapReport {
  gaps: Gap[];
  unexpected: UnexpectedBar[];
}

/** Missing 1-minute bars inside a session, from and to being the opening instants of the first and last missing bar. */
export interface IntradayGap {
  symbol: string;
  date: IstDate;
  from: Date;
  to: Date;
  minutes: number;
}

export interface DuplicateBar {
  symbol: string;
  timeframe: Timeframe;
  time: Date;
  count: number;
}

function groupBySymbol(bars: readonly Candle[], timeframe: Timeframe): Map<string, Candle[]> {
  const out = new Map<string, Candle[]>();
  for (const b of bars) {
    if (b.timeframe !== timeframe) throw new RangeError(`expected ${timeframe} bars, got ${b.timeframe} (${b.symbol})`);
    const list = out.get(b.symbol);
    if (list) list.push(b);
    else out.set(b.symbol, [b]);
  }
  return out;
}

function dateRange(dates: Iterable<IstDate>): { first: IstDate; last: IstDate } | null {
  let first: IstDate | null = null;
  let last: IstDate | null = null;
  for (const d of dates) {
    if (first === null || d < first) first = d;
    if (last === null || d > last) last = d;
  }
  return first === null || last === null ? null : { first, last };
}

/**
 * Missing daily bars between each symbol's first and last bar, and bars on
 * closed days. Dates outside the calendar's covered years throw (RangeError),
 * as the calendar does: pass a calendar built with allowUncovered to accept them.
 */
export function findGapsWithReport(bars: readonly Candle[], calendar: NseCalendar): DailyGapReport {
  const gaps: Gap[] = [];
  const unexpected: UnexpectedBar[] = [];
  for (const [symbol, list] of groupBySymbol(bars, "1d")) {
    const byDate = new Map<IstDate, Candle>();
    for (const b of list) byDate.set(istDate(b.time), b);
    const range = dateRange(byDate.keys());
    if (!range) continue;
    let run: IstDate[] = [];
    const closeRun = (): void => {
      if (run.length > 0) gaps.push({ symbol, from: run[0]!, to: run[run.length - 1]!, missingDays: run });
      run = [];
    };
    for (let d = range.first; d <= range.last; d = addDays(d, 1)) {
      const bar = byDate.get(d);
      if (bar) {
        closeRun();
        if (!calendar.hasSession(d)) unexpected.push({ symbol, date: d, time: bar.time });
      } else if (calendar.isTradingDay(d)) run.push(d);
    }
    closeRun();
  }
  return { gaps, unexpected };
}

/** Runs of missing trading days in daily bars (see findGapsWithReport for bars on closed days). */
export function findGaps(bars: readonly Candle[], calendar: NseCalendar): Gap[] {
  return findGapsWithReport(bars, calendar).gaps;
}

/**
 * Missing minutes per day in 1-minute bars, merged into ranges. A day's
 * expected minutes are its session windows (09:15-15:29 opens on a regular
 * day; a special day's own windows). Days run from each symbol's first to
 * last bar; a trading day with no bars is reported whole, an optional special
 * session only when it has bars.
 */
export function findIntradayGaps(bars1m: readonly Candle[], calendar: NseCalendar): IntradayGap[] {
  const out: IntradayGap[] = [];
  for (const [symbol, list] of groupBySymbol(bars1m, "1m")) {
    const minutesByDate = new Map<IstDate, Set<number>>();
    for (const b of list) {
      const d = istDate(b.time);
      let set = minutesByDate.get(d);
      if (!set) minutesByDate.set(d, (set = new Set()));
      set.add(istMinuteOfDay(b.time));
    }
    const range = dateRange(minutesByDate.keys());
    if (!range) continue;
    for (let d = range.first; d <= range.last; d = addDays(d, 1)) {
      const present = minutesByDate.get(d);
      const session = calendar.session(d);
      if (!session || (!present && !calendar.isTradingDay(d))) continue;
      const midnight = fromIst(d).getTime();
      for (const w of session.segments) {
        let start = -1;
        const end = istMinuteOfDay(w.close);
        for (let m = istMinuteOfDay(w.open); m <= end; m++) {
          const missing = m < end && !present?.has(m);
          if (missing && start < 0) start = m;
          else if (!missing && start >= 0) {
            out.push({
              symbol,
              date: d,
              from: new Date(midnight + start * MINUTE_MS),
              to: new Date(midnight + (m - 1) * MINUTE_MS),
              minutes: m - start,
            });
            start = -1;
          }
        }
      }
    }
  }
  return out;
}

/** (symbol, timeframe, time) keys seen more than once, in first-seen order. */
export function duplicateBars(bars: readonly Candle[]): DuplicateBar[] {
  const seen = new Map<string, DuplicateBar>();
  for (const b of bars) {
    const key = `${b.symbol}\u0000${b.timeframe}\u0000${b.time.getTime()}`;
    const hit = seen.get(key);
    if (hit) hit.count++;
    else seen.set(key, { symbol: b.symbol, timeframe: b.timeframe, time: b.time, count: 1 });
  }
  return [...seen.values()].filter((d) => d.count > 1);
}
