/**
 * Reads the daily bars shipped in data/nifty50_daily (one CSV per symbol:
 * timestamp,open,high,low,close,volume,oi). A daily bar opens at 09:15 IST.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toPaise } from "../money.js";
import { fromIst, isIstDate, istDate } from "../time/ist.js";
import { type Candle, candleProblem } from "./candle.js";

export const DATA_DIR = fileURLToPath(new URL("../../../data", import.meta.url));
export const NIFTY50_DIR = join(DATA_DIR, "nifty50_daily");

export interface LoadReport {
  candles: Candle[];
  /** Rows skipped, each with file, line and why. */
  skipped: string[];
}

export function parseDailyCsv(symbol: string, text: string, source = symbol): LoadReport {
  const candles: Candle[] = [];
  const skipped: string[] = [];
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== "timestamp,open,high,low,close,volume,oi") {
    throw new Error(`${source}: unexpected header "${header}" (expected timestamp,open,high,low,close,volume,oi)`);
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const [ts, o, h, l, c, v] = line.split(",");
    const date = ts?.slice(0, 10) ?? "";
    if (!isIstDate(date)) {
      skipped.push(`${source}:${i + 1}: bad date "${ts}"`);
      continue;
    }
    try {
      const candle: Candle = {
        symbol,
        timeframe: "1d",
        time: fromIst(date, "09:15"),
        open: toPaise(o ?? ""),
        high: toPaise(h ?? ""),
        low: toPaise(l ?? ""),
        close: toPaise(c ?? ""),
        volume: Number(v),
      };
      const problem = candleProblem(candle);
      if (problem) skipped.push(`${source}:${i + 1}: ${problem}`);
      else candles.push(candle);
    } catch (err) {
      skipped.push(`${source}:${i + 1}: ${(err as Error).message}`);
    }
  }
  return { candles, skipped };
}

/** Symbols shipped, from the file names (M&M.csv → "M&M"). */
export function shippedSymbols(dir = NIFTY50_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".csv"))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function loadShippedDaily(dir = NIFTY50_DIR, symbols = shippedSymbols(dir)): LoadReport {
  const out: LoadReport = { candles: [], skipped: [] };
  for (const s of symbols) {
    const r = parseDailyCsv(s, readFileSync(join(dir, `${s}.csv`), "utf8"), `${s}.csv`);
    out.candles.push(...r.candles);
    out.skipped.push(...r.skipped);
  }
  return out;
}

export const BANKNIFTY_75M_FILE = join(DATA_DIR, "banknifty_75m", "banknifty_75m_2021-01_2023-01.csv");
/** The NIFTY BANK index as a symbol. */
export const BANKNIFTY = "BANKNIFTY";

/** Parses the 75-minute file (time,open,high,low,close,volume; time ISO with +05:30). */
export function parse75mCsv(symbol: string, text: string, source = symbol): LoadReport {
  const candles: Candle[] = [];
  const skipped: string[] = [];
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim();
  if (header !== "time,open,high,low,close,volume") {
    throw new Error(`${source}: unexpected header "${header}" (expected time,open,high,low,close,volume)`);
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const [t, o, h, l, c, v] = line.split(",");
    const time = new Date(t ?? "");
    if (Number.isNaN(time.getTime())) {
      skipped.push(`${source}:${i + 1}: bad time "${t}"`);
      continue;
    }
    try {
      const candle: Candle = { symbol, timeframe: "75m", time, open: toPaise(o ?? ""), high: toPaise(h ?? ""), low: toPaise(l ?? ""), close: toPaise(c ?? ""), volume: Number(v) };
      const problem = candleProblem(candle);
      if (problem) skipped.push(`${source}:${i + 1}: ${problem}`);
      else candles.push(candle);
    } catch (err) {
      skipped.push(`${source}:${i + 1}: ${(err as Error).message}`);
    }
  }
  return { candles, skipped };
}

/** NIFTY BANK 75-minute bars, 2021-01 to 2023-01, built from 1-minute data (see data/README.md). */
export function loadBankNifty75m(file = BANKNIFTY_75M_FILE): LoadReport {
  return parse75mCsv(BANKNIFTY, readFileSync(file, "utf8"), "banknifty_75m");
}

/**
 * NIFTY BANK daily bars built from the shipped 75-minute ones (same source, so the
 * daily and intraday series agree). An index has no volume: volume is 0.
 */
export function loadBankNiftyDaily(file = BANKNIFTY_75M_FILE): LoadReport {
  const r = loadBankNifty75m(file);
  const out: Candle[] = [];
  for (const b of r.candles) {
    const d = istDate(b.time);
    const last = out[out.length - 1];
    if (last && istDate(last.time) === d) {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
      last.volume += b.volume;
    } else {
      out.push({ ...b, timeframe: "1d", time: fromIst(d, "09:15") });
    }
  }
  return { candles: out, skipped: r.skipped };
}
