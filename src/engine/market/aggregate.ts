/**
 * Resampling of bars: 1-minute bars into NSE 75-minute bars, daily bars into
 * weekly bars. Batch functions and incremental builders share one accumulator,
 * so a feed replayed bar by bar yields exactly the batch result.
 *
 * Bar times are opening instants. Buckets are keyed by integers derived from
 * the IST wall clock (IST has a fixed offset), so no calendar lookup is needed.
 */
import { IST_OFFSET_MS } from "../time/ist.js";
import type { Candle, Timeframe } from "./candle.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const SESSION_OPEN_MIN = 9 * 60 + 15;
const SESSION_CLOSE_MIN = 15 * 60 + 30;
const BUCKET_MIN = 75;
// 09:15-15:30 is exactly five 75-minute buckets.
const BUCKETS_PER_DAY = (SESSION_CLOSE_MIN - SESSION_OPEN_MIN) / BUCKET_MIN;

/** Opening IST wall times of the five 75-minute buckets. */
export const BUCKET_75M_OPENS = ["09:15", "10:30", "11:45", "13:00", "14:15"] as const;

export interface Aggregate75mReport {
  bars: Candle[];
  /** 1-minute bars opening outside 09:15-15:30 IST (pre-open ticks, post-close ticks, special sessions). */
  ignored: number;
}

/** Where a bar goes: a bucket key (increasing with time) and the bucket bar's time, or null to ignore it. */
interface Slot {
  key: number;
  /** The output bar's time; null means "the earliest member bar's time". */
  time: number | null;
}

interface Acc {
  symbol: string;
  key: number;
  time: number | null;
  firstTime: number;
  lastTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** IST day number (days since 1970-01-01 IST). */
function istDayIndex(ms: number): number {
  return Math.floor((ms + IST_OFFSET_MS) / DAY_MS);
}

function slot75m(bar: Candle): Slot | null {
  const ms = bar.time.getTime();
  const day = istDayIndex(ms);
  const minute = Math.floor((ms + IST_OFFSET_MS - day * DAY_MS) / MINUTE_MS);
  if (minute < SESSION_OPEN_MIN || minute >= SESSION_CLOSE_MIN) return null;
  const bucket = Math.floor((minute - SESSION_OPEN_MIN) / BUCKET_MIN);
  const open = day * DAY_MS - IST_OFFSET_MS + (SESSION_OPEN_MIN + bucket * BUCKET_MIN) * MINUTE_MS;
  return { key: day * BUCKETS_PER_DAY + bucket, time: open };
}

function slotWeek(bar: Candle): Slot {
  const day = istDayIndex(bar.time.getTime());
  // Day 0 (1970-01-01) was a Thursday, so (day + 3) mod 7 counts days since Monday.
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return { key: day - sinceMonday, time: null };
}

function startAcc(bar: Candle, s: Slot): Acc {
  const t = bar.time.getTime();
  return {
    symbol: bar.symbol,
    key: s.key,
    time: s.time,
    firstTime: t,
    lastTime: t,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
  };
}

/** Order-independent merge: open/close follow the earliest/latest bar time (ties keep the first seen). */
function addToAcc(acc: Acc, bar: Candle): void {
  const t = bar.time.getTime();
  if (t < acc.firstTime) {
    acc.firstTime = t;
    acc.open = bar.open;
  }
  if (t >= acc.lastTime) {
    acc.lastTime = t;
    acc.close = bar.close;
  }
  if (bar.high > acc.high) acc.high = bar.high;
  if (bar.low < acc.low) acc.low = bar.low;
  acc.volume += bar.volume;
}

function toCandle(acc: Acc, timeframe: Timeframe): Candle {
  return {
    symbol: acc.symbol,
    timeframe,
    time: new Date(acc.time ?? acc.firstTime),
    open: acc.open,
    high: acc.high,
    low: acc.low,
    close: acc.close,
    volume: acc.volume,
  };
}

function checkTimeframe(bar: Candle, expected: Timeframe): void {
  if (bar.timeframe !== expected) {
    throw new RangeError(`expected ${expected} bars, got ${bar.timeframe} (${bar.symbol} ${bar.time.toISOString()})`);
  }
}

/** O(n) with hash maps; output grouped by symbol (first-seen order), each symbol's bars by time. */
function aggregateBatch(
  bars: readonly Candle[],
  from: Timeframe,
  to: Timeframe,
  slotOf: (bar: Candle) => Slot | null,
): Aggregate75mReport {
  const bySymbol = new Map<string, { buckets: Map<number, Acc>; lastKey: number; inOrder: boolean }>();
  let ignored = 0;
  for (const bar of bars) {
    checkTimeframe(bar, from);
    const s = slotOf(bar);
    if (s === null) {
      ignored++;
      continue;
    }
    let sym = bySymbol.get(bar.symbol);
    if (!sym) {
      sym = { buckets: new Map(), lastKey: -Infinity, inOrder: true };
      bySymbol.set(bar.symbol, sym);
    }
    const acc = sym.buckets.get(s.key);
    if (acc) addToAcc(acc, bar);
    else {
      if (s.key < sym.lastKey) sym.inOrder = false;
      sym.lastKey = s.key;
      sym.buckets.set(s.key, startAcc(bar, s));
    }
  }
  const out: Candle[] = [];
  for (const { buckets, inOrder } of bySymbol.values()) {
    const accs = [...buckets.values()];
    // Sorted input (the usual case) creates buckets in order; sort only when it did not.
    if (!inOrder) accs.sort((a, b) => a.key - b.key);
    for (const acc of accs) out.push(toCandle(acc, to));
  }
  return { bars: out, ignored };
}

/** 1-minute bars into NSE 75-minute bars (09:15, 10:30, 11:45, 13:00, 14:15 IST). */
export function aggregate75m(bars1m: readonly Candle[]): Candle[] {
  return aggregate75mWithReport(bars1m).bars;
}

/** As aggregate75m, also counting the 1-minute bars outside 09:15-15:30 IST that were left out. */
export function aggregate75mWithReport(bars1m: readonly Candle[]): Aggregate75mReport {
  return aggregateBatch(bars1m, "1m", "75m", slot75m);
}

/**
 * Daily bars into one bar per Monday-Sunday IST week, holidays or not. The
 * weekly bar's time is its earliest daily bar's time: the week opens on its
 * first trading day present in the data.
 */
export function aggregateWeekly(daily: readonly Candle[]): Candle[] {
  return aggregateBatch(daily, "1d", "1w", slotWeek).bars;
}

/** Incremental form of the batch functions for one symbol's time-ordered feed. */
class BucketBuilder {
  private acc: Acc | null = null;
  private symbol: string | null = null;
  private ignoredCount = 0;

