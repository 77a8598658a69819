/**
 * /divergence as chat pages: each synthetic strategy's theoretical track (every
 * signalled unit at signal prices) beside its actual one (the option legs'
 * fills), what parts them, how many units were executed, the last slippages
 * and the rollover history. HTML, every dynamic value escaped; the items are
 * kept whole by the paginator.
 */
import type { DivergenceReport, SlippageRow, TheoreticalUnit } from "../engine/fno/divergence.js";
import type { TrackState } from "../engine/fno/divergence-watch.js";
import type { RolloverRecord } from "../engine/fno/synthetic-desk.js";
import { formatRupees, formatSignedRupees, type Paise } from "../engine/money.js";
import { formatIst, fromIst } from "../engine/time/ist.js";
import { esc, modeTag, rs, srs } from "./format.js";
import { paginate } from "./pagination.js";

export type DivergenceView = DivergenceReport & { track: TrackState | undefined };

export interface DivergenceFormatOptions {
  mode: "paper" | "live";
  /** DIVERGENCE_ALERT_PCT. */
  alertPct: number;
  /** Option legs priced by the model (desk.fno.settings.vix is set), not by the market. */
  modelled: boolean;
  /** Every rollover recorded (desk.fno.rolls.records()); each report shows its own. */
  rollovers: readonly RolloverRecord[];
  /** Slippage rows shown, the latest (default 10). */
  slippageRows?: number;
  /** Page size, for tests. */
  maxChars?: number;
}

export const MODELLED_LABEL = "Option prices modelled (Black-Scholes on India VIX), not traded prices.";

/** The pages of /divergence; every page carries the header and, when modelled, the label. */
export function divergencePages(reports: readonly DivergenceView[], o: DivergenceFormatOptions): string[] {
  const header = `${modeTag(o.mode)} · <b>theoretical vs actual</b>${o.modelled ? `\n🧮 <i>${esc(MODELLED_LABEL)}</i>` : ""}`;
  const items: string[] = [];
  for (const r of reports) {
    const rolls = o.rollovers.filter((x) => x.strategy === r.strategy && x.underlying === r.underlying);
    items.push(summaryBlock(r, o.alertPct), partsBlock(r, rolls), executionLine(r));
    const slips = [...r.slippages].sort((a, b) => a.at.getTime() - b.at.getTime()).slice(-(o.slippageRows ?? 10));
    items.push(
      r.slippages.length === 0
        ? "<b>Slippage per trade</b>: no filled unit yet."
        : `<b>Slippage per trade</b> (the last ${slips.length} of ${r.slippages.length}; signal → fill on the synthetic price strike + call − put):`,
    );
    items.push(...slips.map(slippageLine));
    items.push(rolls.length === 0 ? "<b>Rollovers</b>: none yet." : `<b>Rollovers</b> (${rolls.length}; their cost is kept apart from trading P&amp;L):`);
    items.push(...rolls.map(rolloverLine));
  }
  return paginate(items, { header, perPage: 40, separator: "\n", ...(o.maxChars !== undefined ? { maxChars: o.maxChars } : {}) });
}

