/**
 * Gaps at the next open, for /performance: a synthetic unit decided after the
 * close meets the next open's gap rule (GAP_ADJUST_PCT, GAP_SKIP_PCT), and the
 * desk records the verdict in its signal's sizing.gap. Counted here per
 * strategy and index, with their effect: the entry slippage of the units that
 * went in (at market, or at limit prices after a gap), and what the skipped
 * units would have made on the theoretical track.
 */
import type { DivergenceReport } from "../engine/fno/divergence.js";
import type { Paise } from "../engine/money.js";
import { formatIst } from "../engine/time/ist.js";
import type { SignalView } from "../engine/views.js";
import { againstUs, unitPnl } from "./divergence-format.js";
import { esc, rs, srs } from "./format.js";

export interface GapVerdictRecord {
  kind: "none" | "adjust" | "skip";
  gapPct: number;
  open: Paise;
}

export interface GappedUnit {
  signalId: string;
  unit: number;
  barTime: Date;
  gap: GapVerdictRecord;
  status: string;
}

export interface GapSummary {
  strategy: string;
  underlying: string;
  /** Units that met a gap check at the next open. */
  met: number;
  /** Gap within GAP_ADJUST_PCT: entered at market. */
  quiet: { count: number; entered: number; slippage: Paise };
  /** Gap over GAP_ADJUST_PCT: re-checked, entered at limit prices (or skipped, having opened through the stop). */
  adjusted: { count: number; entered: number; throughStop: number; slippage: Paise };
  /** Gap over GAP_SKIP_PCT: skipped; `theoretical` is what they made (or make now) on the theoretical track. */
  skipped: { count: number; theoretical: Paise };
  /** The adjusted and skipped units, oldest first. */
  gapped: GappedUnit[];
}

const ENTERED = new Set(["ordered", "filled"]);

/** The signal's recorded gap verdict, or null when it never met one (decided in the session). */
export function gapOf(s: Pick<SignalView, "sizing">): GapVerdictRecord | null {
  const g = s.sizing["gap"] as Partial<GapVerdictRecord> | undefined;
  if (!g || (g.kind !== "none" && g.kind !== "adjust" && g.kind !== "skip") || typeof g.gapPct !== "number" || typeof g.open !== "number") return null;
  return { kind: g.kind, gapPct: g.gapPct, open: g.open };
}

/** Counts and effect of the gaps one strategy's units met in one index; `spot` marks skipped units still open in theory. */
export function gapSummary(signals: readonly SignalView[], report: DivergenceReport, spot: Paise | undefined): GapSummary {
  const out: GapSummary = {
    strategy: report.strategy,
    underlying: report.underlying,
    met: 0,
    quiet: { count: 0, entered: 0, slippage: 0 },
    adjusted: { count: 0, entered: 0, throughStop: 0, slippage: 0 },
    skipped: { count: 0, theoretical: 0 },
    gapped: [],
  };
  const units = new Map(report.units.map((u) => [u.signalId, u]));
  const entrySlip = (id: string) => report.slippages.filter((x) => x.signalId === id && x.kind === "entry").reduce((a, x) => a + x.amount, 0);
  for (const s of signals) {
    if (s.kind !== "entry" || s.decidedBy === "rollover") continue;
    const gap = gapOf(s);
    if (!gap) continue;
    out.met++;
    const entered = ENTERED.has(s.status);
    if (gap.kind === "none") {
      out.quiet.count++;
      if (entered) out.quiet.entered++;
      out.quiet.slippage += entrySlip(s.id);
      continue;
    }
    out.gapped.push({ signalId: s.id, unit: s.unit ?? 0, barTime: s.barTime, gap, status: s.status });
    if (gap.kind === "adjust") {
      out.adjusted.count++;
      if (entered) out.adjusted.entered++;
      if (s.status === "skipped") out.adjusted.throughStop++;
      out.adjusted.slippage += entrySlip(s.id);
    } else {
      out.skipped.count++;
      const u = units.get(s.id);
      if (u) out.skipped.theoretical += unitPnl(u, spot);
    }
  }
  return out;
}

/** The /performance lines of one summary. */
export function gapLines(g: GapSummary, thresholds: { adjustPct: number; skipPct: number }, maxRows = 10): string[] {
  const head = `<b>${esc(g.strategy)} · ${esc(g.underlying)}</b>: gaps at the next open`;
  if (g.met === 0) return [`${head}: no unit decided after the close has met the next open yet.`];
  const unit = (n: number) => `${n} unit${n === 1 ? "" : "s"}`;
  const lines = [
    `${head}: ${unit(g.met)} decided after the close met it`,
    `• within ${esc(thresholds.adjustPct)}%: ${g.quiet.count}, ${g.quiet.entered} entered at market · entry slippage ${esc(againstUs(g.quiet.slippage))}`,
    `• over ${esc(thresholds.adjustPct)}%: ${g.adjusted.count}, ${g.adjusted.entered} entered at limit prices · entry slippage ${esc(againstUs(g.adjusted.slippage))}` +
      (g.adjusted.throughStop ? ` · ${g.adjusted.throughStop} skipped, opened through the stop` : ""),
    `• over ${esc(thresholds.skipPct)}%: ${g.skipped.count} skipped · their theoretical P&amp;L ${srs(g.skipped.theoretical)}${g.skipped.count ? " (what skipping gave up, or saved when negative)" : ""}`,
  ];
  for (const x of g.gapped.slice(-maxRows)) {
    const pct = `${x.gap.gapPct > 0 ? "+" : ""}${x.gap.gapPct.toFixed(2)}%`;
    const what = x.gap.kind === "skip" ? "skipped" : x.status === "skipped" ? "skipped, opened through the stop" : `limit prices, ${x.status}`;
    lines.push(`  unit ${x.unit} signalled ${esc(formatIst(x.barTime))}: the open gapped ${esc(pct)} to ${rs(x.gap.open)} → ${esc(what)}`);
  }
  if (g.gapped.length > maxRows) lines.push(`  …and ${g.gapped.length - maxRows} earlier`);
  return lines;
}
