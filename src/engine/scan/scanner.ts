/**
 * Runs one strategy over a universe as of the close of a day: the signals that
 * fire on that day's bar, for every symbol. Bad requests are ScanErrors that name
 * the problem and the valid choices; a scan never silently returns nothing.
 */
import type { NseCalendar } from "../market/calendar.js";
import type { Candle } from "../market/candle.js";
import { findGaps } from "../market/gaps.js";
import type { Universe } from "../market/universe.js";
import type { SignalDraft } from "../strategies/signal.js";
import type { Strategy } from "../strategies/strategy.js";
import { istDate, type IstDate } from "../time/ist.js";

export class ScanError extends Error {
  override name = "ScanError";
}

export interface ScanResult {
  /** The day scanned. */
  on: IstDate;
  signals: SignalDraft[];
  /** Symbols scanned (with a bar on that day). */
  scanned: string[];
  /** Symbols without bars yet on that day (listed later), each with its first day. */
  notListed: Array<{ symbol: string; firstDay: IstDate }>;
}

/** Parses a strategy's parameters (JSON object text) through its zod schema; errors name each field. */
export function parseStrategyParams<P>(strategy: Strategy<P>, json: string | undefined): P {
  let raw: unknown = {};
  if (json !== undefined) {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new ScanError(`--params must be a JSON object, e.g. '{"targetR":2}', got ${json}`);
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new ScanError(`--params must be a JSON object, got ${json}`);
  }
  const r = strategy.params.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "params"}: ${i.message}`);
    throw new ScanError(`invalid parameters for ${strategy.name}: ${problems.join("; ")}; defaults: ${JSON.stringify(strategy.defaults)}`);
  }
  return r.data;
}

export function scanUniverse<P>(strategy: Strategy<P>, params: P, universe: Universe, opts: { on?: IstDate; calendar: NseCalendar; fno?: boolean }): ScanResult {
  if (strategy.needsVolume && !universe.hasVolume) {
    throw new ScanError(`${strategy.name} needs volume, and the ${universe.name} universe has none (an index); use --universe nifty50 or a file of stocks`);
  }
  let first: IstDate | null = null;
  let last: IstDate | null = null;
  for (const list of universe.series.values()) {
    if (!list.length) continue;
    const f = istDate(list[0]!.time);
    const l = istDate(list[list.length - 1]!.time);
    if (first === null || f < first) first = f;
    if (last === null || l > last) last = l;
  }
  if (first === null || last === null) throw new ScanError(`the ${universe.name} universe has no bars`);
  const on = opts.on ?? last;
  if (on < first || on > last) throw new ScanError(`--on ${on} is outside the data: ${universe.name} ${strategy.timeframe} bars run from ${first} to ${last}`);
  if (!opts.calendar.hasSession(on)) {
    throw new ScanError(`--on ${on} is not an NSE trading day; the previous one is ${opts.calendar.previousTradingDay(on)}`);
  }
  const signals: SignalDraft[] = [];
  const scanned: string[] = [];
  const notListed: ScanResult["notListed"] = [];
  for (const [symbol, list] of [...universe.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const end = upTo(list, on);
    if (end === 0) {
      notListed.push({ symbol, firstDay: istDate(list[0]!.time) });
      continue;
    }
    const bars = list.slice(0, end);
    if (istDate(bars[end - 1]!.time) !== on) {
      throw new ScanError(`${symbol} has no bar on ${on} (its last bar before is ${istDate(bars[end - 1]!.time)}): missing data, so it cannot be scanned as of ${on}`);
    }
    if (strategy.timeframe === "1d") {
      const gaps = findGaps(bars, opts.calendar);
      if (gaps.length) {
        const g = gaps[0]!;
        throw new ScanError(`${symbol} has gapped daily bars: no bar on ${g.missingDays.slice(0, 5).join(", ")}${g.missingDays.length > 5 ? ", ..." : ""}${gaps.length > 1 ? ` and ${gaps.length - 1} more gap(s)` : ""}`);
      }
    }
    scanned.push(symbol);
    // Every bar of the scan day: a daily strategy has one, a 75-minute one five.
    let from = end - 1;
    while (from > 0 && istDate(bars[from - 1]!.time) === on) from--;
    signals.push(...strategy.scan(bars, params, { from, fno: opts.fno ?? false }));
  }
  return { on, signals, scanned, notListed };
}

/** Number of bars whose IST date is on or before `on`. */
function upTo(list: readonly Candle[], on: IstDate): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (istDate(list[mid]!.time) <= on) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
