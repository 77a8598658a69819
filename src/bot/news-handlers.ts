/**
 * /news SYMBOL text adds a news item by hand (scored at once); /sentiment SYMBOL
 * shows a symbol's news sentiment, the articles behind it and what seed 000's
 * rule would do to a BUY. Register before the general handlers (they end with
 * catch-alls).
 */
import type { Bot } from "grammy";
import type { SentimentService } from "../engine/intelligence/sentiment.js";
import type { DalalContext } from "./access.js";
import type { CommandSpec } from "./commands.js";
import { esc, modeTag } from "./format.js";
import { newsAddedText, sentimentPages } from "./news-format.js";
import { sendPaginated } from "./pagination.js";

const HTML = { parse_mode: "HTML" as const };

export const NEWS_COMMANDS: readonly CommandSpec[] = [
  { command: "news", usage: "/news SYMBOL text", description: "Add a news item for a symbol by hand; the model scores it at once" },
  { command: "sentiment", usage: "/sentiment SYMBOL", description: "A symbol's news sentiment, the articles behind it and what it does to a BUY" },
];

export interface NewsDeps {
  /** Null: intelligence is off on this desk. */
  sentiment: SentimentService | null;
  mode: "paper" | "live";
}

/** The longest news text taken from the chat. */
export const MAX_NEWS_CHARS = 1000;

const SYMBOL_INPUT = /^[A-Za-z0-9&-]{1,30}$/;

const usage = (command: "news" | "sentiment") => `Usage: <code>${esc(NEWS_COMMANDS.find((c) => c.command === command)!.usage)}</code>`;

/** The symbol upper-cased, or the message naming what is wrong with it. */
function parseSymbol(word: string): { symbol: string } | { error: string } {
  if (!SYMBOL_INPUT.test(word)) {
    const why = word.length > 30 ? `is ${word.length} characters long (at most 30)` : "has characters a symbol cannot have";
    return { error: `"${esc(word.length > 40 ? `${word.slice(0, 37)}...` : word)}" is not a symbol: it ${why}. A symbol is letters, digits, &amp; and - (e.g. RELIANCE, M&amp;M, BAJAJ-AUTO).` };
  }
  return { symbol: word.toUpperCase() };
}

const OFF = (mode: "paper" | "live") => `${modeTag(mode)} · News sentiment is off on this desk (INTELLIGENCE=off), so there is nothing to add or show.`;

export function registerNewsHandlers(bot: Bot<DalalContext>, deps: NewsDeps): void {
  const { sentiment, mode } = deps;

  bot.command("news", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    if (text === "") return void (await ctx.reply(`Missing the symbol and the news text.\n${usage("news")}`, HTML));
    const [word = "", ...rest] = text.split(/\s+/);
    const parsed = parseSymbol(word);
    if ("error" in parsed) return void (await ctx.reply(`${parsed.error}\n${usage("news")}`, HTML));
    const body = text.slice(text.indexOf(word) + word.length).trim();
    if (rest.length === 0 || body === "") return void (await ctx.reply(`Missing the news text after ${esc(parsed.symbol)}.\n${usage("news")}`, HTML));
    if (body.length > MAX_NEWS_CHARS) return void (await ctx.reply(`The news text is ${body.length} characters long; at most ${MAX_NEWS_CHARS}. Nothing was stored.\n${usage("news")}`, HTML));
    if (!sentiment) return void (await ctx.reply(OFF(mode), HTML));
    await ctx.replyWithChatAction("typing").catch(() => {});
    const r = await sentiment.addFromChat(parsed.symbol, body);
    await ctx.reply(newsAddedText(parsed.symbol, r, mode), { ...HTML, link_preview_options: { is_disabled: true } });
  });

  bot.command("sentiment", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    if (text === "") return void (await ctx.reply(`Missing the symbol.\n${usage("sentiment")}`, HTML));
    const words = text.split(/\s+/);
    if (words.length > 1) return void (await ctx.reply(`/sentiment takes one symbol; got ${words.length} words.\n${usage("sentiment")}`, HTML));
    const parsed = parseSymbol(words[0]!);
    if ("error" in parsed) return void (await ctx.reply(`${parsed.error}\n${usage("sentiment")}`, HTML));
    if (!sentiment) return void (await ctx.reply(OFF(mode), HTML));
    await ctx.replyWithChatAction("typing").catch(() => {});
    const s = await sentiment.forSymbol(parsed.symbol);
    await sendPaginated(ctx, sentimentPages(s, { mode }));
  });
}
