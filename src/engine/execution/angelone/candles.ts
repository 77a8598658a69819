/**
 * Historical bars from getCandleData in our timeframes. Angel has no 75-minute
 * or weekly interval: 75-minute bars are built from 15-minute ones (five per
 * bucket from 09:15, so they nest exactly) and weekly bars from daily ones.
 * A request may span at most so many days per interval (Angel's historical
 * API table), so longer ranges go out in windows.
 */
import { aggregate75m, aggregateWeekly } from "../../market/aggregate.js";
import { candleProblem, type Candle, type Timeframe } from "../../market/candle.js";
import { toPaise } from "../../money.js";
import { fromIst, istDate, toIsoIst } from "../../time/ist.js";

export type AngelInterval = "ONE_MINUTE" | "THREE_MINUTE" | "FIVE_MINUTE" | "TEN_MINUTE" | "FIFTEEN_MINUTE" | "THIRTY_MINUTE" | "ONE_HOUR" | "ONE_DAY";

/** Most days one getCandleData request may cover. */
export const MAX_DAYS_PER_REQUEST: Record<AngelInterval, number> = {
  ONE_MINUTE: 30,
  THREE_MINUTE: 60,
  FIVE_MINUTE: 100,
  TEN_MINUTE: 100,
  FIFTEEN_MINUTE: 200,
  THIRTY_MINUTE: 200,
  ONE_HOUR: 400,
  ONE_DAY: 2000,
};

/** The interval fetched for each of our timeframes. */
export const FETCH_INTERVAL: Record<Timeframe, AngelInterval> = { "1m": "ONE_MINUTE", "75m": "FIFTEEN_MINUTE", "1d": "ONE_DAY", "1w": "ONE_DAY" };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * What to fetch for bars of `timeframe` opening in from..to: whole days for
 * daily rows (stamped at midnight); for built bars, enough around the range
 * that every bar opening in it is complete (a 75-minute bar needs the four
 * 15-minute bars after its open, a week the six days after its first), while
 * a bar cut short at the start opens before `from` and is left out.
 */
export function fetchRange(timeframe: Timeframe, from: Date, to: Date): { from: Date; to: Date } {
  const dayStart = (t: Date): Date => fromIst(istDate(t));
  const dayEnd = (t: Date): Date => fromIst(istDate(t), "23:59");
  switch (timeframe) {
    case "1m":
      return { from, to };
    case "75m":
      return { from: new Date(from.getTime() - 74 * MINUTE_MS), to: new Date(to.getTime() + 74 * MINUTE_MS) };
    case "1d":
      return { from: dayStart(from), to: dayEnd(to) };
    case "1w":
      return { from: dayStart(new Date(from.getTime() - 6 * DAY_MS)), to: dayEnd(new Date(to.getTime() + 6 * DAY_MS)) };
  }
}

/** "YYYY-MM-DD HH:mm", IST, as getCandleData takes it. */
export function angelDateTime(t: Date): string {
  return toIsoIst(t).slice(0, 16).replace("T", " ");
}

/** from..to (inclusive) cut into request windows of at most `maxDays` days each. */
export function candleWindows(from: Date, to: Date, maxDays: number): Array<{ fromdate: string; todate: string }> {
  const out: Array<{ fromdate: string; todate: string }> = [];
  const end = to.getTime();
  for (let start = from.getTime(); start <= end; ) {
    const stop = Math.min(start + maxDays * DAY_MS - MINUTE_MS, end);
    out.push({ fromdate: angelDateTime(new Date(start)), todate: angelDateTime(new Date(stop)) });
    start = stop + MINUTE_MS;
  }
  return out;
}

export interface RowReport {
  candles: Candle[];
  /** Rows dropped, with why. */
  skipped: string[];
}

/**
 * Rows of one symbol as bars: daily rows as "1d" bars opening at 09:15 IST (as
 * our daily bars do), intraday rows labelled "1m" whatever their length, the
 * input toTimeframe expects.
 */
export function rowsToCandles(rows: ReadonlyArray<readonly [string, number, number, number, number, number]>, symbol: string, interval: AngelInterval): RowReport {
  const candles: Candle[] = [];
  const skipped: string[] = [];
  const daily = interval === "ONE_DAY";
  for (const [stamp, o, h, l, c, v] of rows) {
    const t = new Date(stamp);
    if (Number.isNaN(t.getTime())) {
      skipped.push(`${symbol} ${stamp}: not a time`);
      continue;
    }
    const bar: Candle = {
      symbol,
      timeframe: daily ? "1d" : "1m",
      time: daily ? fromIst(istDate(t), "09:15") : t,
      open: toPaise(o),
      high: toPaise(h),
      low: toPaise(l),
      close: toPaise(c),
      volume: v,
    };
    const problem = candleProblem(bar);
    if (problem) skipped.push(`${symbol} ${stamp}: ${problem}`);
    else candles.push(bar);
  }
  return { candles, skipped };
}

/** Fetched bars (deduplicated, any order) as bars of `timeframe` between from and to. */
export function toTimeframe(bars: readonly Candle[], timeframe: Timeframe, from: Date, to: Date): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const b of bars) byTime.set(b.time.getTime(), b);
  const sorted = [...byTime.values()].sort((a, b) => a.time.getTime() - b.time.getTime());
  let out: Candle[];
  if (timeframe === "75m") {
    // aggregate75m buckets by opening time only; 15-minute bars pass as its 1-minute input.
    out = aggregate75m(sorted);
  } else if (timeframe === "1w") {
    out = aggregateWeekly(sorted);
  } else {
    out = sorted.map((b) => ({ ...b, timeframe }));
  }
  return out.filter((b) => b.time.getTime() >= from.getTime() && b.time.getTime() <= to.getTime());
}
