/**
 * `dalal backtest` in-process: the files it writes are byte-identical run to run,
 * its metrics can be recomputed from its own trades.csv and equity.csv, and bad
 * requests exit 2 naming the problem.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import type { CommandIO } from "../../src/cli/command.js";

const dir = mkdtempSync(join(tmpdir(), "dalal-backtest-"));

async function dalal(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, cwd: dir, isTTY: false };
  const code = await runCli(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

const ARGS = ["backtest", "--strategy", "three-week-inside", "--from", "2022-01-01", "--to", "2023-12-29", "--capital", "500000"];

describe("dalal backtest", () => {
  let metrics: Record<string, number | null>;

  beforeAll(async () => {
    const a = await dalal([...ARGS, "--json", "--out", "run-a"]);
    expect(a.err).toBe("");
    expect(a.code).toBe(0);
    metrics = JSON.parse(a.out);
    const b = await dalal([...ARGS, "--json", "--out", "run-b"]);
    expect(b.code).toBe(0);
  }, 120_000);

  it("prints the metrics JSON with exactly the promised keys", () => {
    expect(Object.keys(metrics)).toEqual([
      "startingCapital", "endingCapital", "cagrPct", "maxDrawdownPct", "maxDrawdownDays", "sharpe", "sortino", "calmar",
      "winRatePct", "profitFactor", "expectancy", "avgR", "exposurePct", "trades", "totalCharges", "turnover",
    ]);
    expect(metrics.startingCapital).toBe(500000);
    expect(metrics.trades).toBeGreaterThan(5);
    for (const v of Object.values(metrics)) if (v !== null) expect(Number.isFinite(v)).toBe(true);
  });

  it("writes byte-identical files on two runs with the same inputs", () => {
    for (const f of ["metrics.json", "trades.csv", "equity.csv", "equity.png"]) {
      expect(readFileSync(join(dir, "run-a", f)).equals(readFileSync(join(dir, "run-b", f))), f).toBe(true);
    }
    const png = readFileSync(join(dir, "run-a", "equity.png"));
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  });

  it("has metrics a trader can recompute from its own trades.csv and equity.csv", () => {
    const trades = readFileSync(join(dir, "run-a", "trades.csv"), "utf8").trim().split("\n");
    expect(trades[0]).toBe("symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason");
    const rows = trades.slice(1).map((l) => l.split(","));
    const paise = (s: string) => Math.round(Number(s) * 100);
    const net = rows.map((r) => paise(r[9]!));
    expect(rows.length).toBe(metrics.trades);
    expect(net.reduce((a, b) => a + b, 0)).toBe(paise(String(metrics.endingCapital)) - paise(String(metrics.startingCapital)));
    expect(rows.reduce((a, r) => a + paise(r[8]!), 0)).toBe(paise(String(metrics.totalCharges)));
    const wins = net.filter((n) => n > 0);
    const losses = net.filter((n) => n < 0);
    expect(metrics.winRatePct).toBeCloseTo((wins.length / rows.length) * 100, 4);
    expect(metrics.profitFactor).toBeCloseTo(wins.reduce((a, b) => a + b, 0) / -losses.reduce((a, b) => a + b, 0), 4);
    expect(metrics.expectancy).toBeCloseTo(net.reduce((a, b) => a + b, 0) / rows.length / 100, 2);
    // Every trade is gross − charges = net, to the paisa.
    for (const r of rows) expect(paise(r[7]!) - paise(r[8]!)).toBe(paise(r[9]!));

    const equity = readFileSync(join(dir, "run-a", "equity.csv"), "utf8").trim().split("\n");
    expect(equity[0]).toBe("date,equity,drawdownPct");
    const eq = equity.slice(1).map((l) => Number(l.split(",")[1]));
    expect(eq[0]).toBe(500000);
    expect(eq.at(-1)).toBe(metrics.endingCapital);
    let peak = -Infinity;
    let maxDd = 0;
    for (const e of eq) {
      peak = Math.max(peak, e);
      maxDd = Math.max(maxDd, ((peak - e) / peak) * 100);
    }
    expect(metrics.maxDrawdownPct).toBeCloseTo(maxDd, 3);
    const daily = eq.slice(1).map((e, i) => e / eq[i]! - 1);
    const mean = daily.reduce((a, b) => a + b, 0) / daily.length;
    const sd = Math.sqrt(daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (daily.length - 1));
    expect(metrics.sharpe).toBeCloseTo((mean / sd) * Math.sqrt(252), 3);
  });

  it("closes what is still open on the last day with exit reason end_of_test", async () => {
    // AXISBANK breaks out on 2021-10-18; a test ending two days later still holds it.
    const r = await dalal(["backtest", "--strategy", "three-week-inside", "--from", "2021-10-01", "--to", "2021-10-20", "--json", "--out", "short"]);
    expect(r.code).toBe(0);
    const rows = readFileSync(join(dir, "short", "trades.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows.some((l) => l.startsWith("AXISBANK,long,2021-10-19T09:15:00+05:30,") && l.endsWith(",end_of_test"))).toBe(true);
  });

  it("prints a readable summary without --json", async () => {
    const r = await dalal(["backtest", "--strategy", "sma-cross", "--from", "2024-01-01", "--to", "2024-03-28"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Strategy\s+sma-cross on nifty50, 2024-01-01 to 2024-03-28$/m);
    expect(r.out).toMatch(/^Capital\s+₹4,00,000\.00 → ₹[\d,]+\.\d\d$/m);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ["an unknown strategy", ["--strategy", "turtle", "--from", "2024-01-01", "--to", "2024-02-01"], /unknown strategy "turtle"; valid: /],
    ["a missing --to", ["--strategy", "sma-cross", "--from", "2024-01-01"], /missing --to/],
    ["from after to", ["--strategy", "sma-cross", "--from", "2024-05-01", "--to", "2024-02-01"], /--from 2024-05-01 is after --to 2024-02-01/],
    ["dates outside the data", ["--strategy", "sma-cross", "--from", "2030-01-01", "--to", "2030-02-01"], /outside the data: nifty50 1d bars run from 2020-10-01 to 2025-09-30/],
    ["a bad capital", ["--strategy", "sma-cross", "--from", "2024-01-01", "--to", "2024-02-01", "--capital", "4L"], /--capital must be rupees/],
    ["bad parameters", ["--strategy", "sma-cross", "--from", "2024-01-01", "--to", "2024-02-01", "--params", '{"fast":1}'], /invalid parameters for sma-cross: fast/],
  ];
  for (const [what, args, message] of bad) {
    it(`refuses ${what} with exit 2`, async () => {
      const r = await dalal(["backtest", ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }
});

describe("dalal backtest on Bank Nifty", () => {
  it("trades it as synthetic futures and labels the option prices as modelled", async () => {
    const text = await dalal(["backtest", "--strategy", "banknifty-trend", "--from", "2021-03-01", "--to", "2021-12-31"]);
    expect(text.err).toBe("");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Instrument +synthetic futures \(bought ATM call \+ sold ATM put, monthly\); option prices MODELLED: Black-Scholes on India VIX, rate 6\.5%$/m);
    expect(text.out).toMatch(/^Theoretical \/ actual +-?₹[\d,.]+ \/ -?₹[\d,.]+ \(divergence [\d.]+% of capital\)$/m);
    expect(text.out).toMatch(/^Capital +₹50,00,000\.00 → /m);
    const json = await dalal(["backtest", "--strategy", "banknifty-trend", "--from", "2021-03-01", "--to", "2021-12-31", "--json"]);
    const m = JSON.parse(json.out) as { synthetic: { modelled: boolean; bases: { signalled: number; executed: number } } };
    expect(m.synthetic.modelled).toBe(true);
    expect(m.synthetic.bases.signalled).toBeGreaterThan(0);
    expect(m.synthetic.bases.executed).toBeGreaterThan(0);
  }, 60_000);
});
