/**
 * `dalal scan` in-process: the JSON a trader or a script reads, and a clear
 * refusal (exit 2) for every bad request.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import type { CommandIO } from "../../src/cli/command.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import type { Candle } from "../../src/engine/market/candle.js";
import type { Universe } from "../../src/engine/market/universe.js";
import { ScanError, parseStrategyParams, scanUniverse } from "../../src/engine/scan/scanner.js";
import { STRATEGIES } from "../../src/engine/strategies/registry.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import { fromIst } from "../../src/engine/time/ist.js";

const dir = mkdtempSync(join(tmpdir(), "dalal-scan-"));

async function scan(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: dir };
  const code = await runCli(["scan", ...args], io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("dalal scan --json", () => {
  it("prints AXISBANK's three-week-inside breakout of 18 Oct 2021 in rupees with the +05:30 week opening", async () => {
    const r = await scan(["--strategy", "three-week-inside", "--on", "2021-10-18", "--json"]);
    expect(r.code).toBe(0);
    const signals = JSON.parse(r.out) as Array<Record<string, unknown>>;
    const axis = signals.find((s) => s.symbol === "AXISBANK" && s.kind === "entry");
    expect(axis).toMatchObject({
      strategy: "three-week-inside",
      timeframe: "1w",
      barTime: "2021-10-18T09:15:00+05:30",
      side: "long",
      entry: 813.3,
      stop: 754,
      targets: [902.25, 991.2],
      strength: 100,
    });
    expect((axis!.conditions as Record<string, unknown>).motherWeek).toBe("2021-09-27");
    expect(String(axis!.id).length).toBeLessThanOrEqual(40);
    for (const s of signals) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["id", "strategy", "symbol", "timeframe", "barTime", "side", "entry", "stop", "targets", "strength", "conditions"]));
      expect(s.barTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+05:30$/);
      expect(["long", "short"]).toContain(s.side);
      expect(typeof s.entry).toBe("number");
    }
    expect(r.err).toMatch(/three-week-inside on nifty50 as of the close of 2021-10-18: \d+ signals? from 49 symbols \(JIOFIN has bars from 2023-08-21\)/);
  });

  it("is deterministic: the same scan twice gives the same ids", async () => {
    const a = await scan(["--strategy", "sma-cross", "--on", "2025-09-26", "--json"]);
    const b = await scan(["--strategy", "sma-cross", "--on", "2025-09-26", "--json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).length).toBeGreaterThan(0);
    expect(a.out).toBe(b.out);
  });

  it("defaults banknifty-trend to the NIFTY BANK 75-minute bars and reports every bar of the day", async () => {
    const r = await scan(["--strategy", "banknifty-trend", "--on", "2021-05-21", "--json"]);
    expect(r.code).toBe(0);
    const signals = JSON.parse(r.out) as Array<Record<string, unknown>>;
    expect(signals).toEqual([
      expect.objectContaining({ symbol: "BANKNIFTY", timeframe: "75m", barTime: "2021-05-21T14:15:00+05:30", kind: "entry", unit: 0, entry: 34686.35, stop: 34429.7 }),
    ]);
    expect(r.err).toMatch(/banknifty-trend on banknifty as of the close of 2021-05-21: 1 signal from 1 symbol/);
  });

  it("reads a universe file with comments and blank lines", async () => {
    writeFileSync(join(dir, "mine.txt"), "# my list\nAXISBANK\n\nreliance   # lower case is fine\n");
    const r = await scan(["--strategy", "three-week-inside", "--universe", "mine.txt", "--on", "2021-10-18", "--json"]);
    expect(r.code).toBe(0);
    expect(new Set((JSON.parse(r.out) as Array<{ symbol: string }>).map((s) => s.symbol))).toEqual(new Set(["AXISBANK"]));
    expect(r.err).toMatch(/from 2 symbols/);
  });

  it("prints a readable list without --json", async () => {
    const r = await scan(["--strategy", "three-week-inside", "--on", "2021-10-18"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^three-week-inside on nifty50 as of the close of 2021-10-18: /);
    expect(r.out).toContain("BUY AXISBANK (1w bar 2021-10-18T09:15:00+05:30) at ₹813.30 · stop ₹754.00 · targets ₹902.25, ₹991.20 · strength 100");
  });
});

describe("dalal scan refuses bad requests with exit 2 and names the problem", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["no strategy", [], /missing --strategy; valid: three-week-inside, .*sma-cross/],
    ["an unknown strategy", ["--strategy", "turtle"], /unknown strategy "turtle"; valid: .*three-week-inside/],
    ["an unknown universe", ["--strategy", "sma-cross", "--universe", "sensex"], /universe file sensex does not exist; use nifty50, banknifty or a text file/],
    ["a malformed date", ["--strategy", "sma-cross", "--on", "18-10-2021"], /--on must be a date as YYYY-MM-DD, got "18-10-2021"/],
    ["a date after the data", ["--strategy", "sma-cross", "--on", "2026-01-05"], /--on 2026-01-05 is outside the data: nifty50 1d bars run from 2020-10-01 to 2025-09-30/],
    ["a date before the data", ["--strategy", "banknifty-trend", "--on", "2020-12-31"], /--on 2020-12-31 is outside the data: banknifty 75m bars run from 2021-01-01 to 2023-01-31/],
    ["a holiday", ["--strategy", "sma-cross", "--on", "2024-03-25"], /--on 2024-03-25 is not an NSE trading day; the previous one is 2024-03-22/],
    ["bad parameters", ["--strategy", "sma-cross", "--params", '{"fast":"ten"}'], /invalid parameters for sma-cross: fast: .*defaults: \{"fast":20/],
    ["an unknown parameter", ["--strategy", "sma-cross", "--params", '{"speed":3}'], /invalid parameters for sma-cross: .*speed/],
    ["parameters that are not JSON", ["--strategy", "sma-cross", "--params", "fast=10"], /--params must be a JSON object/],
    ["a volume strategy on an index", ["--strategy", "three-week-inside", "--universe", "banknifty"], /three-week-inside needs volume, and the banknifty universe has none/],
    ["a daily stock list for a 75-minute strategy", ["--strategy", "banknifty-trend", "--universe", "nifty50"], /75-minute bars are shipped for BANKNIFTY only/],
    ["an unknown option", ["--strategy", "sma-cross", "--fast"], /--fast/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await scan(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.out).toBe("");
    });
  }

  it("an unknown symbol in a universe file, naming it", async () => {
    writeFileSync(join(dir, "bad.txt"), "INFY\nNOTASTOCK\n");
    const r = await scan(["--strategy", "sma-cross", "--universe", "bad.txt"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown symbol in bad.txt: NOTASTOCK; shipped symbols: .*RELIANCE/);
  });

  it("an empty universe file", async () => {
    writeFileSync(join(dir, "empty.txt"), "# nothing yet\n\n");
    const r = await scan(["--strategy", "sma-cross", "--universe", "empty.txt"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/universe file empty.txt lists no symbols/);
  });
});

describe("scanUniverse on constructed data", () => {
  const calendar = loadNseCalendar();
  const day = (date: string, close: number): Candle => ({ symbol: "TEST", timeframe: "1d", time: fromIst(date, "09:15"), open: close, high: close + 100, low: close - 100, close, volume: 1000 });
  const universe = (bars: Candle[]): Universe => ({ name: "test", series: new Map([["TEST", bars]]), hasVolume: true });

  it("refuses gapped bars, naming the missing days", () => {
    // 2024-03-26..28 traded; 2024-03-27 is missing.
    const bars = [day("2024-03-22", 10000), day("2024-03-26", 10100), day("2024-03-28", 10200)];
    expect(() => scanUniverse(smaCross, smaCross.defaults, universe(bars), { calendar })).toThrow(ScanError);
    expect(() => scanUniverse(smaCross, smaCross.defaults, universe(bars), { calendar })).toThrow(/TEST has gapped daily bars: no bar on 2024-03-27/);
  });

  it("refuses a symbol without a bar on the scan day", () => {
    const bars = [day("2024-03-21", 10000), day("2024-03-22", 10100), day("2024-03-26", 10200), day("2024-03-27", 10200)];
    const other = [...bars, day("2024-03-28", 10300)].map((b) => ({ ...b, symbol: "OTHER" }));
    const u: Universe = { name: "test", series: new Map([["TEST", bars], ["OTHER", other]]), hasVolume: true };
    expect(() => scanUniverse(smaCross, smaCross.defaults, u, { calendar, on: "2024-03-28" })).toThrow(/TEST has no bar on 2024-03-28 \(its last bar before is 2024-03-27\)/);
  });

  it("parses parameters through each strategy's schema", () => {
    for (const s of STRATEGIES.values()) expect(parseStrategyParams(s, undefined)).toEqual(s.defaults);
    expect(parseStrategyParams(smaCross, '{"fast":10,"slow":30}')).toMatchObject({ fast: 10, slow: 30, stopLookback: 10 });
  });
});
