import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  BUCKET_75M_OPENS,
  Bar75mBuilder,
  WeeklyBuilder,
  aggregate75m,
  aggregate75mWithReport,
  aggregateWeekly,
} from "../../src/engine/market/aggregate.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { DATA_DIR, NIFTY50_DIR, loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { toPaise } from "../../src/engine/money.js";
import { fromIst, istDate, istTime } from "../../src/engine/time/ist.js";

function bar(symbol: string, timeframe: Candle["timeframe"], date: string, time: string, ohlc: [number, number, number, number], volume = 10): Candle {
  const [open, high, low, close] = ohlc;
  return { symbol, timeframe, time: fromIst(date, time), open, high, low, close, volume };
}
const m1 = (date: string, time: string, ohlc: [number, number, number, number], volume = 10, symbol = "X"): Candle =>
  bar(symbol, "1m", date, time, ohlc, volume);
const d1 = (date: string, ohlc: [number, number, number, number], volume = 10, symbol = "X"): Candle =>
  bar(symbol, "1d", date, "09:15", ohlc, volume);

/** Every minute of one regular session with price = 1000 + minute index, for a symbol. */
function fullDay(date: string, symbol = "X"): Candle[] {
  const out: Candle[] = [];
  const start = fromIst(date, "09:15").getTime();
  for (let i = 0; i < 375; i++) {
    const p = 1000 + i;
    out.push({ symbol, timeframe: "1m", time: new Date(start + i * 60_000), open: p, high: p + 5, low: p - 5, close: p + 1, volume: 1 });
  }
  return out;
}

function incrementalWeekly(bars: readonly Candle[]): Candle[] {
  const b = new WeeklyBuilder();
  const out: Candle[] = [];
  for (const x of bars) {
    const done = b.push(x);
    if (done) out.push(done);
  }
  const last = b.flush();
  if (last) out.push(last);
  return out;
}

describe("aggregate75m", () => {
  it("splits at exactly 10:30: the 10:29 bar closes the first bucket, 10:30 opens the second", () => {
    const bars = [
      m1("2025-01-03", "09:15", [100, 110, 95, 105], 1),
      m1("2025-01-03", "10:00", [105, 120, 90, 101], 2),
      m1("2025-01-03", "10:29", [101, 102, 99, 100], 3),
      m1("2025-01-03", "10:30", [200, 210, 190, 205], 4),
      m1("2025-01-03", "11:44", [205, 206, 204, 206], 5),
    ];
    const out = aggregate75m(bars);
    expect(out).toEqual([
      { symbol: "X", timeframe: "75m", time: fromIst("2025-01-03", "09:15"), open: 100, high: 120, low: 90, close: 100, volume: 6 },
      { symbol: "X", timeframe: "75m", time: fromIst("2025-01-03", "10:30"), open: 200, high: 210, low: 190, close: 206, volume: 9 },
    ]);
  });

  it("stamps a bucket with its opening instant even when its first minute is missing", () => {
    const out = aggregate75m([m1("2025-01-03", "13:40", [100, 100, 100, 100])]);
    expect(istTime(out[0]!.time)).toBe("13:00");
  });

  it("produces no bar for a bucket without bars", () => {
    const bars = [m1("2025-01-03", "09:15", [1, 1, 1, 1]), m1("2025-01-03", "13:00", [2, 2, 2, 2])];
    expect(aggregate75m(bars).map((b) => istTime(b.time))).toEqual(["09:15", "13:00"]);
  });

  it("builds five bars from a full session, ending at the 15:29 bar", () => {
    const out = aggregate75m(fullDay("2025-01-03"));
    expect(out.map((b) => istTime(b.time))).toEqual([...BUCKET_75M_OPENS]);
    expect(out.map((b) => b.volume)).toEqual([75, 75, 75, 75, 75]);
    expect(out[4]!.close).toBe(1000 + 374 + 1);
    expect(out[1]!.open).toBe(1075);
  });

  it("ignores and counts bars outside 09:15-15:30 IST", () => {
    const bars = [
      m1("2025-01-03", "09:07", [1, 1, 1, 1]),
      m1("2025-01-03", "09:14", [1, 1, 1, 1]),
      m1("2025-01-03", "09:15", [5, 5, 5, 5]),
      m1("2025-01-03", "15:29", [6, 6, 6, 6]),
      m1("2025-01-03", "15:30", [7, 7, 7, 7]),
      m1("2025-01-03", "18:15", [8, 8, 8, 8]),
    ];
    const r = aggregate75mWithReport(bars);
    expect(r.ignored).toBe(4);
    expect(r.bars.map((b) => [istTime(b.time), b.close])).toEqual([
      ["09:15", 5],
      ["14:15", 6],
    ]);
  });

  it("groups by symbol", () => {
    const bars = [
      m1("2025-01-03", "09:15", [10, 10, 10, 10], 1, "A"),
      m1("2025-01-03", "09:15", [20, 20, 20, 20], 1, "B"),
      m1("2025-01-03", "09:16", [11, 12, 9, 11], 1, "A"),
      m1("2025-01-03", "10:30", [21, 21, 21, 21], 1, "B"),
    ];
    const out = aggregate75m(bars);
    expect(out.map((b) => [b.symbol, istTime(b.time), b.open, b.high, b.low, b.close, b.volume])).toEqual([
      ["A", "09:15", 10, 12, 9, 11, 2],
      ["B", "09:15", 20, 20, 20, 20, 1],
      ["B", "10:30", 21, 21, 21, 21, 1],
    ]);
  });

  it("gives the same bars for shuffled input", () => {
    const bars = [...fullDay("2025-01-02"), ...fullDay("2025-01-03")];
    const shuffled = bars.map((b, i) => ({ b, k: (i * 7919) % bars.length })).sort((x, y) => x.k - y.k).map((x) => x.b);
    expect(aggregate75m(shuffled)).toEqual(aggregate75m(bars));
  });

  it("rejects bars that are not 1-minute bars", () => {
    expect(() => aggregate75m([d1("2025-01-03", [1, 1, 1, 1])])).toThrow(RangeError);
  });
});

