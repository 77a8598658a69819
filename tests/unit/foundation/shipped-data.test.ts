import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NIFTY50_DIR, loadShippedDaily, parseDailyCsv, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { istDate, istTime } from "../../../src/engine/time/ist.js";

const HEADER = "timestamp,open,high,low,close,volume,oi";

describe("parseDailyCsv", () => {
  it("parses rows into 1d candles at 09:15 IST with prices in paise", () => {
    const text = `${HEADER}\n2020-10-01 00:00:00+05:30,1078.9,1078.9,1055.2,1060.55,20124778,0\n2020-10-05 00:00:00+05:30,1069.5,1071.95,1051.4,1054.3,18323314,0\n`;
    const r = parseDailyCsv("RELIANCE", text);
    expect(r.skipped).toEqual([]);
    expect(r.candles).toHaveLength(2);
    const c = r.candles[0]!;
    expect(c).toEqual({
      symbol: "RELIANCE",
      timeframe: "1d",
      time: new Date("2020-10-01T03:45:00.000Z"),
      open: 107890,
      high: 107890,
      low: 105520,
      close: 106055,
      volume: 20124778,
    });
    expect(r.candles[1]!.high).toBe(107195);
  });

  it("accepts CRLF line endings and blank lines", () => {
    const text = `${HEADER}\r\n2021-01-01 00:00:00+05:30,10,11,9,10.5,100,0\r\n\r\n2021-01-04 00:00:00+05:30,10.5,12,10,11,200,0\r\n`;
    const r = parseDailyCsv("X", text);
    expect(r.skipped).toEqual([]);
    expect(r.candles.map((c) => c.close)).toEqual([1050, 1100]);
  });

  it("rejects a bad header with a message naming the file", () => {
    expect(() => parseDailyCsv("X", "date,open,high,low,close\n2021-01-01,1,1,1,1\n", "X.csv")).toThrow(/X\.csv/);
    expect(() => parseDailyCsv("X", "", "EMPTY.csv")).toThrow(/EMPTY\.csv/);
    expect(() => parseDailyCsv("X", "timestamp,open,high,low,close,volume\n", "SHORT.csv")).toThrow(/SHORT\.csv: unexpected header/);
  });

  it("skips bad rows with file:line reasons and keeps the good ones", () => {
    const text = [
      HEADER,
      "2021-01-01 00:00:00+05:30,10,11,9,10.5,100,0", // line 2: good
      "2021-02-30 00:00:00+05:30,10,11,9,10.5,100,0", // line 3: no such date
      "not-a-date,10,11,9,10.5,100,0", // line 4
      "2021-01-05 00:00:00+05:30,10,9,11,10.5,100,0", // line 5: high below low
      "2021-01-06 00:00:00+05:30,abc,11,9,10.5,100,0", // line 6: non-numeric open
      "2021-01-07 00:00:00+05:30,10,11,9,10.5,lots,0", // line 7: non-numeric volume
      "2021-01-08 00:00:00+05:30,10,11,9,0,100,0", // line 8: zero close
      "2021-01-11 00:00:00+05:30,10,11,9", // line 9: missing close
      "2021-01-12 00:00:00+05:30,10,11,9,10.5,100,0", // line 10: good
    ].join("\n");
    const r = parseDailyCsv("X", text, "X.csv");
    expect(r.candles.map((c) => istDate(c.time))).toEqual(["2021-01-01", "2021-01-12"]);
    expect(r.skipped).toHaveLength(7);
    expect(r.skipped.map((s) => s.split(": ")[0])).toEqual(["X.csv:3", "X.csv:4", "X.csv:5", "X.csv:6", "X.csv:7", "X.csv:8", "X.csv:9"]);
    expect(r.skipped[0]).toContain("bad date");
    expect(r.skipped[0]).toContain("2021-02-30");
    expect(r.skipped[1]).toContain("bad date");
    expect(r.skipped[2]).toMatch(/OHLC out of order/);
    expect(r.skipped[3]).toMatch(/abc/);
    expect(r.skipped[4]).toMatch(/volume/);
    expect(r.skipped[5]).toMatch(/positive/);
  });

  it("rejects a close outside the high-low range", () => {
    const r = parseDailyCsv("X", `${HEADER}\n2021-01-01 00:00:00+05:30,10,11,9,12,100,0\n`, "X.csv");
    expect(r.candles).toEqual([]);
    expect(r.skipped).toEqual([expect.stringMatching(/^X\.csv:2: OHLC out of order/)]);
  });

  it("names the source as the symbol when no file name is given", () => {
    const r = parseDailyCsv("ABC", `${HEADER}\nbad,1,1,1,1,1,0\n`);
    expect(r.skipped[0]!.startsWith("ABC:2: ")).toBe(true);
  });
});

