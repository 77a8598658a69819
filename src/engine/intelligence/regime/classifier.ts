/**
 * The regime classifier: a random forest of CART trees (ml-cart, mljs), each
 * grown on its own bootstrap sample of the training days and its own subset
 * of the features, the day type decided by the trees' votes.
 *
 * Why not ml-random-forest (the same trees, bagged by mljs): it grows every
 * tree on a bootstrap as large as the whole history, and ml-cart scores each
 * candidate split in time proportional to the node, so a tree costs the
 * square of the days: 50 trees on the 2,894 days of 2013-2024 took 58 s here.
 * Drawing SAMPLE_SIZE days per tree (as max_samples does in other forests)
 * brings training and the walk-forward to seconds; its option to cap samples
 * takes the first rows (the oldest days) instead of a random draw.
 *
 * Seeded (random-js Mersenne Twister), so the same days give the same model.
 * Saved as JSON with its feature and label names, training range, metrics and
 * a format version; loading a damaged or foreign file throws RegimeModelError.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DecisionTreeClassifier, type DecisionTreeJson } from "ml-cart";
import { integer, MersenneTwister19937 } from "random-js";
import { REGIMES, type Regime } from "../../../config.js";
import type { IstDate } from "../../time/ist.js";
import { FEATURE_NAMES, type FeatureName, type MorningFeatures } from "./features.js";
import { LABEL_RULES } from "./labels.js";

export interface ForestOptions {
  trees: number;
  maxDepth: number;
  /** A node with this many days or fewer is a leaf. */
  minNodeSamples: number;
  /** Days drawn (with replacement) for each tree. */
  sampleSize: number;
  /** Features each tree sees, drawn without replacement. */
  featuresPerTree: number;
  seed: number;
}

/**
 * Chosen on 2013-2024 for time: the walk-forward took 4.5 s with these, 10.7 s
 * with 40 trees on 300 days (accuracy 0.365 against 0.369; README "Regime").
 */
export const DEFAULT_FOREST: ForestOptions = { trees: 30, maxDepth: 5, minNodeSamples: 10, sampleSize: 250, featuresPerTree: 3, seed: 20130121 };

export interface LabelledDay {
  features: MorningFeatures;
  label: Regime;
}

export interface Prediction {
  dayType: Regime;
  /** The winning class's share of the trees' votes. */
  confidence: number;
  /** Each class's share of the votes (sums to 1). */
  probabilities: Record<Regime, number>;
}

/** The model's value for a feature: an unknown volume ratio counts as an ordinary day's (1). */
export function featureValue(f: MorningFeatures, name: FeatureName): number {
  const v = f[name];
  return v === null ? 1 : v;
}

interface TreeEntry {
  /** Positions in the forest's feature list that this tree reads. */
  columns: number[];
  tree: DecisionTreeClassifier;
}

export class RegimeForest {
  private constructor(
    /** Features the model reads, in order (a feature constant in training, such as sentiment in history, is left out). */
    readonly features: readonly FeatureName[],
    readonly options: ForestOptions,
    private readonly trees: readonly TreeEntry[],
  ) {}

  static train(days: readonly LabelledDay[], options: ForestOptions = DEFAULT_FOREST): RegimeForest {
    if (days.length < 2) throw new RangeError(`the regime forest needs at least 2 training days, got ${days.length}`);
    const features = FEATURE_NAMES.filter((name) => days.some((d) => featureValue(d.features, name) !== featureValue(days[0]!.features, name)));
    if (features.length === 0) throw new RangeError("the regime forest needs a feature that varies across the training days");
    const rows = days.map((d) => features.map((name) => featureValue(d.features, name)));
    const labels = days.map((d) => REGIMES.indexOf(d.label));
    const engine = MersenneTwister19937.seed(options.seed);
    const pickDay = integer(0, days.length - 1);
    const perTree = Math.min(options.featuresPerTree, features.length);
    const trees: TreeEntry[] = [];
    for (let t = 0; t < options.trees; t++) {
      const drawn = Array.from({ length: options.sampleSize }, () => pickDay(engine));
      const pool = features.map((_, i) => i);
      const columns: number[] = [];
      while (columns.length < perTree) columns.push(pool.splice(integer(0, pool.length - 1)(engine), 1)[0]!);
      columns.sort((a, b) => a - b);
      const tree = new DecisionTreeClassifier({ maxDepth: options.maxDepth, minNumSamples: options.minNodeSamples });
      tree.train(
        drawn.map((i) => columns.map((c) => rows[i]![c]!)),
        drawn.map((i) => labels[i]!),
      );
      trees.push({ columns, tree });
    }
    return new RegimeForest(features, options, trees);
  }

