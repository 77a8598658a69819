/**
 * Morning features on the shipped data, checked against the CSV rows by hand
 * (the rows are quoted), and ADX against technicalindicators' own ADX.
 */
import { ADX } from "technicalindicators";
import { describe, expect, it } from "vitest";
import { shippedRegimeHistory } from "../../../src/engine/intelligence/regime/detector.js";
import { morningFeatures, type MorningFeatures } from "../../../src/engine/intelligence/regime/features.js";
import { MUHURAT_BARS, loadNiftyIndex } from "../../../src/engine/intelligence/regime/nifty-index.js";
import { loadVixHistory, mergeVixRows } from "../../../src/engine/intelligence/regime/vix-history.js";
import { loadNseCalendar } from "../../../src/engine/market/calendar.js";

const history = shippedRegimeHistory();

function features(date: string, sentiment?: number): MorningFeatures {
  const r = morningFeatures({ date, barsBefore: history.barsBefore(date), open: history.openOn(date), vixBefore: history.vixBefore(date), ...(sentiment === undefined ? {} : { sentiment }) });
  if ("unknown" in r) throw new Error(r.reason);
  return r.features;
}

/** The mean volume of the 20 rows before the previous day, from the CSV (2023-02-13 .. 2023-03-13). */
function volumeAverage(from: string, to: string): number {
  const rows = loadNiftyIndex().filter((b) => b.date >= from && b.date <= to);
  expect(rows).toHaveLength(20);
  return rows.reduce((s, b) => s + b.volume, 0) / 20;
}

describe("morningFeatures on the shipped NIFTY 50 and India VIX files", () => {
  it("2023-03-15 (VIX from the 2019-2024 file)", () => {
    // nifty50: 2023-03-14,17043.30078125,17224.650390625,16987.099609375,17160.55078125,290600   (date,close,high,low,open,volume)
    //          2023-03-15,16972.150390625,17211.349609375,16938.900390625,17166.44921875,248200
    // VIX:     2023-03-14,16.219999313354492,...   (Date,Close,...)
    const f = features("2023-03-15");
    expect(f.gapPct).toBeCloseTo(((17166.45 - 17043.3) / 17043.3) * 100, 10);
    expect(f.prevRangePct).toBeCloseTo(((17224.65 - 16987.1) / 17043.3) * 100, 10);
    expect(f.volumeRatio).toBeCloseTo(290600 / volumeAverage("2023-02-13", "2023-03-13"), 10);
    expect(f.vix).toBe(16.22);
    expect(f.sentiment).toBe(0);
  });

  it("2016-06-15 (VIX from NSE's 2009-2020 file)", () => {
    // nifty50: 2016-06-14,8108.85009765625,8134.9501953125,8069.5,8134.39990234375,145500
    //          2016-06-15,8206.599609375,8213.2001953125,8123.14990234375,8139.39990234375,169800
    // VIX:     14-06-2016,16.5825,17.5375,14.91,17.19,...   (Date,Open,High,Low,Close,...)
    const f = features("2016-06-15", 0.4);
    expect(f.gapPct).toBeCloseTo(((8139.4 - 8108.85) / 8108.85) * 100, 10);
    expect(f.prevRangePct).toBeCloseTo(((8134.95 - 8069.5) / 8108.85) * 100, 10);
    expect(f.volumeRatio).toBeCloseTo(145500 / volumeAverage("2016-05-17", "2016-06-13"), 10);
    expect(f.vix).toBe(17.19);
    expect(f.sentiment).toBe(0.4);
  });

  it("ADX(14) equals technicalindicators' ADX over the same bars", () => {
    for (const date of ["2016-06-15", "2023-03-15", "2024-12-31"]) {
      const bars = history.barsBefore(date);
      const lib = ADX.calculate({ period: 14, high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: bars.map((b) => b.close) });
      expect(features(date).adx14).toBeCloseTo(lib[lib.length - 1]!.adx, 8);
    }
  });

  it("a zero-volume previous day gives a null volume ratio, not NaN", () => {
    // 2024-07-01 has volume 0 in the source.
    expect(loadNiftyIndex().find((b) => b.date === "2024-07-01")!.volume).toBe(0);
    expect(features("2024-07-02").volumeRatio).toBeNull();
  });

  it("says why a feature is unknown", () => {
    const unknown = (date: string) => morningFeatures({ date, barsBefore: history.barsBefore(date), open: history.openOn(date), vixBefore: history.vixBefore(date) });
    expect(unknown("2007-09-17")).toEqual({ unknown: true, reason: "unknown: no Nifty bar before 2007-09-17" });
    expect(unknown("2025-01-01")).toEqual({ unknown: true, reason: "unknown: no Nifty open on 2025-01-01" });
    expect(unknown("2008-06-02")).toEqual({ unknown: true, reason: "unknown: no India VIX close before 2008-06-02" });
    const early = morningFeatures({ date: "2007-10-01", barsBefore: history.barsBefore("2007-10-01"), open: 5000, vixBefore: 20 });
    expect(early).toEqual({ unknown: true, reason: "unknown: ADX(14) needs 28 Nifty bars before 2007-10-01, there are 10" });
  });
});

describe("the regime's history files", () => {
  it("VIX: NSE's file up to 2020-05-08, the Yahoo file after", () => {
    const vix = loadVixHistory();
    expect(vix.from).toBe("2009-03-02");
    expect(vix.to).toBe("2024-12-31");
    expect(vix.on("2020-05-08")).toBe(38.4075); // NSE's 4 decimals
    expect(vix.on("2020-05-11")).toBeGreaterThan(0);
    expect(mergeVixRows([{ date: "2020-01-02", close: 1 }], [{ date: "2020-01-02", close: 2 }, { date: "2020-01-03", close: 3 }])).toEqual([
      { date: "2020-01-02", close: 1 },
      { date: "2020-01-03", close: 3 },
    ]);
  });

  it("NIFTY 50 bars: the Muhurat sessions left out are special sessions of the calendar, and every covered trading day has a bar", () => {
    const cal = loadNseCalendar();
    for (const d of MUHURAT_BARS.filter((d) => cal.isCovered(d))) expect(cal.session(d)?.kind, d).toBe("special");
    const dates = new Set(loadNiftyIndex().map((b) => b.date));
    for (const d of MUHURAT_BARS) expect(dates.has(d)).toBe(false);
    let tradingDays = 0;
    for (const d of dates) if (d >= "2020-01-01") expect(cal.isTradingDay(d), d).toBe(true);
    for (let d = "2020-01-01"; d <= "2024-12-31"; d = new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)) {
      if (cal.isTradingDay(d)) {
        tradingDays++;
        expect(dates.has(d), d).toBe(true);
      }
    }
    expect(tradingDays).toBeGreaterThan(1200);
  });
});
