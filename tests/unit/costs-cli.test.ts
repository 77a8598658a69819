import { describe, expect, it } from "vitest";
import { costsCommand } from "../../src/cli/costs.js";
import { UsageError, type CommandIO } from "../../src/cli/command.js";

function fakeIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, cwd: "/tmp" };
  return { io, out: () => out.join(""), err: () => err.join("") };
}

async function run(args: string[], env: Record<string, string> = { DALAL_TODAY: "2025-01-15" }) {
  const f = fakeIo(env);
  const code = await costsCommand.run(args, f.io);
  return { code, out: f.out(), err: f.err() };
}

describe("dalal costs", () => {
  it("has a name, summary and help naming every option", () => {
    expect(costsCommand.name).toBe("costs");
    expect(costsCommand.summary.length).toBeGreaterThan(10);
    for (const o of ["--segment", "--buy", "--sell", "--on", "--json", "equity-delivery", "options"]) {
      expect(costsCommand.help).toContain(o);
    }
  });

  it("--json prints exactly the charge keys, in rupees", async () => {
    const { code, out } = await run(["--segment", "equity-delivery", "--buy", "100000", "--sell", "110000", "--on", "2025-01-15", "--json"]);
    expect(code).toBe(0);
    const obj = JSON.parse(out);
    expect(Object.keys(obj)).toEqual(["brokerage", "stt", "exchange", "sebi", "stamp", "ipft", "gst", "dp", "total"]);
    expect(obj).toEqual({ brokerage: 40, stt: 210, exchange: 6.24, sebi: 0.21, stamp: 15, ipft: 0.21, gst: 12, dp: 20, total: 303.66 });
    expect(out.trim().split("\n")).toHaveLength(1);
  });

  it("prints a table with Indian grouping, the total and the rate card", async () => {
    const { code, out } = await run(["--segment", "equity-intraday", "--buy", "500000", "--sell", "5,00,000"]);
    expect(code).toBe(0);
    expect(out).toContain("buy ₹5,00,000.00, sell ₹5,00,000.00");
    expect(out).toMatch(/Brokerage\s+₹40\.00/);
    expect(out).toMatch(/STT\s+₹125\.00/);
    expect(out).toMatch(/Exchange txn\s+₹29\.70/);
    expect(out).toMatch(/GST\s+₹12\.91/);
    expect(out).toMatch(/Total\s+₹224\.61/);
    expect(out).toContain("Rate card: equity-intraday from 2024-10-01");
    expect(out).toContain("exchange 0.00297%");
    // Amounts are right-aligned in one column.
    const rows = out.split("\n").filter((l) => /₹[\d,]+\.\d\d$/.test(l) && l.startsWith("  "));
    expect(rows).toHaveLength(9);
    expect(new Set(rows.map((r) => r.length)).size).toBe(1);
  });

  it("defaults --on to DALAL_TODAY, which picks the card", async () => {
    const args = ["--segment", "futures", "--buy", "1000000", "--sell", "1000000", "--json"];
    expect(JSON.parse((await run(args, { DALAL_TODAY: "2024-09-30" })).out).stt).toBe(125);
    expect(JSON.parse((await run(args, { DALAL_TODAY: "2024-10-01" })).out).stt).toBe(200);
    expect(JSON.parse((await run([...args, "--on", "2024-09-30"], { DALAL_TODAY: "2024-10-01" })).out).stt).toBe(125);
  });

  it("without DALAL_TODAY uses today's IST date", async () => {
    const { code, out } = await run(["--segment", "options", "--buy", "100", "--sell", "100"], {});
    expect(code).toBe(0);
    expect(out).toMatch(/^options on \d{4}-\d{2}-\d{2}:/);
  });

  it("accepts paise in the amount", async () => {
    const { out } = await run(["--segment", "equity-intraday", "--buy", "0", "--sell", "12345.67", "--json"]);
    expect(JSON.parse(out).stt).toBe(3);
  });

  it.each([
    [[], /missing --segment/],
    [["--segment", "crypto", "--buy", "1", "--sell", "1"], /unknown --segment "crypto": use one of equity-delivery, equity-intraday, futures, options/],
    [["--segment", "futures", "--sell", "1"], /missing --buy/],
    [["--segment", "futures", "--buy", "1"], /missing --sell/],
    [["--segment", "futures", "--buy", "ten", "--sell", "1"], /--buy must be an amount/],
    [["--segment", "futures", "--buy", "1", "--sell=-5"], /--sell must not be negative/],
    [["--segment", "futures", "--buy", "1.234", "--sell", "1"], /--buy must be an amount in rupees with at most 2 decimals/],
    [["--segment", "futures", "--buy", "1,0,0", "--sell", "1"], /--buy must be an amount/],
    [["--segment", "futures", "--buy", "1", "--sell", "1", "--on", "2025-13-01"], /--on must be a date/],
    [["--segment", "futures", "--buy", "1", "--sell", "1", "--on", "2019-01-01"], /--on 2019-01-01: rate cards start 2020-07-01/],
    [["--segment", "futures", "--buy", "1", "--sell", "1", "--lots", "2"], /lots/],
    [["--segment", "futures", "--buy", "1", "--sell", "1", "extra"], /extra/],
  ])("%o is a usage error", async (args, message) => {
    const p = run(args);
    await expect(p).rejects.toThrow(UsageError);
    await expect(run(args)).rejects.toThrow(message);
  });

  it("a bad DALAL_TODAY is a usage error naming it", async () => {
    await expect(run(["--segment", "futures", "--buy", "1", "--sell", "1"], { DALAL_TODAY: "today" })).rejects.toThrow(/DALAL_TODAY/);
  });
});
