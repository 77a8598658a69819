/**
 * NIFTY 50 index daily bars (data/nifty50_index/nifty50_daily_2007_2024_yahoo.csv;
 * source and caveats in data/README.md). Index levels are points, not money,
 * so they stay numbers (2 decimals) rather than paise: the regime reads only
 * ratios of them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDailyRows } from "../../market/daily-file.js";
import { DATA_DIR } from "../../market/shipped-data.js";
import { isIstDate, type IstDate } from "../../time/ist.js";

export const NIFTY_INDEX_CSV = join(DATA_DIR, "nifty50_index", "nifty50_daily_2007_2024_yahoo.csv");
const HEADER = "date,close,high,low,open,volume";

/** One day of the index. `volume` is 0 where the source has none (all of it before 2013-01-21). */
export interface IndexBar {
  date: IstDate;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Yahoo's float32 noise (4494.64990234375) is not data: keep 2 decimals, as NSE publishes. */
const level = (x: number) => Math.round(x * 100) / 100;

/**
 * Parses the file (Yahoo layout, note the column order: date,close,high,low,open,volume).
 * Shipped data, so any bad row throws, naming file and line.
 */
export function parseNiftyIndexCsv(text: string, file = "nifty50.csv"): IndexBar[] {
  return readDailyRows(text, file, HEADER, 6, (cells, where, line) => {
    const [date, ...rest] = cells as [string, string, string, string, string, string];
    if (!isIstDate(date)) throw new Error(`${where}: date is not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    const names = ["close", "high", "low", "open", "volume"] as const;
    const v = rest.map(Number) as [number, number, number, number, number];
    for (let k = 0; k < 5; k++) {
      const ok = k < 4 ? Number.isFinite(v[k]) && v[k]! > 0 : Number.isFinite(v[k]) && v[k]! >= 0;
      if (!ok) throw new Error(`${where}: ${names[k]} is not ${k < 4 ? "an index level" : "a count"}: ${JSON.stringify(rest[k])}`);
    }
    const [close, high, low, open, volume] = v;
    const bar: IndexBar = { date, open: level(open), high: level(high), low: level(low), close: level(close), volume };
    if (bar.high < Math.max(bar.open, bar.close) || bar.low > Math.min(bar.open, bar.close)) {
      throw new Error(`${where}: high/low do not contain open and close (${line})`);
    }
    return bar;
  });
}

/**
 * Diwali Muhurat sessions in the file: an evening hour of thin trading (a
 * fifth of a day's volume), not a trading day, so the regime leaves them out
 * (the next day's gap is taken from the last regular close). 2021-2024 are in
 * data/holidays/special_sessions.csv; 2017-10-19 and 2018-11-07 are the
 * Muhurat days of those years, and the only other bars with such low volume.
 * The Muhurat days of 2013-2016 and 2019 have no bar (weekends, or absent).
 */
export const MUHURAT_BARS: readonly IstDate[] = ["2017-10-19", "2018-11-07", "2021-11-04", "2022-10-24", "2024-11-01"];

let shipped: IndexBar[] | undefined;

/** The shipped NIFTY 50 daily bars of regular sessions (no MUHURAT_BARS), read once and kept (callers must not mutate them). */
export function loadNiftyIndex(): readonly IndexBar[] {
  shipped ??= parseNiftyIndexCsv(readFileSync(NIFTY_INDEX_CSV, "utf8"), NIFTY_INDEX_CSV).filter((b) => !MUHURAT_BARS.includes(b.date));
  return shipped;
}

/** Index of the last bar dated strictly before `date`, or -1 (bars oldest first). */
export function lastIndexBefore(bars: readonly { date: IstDate }[], date: IstDate): number {
  let lo = 0;
  let hi = bars.length; // first index with bar.date >= date
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.date < date) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
