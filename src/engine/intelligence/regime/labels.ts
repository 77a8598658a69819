/**
 * The realized day type of a trading day, from its own NIFTY 50 bar once the
 * day is over: what the classifier learns to call from the morning. Pure.
 *
 * Rules, in order, first match wins (range = high - low in points; averages
 * over the LABEL_WINDOW days before the day, so a spike does not dilute its
 * own yardstick; README "Regime" lists the same):
 * 1. volatile:    VIX close > 20 and range > 1.3 x average range, or range > 1.75 x average range
 * 2. expansion:   range >= 1.2 x average range and volume >= 1.1 x average volume,
 *                 or an opening gap beyond 0.6% that the close does not fill
 *                 (a gap up closing above the previous close, a gap down below it)
 * 3. contraction: range <= 0.7 x average range
 * 4. trending:    |close - open| >= 0.55 x range
 * 5. choppy:      the rest
 * A day without volume (the source lacks it on some days) cannot meet the
 * volume half of rule 2; the gap half still applies.
 */
import type { Regime } from "../../../config.js";
import type { IndexBar } from "./nifty-index.js";

export const LABEL_WINDOW = 20;

/**
 * The thresholds of the rules above. The first draft (volatile 1.5 x with VIX
 * or 2 x, expansion 1.3 x and 1.2 x or a 0.75% gap, trending 0.6) left
 * volatile at 6% and expansion at 13% of 2013-2024; these give volatile 10%,
 * expansion 19%, contraction 22%, trending 24%, choppy 25% (2,933 days).
 */
export const LABEL_RULES = {
  volatileVix: 20,
  volatileRangeWithVix: 1.3,
  volatileRange: 1.75,
  expansionRange: 1.2,
  expansionVolume: 1.1,
  expansionGapPct: 0.6,
  contractionRange: 0.7,
  trendingBody: 0.55,
} as const;

export interface DayInput {
  bar: IndexBar;
  /** The LABEL_WINDOW bars before the day, oldest first; the last one's close is the previous close. */
  before: readonly IndexBar[];
  /** India VIX close of the day itself. */
  vixClose: number | undefined;
}

export type LabelResult = { label: Regime; rule: string } | { unknown: true; reason: string };

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

export function labelDay(input: DayInput, rules = LABEL_RULES): LabelResult {
  const { bar, before, vixClose } = input;
  if (before.length < LABEL_WINDOW) return { unknown: true, reason: `unknown: the label needs ${LABEL_WINDOW} Nifty bars before ${bar.date}, there are ${before.length}` };
  if (vixClose === undefined || !Number.isFinite(vixClose)) return { unknown: true, reason: `unknown: no India VIX close on ${bar.date}` };
  const window = before.slice(-LABEL_WINDOW);
  const prevClose = window[window.length - 1]!.close;
  const avgRange = window.reduce((s, b) => s + (b.high - b.low), 0) / LABEL_WINDOW;
  if (!(avgRange > 0)) return { unknown: true, reason: `unknown: the ${LABEL_WINDOW} Nifty bars before ${bar.date} have no range` };
  const range = bar.high - bar.low;
  const rangeRatio = range / avgRange;
  const volumes = window.filter((b) => b.volume > 0);
  const volumeRatio = bar.volume > 0 && volumes.length >= LABEL_WINDOW / 2 ? bar.volume / (volumes.reduce((s, b) => s + b.volume, 0) / volumes.length) : null;
  const gapPct = ((bar.open - prevClose) / prevClose) * 100;
  const r = rangeRatio.toFixed(2);

  if (vixClose > rules.volatileVix && rangeRatio > rules.volatileRangeWithVix) return { label: "volatile", rule: `VIX ${vixClose} > ${rules.volatileVix} and range ${r} x its ${LABEL_WINDOW}-day average` };
  if (rangeRatio > rules.volatileRange) return { label: "volatile", rule: `range ${r} x its ${LABEL_WINDOW}-day average` };
  if (rangeRatio >= rules.expansionRange && volumeRatio !== null && volumeRatio >= rules.expansionVolume) {
    return { label: "expansion", rule: `range ${r} x and volume ${volumeRatio.toFixed(2)} x their ${LABEL_WINDOW}-day averages` };
  }
  const unfilled = (gapPct > rules.expansionGapPct && bar.close > prevClose) || (gapPct < -rules.expansionGapPct && bar.close < prevClose);
  if (unfilled) return { label: "expansion", rule: `a ${gapPct.toFixed(2)}% gap the close did not fill` };
  if (rangeRatio <= rules.contractionRange) return { label: "contraction", rule: `range ${r} x its ${LABEL_WINDOW}-day average` };
  const body = range > 0 ? Math.abs(bar.close - bar.open) / range : 0;
  if (body >= rules.trendingBody) return { label: "trending", rule: `body ${pct(body)} of the range` };
  return { label: "choppy", rule: "none of the other rules" };
}

/** Convenience for a date's label over a whole series (oldest first). */
export function labelOn(bars: readonly IndexBar[], index: number, vixClose: number | undefined): LabelResult {
  const bar = bars[index];
  if (!bar) return { unknown: true, reason: `unknown: no Nifty bar at position ${index}` };
  return labelDay({ bar, before: bars.slice(Math.max(0, index - LABEL_WINDOW), index), vixClose });
}
