import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { angelDateTime, candleWindows, fetchRange, rowsToCandles, toTimeframe } from "../../../src/engine/execution/angelone/candles.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const parse = (s: string): number => {
  const [d, t] = s.split(" ");
  return fromIst(d!, t!).getTime();
};

describe("candleWindows", () => {
  it("cover from..to minute by minute, with no gap and no overlap, each within the day limit", () => {
    const start = fromIst("2020-01-01").getTime();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 0, max: 800 * 1440 }), fc.integer({ min: 1, max: 400 }), (offsetMin, spanMin, maxDays) => {
        const from = new Date(start + offsetMin * 60_000);
        const to = new Date(from.getTime() + spanMin * 60_000);
        const w = candleWindows(from, to, maxDays);
        expect(parse(w[0]!.fromdate)).toBe(from.getTime());
        expect(parse(w.at(-1)!.todate)).toBe(to.getTime());
        for (let i = 0; i < w.length; i++) {
          const a = parse(w[i]!.fromdate);
          const b = parse(w[i]!.todate);
          expect(b).toBeGreaterThanOrEqual(a);
          expect(b - a).toBeLessThan(maxDays * 86_400_000);
          if (i > 0) expect(a - parse(w[i - 1]!.todate)).toBe(60_000);
        }
      }),
    );
  });

  it("write IST wall time as getCandleData takes it", () => {
    expect(angelDateTime(fromIst("2025-01-03", "09:15"))).toBe("2025-01-03 09:15");
    expect(candleWindows(fromIst("2025-01-01", "09:15"), fromIst("2025-03-01", "15:30"), 30)).toEqual([
      { fromdate: "2025-01-01 09:15", todate: "2025-01-31 09:14" },
      { fromdate: "2025-01-31 09:15", todate: "2025-03-01 15:30" },
    ]);
  });
});

describe("rowsToCandles", () => {
  it("daily rows stamped at midnight open at 09:15 IST; prices in paise", () => {
    const r = rowsToCandles([["2025-01-02T00:00:00+05:30", 1221.5, 1230, 1215.05, 1225.1, 1000]], "RELIANCE", "ONE_DAY");
    expect(r.skipped).toEqual([]);
    expect(r.candles).toEqual([{ symbol: "RELIANCE", timeframe: "1d", time: fromIst("2025-01-02", "09:15"), open: 122_150, high: 123_000, low: 121_505, close: 122_510, volume: 1000 }]);
  });

  it("skips rows that are not bars, saying why", () => {
    const r = rowsToCandles(
      [
        ["not a time", 1, 1, 1, 1, 0],
        ["2025-01-02T09:15:00+05:30", 10, 9, 11, 10, 0],
      ],
      "X",
      "ONE_MINUTE",
    );
    expect(r.candles).toEqual([]);
    expect(r.skipped).toEqual(["X not a time: not a time", "X 2025-01-02T09:15:00+05:30: OHLC out of order (low above open/close or high below)"]);
  });
});

describe("fetchRange and toTimeframe", () => {
  it("a 75-minute bar is built whole from the 15-minute bars after its open; a bar cut short at the start is left out", () => {
    const day = "2025-01-03";
    const rows = ["09:15", "09:30", "09:45", "10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30"].map(
      (t, i) => [`${day}T${t}:00+05:30`, 100 + i, 101 + i, 99 + i, 100.5 + i, 10] as const,
    );
    const bars = rowsToCandles(rows, "BANKNIFTY", "FIFTEEN_MINUTE").candles;
    const from = fromIst(day, "09:30");
    const to = fromIst(day, "10:30");
    const range = fetchRange("75m", from, to);
    expect(range.to.getTime()).toBeGreaterThanOrEqual(fromIst(day, "11:30").getTime());
    const out = toTimeframe(bars, "75m", from, to);
    expect(out).toEqual([{ symbol: "BANKNIFTY", timeframe: "75m", time: fromIst(day, "10:30"), open: 10_500, high: 11_000, low: 10_400, close: 10_950, volume: 50 }]);
  });

  it("a week is fetched from six days before to six days after, whole days", () => {
    const r = fetchRange("1w", fromIst("2025-01-08", "09:15"), fromIst("2025-01-22", "09:15"));
    expect(r).toEqual({ from: fromIst("2025-01-02"), to: fromIst("2025-01-28", "23:59") });
    expect(fetchRange("1d", fromIst("2025-01-08", "09:15"), fromIst("2025-01-09", "09:15"))).toEqual({ from: fromIst("2025-01-08"), to: fromIst("2025-01-09", "23:59") });
  });

  it("duplicates from overlapping answers count once", () => {
    const rows = [["2025-01-02T00:00:00+05:30", 10, 11, 9, 10, 5] as const];
    const bars = [...rowsToCandles(rows, "X", "ONE_DAY").candles, ...rowsToCandles(rows, "X", "ONE_DAY").candles];
    expect(toTimeframe(bars, "1d", fromIst("2025-01-01"), fromIst("2025-01-03"))).toHaveLength(1);
  });
});