describe("loadShippedDaily", () => {
  const all = loadShippedDaily();

  it("loads every shipped row with nothing skipped", () => {
    expect(all.skipped).toEqual([]);
    // Independent count: data lines of every CSV file.
    let rows = 0;
    for (const f of readdirSync(NIFTY50_DIR).filter((n) => n.endsWith(".csv"))) {
      rows += readFileSync(join(NIFTY50_DIR, f), "utf8").split("\n").filter((l) => l.trim() !== "").length - 1;
    }
    expect(rows).toBe(61135);
    // 48 symbols × 1,241 days + ETERNAL (1,041) + JIOFIN (526).
    expect(48 * 1241 + 1041 + 526).toBe(61135);
    expect(all.candles).toHaveLength(61135);
  });

  it("has 50 symbols including M&M", () => {
    const symbols = shippedSymbols();
    expect(symbols).toHaveLength(50);
    expect(symbols).toContain("M&M");
    expect(symbols).toContain("BAJAJ-AUTO");
    expect(new Set(all.candles.map((c) => c.symbol))).toEqual(new Set(symbols));
    expect(all.candles.filter((c) => c.symbol === "M&M")).toHaveLength(1241);
    expect(all.candles.filter((c) => c.symbol === "ETERNAL")).toHaveLength(1041);
    expect(all.candles.filter((c) => c.symbol === "JIOFIN")).toHaveLength(526);
  });

  it("every bar opens at 09:15 IST on a weekday, 2020-10-01 to 2025-09-30", () => {
    const bad = all.candles.filter((c) => istTime(c.time) !== "09:15" || c.time.getUTCSeconds() !== 0 || c.time.getUTCMilliseconds() !== 0);
    expect(bad).toEqual([]);
    const dates = all.candles.map((c) => istDate(c.time)).sort();
    expect(dates[0]).toBe("2020-10-01");
    expect(dates[dates.length - 1]).toBe("2025-09-30");
    const weekend = all.candles.filter((c) => {
      const d = new Date(`${istDate(c.time)}T00:00:00Z`).getUTCDay();
      return d === 0 || d === 6;
    });
    // Weekend sessions in the range: Muhurat trading on 2020-11-14 (Sat) and 2023-11-12 (Sun), the
    // 2024-01-20 make-up session, the 2024-03-02 and 2024-05-18 DR drills, the 2025-02-01 budget day.
    const weekendDays = [...new Set(weekend.map((c) => istDate(c.time)))].sort();
    expect(weekendDays).toEqual(["2020-11-14", "2023-11-12", "2024-01-20", "2024-03-02", "2024-05-18", "2025-02-01"]);
  });

  it("has no duplicate (symbol, time)", () => {
    const keys = new Set(all.candles.map((c) => `${c.symbol}|${c.time.getTime()}`));
    expect(keys.size).toBe(all.candles.length);
  });

  it("every bar is sound: positive integer paise, low ≤ open/close ≤ high, volume ≥ 0", () => {
    const bad = all.candles.filter(
      (c) =>
        ![c.open, c.high, c.low, c.close].every((p) => Number.isInteger(p) && p > 0) ||
        c.low > Math.min(c.open, c.close) ||
        c.high < Math.max(c.open, c.close) ||
        !(c.volume >= 0),
    );
    expect(bad).toEqual([]);
  });

  it("is in time order within each symbol", () => {
    const last = new Map<string, number>();
    for (const c of all.candles) {
      const t = c.time.getTime();
      expect(t).toBeGreaterThan(last.get(c.symbol) ?? -Infinity);
      last.set(c.symbol, t);
    }
  });

  it("matches the first RELIANCE row of the file", () => {
    const first = all.candles.find((c) => c.symbol === "RELIANCE")!;
    // 2020-10-01 00:00:00+05:30,1078.9,1078.9,1055.2,1060.55,20124778,0
    expect(istDate(first.time)).toBe("2020-10-01");
    expect([first.open, first.high, first.low, first.close, first.volume]).toEqual([107890, 107890, 105520, 106055, 20124778]);
  });

  it("loads a chosen subset", () => {
    const r = loadShippedDaily(NIFTY50_DIR, ["M&M", "TCS"]);
    expect(r.candles).toHaveLength(2 * 1241);
    expect(new Set(r.candles.map((c) => c.symbol))).toEqual(new Set(["M&M", "TCS"]));
  });
});
