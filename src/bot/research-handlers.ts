/**
 * The desk's numbers and research from the chat: /eod, /rollover
 * (rollover-handler.ts), /balance, /performance (with synthetic futures' gaps
 * at the next open), /scan STRATEGY (now, on the bars the desk holds) and
 * /backtest NAME FROM TO (in a child process, so the bot keeps answering
 * while it runs).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputFile, type Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import { formatRupees, toPaise } from "../engine/money.js";
import { buildDigest, equityHistory, rolloverSettingsOf } from "../engine/digest.js";
import { loadNseCalendar } from "../engine/market/calendar.js";
import { STRATEGIES } from "../engine/strategies/registry.js";
import { isIstDate } from "../engine/time/ist.js";
import { digestChart, digestText } from "./digest-format.js";
import type { Confirmations } from "./confirm.js";
import { registerRolloverCommand } from "./rollover-handler.js";
import type { DalalContext } from "./access.js";
import { usageOf } from "./commands.js";
import { esc, modeTag, rs, srs } from "./format.js";
import { gapLines, gapSummary } from "./gap-format.js";
import { paginate, sendPaginated } from "./pagination.js";

const HTML = { parse_mode: "HTML" as const };
const DALAL_BIN = fileURLToPath(new URL("../../bin/dalal.js", import.meta.url));

export interface ResearchDeps {
  desk: Desk;
  mode: "paper" | "live";
  /** Environment for the backtest child (the same settings as this process). */
  env?: NodeJS.ProcessEnv;
  /** /rollover's confirm buttons: the store the confirm handler reads (control-handlers.ts). */
  confirmations: Confirmations;
}

function args(ctx: DalalContext): string[] {
  const m = typeof ctx.match === "string" ? ctx.match : "";
  return m.trim() === "" ? [] : m.trim().split(/\s+/);
}

async function usage(ctx: DalalContext, command: string, problem: string): Promise<void> {
  await ctx.reply(`${esc(problem)}\nUsage: <code>${esc(usageOf(command))}</code>`, HTML);
}

/**
 * Synthetic futures' gaps at the next open, per strategy and index (gap-format.ts);
 * no lines when no index is traded as synthetic futures or none has signalled.
 */
async function gapSection(desk: Desk): Promise<string[]> {
  const fno = desk.fno;
  const synthetic = desk.opts.synthetic;
  if (!fno || !synthetic) return [];
  const reports = (await desk.divergence()).filter((r) => r.units.length > 0);
  if (reports.length === 0) return [];
  const lines = ["<b>Synthetic futures: gaps at the next open</b>"];
  for (const r of reports) {
    const summary = gapSummary(await desk.repo.signalsOf(r.strategy, r.underlying), r, fno.spotOf(r.underlying));
    lines.push(...gapLines(summary, { adjustPct: synthetic.gapAdjustPct, skipPct: synthetic.gapSkipPct }));
  }
  return lines;
}

