/** The `dalal` command as a user runs it: console chat, settings, errors, the lock. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDalal } from "../helpers/process.js";

const homes: string[] = [];
function home(): string {
  const h = mkdtempSync(join(tmpdir(), "dalal-cli-"));
  homes.push(h);
  return h;
}
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe("dalal CLI", () => {
  it("prints the command list for piped /help and exits 0", async () => {
    const p = startDalal(["start"], { DALAL_HOME: home(), HTTP_PORT: "0", REPLAY_PACE_MS: "60000" }, { stdin: "/help\n" });
    expect(await p.exited).toBe(0);
    for (const c of ["/status", "/signals", "/approve ID", "/reject ID [reason]", "/positions", "/pnl [today|week|month|all]"]) expect(p.stdout()).toContain(c);
    expect(p.stdout()).toMatch(/Console chat: type \/help/);
    expect(p.stderr()).toBe("");
  });

  it("stops with exit code 2 and one line per bad setting, no stack trace", async () => {
    const p = startDalal(["start"], { DALAL_HOME: home(), CAPITAL: "abc", HTTP_PORT: "99999", TELEGRAM_ALLOWED_CHAT_IDS: "12,x" });
    expect(await p.exited).toBe(2);
    const lines = p.stderr().trim().split("\n");
    expect(lines.some((l) => /^\s+CAPITAL: .*"abc"/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+HTTP_PORT: .*"99999"/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+TELEGRAM_ALLOWED_CHAT_IDS: .*"x"/.test(l))).toBe(true);
    expect(p.stderr()).not.toMatch(/\n\s+at /);
  });

  it("refuses a REPLAY_FROM beyond the data with exit code 2", async () => {
    const p = startDalal(["start"], { DALAL_HOME: home(), HTTP_PORT: "0", REPLAY_FROM: "2030-01-01" }, { stdin: "" });
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/REPLAY_FROM=2030-01-01 is after the data, which ends 2025-09-30/);
  });

  it("prints the effective settings with secrets masked", async () => {
    const token = "123456:AAH-secret-token-value_987";
    const p = startDalal(["config"], { TELEGRAM_BOT_TOKEN: token, DATABASE_URL: "postgres://u:hunter2pass@db:5432/x", CAPITAL: "250000" });
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain("TELEGRAM_BOT_TOKEN=***  (env)");
    expect(p.stdout()).toContain("DATABASE_URL=***  (env)");
    expect(p.stdout()).toContain("CAPITAL=250000  (env)");
    expect(p.stdout()).toContain("RISK_PER_TRADE_PCT=1.5  (default)");
    expect(p.stdout()).not.toContain("secret-token");
    expect(p.stdout()).not.toContain("hunter2pass");
  });

  it("answers --help on every command and names an unknown one", async () => {
    for (const args of [["--help"], ["start", "--help"], ["scan", "--help"], ["backtest", "--help"], ["db", "--help"], ["db", "check", "--help"], ["config", "--help"], ["costs", "--help"]]) {
      const p = startDalal(args, {});
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toMatch(/Usage: dalal/);
    }
    const bad = startDalal(["launch"], {});
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/unknown command "launch"; valid: start, scan, backtest, db, config, costs/);
    const badOpt = startDalal(["start", "--fast"], {});
    expect(await badOpt.exited).toBe(2);
    expect(badOpt.stderr()).toMatch(/--fast/);
  });

  it("keeps a second Dalal off the same embedded database, naming the pid", async () => {
    const h = home();
    const first = startDalal(["start"], { DALAL_HOME: h, HTTP_PORT: "0", REPLAY_PACE_MS: "60000" });
    await first.waitForOutput(/Console chat/, 60_000);
    const second = startDalal(["start"], { DALAL_HOME: h, HTTP_PORT: "0" }, { stdin: "" });
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`Another Dalal (pid ${first.child.pid})`);
    expect(second.stderr()).toMatch(/DATABASE_URL/);
    first.child.stdin!.end();
    expect(await first.exited).toBe(0);
    const migrate = startDalal(["db", "migrate"], { DALAL_HOME: h });
    expect(await migrate.exited).toBe(0);
    expect(migrate.stdout()).toMatch(/Migrations applied \(pglite/);
  });

  it("drives the desk from the console: a numbered button approves, the fill shows in /positions", async () => {
    const p = startDalal(["start"], { DALAL_HOME: home(), HTTP_PORT: "0", REPLAY_FROM: "2025-01-01", REPLAY_TO: "2025-01-06", REPLAY_PACE_MS: "1500", ENABLED_STRATEGIES: "sma-cross" });
    const [, n, symbol] = await p.waitForOutput(/BUY (?:\S+) × \d+[\s\S]*?\[(\d+)\] ✅ Approve/, 60_000).then((m) => [m[0], m[1], /BUY (\S+) ×/.exec(m[0])![1]]);
    p.child.stdin!.write(`${n}\n`);
    await p.waitForOutput(/\(updated\)[\s\S]*Approved by @owner/);
    await p.waitForOutput(new RegExp(`filled BUY \\d+ ${symbol!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), 30_000);
    p.child.stdin!.write(`${n}\n`);
    await p.waitForOutput(/already approved by @owner/);
    p.child.stdin!.end("/positions\n");
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toMatch(new RegExp(`PAPER · open positions[^\\n]*\\n[\\s\\S]*${symbol!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} long ×`));
  });
});
