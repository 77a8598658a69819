/**
 * Files from the chat: /export sends the books as two CSV documents, /chart a
 * PNG of a symbol's recent bars with a strategy's levels and signals. The
 * handlers only fetch and send; the files are built in src/report.
 */
import { InputFile, type Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import type { Timeframe } from "../engine/market/candle.js";
import { formatSignedRupees } from "../engine/money.js";
import { STRATEGIES } from "../engine/strategies/registry.js";
import type { Strategy } from "../engine/strategies/strategy.js";
import { exportTradesCsv, positionsCsv } from "../report/export.js";
import { buildPriceChart, renderPricePng, type TakenTrade } from "../report/price-chart.js";
import type { DalalContext } from "./access.js";
import { esc, modeTag } from "./format.js";

export interface ReportDeps {
  desk: Desk;
  mode: "paper" | "live";
}

const HTML = { parse_mode: "HTML" as const };

/** Usage lines, for bad input; the same text as the commands' specs. */
export const EXPORT_USAGE = "/export";
export const CHART_USAGE = "/chart SYMBOL [STRATEGY]";

/** Used when no position names a strategy: the simplest one, on daily bars. */
const FALLBACK_STRATEGY = "sma-cross";

function args(ctx: DalalContext): string[] {
  const m = typeof ctx.match === "string" ? ctx.match : "";
  return m.trim() === "" ? [] : m.trim().split(/\s+/);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function registerReportHandlers(bot: Bot<DalalContext>, deps: ReportDeps): void {
  const { desk, mode } = deps;

  bot.command("export", async (ctx) => {
    if (args(ctx).length > 0) return void (await ctx.reply(`/export takes no argument.\nUsage: <code>${esc(EXPORT_USAGE)}</code>`, HTML));
    const trades = await desk.repo.trades();
    const lines = await desk.reports.positions(desk.opts.marketClock.now());
    const net = trades.reduce((s, t) => s + t.net, 0);
    const unrealized = lines.reduce((s, p) => s + p.unrealized, 0);
    await ctx.replyWithDocument(new InputFile(Buffer.from(exportTradesCsv(trades), "utf8"), "trades.csv"), {
      ...HTML,
      caption: `${modeTag(mode)} · trades.csv: ${
        trades.length ? `${plural(trades.length, "closed trade")}, net ${esc(formatSignedRupees(net))}` : "no trades yet (the header only)"
      }`,
    });
    await ctx.replyWithDocument(new InputFile(Buffer.from(positionsCsv(lines), "utf8"), "positions.csv"), {
      ...HTML,
      caption: `${modeTag(mode)} · positions.csv: ${
        lines.length ? `${plural(lines.length, "open position")}, unrealized ${esc(formatSignedRupees(unrealized))}` : "no open positions (the header only)"
      }`,
    });
  });

  bot.command("chart", async (ctx) => {
    const [rawSymbol, rawStrategy, extra] = args(ctx);
    const usage = `\nUsage: <code>${esc(CHART_USAGE)}</code>`;
    if (!rawSymbol || extra) return void (await ctx.reply(`${rawSymbol ? "Too many words." : "Which symbol?"} Give a symbol and, if you like, a strategy.${usage}`, HTML));
    const symbol = rawSymbol.toUpperCase();

    const daily = desk.series.symbols("1d");
    const intraday = desk.series.symbols("75m");
    if (daily.length === 0 && intraday.length === 0) {
      return void (await ctx.reply("No bars yet: the feed has not delivered any prices, so there is nothing to chart. Try again once the replay has started."));
    }
    if (!daily.includes(symbol) && !intraday.includes(symbol)) {
      return void (await ctx.reply(`Unknown symbol ${esc(rawSymbol)}: no bars for it. Known: ${esc(knownExamples(symbol, daily, intraday))}.${usage}`, HTML));
    }

    let strategy: Strategy<unknown>;
    if (rawStrategy) {
      const found = strategyNamed(desk, rawStrategy.toLowerCase());
      if (!found) return void (await ctx.reply(`Unknown strategy "${esc(rawStrategy)}"; valid: ${esc([...STRATEGIES.keys()].join(", "))}.${usage}`, HTML));
      strategy = found;
    } else {
      strategy = await defaultStrategy(desk, symbol);
    }

    const taken: TakenTrade[] = [];
    for (const t of await desk.repo.trades()) if (t.symbol === symbol) taken.push({ entryTime: t.entryTime, exitTime: t.exitTime });
    for (const p of await desk.repo.openPositions()) if (p.symbol === symbol) taken.push({ entryTime: p.openedAt, exitTime: null });
    // The bars after the awaits: every fill in the books then finds its own bar (read earlier, a fill on a bar that
    // arrived meanwhile would be placed on the bar before).
    const bars = desk.series.bars(symbol, strategy.timeframe);
    if (bars.length === 0) {
      const has: Timeframe = daily.includes(symbol) ? "1d" : "75m";
      return void (await ctx.reply(
        `No ${esc(strategy.timeframe)} bars for ${esc(symbol)} yet: ${esc(strategy.name)} reads ${esc(strategy.timeframe)} bars and ${esc(symbol)} has only ${has} bars. Try a ${has} strategy.${usage}`,
        HTML,
      ));
    }

    let png: Buffer;
    let caption: string;
    try {
      const chart = buildPriceChart({ symbol, strategy, bars, taken });
      png = renderPricePng(chart.input);
      const s = chart.signals;
      const fl = chart.filled;
      caption =
        `${modeTag(mode)} · <b>${esc(symbol)}</b> · ${esc(strategy.name)} · ${esc(chart.input.subtitle ?? "")}\n` +
        `Signals: ${plural(s.entries, "entry", "entries")}, ${plural(s.exits, "exit")} · filled: ${plural(fl.entries, "entry", "entries")}, ${plural(fl.exits, "exit")}`;
    } catch (err) {
      // A chart that cannot be drawn is a reply, never a dead command.
      return void (await ctx.reply(`Could not draw the chart of ${esc(symbol)} with ${esc(strategy.name)}: ${esc((err as Error).message)}.`, HTML));
    }
    await ctx.replyWithPhoto(new InputFile(png, `${symbol}-${strategy.name}.png`), { ...HTML, caption });
  });
}

/** The desk's own instance when the strategy is enabled, else the registry's: charting needs no enabling. */
function strategyNamed(desk: Desk, name: string): Strategy<unknown> | undefined {
  return desk.strategies().find((s) => s.name === name) ?? STRATEGIES.get(name);
}

/**
 * The strategy of an open position in the symbol; else sma-cross when the
 * symbol has daily bars; else the first strategy (enabled ones first) that
 * reads a timeframe the symbol has bars on (Bank Nifty's 75-minute bars).
 */
async function defaultStrategy(desk: Desk, symbol: string): Promise<Strategy<unknown>> {
  const held = (await desk.repo.openPositions()).find((p) => p.symbol === symbol);
  const own = held ? strategyNamed(desk, held.strategy) : undefined;
  if (own) return own;
  const fallback = strategyNamed(desk, FALLBACK_STRATEGY)!;
  if (desk.series.bars(symbol, fallback.timeframe).length > 0) return fallback;
  const candidates = [...desk.strategies(), ...STRATEGIES.values()];
  return candidates.find((s) => desk.series.bars(symbol, s.timeframe).length > 0) ?? fallback;
}

/** A few known symbols for the "unknown symbol" reply: some daily ones, the intraday ones, and near misses first. */
function knownExamples(typed: string, daily: readonly string[], intraday: readonly string[]): string {
  const all = [...new Set([...daily, ...intraday])];
  const near = typed.length >= 2 ? all.filter((s) => s.startsWith(typed.slice(0, 3))).slice(0, 3) : [];
  const onlyIntraday = intraday.filter((s) => !daily.includes(s)).slice(0, 3);
  const shown = [...new Set([...near, ...daily.slice(0, 6), ...onlyIntraday])];
  const more = all.length - shown.length;
  return `${shown.join(", ")}${more > 0 ? ` and ${more} more` : ""}`;
}
