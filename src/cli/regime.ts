import { join, resolve } from "node:path";
import { loadConfig, REGIMES, type Config } from "../config.js";
import { saveRegimeModel } from "../engine/intelligence/regime/classifier.js";
import { shippedDataset } from "../engine/intelligence/regime/dataset.js";
import { RegimeDetector } from "../engine/intelligence/regime/detector.js";
import { trainRegimeModel, type WalkForwardReport } from "../engine/intelligence/regime/walk-forward.js";
import { loadNseCalendar } from "../engine/market/calendar.js";
import { isIstDate } from "../engine/time/ist.js";
import { UsageError, parseCommandArgs, type Command } from "./command.js";

const HELP = `Usage: dalal regime train [--json] [--out PATH]
       dalal regime show YYYY-MM-DD [--json]

train  Builds the day-type samples from the shipped NIFTY 50 index and India
       VIX history (2013-2024), scores a walk-forward evaluation (train on
       every earlier year, predict the next), prints accuracy against always
       calling the most common class, then trains on every day and saves the
       model to --out, else REGIME_MODEL, else DALAL_HOME/regime-model.json.
show   The model's call for a day: day type, vote shares and the morning
       features it read. Exit code 1 when the day cannot be called (no model,
       no data for the day, not a trading day).

Options:
  --json       one JSON object on stdout
  --out PATH   (train) where to save the model`;

export function regimeModelPath(cfg: Config, cwd: string): string {
  return resolve(cwd, cfg.REGIME_MODEL ?? join(cfg.DALAL_HOME, "regime-model.json"));
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")).join("\n");
}

function trainReport(r: WalkForwardReport, path: string, seconds: number, samples: number, from: string, to: string): string {
  const head = ["actual \\ predicted", ...REGIMES];
  const cm = table([head, ...r.confusionMatrix.matrix.map((row, i) => [REGIMES[i]!, ...row.map(String)])]);
  const classes = table([
    ["class", "share", "precision", "recall"],
    ...r.perClass.map((c) => [c.label, pct(r.classShares[c.label]), pct(c.precision), pct(c.recall)]),
  ]);
  const steps = table([
    ["test year", "train days", "test days", "accuracy", "baseline"],
    ...r.steps.map((s) => [s.testFrom.slice(0, 4), String(s.trainSamples), String(s.testSamples), pct(s.accuracy), `${pct(s.baselineAccuracy)} (${s.baselineLabel})`]),
  ]);
  return [
    `Regime model: ${samples} days, ${from} to ${to}; walk-forward over ${r.samples} test days (${r.steps[0]!.testFrom} to ${r.steps[r.steps.length - 1]!.testTo}).`,
    `Accuracy ${pct(r.accuracy)} against ${pct(r.baselineAccuracy)} for the most common class of each step's training days.`,
    "",
    steps,
    "",
    "Confusion matrix (rows: actual day type, columns: predicted):",
    cm,
    "",
    classes,
    "",
    `${r.forest.trees} trees, depth ${r.forest.maxDepth}, ${r.forest.sampleSize} days each; trained and evaluated in ${seconds.toFixed(1)} s.`,
    `Saved to ${path}`,
  ].join("\n");
}

export const regimeCommand: Command = {
  name: "regime",
  summary: "Train the day-type (regime) model on history, or show its call for a day",
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: "boolean" }, out: { type: "string" } }, true);
    const [task, ...rest] = positionals;
    if (task !== "train" && task !== "show") throw new UsageError(task ? `unknown regime task "${task}"; valid: train, show` : "name a task: train or show");
    const cfg = loadConfig(io.env, io.cwd);

    if (task === "train") {
      if (rest.length) throw new UsageError(`regime train takes no arguments, got "${rest.join(" ")}"`);
      if (values.out !== undefined && values.out.trim() === "") throw new UsageError("--out needs a file path");
      const path = values.out !== undefined ? resolve(io.cwd, values.out) : regimeModelPath(cfg, io.cwd);
      const started = performance.now();
      const { samples } = shippedDataset();
      const { report, model } = trainRegimeModel(samples);
      saveRegimeModel(path, model);
      const seconds = (performance.now() - started) / 1000;
      if (values.json) {
        io.stdout(JSON.stringify({ ...report, model: path, training: model.training, features: model.features, seconds: Math.round(seconds * 10) / 10 }, null, 2) + "\n");
      } else {
        io.stdout(trainReport(report, path, seconds, model.training.samples, model.training.from, model.training.to) + "\n");
      }
      return 0;
    }

    if (values.out !== undefined) throw new UsageError("--out is for regime train");
    const date = rest[0];
    if (!date || rest.length > 1) throw new UsageError(date ? `regime show takes one date, got "${rest.join(" ")}"` : "regime show needs a date (YYYY-MM-DD)");
    if (!isIstDate(date)) throw new UsageError(`the date must be YYYY-MM-DD (a real day), got "${date}"`);
    const path = regimeModelPath(cfg, io.cwd);
    const call = new RegimeDetector({ modelPath: path, calendar: loadNseCalendar() }).call(date);
    if ("unknown" in call) {
      if (values.json) io.stdout(JSON.stringify({ date, ...call }, null, 2) + "\n");
      else io.stderr(`dalal regime show: ${call.reason}\n`);
      return 1;
    }
    if (values.json) {
      io.stdout(JSON.stringify({ date, ...call, model: path }, null, 2) + "\n");
      return 0;
    }
    const f = call.features;
    io.stdout(
      [
        `${date}: ${call.dayType} (${pct(call.confidence)} of the votes)`,
        `  ${REGIMES.map((r) => `${r} ${pct(call.probabilities[r])}`).join(", ")}`,
        `  gap ${f.gapPct.toFixed(2)}%, previous range ${f.prevRangePct.toFixed(2)}%, volume ratio ${f.volumeRatio === null ? "unknown" : f.volumeRatio.toFixed(2)}, India VIX ${f.vix.toFixed(2)}, ADX(14) ${f.adx14.toFixed(1)}, sentiment ${f.sentiment}`,
        `  model: ${path}`,
      ].join("\n") + "\n",
    );
    return 0;
  },
};
