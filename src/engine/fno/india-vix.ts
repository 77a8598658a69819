/**
 * India VIX daily closes, the volatility the option model uses
 * (data/india_vix/indiavix_daily_2019_2024.csv; source and caveats in data/README.md).
 *
 * `on(date)` answers with the latest close on or before the date, so a day
 * the file lacks (a handful of trading days are missing) takes the previous
 * close, as a desk would before that day's close is known. Past the data, a
 * close more than MAX_STALE_DAYS calendar days old is no answer at all: the
 * caller must say the volatility is unknown rather than price on a stale one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDailyRows } from "../market/daily-file.js";
import { DATA_DIR } from "../market/shipped-data.js";
import { addDays, isIstDate, type IstDate } from "../time/ist.js";

export const INDIA_VIX_CSV = join(DATA_DIR, "india_vix", "indiavix_daily_2019_2024.csv");
/** Longer than any exchange closure in the data (the longest gap between rows is 5 days). */
export const MAX_STALE_DAYS = 7;
const HEADER = "Date,Close,High,Low,Open,Volume";

export interface VixSeries {
  /** India VIX close (percent, e.g. 15.33) in force on the date, or undefined (see the module note). */
  on(date: IstDate): number | undefined;
  readonly from: IstDate;
  readonly to: IstDate;
}

export interface VixRow {
  date: IstDate;
  close: number;
}

/**
 * Parses the file (Yahoo layout: Date,Close,High,Low,Open,Volume). Closes are
 * kept to 2 decimals, which is what Yahoo carries (NSE's own figure has 4,
 * 15.325 against Yahoo's 15.33); the file's float32 noise, 15.329999923706055,
 * is not data. Shipped data, so any bad row throws, naming file and line.
 */
export function parseIndiaVixCsv(text: string, file = "indiavix.csv"): VixRow[] {
  return readDailyRows(text, file, HEADER, 6, ([date, closeText], where) => {
    if (!isIstDate(date!)) throw new Error(`${where}: Date is not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
    const close = Number(closeText);
    if (closeText === "" || !Number.isFinite(close) || close <= 0 || close >= 200) {
      throw new Error(`${where}: Close is not an India VIX level (above 0, below 200): ${JSON.stringify(closeText)}`);
    }
    return { date: date!, close: Math.round(close * 100) / 100 };
  });
}

/** A series over parsed rows (oldest first, as parseIndiaVixCsv returns them). */
export function vixSeries(rows: readonly VixRow[]): VixSeries {
  if (rows.length === 0) throw new RangeError("vixSeries: no rows");
  const dates = rows.map((r) => r.date);
  const closes = rows.map((r) => r.close);
  return {
    from: dates[0]!,
    to: dates[dates.length - 1]!,
    on(date: IstDate): number | undefined {
      if (!isIstDate(date)) throw new RangeError(`India VIX: not a date (YYYY-MM-DD): ${date}`);
      // Binary search for the last row on or before the date.
      let lo = 0;
      let hi = dates.length - 1;
      if (date < dates[0]!) return undefined;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (dates[mid]! <= date) lo = mid;
        else hi = mid - 1;
      }
      return addDays(dates[lo]!, MAX_STALE_DAYS) < date ? undefined : closes[lo];
    },
  };
}

let shipped: VixSeries | undefined;

/** India VIX from a file; without one, the shipped file (read once and kept). */
export function loadIndiaVix(file?: string): VixSeries {
  if (file === undefined) {
    shipped ??= vixSeries(parseIndiaVixCsv(readFileSync(INDIA_VIX_CSV, "utf8"), INDIA_VIX_CSV));
    return shipped;
  }
  return vixSeries(parseIndiaVixCsv(readFileSync(file, "utf8"), file));
}
