/**
 * India VIX closes 2009-2024 for the regime: NSE's own download
 * (data/india_vix/indiavix_daily_2009_2020_nse.csv) up to its last row,
 * 2020-05-08, then the Yahoo series the option model reads
 * (indiavix_daily_2019_2024.csv, src/engine/fno/india-vix.ts). Where the two
 * overlap (2019-01-01 to 2020-05-08) NSE's file wins: it is the exchange's
 * figure, has every trading day, and carries 4 decimals (the two agree
 * within 0.005 there; data/README.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDailyRows } from "../../market/daily-file.js";
import { DATA_DIR } from "../../market/shipped-data.js";
import { INDIA_VIX_CSV, parseIndiaVixCsv, vixSeries, type VixRow, type VixSeries } from "../../fno/india-vix.js";
import { isIstDate } from "../../time/ist.js";

export const NSE_VIX_CSV = join(DATA_DIR, "india_vix", "indiavix_daily_2009_2020_nse.csv");
const HEADER = "Date,Open,High,Low,Close,Previous,Change,PerChange";
const DMY = /^(\d{2})-(\d{2})-(\d{4})$/;

/**
 * Parses NSE's download layout (Date as DD-MM-YYYY). Only Close is read: one
 * row (22-08-2013) has a low above its close, but its close agrees with the
 * next row's Previous and with its own Change, so the close stands.
 */
export function parseNseVixCsv(text: string, file = "indiavix_nse.csv"): VixRow[] {
  return readDailyRows(text, file, HEADER, 8, (cells, where) => {
    const m = DMY.exec(cells[0]!);
    const date = m ? `${m[3]}-${m[2]}-${m[1]}` : "";
    if (!isIstDate(date)) throw new Error(`${where}: Date is not a date (DD-MM-YYYY): ${JSON.stringify(cells[0])}`);
    const close = Number(cells[4]);
    if (cells[4] === "" || !Number.isFinite(close) || close <= 0 || close >= 200) {
      throw new Error(`${where}: Close is not an India VIX level (above 0, below 200): ${JSON.stringify(cells[4])}`);
    }
    return { date, close };
  });
}

/** NSE rows, then the later rows' dates after NSE's last. */
export function mergeVixRows(nse: readonly VixRow[], later: readonly VixRow[]): VixRow[] {
  const last = nse[nse.length - 1]?.date ?? "";
  return [...nse, ...later.filter((r) => r.date > last)];
}

let shipped: VixSeries | undefined;

/** The 2009-2024 series from the shipped files, read once and kept. */
export function loadVixHistory(): VixSeries {
  shipped ??= vixSeries(
    mergeVixRows(
      parseNseVixCsv(readFileSync(NSE_VIX_CSV, "utf8"), NSE_VIX_CSV),
      parseIndiaVixCsv(readFileSync(INDIA_VIX_CSV, "utf8"), INDIA_VIX_CSV),
    ),
  );
  return shipped;
}
