import { describe, expect, it } from "vitest";
import { NseCalendar, loadNseCalendar } from "../../src/engine/market/calendar.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { duplicateBars, findGaps, findGapsWithReport, findIntradayGaps } from "../../src/engine/market/gaps.js";
import { NIFTY50_DIR, loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { fromIst, istDate, istTime } from "../../src/engine/time/ist.js";

// April 2025, hand-made: Thu 10th is a holiday with an evening special session
// (Muhurat-like), Mon 14th and Fri 18th are plain holidays, Sat 12th has a drill session.
const cal = new NseCalendar({
  holidays: ["2025-04-10", "2025-04-14", "2025-04-18"],
  specialSessions: [
    { date: "2025-04-10", open: "18:15", close: "19:15", description: "evening session" },
    { date: "2025-04-12", open: "09:15", close: "10:00", description: "drill" },
  ],
  coveredYears: [2025],
});

function daily(date: string, symbol = "X"): Candle {
  return { symbol, timeframe: "1d", time: fromIst(date, "09:15"), open: 100, high: 110, low: 90, close: 105, volume: 1 };
}

function minute(date: string, time: string, symbol = "X"): Candle {
  return { symbol, timeframe: "1m", time: fromIst(date, time), open: 100, high: 100, low: 100, close: 100, volume: 1 };
}

/** Every minute bar of [from, to) IST on a date. */
function minutes(date: string, from: string, to: string, symbol = "X"): Candle[] {
  const out: Candle[] = [];
  for (let t = fromIst(date, from).getTime(); t < fromIst(date, to).getTime(); t += 60_000) {
    out.push({ symbol, timeframe: "1m", time: new Date(t), open: 100, high: 100, low: 100, close: 100, volume: 1 });
  }
  return out;
}

describe("findGaps", () => {
  it("finds nothing for a complete run, with optional special days absent", () => {
    const bars = ["2025-04-07", "2025-04-08", "2025-04-09", "2025-04-11", "2025-04-15", "2025-04-16", "2025-04-17", "2025-04-21"].map((d) =>
      daily(d),
    );
    expect(findGapsWithReport(bars, cal)).toEqual({ gaps: [], unexpected: [] });
  });

  it("accepts bars on optional special-session days", () => {
    const bars = ["2025-04-09", "2025-04-10", "2025-04-11", "2025-04-12", "2025-04-15"].map((d) => daily(d));
    expect(findGapsWithReport(bars, cal)).toEqual({ gaps: [], unexpected: [] });
  });

  it("merges consecutive missing trading days across a weekend and a holiday", () => {
    // Missing Fri 11th and Tue 15th: only the weekend and the 14th holiday lie between.
    const bars = ["2025-04-09", "2025-04-16", "2025-04-17", "2025-04-22", "2025-04-24"].map((d) => daily(d));
    expect(findGaps(bars, cal)).toEqual([
      { symbol: "X", from: "2025-04-11", to: "2025-04-15", missingDays: ["2025-04-11", "2025-04-15"] },
      { symbol: "X", from: "2025-04-21", to: "2025-04-21", missingDays: ["2025-04-21"] },
      { symbol: "X", from: "2025-04-23", to: "2025-04-23", missingDays: ["2025-04-23"] },
    ]);
  });

  it("reports bars on closed days as unexpected, per symbol", () => {
    const bars = [daily("2025-04-11", "A"), daily("2025-04-13", "A"), daily("2025-04-14", "A"), daily("2025-04-15", "A"), daily("2025-04-11", "B"), daily("2025-04-16", "B")];
    const r = findGapsWithReport(bars, cal);
    expect(r.unexpected.map((u) => [u.symbol, u.date])).toEqual([
      ["A", "2025-04-13"],
      ["A", "2025-04-14"],
    ]);
    expect(r.gaps).toEqual([{ symbol: "B", from: "2025-04-15", to: "2025-04-15", missingDays: ["2025-04-15"] }]);
  });

  it("throws for dates outside the calendar's years rather than guessing", () => {
    expect(() => findGaps([daily("2024-12-31"), daily("2025-01-02")], cal)).toThrow(RangeError);
  });

  it("finds no gaps in the shipped RELIANCE daily bars over the calendar's years", () => {
    const calendar = loadNseCalendar();
    const { from } = calendar.coverage();
    const { candles } = loadShippedDaily(NIFTY50_DIR, ["RELIANCE"]);
    // The file starts 2020-10-01; the calendar has no 2020 holiday list.
    const covered = candles.filter((c) => istDate(c.time) >= from);
    expect(covered.length).toBeGreaterThan(1150);
    expect(findGapsWithReport(covered, calendar)).toEqual({ gaps: [], unexpected: [] });
  });
});

describe("findIntradayGaps", () => {
  it("merges missing minutes of a regular day into ranges", () => {
    const bars = minutes("2025-04-09", "09:15", "15:30").filter((b) => {
      const t = istTime(b.time);
      return t !== "09:15" && !(t >= "11:00" && t < "11:05") && t !== "15:29";
    });
    const gaps = findIntradayGaps(bars, cal);
    expect(gaps.map((g) => [g.date, istTime(g.from), istTime(g.to), g.minutes])).toEqual([
      ["2025-04-09", "09:15", "09:15", 1],
      ["2025-04-09", "11:00", "11:04", 5],
      ["2025-04-09", "15:29", "15:29", 1],
    ]);
  });

  it("reports a trading day with no bars whole, skips closed and bar-less optional days", () => {
    const bars = [...minutes("2025-04-09", "09:15", "15:30"), ...minutes("2025-04-15", "09:15", "15:30")];
    const gaps = findIntradayGaps(bars, cal);
    expect(gaps.map((g) => [g.date, istTime(g.from), istTime(g.to), g.minutes])).toEqual([["2025-04-11", "09:15", "15:29", 375]]);
  });

  it("checks a special day against its own windows when it has bars", () => {
    const bars = [
      ...minutes("2025-04-09", "09:15", "15:30"),
      ...minutes("2025-04-10", "18:15", "19:15").filter((b) => istTime(b.time) !== "18:30"),
      ...minutes("2025-04-11", "09:15", "15:30"),
    ];
    const gaps = findIntradayGaps(bars, cal);
    expect(gaps.map((g) => [g.date, istTime(g.from), g.minutes])).toEqual([["2025-04-10", "18:30", 1]]);
  });

  it("groups by symbol", () => {
    const bars = [minute("2025-04-09", "09:15", "A"), ...minutes("2025-04-09", "09:15", "15:30", "B")];
    const gaps = findIntradayGaps(bars, cal);
    expect(gaps.map((g) => [g.symbol, istTime(g.from), istTime(g.to)])).toEqual([["A", "09:16", "15:29"]]);
  });
});

describe("duplicateBars", () => {
  it("lists (symbol, timeframe, time) keys seen more than once", () => {
    const a = daily("2025-04-09", "A");
    const bars = [a, { ...a }, { ...a, close: 1 }, daily("2025-04-09", "B"), { ...a, timeframe: "1w" as const }, daily("2025-04-11", "A")];
    expect(duplicateBars(bars)).toEqual([{ symbol: "A", timeframe: "1d", time: a.time, count: 3 }]);
    expect(duplicateBars([])).toEqual([]);
  });
});