  predict(f: MorningFeatures): Prediction {
    return this.predictMany([f])[0]!;
  }

  predictMany(days: readonly MorningFeatures[]): Prediction[] {
    const rows = days.map((f) => this.features.map((name) => featureValue(f, name)));
    const votes = days.map(() => new Array<number>(REGIMES.length).fill(0));
    for (const { columns, tree } of this.trees) {
      const out = tree.predict(rows.map((r) => columns.map((c) => r[c]!)));
      out.forEach((label, i) => votes[i]![label]!++);
    }
    return votes.map((v) => {
      // Ties go to the class listed first in REGIMES, so a prediction never depends on vote order.
      let best = 0;
      for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k;
      const probabilities = Object.fromEntries(REGIMES.map((r, k) => [r, v[k]! / this.trees.length])) as Record<Regime, number>;
      return { dayType: REGIMES[best]!, confidence: v[best]! / this.trees.length, probabilities };
    });
  }

  toJSON(): ForestJson {
    return { options: this.options, features: [...this.features], trees: this.trees.map((t) => ({ columns: t.columns, tree: t.tree.toJSON() })) };
  }

  /** Throws RegimeModelError naming what is wrong. */
  static fromJSON(json: ForestJson, where = "regime model"): RegimeForest {
    const bad = (why: string) => new RegimeModelError(`${where} is damaged (${why}): run dalal regime train again`);
    if (typeof json !== "object" || json === null || !Array.isArray(json.trees) || !Array.isArray(json.features)) throw bad("no forest in it");
    for (const f of json.features) if (!FEATURE_NAMES.includes(f)) throw bad(`unknown feature "${String(f)}"`);
    if (json.trees.length === 0) throw bad("a forest without trees");
    const trees = json.trees.map((t, i) => {
      if (!Array.isArray(t?.columns) || t.columns.some((c) => !Number.isInteger(c) || c < 0 || c >= json.features.length)) throw bad(`tree ${i} reads columns the model does not have`);
      try {
        return { columns: t.columns, tree: DecisionTreeClassifier.load(t.tree) };
      } catch (err) {
        throw bad(`tree ${i}: ${(err as Error).message}`);
      }
    });
    return new RegimeForest(json.features, json.options, trees);
  }
}

export interface ForestJson {
  options: ForestOptions;
  features: FeatureName[];
  trees: Array<{ columns: number[]; tree: DecisionTreeJson }>;
}

export const MODEL_FORMAT = "dalal-regime-model";
export const MODEL_VERSION = 1;

/** What `dalal regime train` writes. */
export interface RegimeModelFile<M = unknown> {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  features: FeatureName[];
  labels: Regime[];
  labelRules: typeof LABEL_RULES;
  training: { from: IstDate; to: IstDate; samples: number };
  /** The walk-forward evaluation made before the final model was trained on every day. */
  metrics: M;
  forest: ForestJson;
}

export class RegimeModelError extends Error {
  override name = "RegimeModelError";
}

export function saveRegimeModel(path: string, file: RegimeModelFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(file) + "\n");
}

export interface LoadedModel<M = unknown> {
  file: RegimeModelFile<M>;
  forest: RegimeForest;
}

/** Reads and checks a model file; a missing, damaged or foreign file throws RegimeModelError. */
export function loadRegimeModel<M = unknown>(path: string): LoadedModel<M> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new RegimeModelError(code === "ENOENT" ? `no regime model at ${path}: run dalal regime train` : `cannot read the regime model ${path}: ${code ?? (err as Error).message}`);
  }
  let json: Partial<RegimeModelFile<M>>;
  try {
    json = JSON.parse(text) as Partial<RegimeModelFile<M>>;
  } catch {
    throw new RegimeModelError(`the regime model ${path} is not valid JSON (damaged?): run dalal regime train again`);
  }
  if (typeof json !== "object" || json === null || json.format !== MODEL_FORMAT) {
    throw new RegimeModelError(`${path} is not a regime model (no "format": "${MODEL_FORMAT}"): run dalal regime train`);
  }
  if (json.version !== MODEL_VERSION) {
    throw new RegimeModelError(`the regime model ${path} has version ${JSON.stringify(json.version)}; this Dalal reads version ${MODEL_VERSION}: run dalal regime train again`);
  }
  if (!Array.isArray(json.labels) || json.labels.join() !== REGIMES.join()) {
    throw new RegimeModelError(`the regime model ${path} has labels ${JSON.stringify(json.labels)}, not ${REGIMES.join(", ")}: run dalal regime train again`);
  }
  const forest = RegimeForest.fromJSON(json.forest as ForestJson, `the regime model ${path}`);
  return { file: json as RegimeModelFile<M>, forest };
}
