/**
 * RegimeDetector: the day type of a trading day from its morning, by the
 * saved model. History comes through a small port (RegimeHistory), so the
 * live desk can hand it today's NIFTY 50 open; shippedRegimeHistory reads the
 * files in data/. Every answer either names a day type with its votes and
 * features, or says why it is unknown; it never throws for a bad day.
 */
import { existsSync } from "node:fs";
import { REGIMES, type Regime } from "../../../config.js";
import type { VixSeries } from "../../fno/india-vix.js";
import type { NseCalendar } from "../../market/calendar.js";
import { addDays, isIstDate, type IstDate } from "../../time/ist.js";
import { loadRegimeModel, RegimeModelError, type LoadedModel } from "./classifier.js";
import { morningFeatures, type MorningFeatures } from "./features.js";
import { lastIndexBefore, loadNiftyIndex, type IndexBar } from "./nifty-index.js";
import { loadVixHistory } from "./vix-history.js";

/** What the detector reads about a day's morning. */
export interface RegimeHistory {
  /** NIFTY 50 daily bars dated before `date`, oldest first, as far back as there are (ADX needs the run-up). */
  barsBefore(date: IstDate): readonly IndexBar[];
  /** The NIFTY 50 open of `date` (09:15), or undefined before it is known. */
  openOn(date: IstDate): number | undefined;
  /** The latest India VIX close on a day before `date`, or undefined (none, or too old). */
  vixBefore(date: IstDate): number | undefined;
}

/** A history over bars (oldest first) and a VIX series; the day's open is its bar's open. */
export function seriesRegimeHistory(bars: readonly IndexBar[], vix: VixSeries): RegimeHistory {
  return {
    barsBefore: (date) => bars.slice(0, lastIndexBefore(bars, date) + 1),
    openOn(date) {
      const bar = bars[lastIndexBefore(bars, date) + 1];
      return bar?.date === date ? bar.open : undefined;
    },
    vixBefore: (date) => vix.on(addDays(date, -1)),
  };
}

/** The shipped NIFTY 50 index (2007-2024) and India VIX (2009-2024) files. */
export function shippedRegimeHistory(): RegimeHistory {
  return seriesRegimeHistory(loadNiftyIndex(), loadVixHistory());
}

export interface RegimeKnown {
  dayType: Regime;
  /** The winning class's share of the trees' votes. */
  confidence: number;
  probabilities: Record<Regime, number>;
  features: MorningFeatures;
  reason: string;
}

export interface RegimeUnknown {
  unknown: true;
  reason: string;
}

export type RegimeCall = RegimeKnown | RegimeUnknown;

export interface RegimeDetectorOptions {
  /** The file `dalal regime train` wrote. */
  modelPath: string;
  /** Default: the shipped files. */
  history?: RegimeHistory;
  /** Checks the day is a trading day and that yesterday's bar is there, for the years it covers. */
  calendar?: NseCalendar;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const signed = (x: number, digits = 2) => `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;

export class RegimeDetector {
  private model: LoadedModel | undefined;
  private readonly history: RegimeHistory;

  constructor(private readonly options: RegimeDetectorOptions) {
    this.history = options.history ?? shippedRegimeHistory();
  }

  /** Forget the loaded model, so the next call reads the file again (after a new `dalal regime train`). */
  reload(): void {
    this.model = undefined;
  }

  /** The model, or why there is none. Read on first use; a missing file is looked for again on every call. */
  loadedModel(): LoadedModel | RegimeUnknown {
    if (this.model) return this.model;
    if (!existsSync(this.options.modelPath)) return { unknown: true, reason: "no regime model: run dalal regime train" };
    try {
      this.model = loadRegimeModel(this.options.modelPath);
      return this.model;
    } catch (err) {
      if (err instanceof RegimeModelError) return { unknown: true, reason: err.message };
      throw err;
    }
  }

  call(date: IstDate, opts: { sentiment?: number } = {}): RegimeCall {
    if (typeof date !== "string" || !isIstDate(date)) return { unknown: true, reason: `unknown: ${JSON.stringify(date)} is not a date (YYYY-MM-DD)` };
    const model = this.loadedModel();
    if ("unknown" in model) return model;
    const off = this.calendarProblem(date);
    if (off) return { unknown: true, reason: off };

    const barsBefore = this.history.barsBefore(date);
    const expected = this.expectedPreviousDay(date);
    const prev = barsBefore[barsBefore.length - 1];
    if (prev && expected && prev.date < expected) return { unknown: true, reason: `unknown: no Nifty bar for ${expected}, the trading day before ${date} (the last is ${prev.date})` };
    const f = morningFeatures({ date, barsBefore, open: this.history.openOn(date), vixBefore: this.history.vixBefore(date), sentiment: opts.sentiment ?? 0 });
    if ("unknown" in f) return f;

    const p = model.forest.predict(f.features);
    const used = model.forest.features;
    const ranked = REGIMES.filter((r) => p.probabilities[r] > 0)
      .sort((a, b) => p.probabilities[b] - p.probabilities[a])
      .map((r) => `${r} ${pct(p.probabilities[r])}`);
    const x = f.features;
    const notes = [
      `gap ${signed(x.gapPct)}%`,
      `previous range ${x.prevRangePct.toFixed(2)}%`,
      x.volumeRatio === null ? "volume unknown (taken as usual)" : `volume ${x.volumeRatio.toFixed(2)} x its 20-day average`,
      `India VIX ${x.vix.toFixed(2)}`,
      `ADX ${x.adx14.toFixed(1)}`,
    ];
    if (x.sentiment !== 0 && !used.includes("sentiment")) notes.push("sentiment not used (the model was trained on history without it)");
    return {
      dayType: p.dayType,
      confidence: p.confidence,
      probabilities: p.probabilities,
      features: f.features,
      reason: `${p.dayType}: ${pct(p.confidence)} of the votes (${ranked.join(", ")}); ${notes.join(", ")}`,
    };
  }

  private calendarProblem(date: IstDate): string | undefined {
    const cal = this.options.calendar;
    if (!cal || !cal.isCovered(date)) return undefined;
    return cal.isTradingDay(date) ? undefined : `unknown: ${date} is not an NSE trading day${cal.holiday(date) ? ` (${cal.holiday(date)})` : " (weekend)"}`;
  }

  /** The trading day before `date` by the calendar, where it covers both. */
  private expectedPreviousDay(date: IstDate): IstDate | undefined {
    const cal = this.options.calendar;
    if (!cal || !cal.isCovered(date)) return undefined;
    try {
      return cal.previousTradingDay(date);
    } catch {
      return undefined; // the day before lies in a year the calendar does not cover
    }
  }
}
