/**
 * Expanding-window walk-forward evaluation: for each calendar year from the
 * first one with at least MIN_TRAINING_YEARS of days before it, train on every
 * earlier day, predict the year, and score. The baseline predicts, on the same
 * test days, the most common class of that step's training days. Then the
 * final model is trained on every day.
 */
import { REGIMES, type Regime } from "../../../config.js";
import type { IstDate } from "../../time/ist.js";
import { DEFAULT_FOREST, MODEL_FORMAT, MODEL_VERSION, RegimeForest, type ForestOptions, type RegimeModelFile } from "./classifier.js";
import type { Sample } from "./dataset.js";

import { LABEL_RULES } from "./labels.js";

export const MIN_TRAINING_YEARS = 3;

export interface WalkForwardStep {
  testFrom: IstDate;
  testTo: IstDate;
  trainFrom: IstDate;
  trainTo: IstDate;
  trainSamples: number;
  testSamples: number;
  accuracy: number;
  baselineLabel: Regime;
  baselineAccuracy: number;
}

export interface ClassScore {
  label: Regime;
  /** Test days of this class. */
  actual: number;
  /** Test days predicted as this class. */
  predicted: number;
  /** null when the class was never predicted / never occurred. */
  precision: number | null;
  recall: number | null;
}

export interface WalkForwardReport {
  accuracy: number;
  baselineAccuracy: number;
  /** Test days over all steps. */
  samples: number;
  /** Rows: actual class; columns: predicted class; both in `labels` order. */
  confusionMatrix: { labels: Regime[]; matrix: number[][] };
  perClass: ClassScore[];
  /** Each class's share of every sample (training and test), 2013-2024. */
  classShares: Record<Regime, number>;
  steps: WalkForwardStep[];
  forest: ForestOptions;
}

const mostCommon = (days: readonly Sample[]): Regime => {
  const counts = REGIMES.map((r) => days.filter((d) => d.label === r).length);
  return REGIMES[counts.indexOf(Math.max(...counts))]!;
};

/** Samples must be oldest first. */
export function walkForward(samples: readonly Sample[], forest: ForestOptions = DEFAULT_FOREST, minTrainingYears = MIN_TRAINING_YEARS): WalkForwardReport {
  if (samples.length === 0) throw new RangeError("walk-forward: no samples");
  const first = samples[0]!.date;
  const last = samples[samples.length - 1]!.date;
  // The first test year starts on a 1 January at least minTrainingYears after the first sample.
  const earliest = `${Number(first.slice(0, 4)) + minTrainingYears}${first.slice(4)}`;
  const firstYear = Number(earliest.slice(0, 4)) + (earliest.slice(5) === "01-01" ? 0 : 1);
  const lastYear = Number(last.slice(0, 4));
  if (firstYear > lastYear) throw new RangeError(`walk-forward: the samples (${first} to ${last}) span less than ${minTrainingYears} years before a whole test year`);

  const k = REGIMES.length;
  const matrix = REGIMES.map(() => new Array<number>(k).fill(0));
  const steps: WalkForwardStep[] = [];
  let hits = 0;
  let baseHits = 0;
  let tested = 0;
  for (let year = firstYear; year <= lastYear; year++) {
    const start = `${year}-01-01`;
    const train = samples.filter((s) => s.date < start);
    const test = samples.filter((s) => s.date.startsWith(`${year}-`));
    if (test.length === 0) continue;
    const model = RegimeForest.train(train, forest);
    const predicted = model.predictMany(test.map((s) => s.features));
    const base = mostCommon(train);
    let stepHits = 0;
    let stepBase = 0;
    test.forEach((s, i) => {
      const p = predicted[i]!.dayType;
      matrix[REGIMES.indexOf(s.label)]![REGIMES.indexOf(p)]!++;
      if (p === s.label) stepHits++;
      if (base === s.label) stepBase++;
    });
    hits += stepHits;
    baseHits += stepBase;
    tested += test.length;
    steps.push({
      testFrom: test[0]!.date,
      testTo: test[test.length - 1]!.date,
      trainFrom: train[0]!.date,
      trainTo: train[train.length - 1]!.date,
      trainSamples: train.length,
      testSamples: test.length,
      accuracy: stepHits / test.length,
      baselineLabel: base,
      baselineAccuracy: stepBase / test.length,
    });
  }
  const perClass: ClassScore[] = REGIMES.map((label, i) => {
    const actual = matrix[i]!.reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[i]!, 0);
    return { label, actual, predicted, precision: predicted ? matrix[i]![i]! / predicted : null, recall: actual ? matrix[i]![i]! / actual : null };
  });
  const classShares = Object.fromEntries(REGIMES.map((r) => [r, samples.filter((s) => s.label === r).length / samples.length])) as Record<Regime, number>;
  return {
    accuracy: hits / tested,
    baselineAccuracy: baseHits / tested,
    samples: tested,
    confusionMatrix: { labels: [...REGIMES], matrix },
    perClass,
    classShares,
    steps,
    forest,
  };
}

/** The walk-forward report, then the final model on every sample, as the file `dalal regime train` saves. */
export function trainRegimeModel(samples: readonly Sample[], forest: ForestOptions = DEFAULT_FOREST): { report: WalkForwardReport; model: RegimeModelFile<WalkForwardReport> } {
  const report = walkForward(samples, forest);
  const final = RegimeForest.train(samples, forest);
  return {
    report,
    model: {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      features: [...final.features],
      labels: [...REGIMES],
      labelRules: LABEL_RULES,
      training: { from: samples[0]!.date, to: samples[samples.length - 1]!.date, samples: samples.length },
      metrics: report,
      forest: final.toJSON(),
    },
  };
}


