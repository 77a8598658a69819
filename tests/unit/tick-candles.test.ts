import { afterEach, describe, expect, it } from "vitest";
import { aggregate75m } from "../../src/engine/market/aggregate.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { TickCandleBuilder, closeOnTimer } from "../../src/engine/market/tick-candles.js";
import { fromIst } from "../../src/engine/time/ist.js";

const D = "2025-09-15"; // a Monday
const at = (hhmmss: string, date = D, ms = 0) => new Date(fromIst(date, hhmmss).getTime() + ms);
const ist = (c: Candle) => ({ ...c, time: c.time.toISOString() });
const bar = (symbol: string, timeframe: Candle["timeframe"], time: Date, o: number, h: number, l: number, c: number, volume = 0): Candle => ({
  symbol, timeframe, time, open: o, high: h, low: l, close: c, volume,
});

describe("TickCandleBuilder", () => {
  it("builds a 1-minute bar and emits it when a tick of the next minute arrives", () => {
    const b = new TickCandleBuilder();
    expect(b.addTick("SBIN", 81_000, at("09:15:05"))).toEqual([]);
    expect(b.addTick("SBIN", 81_200, at("09:15:20"))).toEqual([]);
    expect(b.addTick("SBIN", 80_900, at("09:15:40"))).toEqual([]);
    expect(b.addTick("SBIN", 81_050, at("09:15:59", D, 999))).toEqual([]);
    expect(b.addTick("SBIN", 81_100, at("09:16:00"))).toEqual([bar("SBIN", "1m", at("09:15"), 81_000, 81_200, 80_900, 81_050)]);
    expect(b.forming("SBIN", "1m")).toEqual(bar("SBIN", "1m", at("09:16"), 81_100, 81_100, 81_100, 81_100));
    expect(b.forming("SBIN", "75m")).toEqual(bar("SBIN", "75m", at("09:15"), 81_000, 81_200, 80_900, 81_100));
  });

  it("opens 75-minute bars at 09:15, 10:30, 11:45, 13:00 and 14:15; the last closes at 15:30", () => {
    const got: Candle[] = [];
    const b = new TickCandleBuilder({ onBar: (c) => c.timeframe === "75m" && got.push(c) });
    b.addTick("NIFTY", 100, at("09:15"));
    b.addTick("NIFTY", 110, at("10:29:59", D, 999));
    b.addTick("NIFTY", 120, at("10:30"));
    b.addTick("NIFTY", 130, at("11:44:59"));
    b.addTick("NIFTY", 140, at("11:45"));
    b.addTick("NIFTY", 150, at("13:00"));
    b.addTick("NIFTY", 160, at("14:15"));
    b.addTick("NIFTY", 170, at("15:29:59", D, 999));
    expect(got.map((c) => [c.time.getTime(), c.open, c.close])).toEqual([
      [at("09:15").getTime(), 100, 110],
      [at("10:30").getTime(), 120, 130],
      [at("11:45").getTime(), 140, 140],
      [at("13:00").getTime(), 150, 150],
    ]);
    // 15:30:00 is after the close: ignored, and it does not close the 14:15 bar.
    expect(b.addTick("NIFTY", 999, at("15:30"))).toEqual([]);
    expect(b.stats.outsideSession).toBe(1);
    expect(b.closeUntil(at("15:29:59"))).toEqual([]);
    const last = b.closeUntil(at("15:30"));
    expect(last.map(ist)).toEqual([ist(bar("NIFTY", "1m", at("15:29"), 170, 170, 170, 170)), ist(bar("NIFTY", "75m", at("14:15"), 160, 170, 160, 170))]);
    expect(got).toHaveLength(5);
  });

  it("ignores ticks outside the session: pre-open, after the close, weekends and holidays", () => {
    const b = new TickCandleBuilder();
    b.addTick("SBIN", 1, at("09:14:59", D, 999)); // pre-open
    b.addTick("SBIN", 1, at("09:07")); // pre-open auction
    b.addTick("SBIN", 1, at("15:45")); // closing session
    b.addTick("SBIN", 1, at("10:00", "2025-09-13")); // Saturday
    b.addTick("SBIN", 1, at("10:00", "2025-08-15")); // Independence Day
    expect(b.stats.outsideSession).toBe(5);
    expect(b.addTick("SBIN", 2, at("09:15"))).toEqual([]);
    expect(b.forming("SBIN", "1m")?.open).toBe(2);
    expect(b.stats).toMatchObject({ ticks: 6, outsideSession: 5 });
  });

  it("drops a tick older than the forming bar; one inside it but older than the last moves high/low, not the close", () => {
    const b = new TickCandleBuilder();
    b.addTick("SBIN", 81_000, at("09:20:10"));
    b.addTick("SBIN", 81_100, at("09:21:30"));
    // Older than the forming 09:21 bar: gone from the 1-minute bars, but it is inside the forming 75-minute bar.
    b.addTick("SBIN", 79_000, at("09:20:50"));
    expect(b.stats.late).toEqual({ "1m": 1, "75m": 0 });
    expect(b.forming("SBIN", "75m")).toMatchObject({ low: 79_000, close: 81_100 });
    // Inside the 09:21 bar, before its last tick.
    b.addTick("SBIN", 82_000, at("09:21:10"));
    expect(b.forming("SBIN", "1m")).toEqual(bar("SBIN", "1m", at("09:21"), 81_100, 82_000, 81_100, 81_100));
    // Equal time: the later arrival is the close.
    b.addTick("SBIN", 81_150, at("09:21:30"));
    expect(b.forming("SBIN", "1m")?.close).toBe(81_150);
  });

  it("closes a quiet symbol's bar at closeUntil and then refuses ticks for it", () => {
    const b = new TickCandleBuilder();
    b.addTick("TCS", 300_000, at("09:15:10"));
    b.addTick("INFY", 150_000, at("09:16:02"));
    expect(b.closeUntil(at("09:15:59", D, 999))).toEqual([]);
    expect(b.closeUntil(at("09:16"))).toEqual([bar("TCS", "1m", at("09:15"), 300_000, 300_000, 300_000, 300_000)]);
    expect(b.closeUntil(at("09:16"))).toEqual([]); // once only
    // A late tick for the emitted bar is dropped, not a second 09:15 bar.
    b.addTick("TCS", 301_000, at("09:15:50"));
    expect(b.stats.late["1m"]).toBe(1);
    expect(b.forming("TCS", "1m")).toBeUndefined();
    // The 75-minute bar is still forming and takes it.
    expect(b.forming("TCS", "75m")).toMatchObject({ high: 301_000, close: 301_000 });
    b.addTick("TCS", 300_500, at("09:17:00"));
    expect(b.forming("TCS", "1m")?.time).toEqual(at("09:17"));
  });

  it("takes bar volume from the day's cumulative volume, starting again each day", () => {
    const b = new TickCandleBuilder();
    b.addTick("SBIN", 81_000, at("09:15:01"), 1_000); // includes the opening auction
    b.addTick("SBIN", 81_050, at("09:15:30"), 1_500);
    b.addTick("SBIN", 81_010, at("09:15:45"), 1_400); // an out-of-order report: the figure never goes back
    const [m0915] = b.addTick("SBIN", 81_100, at("09:16:10"), 2_100);
    expect(m0915!.volume).toBe(1_500);
    const closing = b.closeUntil(at("10:30"));
    expect(closing.map((c) => [c.timeframe, c.volume])).toEqual([["1m", 600], ["75m", 2_100]]);
    b.addTick("SBIN", 81_000, at("09:15:03", "2025-09-16"), 300);
    b.addTick("SBIN", 81_000, at("09:15:33", "2025-09-16"), 450);
    expect(b.forming("SBIN", "1m")?.volume).toBe(450);
    // Without the figure (LTP mode) volume is 0.
    b.addTick("INFY", 150_000, at("09:15:03"));
    expect(b.forming("INFY", "1m")?.volume).toBe(0);
  });

  it("closes the day: the last intraday bars, then a daily bar per symbol; later ticks of the day are dropped", () => {
    const b = new TickCandleBuilder();
    b.addTick("SBIN", 81_000, at("09:30"), 100);
    b.addTick("SBIN", 82_500, at("12:00"), 5_000);
    b.addTick("SBIN", 80_100, at("09:20"), 50); // late: only the daily bar takes it, as its open
    b.addTick("SBIN", 81_700, at("15:29:30"), 9_000);
    b.addTick("TCS", 300_000, at("11:00"), 10);
    const out = b.closeDay(D);
    expect(out.filter((c) => c.timeframe === "1d")).toEqual([
      bar("SBIN", "1d", at("09:15"), 80_100, 82_500, 80_100, 81_700, 9_000),
      bar("TCS", "1d", at("09:15"), 300_000, 300_000, 300_000, 300_000, 10),
    ]);
    expect(out.filter((c) => c.timeframe !== "1d").map((c) => `${c.symbol} ${c.timeframe} ${c.time.toISOString()}`)).toEqual([
      `SBIN 1m ${at("15:29").toISOString()}`,
      `SBIN 75m ${at("14:15").toISOString()}`,
      `TCS 1m ${at("11:00").toISOString()}`,
      `TCS 75m ${at("10:30").toISOString()}`,
    ]);
    expect(b.addTick("SBIN", 1, at("15:29:59"))).toEqual([]);
    expect(b.stats.afterDayClosed).toBe(1);
    expect(b.closeDay(D)).toEqual([]);
  });

  it("follows special sessions from the calendar: Muhurat in the evening, one inside the grid, a shortened day", () => {
    const b = new TickCandleBuilder();
    // 2024-11-01 Muhurat 18:00-19:00: 1-minute and daily bars, no 75-minute bar.
    b.addTick("SBIN", 84_000, at("18:00:05", "2024-11-01"));
    b.addTick("SBIN", 84_100, at("18:59:59", "2024-11-01"));
    b.addTick("SBIN", 84_200, at("19:00", "2024-11-01"));
    expect(b.stats).toMatchObject({ outsideSession: 1, off75mGrid: 2 });
    expect(b.forming("SBIN", "75m")).toBeUndefined();
    const muhurat = b.closeDay("2024-11-01");
    expect(muhurat.map((c) => `${c.timeframe} ${c.time.toISOString()}`)).toEqual([`1m ${at("18:59", "2024-11-01").toISOString()}`, `1d ${at("18:00", "2024-11-01").toISOString()}`]);

    // 2025-10-21 Muhurat 13:45-14:45 sits inside the grid: bars 13:00 (ending 14:15) and 14:15 (ending at the 14:45 close).
    b.addTick("INFY", 150_000, at("13:45", "2025-10-21"));
    const [, m13] = b.addTick("INFY", 150_500, at("14:15", "2025-10-21"));
    expect(m13).toEqual(bar("INFY", "75m", at("13:00", "2025-10-21"), 150_000, 150_000, 150_000, 150_000));
    expect(b.closeUntil(at("14:44:59", "2025-10-21")).filter((c) => c.timeframe === "75m")).toEqual([]);
    expect(b.closeUntil(at("14:45", "2025-10-21")).filter((c) => c.timeframe === "75m")).toEqual([bar("INFY", "75m", at("14:15", "2025-10-21"), 150_500, 150_500, 150_500, 150_500)]);

    // 2024-03-02 ran 09:15-10:00 only: its 09:15 bar closes at 10:00.
    b.addTick("TCS", 400_000, at("09:59", "2024-03-02"));
    expect(b.closeUntil(at("10:00", "2024-03-02")).map((c) => c.timeframe)).toEqual(["1m", "75m"]);
  });

  it("makes the same 75-minute bars as aggregating its own 1-minute bars", () => {
    // A seeded random walk through one day: several ticks a minute, some minutes silent.
    let seed = 42;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const one: Candle[] = [];
    const seventyFive: Candle[] = [];
    const b = new TickCandleBuilder({ onBar: (c) => (c.timeframe === "1m" ? one.push(c) : c.timeframe === "75m" && seventyFive.push(c)) });
    let price = 100_000;
    let volume = 0;
    for (let t = at("09:15").getTime(); t < at("15:30").getTime(); t += Math.floor(rand() * 40_000)) {
      price += Math.round((rand() - 0.5) * 100);
      volume += Math.floor(rand() * 500);
      b.addTick("RELIANCE", price, new Date(t), volume);
    }
    b.closeDay(D);
    expect(seventyFive).toHaveLength(5);
    expect(one.length).toBeGreaterThan(300);
    expect(aggregate75m(one)).toEqual(seventyFive);
  });
});

describe("closeOnTimer", () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("closes a quiet symbol's bar once the bar's end plus the grace has passed on the clock", async () => {
    const closed: Candle[] = [];
    const b = new TickCandleBuilder({ onBar: (c) => closed.push(c) });
    b.addTick("SBIN", 81_000, at("09:15:10"));
    let now = at("09:16:01").getTime();
    stop = closeOnTimer(b, { now: () => now, everyMs: 5, graceMs: 2_000 });
    await new Promise((r) => setTimeout(r, 40));
    expect(closed).toEqual([]); // 09:15:59 after the grace: not yet
    now = at("09:16:02").getTime();
    for (let i = 0; i < 200 && closed.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(closed).toEqual([bar("SBIN", "1m", at("09:15"), 81_000, 81_000, 81_000, 81_000)]);
  });
});