describe("Bar75mBuilder", () => {
  it("emits a bar when the next bucket starts, and the last one on flush", () => {
    const b = new Bar75mBuilder();
    expect(b.push(m1("2025-01-03", "09:15", [1, 2, 1, 2]))).toBeNull();
    expect(b.push(m1("2025-01-03", "10:29", [2, 3, 2, 3]))).toBeNull();
    const done = b.push(m1("2025-01-03", "10:30", [3, 3, 3, 3]));
    expect(done).toMatchObject({ timeframe: "75m", time: fromIst("2025-01-03", "09:15"), open: 1, high: 3, low: 1, close: 3, volume: 20 });
    expect(b.flush()).toMatchObject({ time: fromIst("2025-01-03", "10:30"), close: 3 });
    expect(b.flush()).toBeNull();
  });

  it("emits on the next day's first bar and counts ignored bars", () => {
    const b = new Bar75mBuilder();
    b.push(m1("2025-01-03", "14:20", [1, 1, 1, 1]));
    expect(b.push(m1("2025-01-03", "15:31", [9, 9, 9, 9]))).toBeNull();
    expect(b.push(m1("2025-01-06", "09:08", [9, 9, 9, 9]))).toBeNull();
    expect(b.push(m1("2025-01-06", "09:15", [2, 2, 2, 2]))?.time).toEqual(fromIst("2025-01-03", "14:15"));
    expect(b.ignored).toBe(2);
  });

  it("rejects a bar for an emitted bucket and a second symbol", () => {
    const b = new Bar75mBuilder();
    b.push(m1("2025-01-03", "10:30", [1, 1, 1, 1]));
    expect(() => b.push(m1("2025-01-03", "10:29", [1, 1, 1, 1]))).toThrow(/out of order/);
    expect(() => b.push(m1("2025-01-03", "10:31", [1, 1, 1, 1], 1, "Y"))).toThrow(/one builder per symbol/);
  });

  it("matches the batch result, gaps and ignored bars included", () => {
    const bars = [
      m1("2025-01-02", "09:08", [5, 5, 5, 5]),
      ...fullDay("2025-01-02").filter((x) => istTime(x.time) < "11:00" || istTime(x.time) >= "13:00"),
      m1("2025-01-02", "15:33", [5, 5, 5, 5]),
      ...fullDay("2025-01-03").slice(100, 200),
    ];
    const batch = aggregate75mWithReport(bars);
    const b = new Bar75mBuilder();
    const inc = bars.flatMap((x) => b.push(x) ?? []);
    inc.push(b.flush()!);
    expect(inc).toEqual(batch.bars);
    expect(b.ignored).toBe(batch.ignored);
    expect(batch.bars.length).toBe(4 + 2);
  });
});

