/** Message text for the chat: HTML parse mode, every dynamic value escaped. */
import { formatRupees, formatSignedRupees, type Paise } from "../engine/money.js";
import type { PnlReport, PositionLine } from "../engine/reports.js";
import { formatIst, istTime } from "../engine/time/ist.js";
import type { SignalView, TradeView } from "../engine/views.js";
import { intelligenceLine } from "./intelligence-format.js";

export function esc(s: unknown): string {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export const rs = (p: Paise): string => esc(formatRupees(p));
export const srs = (p: Paise): string => esc(formatSignedRupees(p));
const pct = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(2)}%`;

export function modeTag(mode: "paper" | "live"): string {
  return mode === "live" ? "🔴 <b>LIVE</b>" : "📝 <b>PAPER</b>";
}

export function actorLabel(from: { id: number; username?: string; first_name?: string } | undefined): string {
  if (!from) return "unknown";
  return from.username ? `@${from.username}` : `${from.first_name ?? "user"} (${from.id})`;
}

function conditionsLine(c: Record<string, unknown>): string {
  const parts = Object.entries(c).map(([k, v]) => `${esc(k)} ${esc(typeof v === "number" ? Number(v.toFixed(4)) : v)}`);
  return parts.join(" · ");
}

export function signalCard(s: SignalView, ctx: { mode: "paper" | "live"; capital: Paise; estCharges?: Paise }): string {
  const side = s.side === "long" ? "BUY" : "SELL";
  const risk = typeof s.sizing.riskAmount === "number" ? s.sizing.riskAmount : s.stop !== null ? s.qty * Math.abs(s.entry - s.stop) : 0;
  const lines = [
    `${modeTag(ctx.mode)} · signal <code>${esc(s.id)}</code>`,
    `<b>${side} ${esc(s.symbol)}</b> × ${s.qty} · ${esc(s.strategy)}${s.unit ? ` · pyramid unit ${s.unit}` : ""} · ${esc(s.timeframe)} bar of ${barLabel(s)}`,
    `Entry ≈ ${rs(s.entry)}${s.stop !== null ? ` · Stop ${rs(s.stop)}` : ""}${s.targets.length ? ` · Target${s.targets.length > 1 ? "s" : ""} ${s.targets.map(rs).join(", ")}` : ""}`,
    `At risk ${rs(risk)} (${((risk / ctx.capital) * 100).toFixed(2)}% of capital) · value ${rs(s.qty * s.entry)}`,
  ];
  if (ctx.estCharges !== undefined) lines.push(`Est. charges ${rs(ctx.estCharges)} (both sides at these prices)`);
  if (Object.keys(s.conditions).length) lines.push(`Why: ${conditionsLine(s.conditions)}`);
  const intel = intelligenceLine(s);
  if (intel) lines.push(intel);
  if (s.status === "proposed" && s.expiresAt) lines.push(`Waiting for a decision until ${esc(istTime(s.expiresAt))} IST.`);
  return lines.join("\n");
}

/** A daily or weekly bar is named by its date; an intraday bar by its opening time too. */
function barLabel(s: SignalView): string {
  return esc(formatIst(s.barTime, s.timeframe === "75m" || s.timeframe === "1m"));
}

/** A strategy's alert: news, no decision asked. */
export function alertCard(s: SignalView, mode: "paper" | "live"): string {
  const lines = [
    `${modeTag(mode)} · 🔔 <b>${esc(s.symbol)}</b> · ${esc(s.strategy)} · ${esc(s.timeframe)} bar of ${barLabel(s)}`,
    esc(s.statusReason ?? (s.side === "long" ? "upside setup" : "downside move")),
    `Close ${rs(s.entry)}${s.stop !== null ? ` · stop would be ${rs(s.stop)}` : ""}${s.targets.length ? ` · targets ${s.targets.map(rs).join(", ")}` : ""} · strength ${s.strength}/100`,
  ];
  if (Object.keys(s.conditions).length) lines.push(`Why: ${conditionsLine(s.conditions)}`);
  lines.push("No order is placed for an alert.");
  return lines.join("\n");
}

function approvedOutcome(s: SignalView): string {
  return s.status === "filled" ? "Filled." : "Order placed; it fills at the next bar's open.";
}

/** What an auto-accepting strategy's signal says instead of a decision by someone. */
export function autoAcceptedLine(s: SignalView): string {
  return `🤖 Auto-accepted${s.decidedAt ? ` at ${esc(formatIst(s.decidedAt))}` : ""}. ${approvedOutcome(s)}`;
}

/** The line appended to a signal card once it is decided. */
export function decisionLine(s: SignalView): string {
  const when = s.decidedAt ? ` at ${esc(formatIst(s.decidedAt))}` : "";
  const by = esc(s.decidedBy ?? "someone");
  switch (s.status) {
    case "ordered":
    case "filled":
    case "approved":
      return `✅ Approved by ${by}${when}. ${approvedOutcome(s)}`;
    case "rejected":
      return `❌ Rejected by ${by}${when}${s.statusReason ? `: ${esc(s.statusReason)}` : "."}`;
    case "expired":
      return `⌛ Expired${when}: nothing was ordered.`;
    case "refused":
      return `⛔ Refused by risk: ${esc(s.statusReason ?? "no reason recorded")}.`;
    case "failed":
      return `⚠️ Order failed: ${esc(s.statusReason ?? "no reason recorded")}.`;
    default:
      return `Status: ${esc(s.status)}.`;
  }
}

export function refusedCard(s: SignalView, mode: "paper" | "live"): string {
  return `${modeTag(mode)} · ⛔ signal <code>${esc(s.id)}</code> refused\n${s.side === "long" ? "BUY" : "SELL"} ${esc(s.symbol)} (${esc(s.strategy)}) at ≈ ${rs(s.entry)}: ${esc(s.statusReason ?? "")}.`;
}

export function positionLines(list: PositionLine[]): string {
  if (list.length === 0) return "No open positions.";
  return list
    .map(
      (p) =>
        `<b>${esc(p.symbol)}</b> ${p.side === "long" ? "long" : "short"} × ${p.qty} · ${esc(p.strategy)}\n` +
        `  avg ${rs(p.avgPrice)} · LTP ${p.lastPrice !== null ? rs(p.lastPrice) : "—"} · ${srs(p.unrealized)} (${esc(pct(p.unrealizedPct))})\n` +
        `  stop ${p.stop !== null ? rs(p.stop) : "none"} · held ${p.daysHeld} day${p.daysHeld === 1 ? "" : "s"}`,
    )
    .join("\n");
}

export function pnlText(r: PnlReport, mode: "paper" | "live"): string {
  const range = r.from ? (r.from === r.to ? esc(r.to) : `${esc(r.from)} → ${esc(r.to)}`) : `all time → ${esc(r.to)}`;
  return [
    `${modeTag(mode)} · P&amp;L ${esc(r.period)} (${range})`,
    `Realized ${srs(r.realized)} net of ${rs(r.charges)} charges · ${r.trades} trade${r.trades === 1 ? "" : "s"}, ${r.wins} won`,
    `Unrealized now ${srs(r.unrealized)}`,
    `<b>Equity change ${srs(r.total)}</b>`,
  ].join("\n");
}

export function tradeLine(t: TradeView): string {
  return `${esc(t.symbol)} × ${t.qty}: ${rs(t.entryPrice)} → ${rs(t.exitPrice)} · net ${srs(t.net)} (${esc(t.exitReason)}${t.r !== null ? `, ${t.r.toFixed(2)}R` : ""})`;
}