  constructor(
    private readonly from: Timeframe,
    private readonly to: Timeframe,
    private readonly slotOf: (bar: Candle) => Slot | null,
  ) {}

  /** Bars left out so far (outside the session). */
  get ignored(): number {
    return this.ignoredCount;
  }

  /** Adds a bar; returns the previous bucket's bar once a bar of a later bucket arrives. */
  push(bar: Candle): Candle | null {
    checkTimeframe(bar, this.from);
    if (this.symbol !== null && bar.symbol !== this.symbol) {
      throw new RangeError(`builder is for ${this.symbol}, got a ${bar.symbol} bar; use one builder per symbol`);
    }
    this.symbol = bar.symbol;
    const s = this.slotOf(bar);
    if (s === null) {
      this.ignoredCount++;
      return null;
    }
    if (this.acc === null) {
      this.acc = startAcc(bar, s);
      return null;
    }
    if (s.key === this.acc.key) {
      addToAcc(this.acc, bar);
      return null;
    }
    // A bar for a bucket already emitted cannot be folded in any more.
    if (s.key < this.acc.key) throw new RangeError(`bar out of order: ${bar.symbol} ${bar.time.toISOString()}`);
    const done = toCandle(this.acc, this.to);
    this.acc = startAcc(bar, s);
    return done;
  }

  /** The bucket in progress, if any, as a bar; the builder then starts empty. */
  flush(): Candle | null {
    const done = this.acc === null ? null : toCandle(this.acc, this.to);
    this.acc = null;
    return done;
  }
}

/** Builds 75-minute bars from one symbol's 1-minute bars as they arrive. */
export class Bar75mBuilder extends BucketBuilder {
  constructor() {
    super("1m", "75m", slot75m);
  }
}

/** Builds weekly bars from one symbol's daily bars as they arrive. */
export class WeeklyBuilder extends BucketBuilder {
  constructor() {
    super("1d", "1w", slotWeek);
  }
}
