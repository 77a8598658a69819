/**
 * Candles from live ticks: 1-minute and 75-minute bars per symbol as ticks
 * arrive, and a daily bar per symbol at closeDay().
 *
 * Sessions come from the NSE calendar (regular 09:15-15:30 IST, and special
 * sessions such as Muhurat trading with their own windows). A tick outside
 * every window of its day is ignored and counted.
 *
 * 75-minute bars sit on the fixed NSE grid 09:15, 10:30, 11:45, 13:00, 14:15
 * (the last ends 15:30), the grid aggregate.ts builds from 1-minute bars, so
 * live bars and backtest bars agree. A bar ends early when its session window
 * does (a shortened special session). Ticks of a special session outside
 * 09:15-15:30 (Muhurat in the evening) make 1-minute and daily bars but no
 * 75-minute bar, as in aggregate.ts.
 *
 * Volume: a tick may carry the exchange's cumulative traded volume for the
 * day (the Quote packet's volume field). A bar's volume is the growth of that
 * figure across the bar, so a lost tick loses no volume. Ticks without it
 * (LTP mode) give bars of volume 0.
 *
 * A bar is emitted when a tick of a later bar arrives, or when closeUntil(t)
 * is called at or after its end: a quiet symbol's bar still closes when a
 * timer calls it (see closeOnTimer). Bars carry `time` = the bar's opening
 * instant. A tick older than the symbol's forming bar (or in a bar already
 * emitted) is dropped and counted; one inside the forming bar but older than
 * its last tick widens high/low and leaves the close alone.
 */
import type { Paise } from "../money.js";
import { IST_OFFSET_MS, isIstDate, istDate, type IstDate } from "../time/ist.js";
import { loadNseCalendar, type NseCalendar } from "./calendar.js";
import type { Candle } from "./candle.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const GRID_OPEN_MS = (9 * 60 + 15) * MINUTE_MS;
const GRID_CLOSE_MS = (15 * 60 + 30) * MINUTE_MS;
const BUCKET_MS = 75 * MINUTE_MS;
const EMPTY: readonly Candle[] = Object.freeze([]);

export type TickTimeframe = "1m" | "75m";

export interface TickCandleStats {
  ticks: number;
  /** Outside every session window of the day. */
  outsideSession: number;
  /** Dropped from a timeframe because they were older than its forming bar or fell in a bar already emitted. */
  late: Record<TickTimeframe, number>;
  /** In a session but outside the 09:15-15:30 grid, so in no 75-minute bar. */
  off75mGrid: number;
  /** For a day closeDay() has already closed. */
  afterDayClosed: number;
}

export interface TickCandleOptions {
  /**
   * Session windows; default the shipped NSE calendar, where years it does not
   * cover read as Monday-Friday 09:15-15:30. A calendar built without
   * allowUncovered makes addTick throw its RangeError for such a year.
   */
  calendar?: NseCalendar;
  /** Called for every bar as it closes (also returned by the call that closed it). */
  onBar?: (bar: Candle) => void;
}

interface Window {
  open: number;
  close: number;
}

interface Forming {
  start: number;
  end: number;
  open: Paise;
  high: Paise;
  low: Paise;
  close: Paise;
  lastT: number;
  cumStart: number;
  cumEnd: number;
}

interface Daily {
  sessionOpen: number;
  firstT: number;
  lastT: number;
  open: Paise;
  high: Paise;
  low: Paise;
  close: Paise;
  cum: number;
}

interface SymbolState {
  symbol: string;
  /** IST day number of the volume baseline. */
  day: number;
  /** The day's cumulative volume so far (highest seen). */
  cum: number;
  m1: Forming | null;
  m75: Forming | null;
  /** End of the last bar emitted per timeframe: nothing before it can be added. */
  closed1: number;
  closed75: number;
}

export class TickCandleBuilder {
  readonly stats: TickCandleStats = { ticks: 0, outsideSession: 0, late: { "1m": 0, "75m": 0 }, off75mGrid: 0, afterDayClosed: 0 };
  private readonly calendar: NseCalendar;
  private readonly onBar: ((bar: Candle) => void) | undefined;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly windows = new Map<number, Window[]>();
  private readonly daily = new Map<number, Map<string, Daily>>();
  private readonly closedDays = new Set<number>();
  private lastDay = NaN;
  private lastWindows: Window[] = [];