/** Theoretical and actual side by side, and how far apart they are against the alert threshold. */
function summaryBlock(r: DivergenceView, alertPct: number): string {
  const dd = (x: number | undefined) => (x === undefined ? "n/a" : `${x.toFixed(2)}%`);
  const rows: Array<[string, string, string]> = [
    ["", "Theoretical", "Actual"],
    ["P&L", formatSignedRupees(r.theoretical), formatSignedRupees(r.actual)],
    ["Max drawdown", dd(r.track?.theoreticalMaxDdPct), dd(r.track?.actualMaxDdPct)],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const w2 = Math.max(...rows.map((x) => x[2].length));
  const table = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(w2)}`).join("\n");
  const over = r.divergencePct > alertPct;
  return [
    `<b>${esc(r.strategy)} · ${esc(r.underlying)}</b>`,
    `<pre>${esc(table)}</pre>`,
    `Divergence <b>${esc(r.divergencePct.toFixed(2))}%</b> of capital ${rs(r.capital)}: ${over ? "⚠️ over" : "✅ within"} the ${esc(alertPct)}% alert threshold.`,
  ].join("\n");
}

/**
 * theoretical − actual, term by term: units never executed, slippage, charges,
 * rollover spreads, and whatever is left (open legs marked at option prices,
 * which hold time value and basis the index does not).
 */
function partsBlock(r: DivergenceView, rolls: readonly RolloverRecord[]): string {
  const gap = r.theoretical - r.actual;
  const notExecuted = r.theoretical - r.executedTheoretical;
  const other = gap - notExecuted - r.slippage - r.charges - r.rolloverSpread;
  const missed = r.units.filter((u) => !u.executed);
  const why = countBy(missed.map((u) => u.status.split(":")[0]!.trim()));
  const costed = rolls.filter((x) => x.cost);
  const lines = [
    `Theoretical − actual = ${srs(gap)}, made of:`,
    `• units not executed: ${srs(notExecuted)} (${missed.length === 0 ? "every unit was executed" : esc(why)})`,
    `• slippage: ${srs(r.slippage)}`,
    `• charges: ${srs(r.charges)}`,
    `• rollover spreads: ${srs(r.rolloverSpread)}${costed.length ? ` (${costed.length} rollover${costed.length === 1 ? "" : "s"} cost ${rs(r.rolloverCost)} with their charges)` : ""}`,
  ];
  if (other !== 0) lines.push(`• open legs at option prices (time value, basis): ${srs(other)}`);
  return lines.join("\n");
}

function executionLine(r: DivergenceView): string {
  const rate = r.pyramids.signalled > 0 ? `${Math.round((r.pyramids.executed / r.pyramids.signalled) * 100)}%` : "n/a";
  return (
    `Bases: ${r.bases.signalled} signalled, ${r.bases.executed} executed · ` +
    `pyramids: ${r.pyramids.signalled} signalled, ${r.pyramids.executed} executed (pyramid execution rate ${esc(rate)})`
  );
}

/** "21 Oct 2021 14:15 IST · unit 1 entry · ₹39,689.60 → ₹39,702.35 · +12.75 pts · ₹2,868.75 against us" */
export function slippageLine(s: SlippageRow): string {
  const pts = `${s.points > 0 ? "+" : s.points < 0 ? "-" : ""}${(Math.abs(s.points) / 100).toFixed(2)} pts`;
  return `${esc(formatIst(s.at))} · unit ${s.unit} ${s.kind} · ${rs(s.signal)} → ${rs(s.fill)} · ${esc(pts)} · ${esc(againstUs(s.amount))}`;
}

/** "21 Oct 2021 15:00 IST · unit 0 × 225 · 28 Oct 2021 → 25 Nov 2021 · cost ₹45,048.65 (spread ₹44,403.75, charges ₹644.90)" */
export function rolloverLine(x: RolloverRecord): string {
  const cost = x.cost ? `cost ${rs(x.cost.total)} (spread ${srs(x.cost.spread)}, charges ${rs(x.cost.charges)})` : "fills pending, cost not known yet";
  const by = x.reason === "schedule" ? "" : ` · ${esc(x.reason)}`;
  return `${esc(formatIst(new Date(x.at)))} · unit ${x.unit} × ${x.qty} · ${esc(day(x.fromExpiry))} → ${esc(day(x.toExpiry))} · ${cost}${by}`;
}

/** A slippage in rupees, said plainly: positive costs us. Plain text: escape before sending. */
export function againstUs(p: Paise): string {
  return p === 0 ? "₹0.00" : `${formatRupees(Math.abs(p))} ${p > 0 ? "against us" : "in our favour"}`;
}

/** One theoretical unit's P&L at its exit, or at `spot` while open (as the report reckons it). */
export function unitPnl(u: TheoreticalUnit, spot: Paise | undefined): Paise {
  const last = u.exit ?? spot ?? u.entry;
  return (u.side === "long" ? 1 : -1) * (last - u.entry) * u.qty;
}

const day = (d: string) => formatIst(fromIst(d), false);

function countBy(xs: readonly string[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].map(([k, n]) => `${n} ${k}`).join(", ");
}
