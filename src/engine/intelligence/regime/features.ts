/**
 * The morning features of a trading day, from what is known at its 09:15 open:
 * the NIFTY 50 daily bars of earlier days, the day's own open, the India VIX
 * close of an earlier day and a sentiment score. Pure: no I/O, no clock.
 *
 * - gapPct: (open - previous close) / previous close * 100
 * - prevRangePct: the previous day's (high - low) / its close * 100
 * - volumeRatio: the previous day's volume / the average volume of the 20 days
 *   before it (days with volume 0 left out of the average: the source has
 *   none on some days). null when the previous day has no volume or fewer than
 *   10 of those 20 days have any: an unknown volume is not "no volume".
 * - vix: the India VIX close in force before the open (the previous close)
 * - adx14: ADX(14), Wilder, of the daily bars up to the previous close
 *   (src/engine/indicators/dmi.ts, which the strategies use too)
 * - sentiment: the number passed in; history has none, so 0 there
 */
import type { IstDate } from "../../time/ist.js";
import { Dmi } from "../../indicators/dmi.js";
import type { IndexBar } from "./nifty-index.js";

export const FEATURE_NAMES = ["gapPct", "prevRangePct", "volumeRatio", "vix", "adx14", "sentiment"] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface MorningFeatures {
  gapPct: number;
  prevRangePct: number;
  volumeRatio: number | null;
  vix: number;
  adx14: number;
  sentiment: number;
}

export interface MorningInput {
  date: IstDate;
  /** NIFTY 50 daily bars dated before `date`, oldest first; all of them (ADX carries its seed a long way). */
  barsBefore: readonly IndexBar[];
  /** The day's open (known at 09:15), undefined before then or when missing. */
  open: number | undefined;
  /** The latest India VIX close on a day before `date`. */
  vixBefore: number | undefined;
  sentiment?: number;
}

export type FeaturesResult = { features: MorningFeatures } | { unknown: true; reason: string };

export const ADX_PERIOD = 14;
export const VOLUME_PERIOD = 20;
/** Fewer days with volume than this in the window: the average means nothing. */
const MIN_VOLUME_DAYS = 10;

/** Previous volume / the average of the nonzero volumes of the VOLUME_PERIOD days before it; null if unknown. */
export function previousVolumeRatio(barsBefore: readonly IndexBar[]): number | null {
  const n = barsBefore.length;
  const prev = barsBefore[n - 1];
  if (!prev || prev.volume <= 0 || n < VOLUME_PERIOD + 1) return null;
  let sum = 0;
  let days = 0;
  for (let i = n - 1 - VOLUME_PERIOD; i < n - 1; i++) {
    const v = barsBefore[i]!.volume;
    if (v > 0) {
      sum += v;
      days++;
    }
  }
  return days < MIN_VOLUME_DAYS ? null : prev.volume / (sum / days);
}

export function morningFeatures(input: MorningInput): FeaturesResult {
  const { date, barsBefore, open, vixBefore } = input;
  const prev = barsBefore[barsBefore.length - 1];
  if (!prev) return { unknown: true, reason: `unknown: no Nifty bar before ${date}` };
  if (prev.date >= date) return { unknown: true, reason: `unknown: the Nifty bars given for ${date} run to ${prev.date}, not before it` };
  if (open === undefined || !Number.isFinite(open) || open <= 0) return { unknown: true, reason: `unknown: no Nifty open on ${date}` };
  if (vixBefore === undefined || !Number.isFinite(vixBefore)) return { unknown: true, reason: `unknown: no India VIX close before ${date}` };
  const sentiment = input.sentiment ?? 0;
  if (!Number.isFinite(sentiment)) return { unknown: true, reason: `unknown: sentiment is not a number (${sentiment})` };
  const need = 2 * ADX_PERIOD;
  if (barsBefore.length < need) {
    return { unknown: true, reason: `unknown: ADX(${ADX_PERIOD}) needs ${need} Nifty bars before ${date}, there are ${barsBefore.length}` };
  }
  const dmi = new Dmi(ADX_PERIOD);
  let adx14 = NaN;
  for (const b of barsBefore) adx14 = dmi.update(b.high, b.low, b.close);
  return {
    features: {
      gapPct: ((open - prev.close) / prev.close) * 100,
      prevRangePct: ((prev.high - prev.low) / prev.close) * 100,
      volumeRatio: previousVolumeRatio(barsBefore),
      vix: vixBefore,
      adx14,
      sentiment,
    },
  };
}
