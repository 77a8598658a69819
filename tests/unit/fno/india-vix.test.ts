import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadBankNifty75m } from "../../../src/engine/market/shipped-data.js";
import { INDIA_VIX_CSV, loadIndiaVix, parseIndiaVixCsv, vixSeries } from "../../../src/engine/fno/india-vix.js";
import { addDays, istDate } from "../../../src/engine/time/ist.js";

const vix = loadIndiaVix();
const HEADER = "Date,Close,High,Low,Open,Volume";

describe("the shipped India VIX file", () => {
  it("spans 2019 to 2024", () => {
    expect(vix.from).toBe("2019-01-01");
    expect(vix.to).toBe("2024-12-31");
    expect(loadIndiaVix()).toBe(vix); // read once
  });

  it("covers 2021-01 to 2023-01 (the Bank Nifty replay) with no gap over a week", () => {
    const rows = parseIndiaVixCsv(readFileSync(INDIA_VIX_CSV, "utf8"), INDIA_VIX_CSV).filter((r) => r.date >= "2020-12-24" && r.date <= "2023-01-31");
    for (let i = 1; i < rows.length; i++) {
      expect(addDays(rows[i - 1]!.date, 7) >= rows[i]!.date, `${rows[i - 1]!.date} → ${rows[i]!.date}`).toBe(true);
    }
    for (let d = "2021-01-01"; d <= "2023-01-31"; d = addDays(d, 1)) expect(vix.on(d), d).toBeGreaterThan(0);
    for (const bar of loadBankNifty75m().candles) expect(vix.on(istDate(bar.time))).toBeGreaterThan(5);
  });

  it("agrees with NSE's own India VIX closes where the two overlap (2019-2020) to Yahoo's 2 decimals", () => {
    // From NSE's historical India VIX download (DD-MM-YYYY,Open,High,Low,Close,...; 4 decimals), 2009-2020 file.
    const nse: Record<string, number> = {
      "2019-01-01": 15.325,
      "2019-05-23": 19.405, // general election results
      "2019-12-31": 11.6675,
      "2020-03-16": 58.875,
      "2020-03-24": 83.6075, // the series' high, as the Covid lockdown began
      "2020-04-15": 49.735,
      "2020-05-08": 38.4075,
    };
    for (const [date, close] of Object.entries(nse)) expect(Math.abs(vix.on(date)! - close), date).toBeLessThanOrEqual(0.0050001);
  });
});

describe("VixSeries.on", () => {
  it("is the close of that day, kept to 2 decimals", () => {
    expect(vix.on("2022-12-05")).toBe(13.73); // 13.729999542236328 in the file
    expect(vix.on("2019-01-01")).toBe(15.33);
  });

  it("takes the latest close before a day without a row", () => {
    expect(vix.on("2022-12-04")).toBe(vix.on("2022-12-02")); // Sunday
    expect(vix.on("2022-12-26")).toBe(vix.on("2022-12-23")); // a trading day the file lacks
  });

  it("is undefined before the first row and once the last row is over 7 days old", () => {
    expect(vix.on("2018-12-31")).toBeUndefined();
    expect(vix.on("2025-01-07")).toBe(vix.on("2024-12-31"));
    expect(vix.on("2025-01-08")).toBeUndefined();
    const s = vixSeries([
      { date: "2022-01-03", close: 17 },
      { date: "2022-01-20", close: 19 },
    ]);
    expect(s.on("2022-01-10")).toBe(17);
    expect(s.on("2022-01-11")).toBeUndefined(); // a hole in the data is no answer either
    expect(s.on("2022-01-20")).toBe(19);
  });

  it("refuses a bad date", () => {
    expect(() => vix.on("2022-13-01")).toThrow(/not a date/);
  });
});

describe("parseIndiaVixCsv and loadIndiaVix on a bad file", () => {
  const dir = mkdtempSync(join(tmpdir(), "dalal-vix-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const parse = (lines: string[]) => () => parseIndiaVixCsv([HEADER, ...lines].join("\n"), "vix.csv");

  it("names file and line for each kind of bad row", () => {
    expect(parse(["2022-01-03,17.1,18,16,17,0", "2022-01-32,17,18,16,17,0"])).toThrow(/vix\.csv:3: Date is not a date/);
    expect(parse(["2022-01-03,null,18,16,17,0"])).toThrow(/vix\.csv:2: Close is not an India VIX level/);
    expect(parse(["2022-01-03,,18,16,17,0"])).toThrow(/vix\.csv:2: Close/);
    expect(parse(["2022-01-03,-3,18,16,17,0"])).toThrow(/vix\.csv:2: Close/);
    expect(parse(["2022-01-03,17,18,16,17"])).toThrow(/vix\.csv:2: expected 6 columns/);
    expect(parse(["2022-01-04,17,18,16,17,0", "2022-01-03,17,18,16,17,0"])).toThrow(/vix\.csv:3: 2022-01-03 is not after/);
    expect(parse(["2022-01-04,17,18,16,17,0", "2022-01-04,17,18,16,17,0"])).toThrow(/vix\.csv:3/);
    expect(parse([])).toThrow(/vix\.csv: no rows/);
    expect(() => parseIndiaVixCsv("Date,Open,High,Low,Close\n", "vix.csv")).toThrow(/vix\.csv:1: unexpected header/);
  });

  it("loads another file by path, naming it in errors", () => {
    const good = join(dir, "good.csv");
    writeFileSync(good, `${HEADER}\n2022-01-03,17.254,18,16,17,0\n`);
    expect(loadIndiaVix(good).on("2022-01-04")).toBe(17.25);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, `${HEADER}\n2022-01-03,x,18,16,17,0\n`);
    expect(() => loadIndiaVix(bad)).toThrow(`${bad}:2: Close`);
  });
});