  constructor(opts: TickCandleOptions = {}) {
    this.calendar = opts.calendar ?? loadNseCalendar(undefined, { allowUncovered: true });
    this.onBar = opts.onBar;
  }

  /**
   * Adds one trade. `dayVolume` is the day's cumulative traded volume as the
   * exchange reports it, when the feed carries it. Returns the bars this tick closed.
   */
  addTick(symbol: string, price: Paise, at: Date, dayVolume?: number): readonly Candle[] {
    const t = at.getTime();
    this.stats.ticks++;
    const day = Math.floor((t + IST_OFFSET_MS) / DAY_MS);
    if (this.closedDays.has(day)) {
      this.stats.afterDayClosed++;
      return EMPTY;
    }
    const windows = this.windowsOf(day);
    let w: Window | undefined;
    for (const x of windows) if (x.open <= t && t < x.close) w = x;
    if (!w) {
      this.stats.outsideSession++;
      return EMPTY;
    }

    let s = this.symbols.get(symbol);
    if (!s) {
      s = { symbol, day, cum: 0, m1: null, m75: null, closed1: -Infinity, closed75: -Infinity };
      this.symbols.set(symbol, s);
    }
    if (day > s.day) {
      s.day = day;
      s.cum = 0;
    }
    const cumBefore = s.cum;
    if (dayVolume !== undefined && day === s.day && dayVolume > s.cum) s.cum = dayVolume;

    this.addDaily(symbol, day, windows[0]!.open, price, t, day === s.day ? s.cum : 0);

    let out: Candle[] | null = null;
    // 1-minute: IST is a whole number of minutes from UTC, so UTC minutes are IST minutes.
    const start1 = t - (t % MINUTE_MS);
    const r1 = this.place(s, "1m", start1, Math.min(start1 + MINUTE_MS, w.close), price, t, cumBefore);
    if (r1) (out ??= []).push(r1);

    const dayStart = day * DAY_MS - IST_OFFSET_MS;
    const sinceOpen = t - dayStart - GRID_OPEN_MS;
    if (sinceOpen < 0 || t - dayStart >= GRID_CLOSE_MS) this.stats.off75mGrid++;
    else {
      const start75 = dayStart + GRID_OPEN_MS + Math.floor(sinceOpen / BUCKET_MS) * BUCKET_MS;
      const r75 = this.place(s, "75m", start75, Math.min(start75 + BUCKET_MS, w.close), price, t, cumBefore);
      if (r75) (out ??= []).push(r75);
    }
    return out ?? EMPTY;
  }

  /** Emits every forming bar that ends at or before `time` (a quiet symbol's bar too). */
  closeUntil(time: Date): Candle[] {
    const t = time.getTime();
    const out: Candle[] = [];
    for (const s of this.symbols.values()) {
      if (s.m1 && s.m1.end <= t) {
        out.push(this.emit(s, "1m", s.m1));
        s.m1 = null;
      }
      if (s.m75 && s.m75.end <= t) {
        out.push(this.emit(s, "75m", s.m75));
        s.m75 = null;
      }
    }
    return out;
  }

