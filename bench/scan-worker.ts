/**
 * One share of the parallel scan benchmark: builds its own symbols (so no bars
 * cross threads), reports ready, scans every daily strategy on "go", reports back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { STRATEGIES } from "../src/engine/strategies/registry.js";
import { syntheticUniverse } from "./synthetic-universe.js";

const { first, symbols, bars } = workerData as { first: number; symbols: number; bars: number };
const universe = syntheticUniverse(symbols, bars, first);
const daily = [...STRATEGIES.values()].filter((s) => s.timeframe === "1d");
parentPort!.postMessage({ ready: true });
parentPort!.on("message", () => {
  const t = performance.now();
  let signals = 0;
  for (const strategy of daily) for (const series of universe) signals += strategy.scan(series, strategy.defaults).length;
  parentPort!.postMessage({ ms: performance.now() - t, signals, rss: process.memoryUsage().rss });
});
