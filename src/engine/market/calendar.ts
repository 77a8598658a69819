/**
 * NSE trading calendar (equity cash and F&O segments share it).
 *
 * Built from exchange holiday lists and special sessions (Muhurat trading,
 * weekend sessions, the 2021-02-24 outage day). It only answers for years it
 * has a holiday list for: asking about any other date throws a RangeError,
 * because a guessed "open" on an unlisted holiday would be a silent wrong
 * answer. Backtests over older history can opt out with `allowUncovered`,
 * which treats uncovered years as Monday-Friday with no holidays.
 *
 * Two notions of a "day":
 * - trading day (`isTradingDay`): a weekday that is not an exchange holiday.
 *   Day counts, next/previous trading day and expiry roll-back use this.
 *   Muhurat days are exchange holidays, and weekend sessions are not normal
 *   days (they are also settlement holidays), so neither counts here.
 * - session day (`hasSession` / `session`): any day with trading at all,
 *   regular or special. Bars, `isMarketOpen` and `nextOpen` use this.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { addDays, formatIst, fromIst, isIstDate, istDate, istTime, weekday, type IstDate } from "../time/ist.js";

export const REGULAR_OPEN = "09:15";
export const REGULAR_CLOSE = "15:30";
export const PRE_OPEN_START = "09:00";
export const PRE_OPEN_END = "09:08";

export interface HolidayEntry {
  date: IstDate;
  description: string;
}

/** One window of a special session, IST wall times "HH:MM". A day may have several. */
export interface SpecialSessionEntry {
  date: IstDate;
  open: string;
  close: string;
  description: string;
}

export interface SessionWindow {
  open: Date;
  close: Date;
}

export interface Session {
  /** First open of the day. */
  open: Date;
  /** Last close of the day. */
  close: Date;
  kind: "regular" | "special";
  /** The trading windows, in order; one for a regular day. */
  segments: SessionWindow[];
  /** Pre-open order entry (regular days only). */
  preOpen?: SessionWindow;
  /** Why the day is special. */
  description?: string;
}

export interface MarketStatus {
  open: boolean;
  reason: string;
  /** The next session open, when closed. */
  nextOpen?: Date;
}

export interface NseCalendarOptions {
  /** Exchange holidays; weekend-falling entries are allowed and harmless. */
  holidays: ReadonlyArray<HolidayEntry | IstDate>;
  specialSessions?: ReadonlyArray<SpecialSessionEntry>;
  /** Years the holiday data is complete for; default: every year a holiday falls in. */
  coveredYears?: ReadonlyArray<number>;
  /**
   * Treat years outside `coveredYears` as Monday-Friday with no holidays
   * instead of throwing. For backtests over older history only: answers there
   * are approximate (real holidays read as trading days).
   */
  allowUncovered?: boolean;
}

const HHMM_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
// Upper bound for day walks; ten years of days is far beyond any real gap.
const MAX_WALK_DAYS = 3700;

export class NseCalendar {
  private readonly holidayMap = new Map<IstDate, string>();
  private readonly specials = new Map<IstDate, { windows: Array<[string, string]>; description: string }>();
  private readonly years: ReadonlySet<number>;
  private readonly allowUncovered: boolean;

  constructor(options: NseCalendarOptions) {
    for (const h of options.holidays) {
      const entry = typeof h === "string" ? { date: h, description: "holiday" } : h;
      assertDate(entry.date);
      if (this.holidayMap.has(entry.date)) throw new Error(`holiday listed twice: ${entry.date}`);
      this.holidayMap.set(entry.date, entry.description);
    }
    for (const s of options.specialSessions ?? []) {
      assertDate(s.date);
      if (!HHMM_RE.test(s.open) || !HHMM_RE.test(s.close) || s.open >= s.close) {
        throw new RangeError(`special session ${s.date}: bad window ${s.open}-${s.close}`);
      }
      const day = this.specials.get(s.date) ?? { windows: [], description: s.description };
      day.windows.push([s.open, s.close]);
      day.windows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      for (let i = 1; i < day.windows.length; i++) {
        if (day.windows[i]![0] < day.windows[i - 1]![1]) throw new RangeError(`special session ${s.date}: windows overlap`);
      }
      this.specials.set(s.date, day);
    }
    const years = options.coveredYears ?? [...this.holidayMap.keys()].map((d) => Number(d.slice(0, 4)));
    this.years = new Set(years);
    if (this.years.size === 0) throw new Error("NseCalendar needs at least one covered year");
    this.allowUncovered = options.allowUncovered ?? false;
  }

  /** First and last date of the covered years. */
  coverage(): { from: IstDate; to: IstDate } {
    const ys = [...this.years].sort((a, b) => a - b);
    return { from: `${ys[0]}-01-01`, to: `${ys[ys.length - 1]}-12-31` };
  }

  /** Whether the holiday data covers this date's year. */
  isCovered(d: IstDate): boolean {
    assertDate(d);
    return this.years.has(Number(d.slice(0, 4)));
  }