  /**
   * Closes the day: emits its remaining intraday bars and one daily bar per
   * symbol that traded (time = the session's open, volume = the day's
   * cumulative volume). Later ticks of that day are dropped.
   */
  closeDay(date: IstDate): Candle[] {
    if (!isIstDate(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
    // The same day number addTick derives from an instant: days since 1970-01-01 on the IST calendar.
    const day = Date.parse(`${date}T00:00:00Z`) / DAY_MS;
    const windows = this.windowsOf(day);
    const out: Candle[] = [];
    const lastClose = windows.length > 0 ? windows[windows.length - 1]!.close : day * DAY_MS - IST_OFFSET_MS + DAY_MS;
    for (const s of this.symbols.values()) {
      for (const tf of ["1m", "75m"] as const) {
        const f = tf === "1m" ? s.m1 : s.m75;
        if (f && f.start < lastClose) {
          out.push(this.emit(s, tf, f));
          if (tf === "1m") s.m1 = null;
          else s.m75 = null;
        }
      }
    }
    const bySymbol = this.daily.get(day);
    for (const [symbol, d] of bySymbol ?? []) {
      const bar: Candle = { symbol, timeframe: "1d", time: new Date(d.sessionOpen), open: d.open, high: d.high, low: d.low, close: d.close, volume: d.cum };
      this.onBar?.(bar);
      out.push(bar);
    }
    this.daily.delete(day);
    this.closedDays.add(day);
    return out;
  }

  /** The bar still forming for a symbol, if any. */
  forming(symbol: string, timeframe: TickTimeframe): Candle | undefined {
    const s = this.symbols.get(symbol);
    const f = timeframe === "1m" ? s?.m1 : s?.m75;
    return s && f ? toCandle(s.symbol, timeframe, f) : undefined;
  }

  /** Puts a tick into a timeframe's bar; returns the bar it closed, if any. */
  private place(s: SymbolState, tf: TickTimeframe, start: number, end: number, price: Paise, t: number, cumBefore: number): Candle | null {
    const cur = tf === "1m" ? s.m1 : s.m75;
    if (cur && start === cur.start) {
      if (price > cur.high) cur.high = price;
      if (price < cur.low) cur.low = price;
      if (t >= cur.lastT) {
        cur.lastT = t;
        cur.close = price;
      }
      if (s.cum > cur.cumEnd) cur.cumEnd = s.cum;
      return null;
    }
    if ((cur && start < cur.start) || t < (tf === "1m" ? s.closed1 : s.closed75)) {
      this.stats.late[tf]++;
      return null;
    }
    const closed = cur ? this.emit(s, tf, cur) : null;
    const next: Forming = { start, end, open: price, high: price, low: price, close: price, lastT: t, cumStart: cumBefore, cumEnd: s.cum };
    if (tf === "1m") s.m1 = next;
    else s.m75 = next;
    return closed;
  }

  private emit(s: SymbolState, tf: TickTimeframe, f: Forming): Candle {
    if (tf === "1m") s.closed1 = f.end;
    else s.closed75 = f.end;
    const bar = toCandle(s.symbol, tf, f);
    this.onBar?.(bar);
    return bar;
  }

  private addDaily(symbol: string, day: number, sessionOpen: number, price: Paise, t: number, cum: number): void {
    let bySymbol = this.daily.get(day);
    if (!bySymbol) this.daily.set(day, (bySymbol = new Map()));
    const d = bySymbol.get(symbol);
    if (!d) {
      bySymbol.set(symbol, { sessionOpen, firstT: t, lastT: t, open: price, high: price, low: price, close: price, cum });
      return;
    }
    if (t < d.firstT) {
      d.firstT = t;
      d.open = price;
    }
    if (t >= d.lastT) {
      d.lastT = t;
      d.close = price;
    }
    if (price > d.high) d.high = price;
    if (price < d.low) d.low = price;
    if (cum > d.cum) d.cum = cum;
  }

  private windowsOf(day: number): Window[] {
    if (day === this.lastDay) return this.lastWindows;
    let ws = this.windows.get(day);
    if (!ws) {
      const date = istDate(day * DAY_MS - IST_OFFSET_MS);
      const session = this.calendar.session(date);
      ws = (session?.segments ?? []).map((seg) => ({ open: seg.open.getTime(), close: seg.close.getTime() }));
      this.windows.set(day, ws);
    }
    this.lastDay = day;
    this.lastWindows = ws;
    return ws;
  }
}

function toCandle(symbol: string, timeframe: TickTimeframe, f: Forming): Candle {
  return { symbol, timeframe, time: new Date(f.start), open: f.open, high: f.high, low: f.low, close: f.close, volume: f.cumEnd - f.cumStart };
}

/**
 * Live running: closes quiet symbols' bars on a wall-clock timer. `graceMs`
 * waits for late ticks of a bar before closing it. Returns a stop function.
 */
export function closeOnTimer(builder: TickCandleBuilder, opts: { now?: () => number; everyMs?: number; graceMs?: number } = {}): () => void {
  const now = opts.now ?? Date.now;
  const grace = opts.graceMs ?? 2_000;
  const timer = setInterval(() => builder.closeUntil(new Date(now() - grace)), opts.everyMs ?? 1_000);
  return () => clearInterval(timer);
}
