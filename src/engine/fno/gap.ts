/**
 * How far the next open has gapped from the price a signal was made at, and
 * what to do about it (GAP_ADJUST_PCT, GAP_SKIP_PCT): a gap over the skip
 * threshold skips the entry, one over the adjust threshold re-validates it
 * and enters with a limit price, anything else enters as planned. "Over" is
 * strict, and is judged on the exact gap, not on the rounded figure shown.
 */
import type { Paise } from "../money.js";

export interface GapVerdict {
  kind: "none" | "adjust" | "skip";
  /** Signed (open − signal) / signal × 100, rounded to 2 decimals, for reports. */
  gapPct: number;
}

export function classifyGap(signalPrice: Paise, open: Paise, adjustPct: number, skipPct: number): GapVerdict {
  if (!Number.isSafeInteger(signalPrice) || signalPrice <= 0) throw new RangeError(`classifyGap: signal price must be a positive whole number of paise, got ${signalPrice}`);
  if (!Number.isSafeInteger(open) || open <= 0) throw new RangeError(`classifyGap: open must be a positive whole number of paise, got ${open}`);
  if (!Number.isFinite(adjustPct) || adjustPct < 0) throw new RangeError(`classifyGap: adjust threshold must be a percentage ≥ 0, got ${adjustPct}`);
  if (!Number.isFinite(skipPct) || skipPct < adjustPct) {
    throw new RangeError(`classifyGap: skip threshold must be a percentage ≥ the adjust threshold (${adjustPct}), got ${skipPct}`);
  }
  const diff = open - signalPrice;
  // |diff| / signal × 100 > pct, multiplied out so whole paise compare without division error.
  const over = (pct: number): boolean => Math.abs(diff) * 100 > pct * signalPrice;
  const kind = over(skipPct) ? "skip" : over(adjustPct) ? "adjust" : "none";
  const pct = (Math.abs(diff) * 100) / signalPrice;
  const rounded = Math.round(pct * 100 + 1e-9) / 100;
  return { kind, gapPct: diff < 0 && rounded !== 0 ? -rounded : rounded };
}