  /** Listed holidays of a year (weekend-falling ones included, flagged). */
  holidays(year: number): Array<HolidayEntry & { weekend: boolean }> {
    return [...this.holidayMap]
      .filter(([d]) => d.startsWith(`${year}-`))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([date, description]) => ({ date, description, weekend: isWeekend(date) }));
  }

  /** The listed holiday's description, or undefined. */
  holiday(d: IstDate): string | undefined {
    this.check(d);
    return this.holidayMap.get(d);
  }

  /** A weekday that is not an exchange holiday. Special sessions do not make a day a trading day. */
  isTradingDay(d: IstDate): boolean {
    this.check(d);
    return !isWeekend(d) && !this.holidayMap.has(d);
  }

  /** Whether there is any trading that day, regular or special. */
  hasSession(d: IstDate): boolean {
    return this.session(d) !== null;
  }

  /** The day's session, or null. A special session replaces the regular one on that date. */
  session(d: IstDate): Session | null {
    this.check(d);
    const special = this.specials.get(d);
    if (special) {
      const segments = special.windows.map(([o, c]) => ({ open: fromIst(d, o), close: fromIst(d, c) }));
      return {
        open: segments[0]!.open,
        close: segments[segments.length - 1]!.close,
        kind: "special",
        segments,
        description: special.description,
      };
    }
    if (!this.isTradingDay(d)) return null;
    const open = fromIst(d, REGULAR_OPEN);
    const close = fromIst(d, REGULAR_CLOSE);
    return {
      open,
      close,
      kind: "regular",
      segments: [{ open, close }],
      preOpen: { open: fromIst(d, PRE_OPEN_START), close: fromIst(d, PRE_OPEN_END) },
    };
  }

  /** open <= t < close in a regular or special session window. */
  isMarketOpen(t: Date): boolean {
    const s = this.session(istDate(t));
    return s !== null && s.segments.some((w) => w.open <= t && t < w.close);
  }

  /** The first trading day strictly after d. */
  nextTradingDay(d: IstDate): IstDate {
    return this.step(d, 1);
  }

  /** The last trading day strictly before d. */
  previousTradingDay(d: IstDate): IstDate {
    return this.step(d, -1);
  }

  /**
   * Trading days in (a, b] when a <= b, negated for b < a, so that
   * addTradingDays(a, tradingDaysBetween(a, b)) === b for a trading day b.
   */
  tradingDaysBetween(a: IstDate, b: IstDate): number {
    this.check(a);
    this.check(b);
    if (a === b) return 0;
    const [lo, hi, sign] = a < b ? [a, b, 1] : [b, a, -1];
    let n = 0;
    for (let d = addDays(lo, 1); d <= hi; d = addDays(d, 1)) {
      if (this.isTradingDay(d)) n++;
    }
    return sign * n;
  }

  /** Move n trading days (negative: back). n = 0 returns d unchanged. */
  addTradingDays(d: IstDate, n: number): IstDate {
    if (!Number.isInteger(n)) throw new RangeError(`addTradingDays: n must be an integer, got ${n}`);
    this.check(d);
    let cur = d;
    for (let i = 0; i < Math.abs(n); i++) cur = this.step(cur, n > 0 ? 1 : -1);
    return cur;
  }

  /** The next session open (regular or special) at or after t. */
  nextOpen(t: Date): Date {
    let d = istDate(t);
    for (let i = 0; i < MAX_WALK_DAYS; i++, d = addDays(d, 1)) {
      const s = this.session(d);
      const w = s?.segments.find((seg) => seg.open >= t);
      if (w) return w.open;
    }
    throw new Error(`no session open within ${MAX_WALK_DAYS} days of ${t.toISOString()}`);
  }

  /** Open or closed at t, why, and when it next opens (throws RangeError if that lies beyond the covered years). */
  marketStatus(t: Date): MarketStatus {
    const d = istDate(t);
    const s = this.session(d);
    const w = s?.segments.find((seg) => seg.open <= t && t < seg.close);
    if (s && w) {
      const until = `open until ${istTime(w.close)} IST`;
      return { open: true, reason: s.kind === "special" ? `${until} (special session: ${s.description})` : until };
    }
    const holiday = this.holidayMap.get(d);
    let reason: string;
    if (holiday !== undefined && (!isWeekend(d) || s)) reason = `closed: holiday (${holiday})`;
    else if (!s) reason = "closed: weekend";
    else if (t < s.open) reason = "closed: before the open";
    else if (t >= s.close) reason = "closed: after the close";
    else reason = "closed: between sessions";
    return { open: false, reason, nextOpen: this.nextOpen(t) };
  }

  private step(d: IstDate, dir: 1 | -1): IstDate {
    this.check(d);
    let cur = d;
    for (let i = 0; i < MAX_WALK_DAYS; i++) {
      cur = addDays(cur, dir);
      if (this.isTradingDay(cur)) return cur;
    }
    throw new Error(`no trading day within ${MAX_WALK_DAYS} days of ${d}`);
  }

  private check(d: IstDate): void {
    assertDate(d);
    const y = Number(d.slice(0, 4));
    if (this.years.has(y) || this.allowUncovered) return;
    throw new RangeError(
      `${d} is outside the NSE holiday data (covered years: ${describeYears(this.years)}); ` +
        `add data/holidays/nse_holidays_${y}.csv, or construct with allowUncovered for weekday-only answers`,
    );
  }
}

