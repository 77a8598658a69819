/**
 * What the intelligence layer said about a signal, for its card and for /why:
 * the sentiment and its articles, the regime, the allocation share and every
 * step of the size, each with the numbers behind it.
 */
import type { Allocation } from "../engine/intelligence/allocator.js";
import type { IntelligenceRecord, RegimeReading } from "../engine/intelligence/intelligence.js";
import type { SignalView } from "../engine/views.js";
import { esc, rs } from "./format.js";

const signed = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
const pct = (x: number): string => `${(Math.round(x * 10_000) / 100).toString()}%`;
const times = (x: number): string => `×${Number(x.toFixed(6))}`;

/** The stored record, if the signal has one in the shape this version writes. */
export function intelligenceOf(s: SignalView): IntelligenceRecord | null {
  const r = s.intelligence as Partial<IntelligenceRecord> | null;
  return r && r.sentiment && r.regime && r.allocation ? (r as IntelligenceRecord) : null;
}

/** One line for the signal card: sentiment, regime, allocation. */
export function intelligenceLine(s: SignalView): string | null {
  const r = intelligenceOf(s);
  if (!r) return null;
  const se = r.sentiment;
  const n = se.articles.length;
  const sentiment = n === 0 ? `sentiment neutral (no news)` : `sentiment ${signed(se.score)} (confidence ${se.confidence.toFixed(2)}, ${n} article${n === 1 ? "" : "s"}) ${times(se.multiplier)}`;
  const regime = r.regime.dayType ? `regime ${esc(r.regime.dayType)} (${Math.round((r.regime.confidence ?? 0) * 100)}%) ${times(r.regime.factor)}` : "regime unknown ×1";
  const alloc = r.allocation.rule === "unallocated" ? "own capital" : `allocation ${pct(r.allocation.share)}${r.allocation.rank ? ` (rank ${r.allocation.rank})` : ""}`;
  return `Intelligence: ${sentiment} · ${regime} · ${alloc}. /why ${esc(s.id)}`;
}

function num(s: SignalView, key: string): number | null {
  const v = s.sizing[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** /why ID: every input of the size, and what the intelligence layer said. */
export function whyText(s: SignalView): string {
  const side = s.side === "long" ? "BUY" : "SELL";
  const lines = [`<b>Why ${esc(s.id)}</b>: ${side} ${esc(s.symbol)} × ${s.qty} · ${esc(s.strategy)} · ${esc(s.status)}${s.statusReason ? ` (${esc(s.statusReason)})` : ""}`];
  const r = intelligenceOf(s);
  if (r) {
    const se = r.sentiment;
    lines.push("", `<b>Sentiment</b> ${signed(se.score)}, confidence ${se.confidence.toFixed(2)} → ${se.trade ? times(se.multiplier) : "skip"}: ${esc(se.reason)}`);
    for (const a of se.articles.slice(0, 8)) {
      const how = a.outcome === "scored" ? `${signed(a.score)} (${a.confidence.toFixed(2)})` : `neutral: ${esc(a.fallbackReason ?? a.outcome)}`;
      lines.push(`  • #${a.id} ${esc(a.title.slice(0, 120))}: ${how}`);
    }
    if (se.articles.length > 8) lines.push(`  … and ${se.articles.length - 8} more (/sentiment ${esc(s.symbol)})`);
    lines.push(`<b>Regime</b> ${esc(r.regime.reason)}`);
    lines.push(`<b>Allocation</b> ${r.allocation.rule === "unallocated" ? "" : `${pct(r.allocation.share)} of capital: `}${esc(r.allocation.reason)}`);
  } else if (s.kind === "entry") {
    lines.push("", "Intelligence: no record: the layer was off when this signal was sized (INTELLIGENCE=off), or it is an index unit sized by its own rules on BANKNIFTY_CAPITAL; no sentiment, regime or allocation changed it.");
  }
  const plan = num(s, "plan");
  const budget = num(s, "riskBudget");
  if (plan !== null && budget !== null) {
    const part = (k: string, label: string) => `${label} ${num(s, k) ?? 1}`;
    lines.push(
      "",
      "<b>Size</b>",
      `  plan ${plan} = ${[part("allocationWeight", "allocation"), part("strengthFactor", "strength"), part("sentimentMultiplier", "sentiment"), part("regimeMultiplier", "regime"), part("profitScaling", "profit scaling")].join(" × ")}`,
      `  risk budget ${rs(budget)} = ${num(s, "riskPct")}% of ${rs(num(s, "capital") ?? 0)} × plan; ${rs(num(s, "perUnitRisk") ?? 0)} at risk per share → ${num(s, "qtyByRisk")} by risk`,
      `  half-Kelly ${pct(num(s, "kellyFraction") ?? 0)} of capital from ${num(s, "tradesForKelly") ?? 0} closed trades → ${num(s, "qtyByKelly")}${typeof s.sizing.kellyReason === "string" ? ` (${esc(s.sizing.kellyReason)})` : ""}`,
      `  per-stock cap → ${num(s, "qtyByStockCap")} · cash → ${num(s, "qtyByCash")} · the smallest binds: ${esc(String(s.sizing.bindingCap ?? "—"))}`,
    );
  } else if (Object.keys(s.sizing).length > 0) {
    lines.push("", "<b>Size</b>", ...Object.entries(s.sizing).slice(0, 24).map(([k, v]) => `  ${esc(k)}: ${esc(typeof v === "object" ? JSON.stringify(v) : v)}`));
  }
  return lines.join("\n");
}

/** /regime: today's call and what it does to each strategy. */
export function regimeText(day: string, r: RegimeReading, effects: Array<{ strategy: string; factor: number }>): string {
  if (r.unknown) return `<b>Regime for ${esc(day)}</b>: unknown (${esc(r.reason)}). Every strategy trades at size ×1.`;
  const lines = [`<b>Regime for ${esc(day)}</b>: ${esc(r.dayType)} with ${Math.round(r.confidence * 100)}% confidence`, esc(r.reason)];
  if (r.features) lines.push(`Features: ${Object.entries(r.features).map(([k, v]) => `${esc(k)} ${esc(typeof v === "number" ? Number(v.toFixed(3)) : v)}`).join(" · ")}`);
  const changed = effects.filter((e) => e.factor !== 1);
  lines.push(changed.length === 0 ? "REGIME_SIZING changes no strategy today." : `Today: ${changed.map((e) => `${esc(e.strategy)} ${e.factor === 0 ? "off" : times(e.factor)}`).join(", ")}.`);
  return lines.join("\n");
}

/** /strategies' allocation lines. */
export function allocationLines(a: Allocation): string[] {
  const window = a.windowFrom && a.windowTo ? `${a.windowFrom} to ${a.windowTo}` : "no closed days yet";
  return [
    `<b>Allocation</b> (30-day Sharpe, ${esc(window)}): ${esc(a.reason)}`,
    ...a.shares.map((s) => `  ${esc(s.strategy)}: ${pct(s.share)} · Sharpe ${s.sharpe === null ? "—" : s.sharpe.toFixed(2)} · ${s.trades} trades${s.rank ? ` · rank ${s.rank}` : ""}`),
  ];
}
