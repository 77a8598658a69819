/**
 * `dalal backtest --intelligence on|off` in-process over the same period: the
 * layer's regime (from a model trained here with `dalal regime train`) keeps
 * the strategy out on the day type REGIME_SIZING names, and a bearish article
 * stored in Dalal's database before the first trade of the plain run skips that
 * entry. Without stored sentiment the report says every reading was neutral.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import type { CommandIO } from "../../src/cli/command.js";
import { migrateDatabase, openDatabase } from "../../src/db/connection.js";
import { NewsRepo } from "../../src/db/news-repo.js";
import { toNewArticle } from "../../src/engine/intelligence/article.js";

const dir = mkdtempSync(join(tmpdir(), "dalal-bt-intel-"));
const model = join(dir, "regime-model.json");

async function dalal(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { REGIME_MODEL: model, ...env }, cwd: dir, isTTY: false };
  const code = await runCli(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

const ARGS = ["backtest", "--strategy", "three-week-inside", "--from", "2022-01-01", "--to", "2023-12-29", "--capital", "500000", "--json"];

interface Summary {
  trades: number;
  intelligence?: { entries: number; withNews: number; sentimentSkipped: number; regimeKnownDays: number; regimeDays: Record<string, number>; regimeSkipped: number; note: string; sentimentSource: string };
}

describe("dalal backtest --intelligence", () => {
  let off: Summary;
  let firstTrade: { symbol: string; entryTime: string };

  beforeAll(async () => {
    const trained = await dalal(["regime", "train", "--out", model]);
    expect(trained.code).toBe(0);
    const a = await dalal([...ARGS, "--out", "off"]);
    expect(a.code).toBe(0);
    off = JSON.parse(a.out);
    const row = readFileSync(join(dir, "off", "trades.csv"), "utf8").trim().split("\n")[1]!.split(",");
    firstTrade = { symbol: row[0]!, entryTime: row[2]! };
  }, 180_000);

  it("says what a bad value is", async () => {
    const r = await dalal([...ARGS, "--intelligence", "maybe"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--intelligence must be on or off, got "maybe"');
  });

  it("off prints the plain metrics; on adds what the layer did, and says there was no stored sentiment", async () => {
    expect(off.intelligence).toBeUndefined();
    const r = await dalal([...ARGS, "--intelligence", "on"], { DALAL_HOME: join(dir, "empty-home") });
    expect(r.code).toBe(0);
    const on = JSON.parse(r.out) as Summary;
    expect(on.intelligence!.entries).toBeGreaterThan(0);
    expect(on.intelligence!.withNews).toBe(0);
    expect(on.intelligence!.sentimentSource).toContain("no stored sentiment");
    expect(on.intelligence!.note).toContain("no stored sentiment for this period");
    // The shipped Nifty history runs to 2024: every signal day of 2022-2023 gets a call.
    expect(on.intelligence!.regimeKnownDays).toBeGreaterThan(0);
    // No REGIME_SIZING, one strategy (100% allocation), neutral news: the same trades as without the layer.
    expect(on.trades).toBe(off.trades);
  }, 120_000);

  it("REGIME_SIZING keeps the strategy out on a day type: fewer trades, each refusal counted", async () => {
    const probe = JSON.parse((await dalal([...ARGS, "--intelligence", "on"], { DALAL_HOME: join(dir, "empty-home") })).out) as Summary;
    const [commonest] = Object.entries(probe.intelligence!.regimeDays).sort((a, b) => b[1] - a[1])[0]!;
    const r = await dalal([...ARGS, "--intelligence", "on"], { DALAL_HOME: join(dir, "empty-home"), REGIME_SIZING: `${commonest}:three-week-inside=0` });
    expect(r.code).toBe(0);
    const on = JSON.parse(r.out) as Summary;
    expect(on.intelligence!.regimeSkipped).toBeGreaterThan(0);
    expect(on.trades).toBeLessThan(off.trades);
  }, 120_000);

  it("replays stored sentiment: a bearish article before the plain run's first entry skips it", async () => {
    const home = join(dir, "news-home");
    const database = await openDatabase({ dataDir: join(home, "pgdata") });
    await migrateDatabase(database);
    const news = new NewsRepo(database.db);
    const published = new Date(new Date(firstTrade.entryTime).getTime() - 3 * 86_400_000);
    const { id } = await news.insertArticle(toNewArticle({ symbols: [firstTrade.symbol], title: `${firstTrade.symbol} faces a fraud probe`, url: null, summary: "", source: "test", publishedAt: published }, published));
    await news.saveSentiment({ articleId: id, outcome: "scored", score: -0.8, confidence: 0.9, reasoning: "fraud probe", topics: ["governance"], fallbackReason: null, model: "stored", tokens: 0, scoredAt: published });
    await database.close();

    const r = await dalal([...ARGS, "--intelligence", "on"], { DALAL_HOME: home, SENTIMENT_LOOKBACK_HOURS: "240" });
    expect(r.code).toBe(0);
    const on = JSON.parse(r.out) as Summary;
    expect(on.intelligence!.sentimentSource).toBe("the stored sentiment cache, read at each bar's time");
    expect(on.intelligence!.withNews).toBeGreaterThan(0);
    expect(on.intelligence!.sentimentSkipped).toBeGreaterThan(0);
    expect(on.trades).toBeLessThan(off.trades);
  }, 120_000);
});
