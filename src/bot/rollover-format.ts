/**
 * /rollover's messages: the preview (each held unit's legs now and next
 * month's ATM legs it becomes) and, after the confirm button, what was sent.
 * HTML, every dynamic value escaped.
 */
import type { RolloverPreview } from "../engine/fno/synthetic-desk.js";
import { formatIst, fromIst } from "../engine/time/ist.js";
import type { OrderView } from "../engine/views.js";
import { MODELLED_LABEL } from "./divergence-format.js";
import { esc, modeTag, rs } from "./format.js";

export interface RolloverTextOptions {
  mode: "paper" | "live";
  /** Option legs priced by the model, not by the market. */
  modelled: boolean;
}

/** One order of a rollover as it stands after sending; `order` is undefined when it was never sent (the roll stopped first). */
export interface SentLeg {
  role: "close" | "open";
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  order: OrderView | undefined;
}

export interface SentRoll {
  strategy: string;
  unit: number;
  qty: number;
  fromExpiry: string;
  toExpiry: string;
  legs: SentLeg[];
}

const day = (d: string) => formatIst(fromIst(d), false);
const units = (n: number) => `${n} unit${n === 1 ? "" : "s"}`;
const modelledLine = (o: RolloverTextOptions) => (o.modelled ? [`🧮 <i>${esc(MODELLED_LABEL)}</i>`] : []);

/** Why a roll goes out in this order; said once under the preview. */
export const LEG_ORDER =
  "Per unit: next month's bought leg first, then this month's sold leg bought back, next month's sold leg, and this month's bought leg sold, so no sold option is ever left without its hedge. Each refused order is retried once; if one still fails the roll of that unit stops and the admin is told what is held.";

export function rolloverPreviewText(plans: readonly RolloverPreview[], o: RolloverTextOptions & { marketOpen: boolean }): string {
  const lines = [
    `${modeTag(o.mode)} · 🔄 <b>Rollover preview</b>: ${units(plans.length)} into the next monthly, at market`,
    ...modelledLine(o),
  ];
  for (const p of plans) {
    lines.push(
      `<b>${esc(p.strategy)} unit ${p.unit}</b> ${esc(p.side)} × ${p.qty} · ${esc(day(p.fromExpiry))} → ${esc(day(p.toExpiry))}`,
      `  now: ${p.from.map((l) => `${esc(l.side)} ${esc(l.symbol)}`).join(", ")}`,
      `  becomes: ${p.to.map((l) => `${esc(l.side)} ${esc(l.symbol)}`).join(", ")} (× ${p.qty} each)`,
    );
  }
  lines.push(esc(LEG_ORDER));
  if (!o.marketOpen) lines.push("The market is closed now: the orders wait for the next open.");
  lines.push("The rollover's cost (spread and charges) is kept apart from trading P&amp;L. Roll now?");
  return lines.join("\n");
}

export function rolloverSentText(rolls: readonly SentRoll[], actor: string, o: RolloverTextOptions): string {
  if (rolls.length === 0) return `${modeTag(o.mode)} · Nothing was rolled: no unit is held now, or each one already has closing orders working (mid-roll or mid-exit).`;
  const sent = rolls.reduce((n, r) => n + r.legs.filter((l) => l.order).length, 0);
  const lines = [`${modeTag(o.mode)} · 🔄 <b>Rollover sent</b> by ${esc(actor)}: ${units(rolls.length)}, ${sent} order${sent === 1 ? "" : "s"}`, ...modelledLine(o)];
  for (const r of rolls) {
    lines.push(`<b>${esc(r.strategy)} unit ${r.unit}</b> × ${r.qty}: ${esc(day(r.fromExpiry))} → ${esc(day(r.toExpiry))}`);
    for (const l of r.legs) lines.push(`  ${esc(l.side)} ${l.qty} ${esc(l.symbol)} (${l.role === "open" ? "next month" : "this month, closed"}): ${legState(l.order)}`);
  }
  lines.push("Fills, and the rollover's cost, follow as they come; /divergence keeps the rollover history.");
  return lines.join("\n");
}

function legState(o: OrderView | undefined): string {
  if (!o) return "not sent (the roll of this unit stopped before it)";
  switch (o.status) {
    case "new":
      return "queued for the next open";
    case "submitted":
      return "sent";
    case "filled":
      return `filled at ${o.avgFillPrice !== null ? rs(o.avgFillPrice) : "?"}`;
    case "rejected":
      return `refused: ${esc(o.reason ?? "no reason given")}`;
    default:
      return esc(o.status);
  }
}
