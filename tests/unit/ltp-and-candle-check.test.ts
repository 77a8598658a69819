import { describe, expect, it } from "vitest";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import type { Candle } from "../../src/engine/market/candle.js";
import { checkCandles } from "../../src/engine/market/candle-check.js";
import { LtpCache } from "../../src/engine/market/ltp-cache.js";
import { loadBankNifty75m, loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { fromIst } from "../../src/engine/time/ist.js";

describe("LtpCache", () => {
  it("keeps the newest price and refuses to move back in time", () => {
    const ltp = new LtpCache();
    expect(ltp.set("INFY", 150_000, fromIst("2024-03-26", "10:00"))).toBe(true);
    expect(ltp.set("INFY", 151_000, fromIst("2024-03-26", "10:01"))).toBe(true);
    // A late report of an earlier trade does not overwrite.
    expect(ltp.set("INFY", 149_000, fromIst("2024-03-26", "09:59"))).toBe(false);
    expect(ltp.get("INFY")).toEqual({ price: 151_000, at: fromIst("2024-03-26", "10:01") });
    expect(ltp.price("TCS")).toBeUndefined();
    expect(ltp.size).toBe(1);
  });

  it("names the symbols gone quiet, and snapshots prices for marking", () => {
    const ltp = new LtpCache();
    ltp.set("INFY", 150_000, fromIst("2024-03-26", "10:00"));
    ltp.set("TCS", 390_000, fromIst("2024-03-26", "10:04"));
    expect(ltp.stale(fromIst("2024-03-26", "10:05"), 3 * 60_000)).toEqual(["INFY"]);
    expect(ltp.stale(fromIst("2024-03-26", "10:05"), 10 * 60_000)).toEqual([]);
    expect([...ltp.snapshot()]).toEqual([["INFY", 150_000], ["TCS", 390_000]]);
  });

  it("refuses a price that is not whole positive paise", () => {
    const ltp = new LtpCache();
    expect(() => ltp.set("INFY", 1500.5, new Date())).toThrow(/INFY.*positive whole number of paise/);
    expect(() => ltp.set("INFY", 0, new Date())).toThrow(RangeError);
  });
});

describe("checkCandles", () => {
  const calendar = loadNseCalendar();
  const bar = (symbol: string, date: string, time = "09:15", tf: Candle["timeframe"] = "1d"): Candle => ({ symbol, timeframe: tf, time: fromIst(date, time), open: 100, high: 110, low: 90, close: 105, volume: 10 });

  it("finds nothing wrong in the shipped data", () => {
    expect(checkCandles(loadShippedDaily(undefined, ["RELIANCE", "M&M"]).candles, "1d", calendar)).toEqual([]);
    expect(checkCandles(loadBankNifty75m().candles, "75m", calendar)).toEqual([]);
  });

  it("reports missing trading days and a bar on a holiday, per symbol", () => {
    // 2024-03-25 was Holi; 2024-03-26 and 27 traded.
    const bars = [bar("A", "2024-03-22"), bar("A", "2024-03-25"), bar("A", "2024-03-28"), bar("B", "2024-03-22"), bar("B", "2024-03-26")];
    expect(checkCandles(bars, "1d", calendar)).toEqual([
      { symbol: "A", timeframe: "1d", text: "no 1d bars on 2 trading days: 2024-03-26, 2024-03-27" },
      { symbol: "A", timeframe: "1d", text: "a bar on 2024-03-25, when NSE had no session" },
    ]);
  });

  it("checks intraday bars day by day", () => {
    const bars = [bar("BANKNIFTY", "2024-03-21", "09:15", "75m"), bar("BANKNIFTY", "2024-03-21", "10:30", "75m"), bar("BANKNIFTY", "2024-03-26", "09:15", "75m")];
    expect(checkCandles(bars, "75m", calendar)).toEqual([{ symbol: "BANKNIFTY", timeframe: "75m", text: "no 75m bars on 1 trading day: 2024-03-22" }]);
  });
});
