/**
 * /sentiment and /news as chat text: the symbol's score and confidence, what
 * seed 000's rule would do to a BUY, and each article behind it with the model's
 * reading or the reason it fell back to neutral. HTML, every dynamic value
 * escaped; the articles are items for the paginator.
 */
import type { ArticleScore, ChatNewsResult, SymbolSentiment } from "../engine/intelligence/sentiment.js";
import { sentimentAdjustment } from "../engine/intelligence/trade-adjustment.js";
import { formatIst } from "../engine/time/ist.js";
import { esc, modeTag } from "./format.js";
import { paginate } from "./pagination.js";

const signed = (x: number): string => `${x > 0 ? "+" : ""}${(Object.is(x, -0) ? 0 : x).toFixed(2)}`;

/** A dot for the direction at a glance. */
function dot(a: { score: number; outcome: string }): string {
  if (a.outcome === "fallback") return "⚪";
  return a.score > 0.1 ? "🟢" : a.score < -0.1 ? "🔴" : "🟡";
}

function titleLink(a: ArticleScore): string {
  const title = `<b>${esc(a.title)}</b>`;
  return a.url && /^https?:\/\//i.test(a.url) ? `<a href="${esc(a.url)}">${title}</a>` : title;
}

function reading(a: ArticleScore): string {
  if (a.outcome === "fallback") return `Neutral fallback (score 0, confidence 0): ${esc(a.fallbackReason ?? "no reason recorded")}`;
  const lines = [`Score <b>${signed(a.score)}</b> · confidence <b>${a.confidence.toFixed(2)}</b>`];
  if (a.reasoning) lines.push(`<i>${esc(a.reasoning)}</i>`);
  if (a.topics.length) lines.push(`Topics: ${esc(a.topics.join(", "))}`);
  return lines.join("\n");
}

function articleItem(a: ArticleScore, n: number): string {
  const origin = a.source === "chat" ? "added in the chat" : esc(a.symbols.join(", "));
  return [`${n}. ${dot(a)} ${titleLink(a)}`, `${esc(formatIst(a.published))} · ${origin}`, reading(a)].join("\n");
}

export interface NewsFormatOptions {
  mode: "paper" | "live";
  /** Articles on a page (default 6). */
  perPage?: number;
  /** Page size, for tests. */
  maxChars?: number;
}

/** The pages of /sentiment SYMBOL. */
export function sentimentPages(s: SymbolSentiment, o: NewsFormatOptions): string[] {
  const buy = sentimentAdjustment("long", s);
  const header = [
    `${modeTag(o.mode)} · 📰 <b>${esc(s.symbol)}</b> news sentiment, last ${s.lookbackHours} h`,
    `Score <b>${signed(s.score)}</b> · confidence <b>${s.confidence.toFixed(2)}</b> · ${s.articleCount} article${s.articleCount === 1 ? "" : "s"}${s.fallbacks ? ` (${s.fallbacks} neutral fallback${s.fallbacks === 1 ? "" : "s"})` : ""}`,
    esc(s.reason),
    `A BUY now: ${buy.trade ? "" : "⛔ "}${esc(buy.reason)}`,
  ].join("\n");
  const items = s.articles.map((a, i) => articleItem(a, i + 1));
  return paginate(items, { header: items.length ? `${header}\n` : header, separator: "\n\n", perPage: o.perPage ?? 6, ...(o.maxChars ? { maxChars: o.maxChars } : {}) });
}

/** The answer to /news SYMBOL text. */
export function newsAddedText(symbol: string, r: ChatNewsResult, mode: "paper" | "live"): string {
  const a = r.article;
  const head = r.duplicate
    ? `${modeTag(mode)} · 📰 Already stored as article #${a.id}; now filed under <b>${esc(symbol)}</b> too (${esc(a.symbols.join(", "))}).`
    : `${modeTag(mode)} · 📰 Added to <b>${esc(symbol)}</b> as article #${a.id}.`;
  return [head, titleLink(a), reading(a), `See /sentiment ${esc(symbol)} for the symbol's sentiment.`].join("\n");
}