describe("aggregateWeekly", () => {
  it("makes one bar for a holiday week, opening on its first trading day", () => {
    // 2025-04-14 (Mon, Ambedkar Jayanti) and 2025-04-18 (Fri, Good Friday) were NSE holidays.
    const daily = [
      d1("2025-04-15", [100, 120, 95, 110], 1),
      d1("2025-04-16", [110, 130, 105, 125], 2),
      d1("2025-04-17", [125, 126, 90, 92], 3),
      d1("2025-04-21", [92, 93, 91, 93], 4),
    ];
    const out = aggregateWeekly(daily);
    expect(out).toEqual([
      { symbol: "X", timeframe: "1w", time: fromIst("2025-04-15", "09:15"), open: 100, high: 130, low: 90, close: 92, volume: 6 },
      { symbol: "X", timeframe: "1w", time: fromIst("2025-04-21", "09:15"), open: 92, high: 93, low: 91, close: 93, volume: 4 },
    ]);
  });

  it("keeps a week spanning a month end together (Mon 2025-03-31 .. Fri 2025-04-04)", () => {
    const daily = ["2025-03-27", "2025-03-28", "2025-04-01", "2025-04-02", "2025-04-03", "2025-04-04"].map((d, i) =>
      d1(d, [10 + i, 20 + i, 5 + i, 11 + i], 1),
    );
    // 2025-03-31 (Id-ul-Fitr) was a holiday, so this week opens on Tuesday.
    const out = aggregateWeekly(daily);
    expect(out.map((b) => [istDate(b.time), b.open, b.close, b.volume])).toEqual([
      ["2025-03-27", 10, 12, 2],
      ["2025-04-01", 12, 16, 4],
    ]);
  });

  it("counts a Saturday or Sunday session in its Monday-Sunday week", () => {
    // 2025-02-01 (Saturday budget session) belongs to the week of Mon 2025-01-27; Sun 2026-02-01 to that of Mon 2026-01-26.
    const out = aggregateWeekly([d1("2025-01-31", [1, 1, 1, 1]), d1("2025-02-01", [2, 2, 2, 2]), d1("2025-02-03", [3, 3, 3, 3])]);
    expect(out.map((b) => [istDate(b.time), b.close])).toEqual([
      ["2025-01-31", 2],
      ["2025-02-03", 3],
    ]);
    expect(aggregateWeekly([d1("2026-01-26", [1, 1, 1, 1]), d1("2026-02-01", [2, 2, 2, 2])])).toHaveLength(1);
  });

  it("groups by symbol and matches WeeklyBuilder on real daily bars", () => {
    const { candles } = loadShippedDaily(NIFTY50_DIR, ["RELIANCE", "TCS"]);
    const batch = aggregateWeekly(candles);
    const rel = candles.filter((c) => c.symbol === "RELIANCE");
    const relWeeks = batch.filter((c) => c.symbol === "RELIANCE");
    expect(incrementalWeekly(rel)).toEqual(relWeeks);
    expect(batch.filter((c) => c.symbol === "TCS")).toEqual(incrementalWeekly(candles.filter((c) => c.symbol === "TCS")));
    // About 52 weeks a year over five years; volumes add up.
    expect(relWeeks.length).toBeGreaterThan(255);
    expect(relWeeks.length).toBeLessThan(265);
    expect(relWeeks.reduce((s, c) => s + c.volume, 0)).toBe(rel.reduce((s, c) => s + c.volume, 0));
    for (const w of relWeeks) expect(w.high).toBeGreaterThanOrEqual(Math.max(w.open, w.close));
  });
});

describe("shipped Bank Nifty 75-minute bars", () => {
  const text = readFileSync(join(DATA_DIR, "banknifty_75m/banknifty_75m_2021-01_2023-01.csv"), "utf8");
  const lines = text.trim().split("\n");
  const bars = lines.slice(1).map((line) => {
    const [t, o, h, l, c, v] = line.split(",");
    return { time: new Date(t!), open: toPaise(o!), high: toPaise(h!), low: toPaise(l!), close: toPaise(c!), volume: Number(v) };
  });

  it("has the header, row count and ordered, well-formed times", () => {
    expect(lines[0]).toBe("time,open,high,low,close,volume");
    expect(bars).toHaveLength(2571);
    for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\+05:30(,\d+\.\d{2}){4},\d+$/);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.time > bars[i - 1]!.time).toBe(true);
  });

  it("has at most five bars a day, at bucket opens, with sound OHLC", () => {
    const perDay = new Map<string, number>();
    const opens = new Set<string>(BUCKET_75M_OPENS);
    for (const b of bars) {
      perDay.set(istDate(b.time), (perDay.get(istDate(b.time)) ?? 0) + 1);
      expect(opens.has(istTime(b.time))).toBe(true);
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
    }
    expect(Math.max(...perDay.values())).toBe(5);
    expect(perDay.size).toBe(515);
    // The only short day: the 2021-02-24 outage, when the index feed froze about 10:06.
    expect([...perDay].filter(([, n]) => n < 5)).toEqual([["2021-02-24", 1]]);
  });

  it("ends 2022-12-30 on the last regular minute's close", () => {
    const day = bars.filter((b) => istDate(b.time) === "2022-12-30");
    expect(day).toHaveLength(5);
    // 43,038.50 is the 15:29 bar's close. NSE's official close, 42,986.45, is
    // published after 15:30 (a post-close tick in the source), outside every bucket.
    expect(day[4]!.close).toBe(toPaise("43038.50"));
    expect(day[4]!.close).not.toBe(toPaise("42986.45"));
  });
});
