/**
 * The end-of-day digest for the chat: HTML parse mode, every dynamic value
 * escaped, under Telegram's 4096-character limit (long lists end "…and N more").
 * The equity chart goes as a photo beside it.
 */
import { drawdownSeries } from "../engine/backtest/metrics.js";
import type { Digest, DigestPosition, RolloverNotice, TomorrowEvent } from "../engine/digest.js";
import type { Paise } from "../engine/money.js";
import { formatIst, fromIst, weekday, type IstDate } from "../engine/time/ist.js";
import { renderEquityPng, type ChartFonts } from "../report/equity-chart.js";
import { esc, modeTag, rs, srs, tradeLine } from "./format.js";

export const TELEGRAM_MAX_CHARS = 4096;
/** Rows per list before "…and N more"; fewer when the message would not fit. */
const LIST_MAX = 10;
/** Free text from elsewhere (breaker state, exit reasons) is cut to this before escaping. */
const FREE_TEXT_MAX = 400;

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** "Tue 26 Mar 2024". */
export function dayLabel(d: IstDate): string {
  return `${WEEKDAYS[weekday(d)]} ${formatIst(fromIst(d), false)}`;
}

export function digestText(d: Digest, mode: "paper" | "live"): string {
  // Shrink the lists until the whole message fits; the summary never shrinks.
  for (let max = LIST_MAX; max > 0; max--) {
    const text = render(d, mode, max);
    if (text.length <= TELEGRAM_MAX_CHARS) return text;
  }
  return render(d, mode, 0);
}

function render(d: Digest, mode: "paper" | "live", max: number): string {
  const lines: string[] = [];
  lines.push(`${modeTag(mode)} · <b>End of day · ${esc(dayLabel(d.date))}</b>`);
  lines.push(`<b>Net today ${srs(d.netToday)}</b> · equity ${rs(d.equity)} (last close ${rs(d.startEquity)})`);
  const n = d.closedToday.length;
  lines.push(
    n === 0
      ? "No trades closed today."
      : `Realized ${srs(d.realizedToday)} after ${rs(d.chargesToday)} charges · ${n} trade${n === 1 ? "" : "s"} closed, ${d.wins} won (${esc(pct0(d.winRatePct))})`,
  );
  const k = d.openPositions.length;
  lines.push(`Unrealized ${srs(d.unrealized)} on ${k} open position${k === 1 ? "" : "s"} (before exit charges)`);
  let risk = `Open risk ${rs(d.openRisk)} (${esc(pct2(d.openRiskPct))} of equity)`;
  if (d.unstopped.length > 0) risk += ` · ⚠️ no stop: ${esc(d.unstopped.join(", "))}`;
  lines.push(`${risk} · deployed ${rs(d.capitalDeployed)} (${esc(pct1(d.capitalDeployedPct))})`);
  lines.push(esc(clip(d.breaker)));

  if (n > 0) {
    lines.push("", "<b>Closed today</b>");
    lines.push(...capped(d.closedToday.map((t) => tradeLine({ ...t, exitReason: clip(t.exitReason) })), max));
  }
  if (k > 0) {
    lines.push("", "<b>Open positions</b>");
    lines.push(...capped(d.openPositions.map(positionLine), max));
  }

  lines.push("");
  const t = d.tomorrow;
  if (t.date === null) {
    lines.push(`<b>Next trading day</b>: unknown (${esc(clip(t.note ?? "no holiday data"))})`);
  } else {
    lines.push(`<b>Tomorrow</b> (next trading day): ${esc(dayLabel(t.date))}`);
    if (t.events.length === 0) lines.push("Nothing special: no holiday before it, no NIFTY or BANKNIFTY monthly expiry on it.");
    for (const e of t.events) lines.push(`• ${eventLine(e)}`);
    if (t.note) lines.push(`(${esc(clip(t.note))})`);
  }
  for (const r of d.rollovers) lines.push(rolloverLine(r));
  if (d.rolloverNote) lines.push(`(${esc(clip(d.rolloverNote))})`);
  return lines.join("\n");
}

const INDEX_NAMES: Readonly<Record<string, string>> = { BANKNIFTY: "Bank Nifty", NIFTY: "Nifty", FINNIFTY: "Fin Nifty" };

/** "🔄 Bank Nifty rollover on Thu 21 Oct 2021 at 15:00, in 2 trading days: 3 units held, rolled out of the Thu 28 Oct 2021 expiry into the next monthly." */
export function rolloverLine(r: RolloverNotice): string {
  const name = INDEX_NAMES[r.underlying] ?? r.underlying;
  const away = `in ${r.tradingDaysAway} trading day${r.tradingDaysAway === 1 ? "" : "s"}`;
  const held =
    r.units === 0
      ? `no unit held in the ${dayLabel(r.expiry)} expiry, nothing to roll`
      : `${r.units} unit${r.units === 1 ? "" : "s"} held, rolled out of the ${dayLabel(r.expiry)} expiry into the next monthly`;
  return `🔄 <b>${esc(name)} rollover on ${esc(dayLabel(r.day))} at ${esc(r.at)}</b>, ${away}: ${esc(held)}.`;
}

function positionLine(p: DigestPosition): string {
  const ltp = p.lastPrice !== null ? rs(p.lastPrice) : "—";
  const stop = p.stop !== null ? `stop ${rs(p.stop)} (risk ${rs(p.riskToStop ?? 0)})` : "⚠️ no stop";
  return (
    `<b>${esc(p.symbol)}</b> ${p.side} × ${p.qty} · ${esc(p.strategy)} · avg ${rs(p.avgPrice)} · LTP ${ltp} · ` +
    `${srs(p.unrealized)} (${esc(signedPct(p.unrealizedPct))}) · ${stop}`
  );
}

function eventLine(e: TomorrowEvent): string {
  switch (e.kind) {
    case "closed":
      return `Exchange closed ${esc(dayLabel(e.date))} (${esc(e.reason)})`;
    case "special-session":
      return `Special session ${esc(dayLabel(e.date))} ${esc(e.windows.join(", "))} IST (${esc(e.description)}): no scheduled scans`;
    case "expiry":
      return `<b>${esc(e.underlying)} monthly expiry tomorrow</b>`;
  }
}

function capped(list: string[], max: number): string[] {
  if (list.length <= max) return list;
  return [...list.slice(0, max), `…and ${list.length - max} more`];
}

function clip(s: string): string {
  return s.length > FREE_TEXT_MAX ? `${s.slice(0, FREE_TEXT_MAX - 1)}…` : s;
}

const pct0 = (x: number | null): string => (x === null ? "—" : `${x.toFixed(0)}%`);
const pct1 = (x: number | null): string => (x === null ? "— of equity" : `${x.toFixed(1)}% of equity`);
const pct2 = (x: number | null): string => (x === null ? "—" : `${x.toFixed(2)}%`);
const signedPct = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(2)}%`;

/**
 * The equity curve (daily closes, oldest first) with its drawdown, as a PNG;
 * null with fewer than two days, where a curve says nothing.
 */
export function digestChart(rows: ReadonlyArray<{ date: IstDate; equity: Paise }>, opts: { title?: string; fonts?: ChartFonts } = {}): Buffer | null {
  if (rows.length < 2) return null;
  const title = opts.title ?? `Equity ${rows[0]!.date} → ${rows[rows.length - 1]!.date}`;
  return renderEquityPng({ title, equity: rows, drawdownPct: drawdownSeries(rows) }, opts.fonts ?? {});
}
