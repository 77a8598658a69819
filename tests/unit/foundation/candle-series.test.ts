import { describe, expect, it } from "vitest";
import type { Candle, Timeframe } from "../../../src/engine/market/candle.js";
import { CandleSeries } from "../../../src/engine/market/candle-series.js";
import { addDays, fromIst, istDate } from "../../../src/engine/time/ist.js";

function bar(symbol: string, day: number, close = 10000 + day, tf: Timeframe = "1d"): Candle {
  return { symbol, timeframe: tf, time: fromIst(addDays("2025-01-01", day), "09:15"), open: close, high: close + 10, low: close - 10, close, volume: day };
}
const days = (s: CandleSeries, sym: string, tf: Timeframe = "1d") => s.bars(sym, tf).map((c) => istDate(c.time));

describe("CandleSeries", () => {
  it("appends bars in order", () => {
    const s = new CandleSeries();
    for (let d = 0; d < 5; d++) s.add(bar("A", d));
    expect(days(s, "A")).toEqual(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]);
    expect(s.last("A", "1d")!.close).toBe(10004);
  });

  it("puts an out-of-order bar in its place", () => {
    const s = new CandleSeries();
    for (const d of [0, 1, 3, 4]) s.add(bar("A", d));
    s.add(bar("A", 2));
    expect(days(s, "A")).toEqual(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05"]);
    s.add(bar("A", -1)); // before the first
    expect(days(s, "A")[0]).toBe("2024-12-31");
    expect(s.last("A", "1d")!.close).toBe(10004);
  });

  it("replaces a repeated bar instead of duplicating it (last, middle and first)", () => {
    const s = new CandleSeries();
    for (let d = 0; d < 5; d++) s.add(bar("A", d));
    s.add(bar("A", 4, 1)); // last
    s.add(bar("A", 2, 2)); // middle
    s.add(bar("A", 0, 3)); // first
    expect(s.bars("A", "1d")).toHaveLength(5);
    expect(s.bars("A", "1d").map((c) => c.close)).toEqual([3, 10001, 2, 10003, 1]);
  });

  it("stays sorted and unique for any order of adds with repeats", () => {
    const s = new CandleSeries();
    let x = 7;
    const seen = new Map<number, number>();
    for (let i = 0; i < 500; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const d = x % 60;
      s.add(bar("A", d, i + 1));
      seen.set(d, i + 1);
    }
    const got = s.bars("A", "1d");
    expect(got).toHaveLength(seen.size);
    for (let i = 1; i < got.length; i++) expect(got[i]!.time.getTime()).toBeGreaterThan(got[i - 1]!.time.getTime());
    // Each bar is the last one added for its time.
    for (const c of got) {
      const d = Math.round((c.time.getTime() - fromIst("2025-01-01", "09:15").getTime()) / 86_400_000);
      expect(c.close).toBe(seen.get(d));
    }
  });

  it("keeps symbols and timeframes apart", () => {
    const s = new CandleSeries();
    s.add(bar("A", 0));
    s.add(bar("B", 0));
    s.add(bar("B", 1));
    s.add(bar("A", 0, 5, "1w"));
    expect(s.bars("A", "1d")).toHaveLength(1);
    expect(s.bars("B", "1d")).toHaveLength(2);
    expect(s.bars("A", "1w")).toHaveLength(1);
    expect(s.bars("A", "1w")[0]!.close).toBe(5);
    expect(s.bars("C", "1d")).toEqual([]);
    expect(s.last("C", "1d")).toBeUndefined();
    expect(s.symbols("1d")).toEqual(["A", "B"]);
    expect(s.symbols("1w")).toEqual(["A"]);
    expect(s.symbols("1m")).toEqual([]);
  });

  it("handles symbols with special characters (M&M)", () => {
    const s = new CandleSeries();
    s.add(bar("M&M", 1));
    s.add(bar("M&M", 0));
    expect(days(s, "M&M")).toEqual(["2025-01-01", "2025-01-02"]);
    expect(s.symbols("1d")).toEqual(["M&M"]);
  });
});
