/**
 * `dalal regime` in-process on the shipped history: the walk-forward report
 * adds up, training is deterministic, `show` calls a day from the saved model,
 * and bad dates, a missing model and a damaged one each exit with a clear line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import type { CommandIO } from "../../src/cli/command.js";
import { REGIMES } from "../../src/config.js";
import { loadRegimeModel, RegimeForest } from "../../src/engine/intelligence/regime/classifier.js";
import { shippedDataset } from "../../src/engine/intelligence/regime/dataset.js";
import { RegimeDetector, seriesRegimeHistory, shippedRegimeHistory } from "../../src/engine/intelligence/regime/detector.js";
import { loadNiftyIndex } from "../../src/engine/intelligence/regime/nifty-index.js";
import { loadVixHistory } from "../../src/engine/intelligence/regime/vix-history.js";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";

const dir = mkdtempSync(join(tmpdir(), "dalal-regime-"));
const modelPath = join(dir, "model.json");

async function dalal(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: { DALAL_HOME: join(dir, "home"), ...env }, cwd: dir, isTTY: false };
  const code = await runCli(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

interface TrainJson {
  accuracy: number;
  baselineAccuracy: number;
  samples: number;
  confusionMatrix: { labels: string[]; matrix: number[][] };
  steps: Array<{ testSamples: number; trainTo: string; testFrom: string }>;
  model: string;
}

describe("dalal regime", () => {
  let trained: TrainJson;
  const { samples } = shippedDataset();

  beforeAll(async () => {
    const r = await dalal(["regime", "train", "--json", "--out", "model.json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    trained = JSON.parse(r.out) as TrainJson;
  }, 120_000);

  it("reports a walk-forward whose numbers add up", () => {
    expect(trained.model).toBe(modelPath);
    expect(trained.accuracy).toBeGreaterThanOrEqual(0);
    expect(trained.accuracy).toBeLessThanOrEqual(1);
    expect(trained.baselineAccuracy).toBeGreaterThanOrEqual(0);
    expect(trained.baselineAccuracy).toBeLessThanOrEqual(1);
    // Test days: every sample from the first test year on (2017: three whole years after 2013-02).
    expect(trained.steps[0]!.testFrom.slice(0, 4)).toBe("2017");
    expect(trained.samples).toBe(samples.filter((s) => s.date >= "2017-01-01").length);
    expect(trained.steps.reduce((a, s) => a + s.testSamples, 0)).toBe(trained.samples);
    for (const s of trained.steps) expect(s.trainTo < s.testFrom).toBe(true);
    const { labels, matrix } = trained.confusionMatrix;
    expect(labels).toEqual([...REGIMES]);
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(trained.samples);
    const diagonal = matrix.reduce((a, row, i) => a + row[i]!, 0);
    expect(diagonal / trained.samples).toBeCloseTo(trained.accuracy, 12);
  });

  it("saves a model that loads, with its names, range and metrics", () => {
    const { file } = loadRegimeModel(modelPath);
    expect(file.labels).toEqual([...REGIMES]);
    expect(file.features).toEqual(["gapPct", "prevRangePct", "volumeRatio", "vix", "adx14"]); // sentiment is 0 all through history
    expect(file.training).toEqual({ from: samples[0]!.date, to: "2024-12-31", samples: samples.length });
    expect((file.metrics as TrainJson).accuracy).toBe(trained.accuracy);
  });

  it("trains the same model twice from the same days", () => {
    const a = JSON.stringify(RegimeForest.train(samples).toJSON());
    const b = JSON.stringify(RegimeForest.train(samples).toJSON());
    expect(a).toBe(b);
    expect(JSON.stringify(loadRegimeModel(modelPath).file.forest)).toBe(a);
  });

  it("shows the call for 2023-03-15 with its features", async () => {
    const r = await dalal(["regime", "show", "2023-03-15", "--json"], { REGIME_MODEL: modelPath });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const call = JSON.parse(r.out);
    expect(call.date).toBe("2023-03-15");
    expect(REGIMES).toContain(call.dayType);
    const probs = REGIMES.map((k) => call.probabilities[k] as number);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(call.confidence).toBe(Math.max(...probs));
    expect(call.probabilities[call.dayType]).toBe(call.confidence);
    expect(call.features).toMatchObject({ vix: 16.22, sentiment: 0 });
    expect(call.features.gapPct).toBeCloseTo(((17166.45 - 17043.3) / 17043.3) * 100, 10);
    expect(call.reason).toContain(call.dayType);
    const text = await dalal(["regime", "show", "2023-03-15"], { REGIME_MODEL: modelPath });
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^2023-03-15: ${call.dayType} \\(`));
  });

  it("calls a day from its open alone, as the live desk will feed it", () => {
    const bars = loadNiftyIndex().filter((b) => b.date < "2023-03-15");
    const shipped = shippedRegimeHistory();
    const live = { ...seriesRegimeHistory(bars, loadVixHistory()), openOn: (d: string) => (d === "2023-03-15" ? 17166.45 : undefined) };
    const a = new RegimeDetector({ modelPath, history: live, calendar: loadNseCalendar() }).call("2023-03-15", { sentiment: 0.5 });
    const b = new RegimeDetector({ modelPath, history: shipped }).call("2023-03-15", { sentiment: 0.5 });
    expect(a).toEqual(b);
    expect("dayType" in a && a.reason).toMatch(/sentiment not used/);
    expect(live.openOn("2023-03-16")).toBeUndefined();
    expect(new RegimeDetector({ modelPath, history: live }).call("2023-03-16")).toEqual({ unknown: true, reason: "unknown: no Nifty open on 2023-03-16" });
  });

  it("refuses a bad date or task with exit code 2, naming it", async () => {
    for (const [args, msg] of [
      [["regime", "show", "2023-02-30"], /the date must be YYYY-MM-DD \(a real day\), got "2023-02-30"/],
      [["regime", "show", "15-03-2023"], /got "15-03-2023"/],
      [["regime", "show"], /regime show needs a date/],
      [["regime", "fit"], /unknown regime task "fit"; valid: train, show/],
      [["regime", "train", "--fast"], /--fast/],
    ] as const) {
      const r = await dalal([...args], { REGIME_MODEL: modelPath });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("answers exit code 1 with the reason for a day it cannot call", async () => {
    const weekend = await dalal(["regime", "show", "2023-03-18"], { REGIME_MODEL: modelPath });
    expect(weekend.code).toBe(1);
    expect(weekend.err).toBe("dalal regime show: unknown: 2023-03-18 is not an NSE trading day (weekend)\n");
    const holiday = await dalal(["regime", "show", "2023-03-30"], { REGIME_MODEL: modelPath });
    expect(holiday.err).toMatch(/2023-03-30 is not an NSE trading day \(.+\)/);
    const beyond = await dalal(["regime", "show", "2025-01-02", "--json"], { REGIME_MODEL: modelPath });
    expect(beyond.code).toBe(1);
    expect(JSON.parse(beyond.out)).toEqual({ date: "2025-01-02", unknown: true, reason: "unknown: no Nifty bar for 2025-01-01, the trading day before 2025-01-02 (the last is 2024-12-31)" });
  });

  it("says there is no model yet, or that the file is damaged, with exit code 1", async () => {
    const missing = await dalal(["regime", "show", "2023-03-15"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("dalal regime show: no regime model: run dalal regime train\n");

    const corrupt = join(dir, "corrupt.json");
    writeFileSync(corrupt, readFileSync(modelPath, "utf8").slice(0, 500));
    const c = await dalal(["regime", "show", "2023-03-15"], { REGIME_MODEL: corrupt });
    expect(c.code).toBe(1);
    expect(c.err).toBe(`dalal regime show: the regime model ${corrupt} is not valid JSON (damaged?): run dalal regime train again\n`);

    const model = JSON.parse(readFileSync(modelPath, "utf8"));
    const old = join(dir, "old.json");
    writeFileSync(old, JSON.stringify({ ...model, version: 0 }));
    const o = await dalal(["regime", "show", "2023-03-15"], { REGIME_MODEL: old });
    expect(o.code).toBe(1);
    expect(o.err).toMatch(/has version 0; this Dalal reads version 1: run dalal regime train again/);

    const foreign = join(dir, "foreign.json");
    writeFileSync(foreign, JSON.stringify({ name: "RFClassifier" }));
    expect((await dalal(["regime", "show", "2023-03-15"], { REGIME_MODEL: foreign })).err).toMatch(/is not a regime model/);

    const broken = join(dir, "broken.json");
    writeFileSync(broken, JSON.stringify({ ...model, forest: { ...model.forest, trees: [{ columns: [9], tree: {} }] } }));
    expect((await dalal(["regime", "show", "2023-03-15"], { REGIME_MODEL: broken })).err).toMatch(/is damaged \(tree 0 reads columns the model does not have\)/);
  });
});