export function registerResearchHandlers(bot: Bot<DalalContext>, deps: ResearchDeps): void {
  const { desk, mode } = deps;
  let running: string | null = null;

  bot.command("eod", async (ctx) => {
    if (args(ctx).length) return usage(ctx, "eod", "/eod takes no argument.");
    const date = desk.marketDate();
    const calendar = loadNseCalendar();
    const d = await buildDigest({ date, store: desk.repo, capital: desk.opts.capital, calendar, breaker: desk.controls.describeBreaker(), book: await desk.ledger(), rollover: rolloverSettingsOf(desk.fno) });
    await ctx.reply(digestText(d, mode), HTML);
    const png = digestChart(await equityHistory(desk.repo, date, 60));
    if (png) await ctx.replyWithPhoto(new InputFile(png, "equity.png"), { caption: `Equity to ${date}` });
  });

  registerRolloverCommand(bot, { desk, mode, confirmations: deps.confirmations });

  bot.command("balance", async (ctx) => {
    if (args(ctx).length) return usage(ctx, "balance", "/balance takes no argument.");
    const book = await desk.ledger();
    await ctx.reply(
      [
        `${modeTag(mode)} · funds (${esc(desk.opts.broker.name)} broker)`,
        `Cash available ${rs(book.cash)}${book.reserved ? ` (after ${rs(book.reserved)} held for working entry orders)` : ""}`,
        `In positions ${rs(book.openCost)} at cost · unrealized ${srs(book.unrealized)}`,
        `Realized ${srs(book.realized)} net of charges · equity ${rs(book.equity)}`,
        `Capital ${rs(book.capital)}`,
      ].join("\n"),
      HTML,
    );
  });

  bot.command("performance", async (ctx) => {
    if (args(ctx).length) return usage(ctx, "performance", "/performance takes no argument.");
    const summary = await desk.repo.tradeSummary();
    const gaps = await gapSection(desk);
    if (summary.length === 0 && gaps.length === 0) return void (await ctx.reply("No closed trades yet, so no performance to show."));
    const lines = summary.map((x) => {
      // Per-trade Sharpe from the store's Σ and Σ² of returns (sample deviation).
      const mean = x.retSum / x.trades;
      const variance = x.trades > 1 ? (x.retSq - x.trades * mean * mean) / (x.trades - 1) : 0;
      const sharpe = x.trades > 1 && variance > 1e-18 ? mean / Math.sqrt(variance) : null;
      return (
        `<b>${esc(x.strategy)}</b>: ${x.trades} trade${x.trades === 1 ? "" : "s"}, win rate ${((x.wins / x.trades) * 100).toFixed(1)}%, net ${srs(x.net)}` +
        `, Sharpe ${sharpe === null ? "n/a" : sharpe.toFixed(2)} (per trade), avg R ${x.rCount ? (x.rSum / x.rCount).toFixed(2) : "n/a"}`
      );
    });
    const body = [...(lines.length ? lines : ["No closed trades yet."]), ...(gaps.length ? ["", ...gaps] : [])];
    await sendPaginated(ctx, paginate(body, { header: `${modeTag(mode)} · performance by strategy, net of charges`, perPage: 60 }));
  });

  bot.command("scan", async (ctx) => {
    const [name, extra] = args(ctx);
    // Only strategies that read bars: tradingview's signals come from its webhook.
    const scannable = desk.strategies().filter((s) => STRATEGIES.has(s.name));
    const known = scannable.map((s) => s.name);
    if (!name || extra) return usage(ctx, "scan", `Name one strategy: ${known.join(", ")}.`);
    const strategy = scannable.find((s) => s.name === name);
    if (!strategy) return usage(ctx, "scan", `Unknown or disabled strategy "${name}"; enabled: ${known.join(", ")}.`);
    const symbols = desk.series.symbols(strategy.timeframe);
    if (symbols.length === 0) return void (await ctx.reply(`No ${esc(strategy.timeframe)} bars yet for ${esc(name)} to scan.`, HTML));
    const found = [];
    for (const symbol of symbols) {
      const bars = desk.series.bars(symbol, strategy.timeframe);
      if (strategy.needsVolume && !bars.some((b) => b.volume > 0)) continue;
      found.push(...strategy.evaluate(bars, strategy.defaults));
    }
    const asOf = desk.feed.at ? ` as of ${esc(desk.feed.at.toISOString().slice(0, 10))}` : "";
    if (found.length === 0) return void (await ctx.reply(`${esc(name)}${asOf}: no signal on the last bar of ${symbols.length} symbol${symbols.length === 1 ? "" : "s"}.`, HTML));
    const lines = found.slice(0, 30).map((s) => `${s.kind === "entry" ? (s.side === "long" ? "BUY" : "SELL") : s.kind.toUpperCase()} <b>${esc(s.symbol)}</b> ≈ ${rs(s.entry)}${s.stop !== null ? ` · stop ${rs(s.stop)}` : ""}${s.note ? ` · ${esc(s.note)}` : ""}`);
    await ctx.reply(`${modeTag(mode)} · ${esc(name)}${asOf}: ${found.length} signal${found.length === 1 ? "" : "s"}\n${lines.join("\n")}${found.length > 30 ? `\n…and ${found.length - 30} more (dalal scan lists them all)` : ""}`, HTML);
  });

  bot.command("backtest", async (ctx) => {
    const [name, from, to, extra] = args(ctx);
    const known = desk.strategies().filter((s) => STRATEGIES.has(s.name)).map((s) => s.name);
    if (!name || !from || !to || extra) return usage(ctx, "backtest", "Give a strategy and two dates.");
    if (!known.includes(name)) return usage(ctx, "backtest", `Unknown strategy "${name}"; valid: ${known.join(", ")}.`);
    for (const d of [from, to]) if (!isIstDate(d)) return usage(ctx, "backtest", `"${d}" is not a date as YYYY-MM-DD.`);
    if (from > to) return usage(ctx, "backtest", `${from} is after ${to}.`);
    if (running) return void (await ctx.reply(`A backtest (${esc(running)}) is already running; one at a time.`, HTML));
    running = `${name} ${from} → ${to}`;
    await ctx.reply(`${modeTag(mode)} · backtest of <b>${esc(name)}</b> ${esc(from)} → ${esc(to)} started; the desk keeps running meanwhile.`, HTML);
    const chatId = ctx.chat!.id;
    const out = mkdtempSync(join(tmpdir(), "dalal-bt-"));
    // A child process: the backtest uses a whole core and must not stall the bot.
    const child = spawn(process.execPath, [DALAL_BIN, "backtest", "--strategy", name, "--from", from, "--to", to, "--json", "--out", out], {
      env: deps.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => {
      void (async () => {
        try {
          if (code !== 0) {
            const why = stderr.split("\n").find((l) => l.trim() !== "") ?? `exit code ${code}`;
            await ctx.api.sendMessage(chatId, `Backtest of ${esc(name)} failed: ${esc(why.replace(/^dalal backtest: /, ""))}`, HTML);
            return;
          }
          const m = JSON.parse(stdout) as Record<string, number | null>;
          const f = (v: number | null | undefined, suffix = "") => (v === null || v === undefined ? "n/a" : `${v}${suffix}`);
          const caption = [
            `${modeTag(mode)} · backtest <b>${esc(name)}</b> ${esc(from)} → ${esc(to)}`,
            `${formatRupees(toPaise(m.startingCapital!))} → ${formatRupees(toPaise(m.endingCapital!))} · CAGR ${f(m.cagrPct, "%")} · max DD ${f(m.maxDrawdownPct, "%")}`,
            `${m.trades} trades · win ${f(m.winRatePct, "%")} · PF ${f(m.profitFactor)} · avg R ${f(m.avgR)}`,
            `Sharpe ${f(m.sharpe)} · Sortino ${f(m.sortino)} · charges ${formatRupees(toPaise(m.totalCharges!))}`,
          ].join("\n");
          await ctx.api.sendPhoto(chatId, new InputFile(readFileSync(join(out, "equity.png")), "equity.png"), { caption, ...HTML });
        } catch (err) {
          await ctx.api.sendMessage(chatId, `Backtest of ${esc(name)} finished but its report could not be sent: ${esc((err as Error).message)}`, HTML).catch(() => {});
        } finally {
          running = null;
          rmSync(out, { recursive: true, force: true });
        }
      })();
    });
  });
}