function assertDate(d: string): void {
  if (!isIstDate(d)) throw new RangeError(`not a date (YYYY-MM-DD): ${d}`);
}

function isWeekend(d: IstDate): boolean {
  const w = weekday(d);
  return w === 0 || w === 6;
}

function describeYears(years: ReadonlySet<number>): string {
  const ys = [...years].sort((a, b) => a - b);
  const contiguous = ys.every((y, i) => i === 0 || y === ys[i - 1]! + 1);
  return contiguous && ys.length > 1 ? `${ys[0]}-${ys[ys.length - 1]}` : ys.join(", ");
}

// ---------------------------------------------------------------------------
// Loading from data/holidays

/** <project>/data/holidays, found relative to this file (src/engine/market). */
/** Null while the market is in session, else why it is closed and when it opens (the order window of a real broker). */
export function marketWindow(calendar: NseCalendar, t: Date): string | null {
  const s = calendar.isCovered(istDate(t)) ? calendar.marketStatus(t) : { open: false, reason: "closed: the holiday calendar does not cover this year" };
  if (s.open) return null;
  return "nextOpen" in s && s.nextOpen ? `market ${s.reason}; opens ${formatIst(s.nextOpen)}` : `market ${s.reason}`;
}

export const DEFAULT_HOLIDAY_DIR = fileURLToPath(new URL("../../../data/holidays/", import.meta.url));

const HOLIDAY_FILE_RE = /^nse_holidays_(\d{4})\.csv$/;
const SPECIAL_FILE = "special_sessions.csv";
const WEEKEND_MARKER_RE = /\s*\(falls on a (Saturday|Sunday)\)$/;
const cache = new Map<string, NseCalendar>();

/**
 * Reads nse_holidays_YYYY.csv (each file makes its year covered) and
 * special_sessions.csv from dataDir, synchronously; cached per directory.
 */
export function loadNseCalendar(dataDir: string = DEFAULT_HOLIDAY_DIR, options: { allowUncovered?: boolean } = {}): NseCalendar {
  const key = `${dataDir}\u0000${options.allowUncovered ? 1 : 0}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const holidays: HolidayEntry[] = [];
  const coveredYears: number[] = [];
  for (const name of readdirSync(dataDir).sort()) {
    const m = HOLIDAY_FILE_RE.exec(name);
    if (!m) continue;
    const year = Number(m[1]);
    coveredYears.push(year);
    for (const { row, line } of readCsv(join(dataDir, name), ["date", "description", "source"])) {
      const [date, rawDescription] = row as [string, string, string];
      if (!isIstDate(date) || !date.startsWith(`${year}-`)) throw new Error(`${name}:${line}: date ${date} is not a ${year} date`);
      // Weekend-falling rows carry a "(falls on a Saturday|Sunday)" marker; checking it catches mistyped dates.
      const marker = WEEKEND_MARKER_RE.exec(rawDescription);
      const expected = weekday(date) === 0 ? "Sunday" : weekday(date) === 6 ? "Saturday" : undefined;
      if (marker?.[1] !== expected) {
        throw new Error(`${name}:${line}: ${date} is a ${expected ?? "weekday"} but is marked ${marker?.[1] ?? "as a weekday"}`);
      }
      holidays.push({ date, description: rawDescription.replace(WEEKEND_MARKER_RE, "") });
    }
  }
  if (coveredYears.length === 0) throw new Error(`no nse_holidays_YYYY.csv files in ${dataDir}`);

  const specialSessions: SpecialSessionEntry[] = [];
  let specialRows: Array<{ row: string[]; line: number }> = [];
  try {
    specialRows = readCsv(join(dataDir, SPECIAL_FILE), ["date", "open", "close", "description", "source"]);
  } catch (err) {
    // The file is optional; any other read or format error must surface.
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  for (const { row } of specialRows) {
    const [date, open, close, description] = row as [string, string, string, string];
    specialSessions.push({ date, open, close, description });
  }

  const cal = new NseCalendar({ holidays, specialSessions, coveredYears, allowUncovered: options.allowUncovered ?? false });
  cache.set(key, cal);
  return cal;
}

/** Minimal CSV: header check, quoted fields, CRLF, blank lines skipped. */
function readCsv(path: string, header: string[]): Array<{ row: string[]; line: number }> {
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/);
  const head = parseCsvLine(lines[0] ?? "");
  if (head.join(",") !== header.join(",")) throw new Error(`${path}: header must be "${header.join(",")}"`);
  const out: Array<{ row: string[]; line: number }> = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const row = parseCsvLine(raw);
    if (row.length !== header.length) throw new Error(`${path}:${i + 1}: expected ${header.length} fields, got ${row.length}`);
    out.push({ row: row.map((f) => f.trim()), line: i + 1 });
  }
  return out;
}

function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(cur);
      cur = "";
    } else cur += c;
  }
  fields.push(cur);
  return fields;
}
