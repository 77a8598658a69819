/**
 * getCandleData from the shipped data:
 * - ONE_DAY for every stock in data/nifty50_daily (its NSE `-EQ` token).
 * - Nifty Bank (token 99926009): ONE_DAY built from the 75-minute bars, and
 *   ONE_MINUTE, THREE_MINUTE, FIVE_MINUTE and FIFTEEN_MINUTE made by splitting
 *   each shipped 75-minute bar into 75, 25, 15 or 5 bars. The split bars are
 *   synthetic (a path open → low → high → close, or open → high → low → close
 *   on a down bar) but put back together they give exactly the shipped bar, so
 *   a client that rebuilds 75-minute bars from FIFTEEN_MINUTE gets the file.
 * - Anything else: an empty list (TEN_MINUTE, THIRTY_MINUTE and ONE_HOUR do not
 *   divide a 75-minute bar; stocks have no intraday data shipped).
 *
 * Rows: `["2024-01-02T00:00:00+05:30", open, high, low, close, volume]`, prices
 * in rupees. Daily bars are stamped at midnight IST, as SmartAPI stamps them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Candle } from "../../../src/engine/market/candle.js";
import type { Instrument } from "../../../src/engine/market/instruments.js";
import { loadBankNifty75m, loadBankNiftyDaily, NIFTY50_DIR, parseDailyCsv } from "../../../src/engine/market/shipped-data.js";
import { fromIst, istDate, toIsoIst } from "../../../src/engine/time/ist.js";
import { CODES, StandInApiError } from "./api-error.js";
import { rupees } from "./wire.js";

export const INTERVALS = ["ONE_MINUTE", "THREE_MINUTE", "FIVE_MINUTE", "TEN_MINUTE", "FIFTEEN_MINUTE", "THIRTY_MINUTE", "ONE_HOUR", "ONE_DAY"] as const;
export type Interval = (typeof INTERVALS)[number];

/** Minutes per bar of the intervals a 75-minute bar splits into. */
const SPLITS: Partial<Record<Interval, number>> = { ONE_MINUTE: 1, THREE_MINUTE: 3, FIVE_MINUTE: 5, FIFTEEN_MINUTE: 15 };

export const NIFTY_BANK_TOKEN = "99926009";

export type CandleRow = [string, number, number, number, number, number];

const cache = new Map<string, Candle[]>();

function cached(key: string, load: () => Candle[]): Candle[] {
  let c = cache.get(key);
  if (!c) {
    c = load();
    cache.set(key, c);
  }
  return c;
}

function dailyOf(inst: Instrument): Candle[] {
  if (inst.token === NIFTY_BANK_TOKEN) return cached("BANKNIFTY:1d", () => loadBankNiftyDaily().candles);
  if (inst.kind !== "equity" || inst.exchange !== "NSE") return [];
  const file = join(NIFTY50_DIR, `${inst.name}.csv`);
  if (!existsSync(file)) return [];
  return cached(`${inst.name}:1d`, () => parseDailyCsv(inst.name, readFileSync(file, "utf8")).candles);
}

/** Splits a bar into `n` bars along a path through its low and high, on the 5-paise tick. */
export function splitBar(b: Candle, n: number, minutes: number): Candle[] {
  if (n === 1) return [b];
  const up = b.close >= b.open;
  const first = up ? b.low : b.high;
  const second = up ? b.high : b.low;
  const a = Math.max(1, Math.floor(n / 3));
  const c = Math.min(n - 1, Math.max(a + 1, Math.floor((2 * n) / 3)));
  const at = (k: number): number => {
    const lerp = (x0: number, y0: number, x1: number, y1: number): number => y0 + ((y1 - y0) * (k - x0)) / (x1 - x0);
    const v = k <= a ? lerp(0, b.open, a, first) : k <= c ? lerp(a, first, c, second) : lerp(c, second, n, b.close);
    return Math.min(b.high, Math.max(b.low, Math.round(v / 5) * 5));
  };
  const points = Array.from({ length: n + 1 }, (_, k) => (k === 0 ? b.open : k === n ? b.close : at(k)));
  points[a] = first;
  points[c] = second;
  const vol = Math.floor(b.volume / n);
  return Array.from({ length: n }, (_, k) => ({
    ...b,
    time: new Date(b.time.getTime() + k * minutes * 60_000),
    open: points[k]!,
    close: points[k + 1]!,
    high: Math.max(points[k]!, points[k + 1]!),
    low: Math.min(points[k]!, points[k + 1]!),
    volume: k === n - 1 ? b.volume - vol * (n - 1) : vol,
  }));
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/;

function parseWhen(s: string, field: string): { date: string; at: Date } {
  const m = DATE_TIME.exec(s);
  if (!m) throw new StandInApiError(CODES.invalidField, `Invalid ${field}: expected "YYYY-MM-DD HH:mm"`);
  try {
    return { date: m[1]!, at: fromIst(m[1]!, m[2]!) };
  } catch {
    throw new StandInApiError(CODES.invalidField, `Invalid ${field}`);
  }
}

export function candleRows(inst: Instrument, exchange: string, interval: string, fromdate: string, todate: string): CandleRow[] {
  if (exchange !== inst.exchange) throw new StandInApiError(CODES.symbolNotFound, "Symbol Not Found");
  if (!(INTERVALS as readonly string[]).includes(interval)) throw new StandInApiError(CODES.invalidField, "Invalid interval");
  const from = parseWhen(fromdate, "fromdate");
  const to = parseWhen(todate, "todate");
  if (from.at > to.at) throw new StandInApiError(CODES.invalidField, "Invalid date range: fromdate is after todate");

  let bars: Candle[];
  if (interval === "ONE_DAY") {
    bars = dailyOf(inst).filter((c) => istDate(c.time) >= from.date && istDate(c.time) <= to.date);
    return bars.map((c) => row(c, toIsoIst(fromIst(istDate(c.time)))));
  }
  const minutes = SPLITS[interval as Interval];
  if (inst.token !== NIFTY_BANK_TOKEN || minutes === undefined) return [];
  const source = cached("BANKNIFTY:75m", () => loadBankNifty75m().candles).filter(
    (c) => c.time.getTime() + 75 * 60_000 > from.at.getTime() && c.time <= to.at,
  );
  bars = source.flatMap((c) => splitBar(c, 75 / minutes, minutes)).filter((c) => c.time >= from.at && c.time <= to.at);
  return bars.map((c) => row(c, toIsoIst(c.time)));
}

function row(c: Candle, time: string): CandleRow {
  return [time, rupees(c.open), rupees(c.high), rupees(c.low), rupees(c.close), c.volume];
}
