/**
 * `npm run bench`: figures, not pass/fail. Measured in one process on this
 * machine; later issues add their rows (scan, backtest, ticks, webhooks).
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { migrateDatabase, openDatabase } from "../src/db/connection.js";
import { Repo } from "../src/db/repo.js";
import { ManualClock } from "../src/engine/clock.js";
import { Desk } from "../src/engine/desk.js";
import { PaperBroker } from "../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../src/engine/market/shipped-data.js";
import { STRATEGIES } from "../src/engine/strategies/registry.js";
import { smaCross } from "../src/engine/strategies/sma-cross.js";
import { syntheticUniverse } from "./synthetic-universe.js";
import { commandRoundTrip } from "./round-trip.js";
import { liveApprovalLatency } from "./live-order.js";
import { tickBench } from "./ticks.js";
import { webhookBurst, webhookOrderLatency } from "./webhook.js";
import { startupTime } from "./startup.js";
import { runBacktest } from "../src/engine/backtest/backtester.js";
import { loadUniverse } from "../src/engine/market/universe.js";
import type { Strategy } from "../src/engine/strategies/strategy.js";
import { deliveryFillCharges } from "../src/engine/costs/index.js";

interface Row {
  name: string;
  value: number;
  unit: string;
  target: string;
}
const rows: Row[] = [];
const pct = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function desk(auto: string[], strategies: Strategy<unknown>[] = [smaCross as Strategy<unknown>]) {
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  const t0 = performance.now();
  await repo.upsertCandles(loadShippedDaily().candles);
  const seedMs = performance.now() - t0;
  const d = new Desk({
    repo,
    broker: new PaperBroker(),
    marketClock: new ManualClock(),
    wallClock: new ManualClock(Date.UTC(2026, 0, 5, 4)),
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies,
    autoAccept: auto,
    charges: deliveryFillCharges,
    mode: "paper",
  });
  await d.init();
  return { database, repo, desk: d, seedMs };
}

// 0. A daily scan of every daily strategy over 500 symbols × 10 years (in memory).
{
  const universe = syntheticUniverse(500, 2500);
  const daily = [...STRATEGIES.values()].filter((s) => s.timeframe === "1d");
  const bars = universe.length * universe[0]!.length;
  const runOnce = () => {
    let signals = 0;
    const t = performance.now();
    for (const strategy of daily) for (const series of universe) signals += strategy.scan(series, strategy.defaults).length;
    return { s: (performance.now() - t) / 1000, signals };
  };
  const rssBefore = process.memoryUsage().rss;
  const cold = runOnce();
  const warm = runOnce();
  const label = `${daily.length} daily strategies × 500 symbols × 2,500 bars`;
  rows.push({ name: `scan ${label}, first run`, value: Number(cold.s.toFixed(2)), unit: "s", target: "< 2 s (issue 3)" });
  rows.push({ name: `scan ${label}, second run`, value: Number(warm.s.toFixed(2)), unit: "s", target: "< 2 s (issue 3)" });
  rows.push({ name: "scan throughput (bars × strategies per second, second run)", value: Math.round((bars * daily.length) / warm.s), unit: "bars/s", target: "-" });
  rows.push({ name: "signals found in that scan", value: warm.signals, unit: "signals", target: "-" });
  rows.push({ name: "resident memory after the scan (universe held)", value: Math.round(Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20), unit: "MiB", target: "-" });
}

// 0b. The same scan split over two worker threads (this machine has two cores), one half of the symbols each.
{
  const half = 250;
  // A worker runs plain JavaScript: register tsx inside it, then load the TypeScript entry.
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./scan-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const workers = [0, half].map((first) => new Worker(boot, { eval: true, workerData: { first, symbols: half, bars: 2500 } }));
  const next = (w: Worker) => new Promise<{ ms?: number; signals?: number }>((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
  await Promise.all(workers.map(next)); // both have built their symbols
  const t = performance.now();
  const done = workers.map(next);
  for (const w of workers) w.postMessage("go");
  const results = await Promise.all(done);
  const s = (performance.now() - t) / 1000;
  rows.push({ name: "scan of the same 500 symbols on 2 worker threads (wall clock)", value: Number(s.toFixed(2)), unit: "s", target: "< 2 s (issue 3)" });
  rows.push({ name: "signals found by the 2 workers", value: results.reduce((n, r) => n + (r.signals ?? 0), 0), unit: "signals", target: "-" });
  await Promise.all(workers.map((w) => w.terminate()));
}

// 0c. Full-engine backtests (the live desk on the in-memory store): bar events per second.
for (const [name, universe, from, to, capital] of [
  ["sma-cross", "nifty50", "2021-01-01", "2025-09-30", 40_000_000],
  ["camarilla", "nifty50", "2021-01-01", "2025-09-30", 40_000_000],
  ["banknifty-trend", "banknifty", "2021-01-01", "2023-01-31", 1_000_000_000],
] as const) {
  const strategy = STRATEGIES.get(name)!;
  const u = loadUniverse(universe, strategy.timeframe);
  const t = performance.now();
  const r = await runBacktest({ strategy, series: u.series, from, to, capital, riskPct: 1.5 });
  const s = (performance.now() - t) / 1000;
  rows.push({ name: `backtest ${name} on ${universe} ${strategy.timeframe} ${from.slice(0, 4)}-${to.slice(0, 4)} (${r.bars} bars, ${r.trades.length} trades)`, value: Math.round(r.bars / s), unit: "bars/s", target: "≥ 1,000,000 (issue 4)" });
}
rows.push({ name: "resident memory after the backtests", value: Math.round(process.memoryUsage().rss / 2 ** 20), unit: "MiB", target: "-" });

// 1. Replay through the whole engine and the embedded database, auto-accepting.
{
  const { database, repo, desk: d, seedMs } = await desk(["sma-cross"]);
  rows.push({ name: "seed shipped daily bars (61,135) into PGlite", value: Math.round(seedMs), unit: "ms", target: "-" });
  const feed = new ReplayFeed(repo, d, { from: "2024-01-01", to: "2025-09-30", paceMs: 0 });
  await feed.prepare();
  let bars = 0;
  d.bus.on("replay.day", ({ bars: n }) => void (bars += n));
  const t = performance.now();
  while (await feed.step()) {
    /* play */
  }
  const s = (performance.now() - t) / 1000;
  rows.push({ name: "replay with persistence (50 symbols, 2024-01 to 2025-09)", value: Math.round(bars / s), unit: "bars/s", target: "-" });
  rows.push({ name: "closed trades in that replay", value: (await repo.trades()).length, unit: "trades", target: "-" });
  await database.close();
}

// 1b. The same replay with every daily strategy evaluating each bar (each evaluation rescans the symbol's history).
{
  const all = [...STRATEGIES.values()].filter((x) => x.timeframe === "1d");
  const { database, repo, desk: d } = await desk([...STRATEGIES.keys()], all);
  const feed = new ReplayFeed(repo, d, { from: "2025-01-01", to: "2025-09-30", paceMs: 0 });
  await feed.prepare();
  let bars = 0;
  d.bus.on("replay.day", ({ bars: n }) => void (bars += n));
  const t = performance.now();
  while (await feed.step()) {
    /* play */
  }
  const s = (performance.now() - t) / 1000;
  rows.push({ name: `replay with persistence, all ${all.length} daily strategies auto-accepted (2025-01 to 2025-09)`, value: Math.round(bars / s), unit: "bars/s", target: "-" });
  await database.close();
}

// 2. Approval → order written and accepted by the paper broker.
{
  const { database, repo, desk: d } = await desk([]);
  const feed = new ReplayFeed(repo, d, { from: "2024-01-01", to: "2025-09-30", paceMs: 0 });
  await feed.prepare();
  const lat: number[] = [];
  const pending: string[] = [];
  d.bus.on("signal.proposed", ({ signal }) => void pending.push(signal.id));
  while (lat.length < 200 && (await feed.step())) {
    for (const id of pending.splice(0)) {
      const t = performance.now();
      await d.approve(id, "@bench");
      lat.push(performance.now() - t);
    }
  }
  rows.push({ name: `signal approved → order committed and accepted (n=${lat.length}), p50`, value: Number(pct(lat, 50).toFixed(2)), unit: "ms", target: "-" });
  rows.push({ name: "signal approved → order committed and accepted, p99", value: Number(pct(lat, 99).toFixed(2)), unit: "ms", target: "p99 < 20 ms (issue 6)" });
  await database.close();
}

// 2b. The same approvals with the Angel One adapter: the order goes over HTTP to the SmartAPI stand-in.
{
  const lat = await liveApprovalLatency(100);
  rows.push({ name: `signal approved → order committed and accepted by the SmartAPI stand-in (n=${lat.length}), p50`, value: Number(pct(lat, 50).toFixed(2)), unit: "ms", target: "-" });
  rows.push({ name: "signal approved → order committed and accepted by the SmartAPI stand-in, p99", value: Number(pct(lat, 99).toFixed(2)), unit: "ms", target: "p99 < 20 ms (issue 6)" });
}

// 2c. Live ticks: packet decode, LTP cache and stop checks, candles from ticks.
for (const r of await tickBench()) rows.push(r);

// 2d. TradingView webhooks: alert posted → order accepted by the SmartAPI stand-in (auto-accept on), then a burst.
{
  const { entries, exits } = await webhookOrderLatency(100);
  rows.push({ name: `webhook posted → order accepted by the SmartAPI stand-in, SBIN entries (n=${entries.length}), p50`, value: Number(pct(entries, 50).toFixed(2)), unit: "ms", target: "-" });
  rows.push({ name: "webhook posted → order accepted by the SmartAPI stand-in, SBIN entries, p99", value: Number(pct(entries, 99).toFixed(2)), unit: "ms", target: "p99 < 20 ms (issue 7)" });
  rows.push({ name: `webhook posted → exit order accepted by the SmartAPI stand-in (stop cancelled first, n=${exits.length}), p50`, value: Number(pct(exits, 50).toFixed(2)), unit: "ms", target: "-" });
  rows.push({ name: "webhook posted → exit order accepted by the SmartAPI stand-in, p99", value: Number(pct(exits, 99).toFixed(2)), unit: "ms", target: "-" });

  const b = await webhookBurst(1_000, 10);
  const label = `webhook burst offered at ${b.perSecond.toLocaleString("en-IN")}/s for ${b.offered / b.perSecond} s`;
  rows.push({ name: `${label}: sent`, value: b.offered, unit: "alerts", target: "-" });
  rows.push({ name: `${label}: answered 200 {accepted: true}, each with its own signal id${b.answersMatch ? "" : " (SOME IDS WRONG)"}`, value: b.accepted, unit: "alerts", target: `${b.offered} (issue 7)` });
  rows.push({ name: `${label}: lost (sent, not stored)`, value: b.offered - b.stored, unit: "alerts", target: "0 (issue 7)" });
  rows.push({ name: `${label}: desk took them in the intake's arrival order (1 yes, 0 no)`, value: b.deskOrderKept ? 1 : 0, unit: "-", target: "1 (issue 7)" });
  rows.push({ name: `${label}: places where arrival order differs from send order (loopback connections racing), longest step back ${b.longestStepBack}`, value: b.stepsBack, unit: "places", target: "-" });
  rows.push({ name: `${label}: achieved send rate`, value: Math.round(b.achievedSendRate), unit: "/s", target: "1,000" });
  rows.push({ name: `${label}: taken by the desk (alerts ÷ time until the desk had taken the last)`, value: Math.round(b.takenRate), unit: "/s", target: "-" });
  rows.push({ name: `${label}: answer time, p50`, value: Math.round(pct(b.answerMs, 50)), unit: "ms", target: "-" });
  rows.push({ name: `${label}: answer time, p99`, value: Math.round(pct(b.answerMs, 99)), unit: "ms", target: "-" });
}

// 3. Chat command round trip through the Telegram stand-in (100 open positions, 10,000 closed trades).
for (const r of await commandRoundTrip()) {
  rows.push({ name: `command round trip ${r.command} (n=${r.n}), p50`, value: Number(r.p50.toFixed(1)), unit: "ms", target: "-" });
  rows.push({ name: `command round trip ${r.command}, p99`, value: Number(r.p99.toFixed(1)), unit: "ms", target: "p99 < 50 ms (issue 5)" });
}

// 4. Start-up to ready, as a user starts it: a child `dalal start` (console chat, paper replay).
{
  const s = await startupTime();
  rows.push({ name: "start-up to ready, `dalal start` on a new embedded database (created, migrated, seeded)", value: Math.round(s.firstMs), unit: "ms", target: "-" });
  rows.push({ name: "start-up to ready, `dalal start` on that database again", value: Math.round(s.againMs), unit: "ms", target: "-" });
  if (s.peakMiB !== null) rows.push({ name: "peak resident memory of that Dalal process at ready", value: s.peakMiB, unit: "MiB", target: "-" });
}

// The bench's own high-water mark (it holds the 500-symbol universe and every test desk).
rows.push({ name: "peak resident memory of this bench process", value: Math.round(process.resourceUsage().maxRSS / 1024), unit: "MiB", target: "-" });

if (process.argv.includes("--json")) {
  console.log(JSON.stringify(Object.fromEntries(rows.map((r) => [r.name, { value: r.value, unit: r.unit, target: r.target }])), null, 2));
} else {
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`${"figure".padEnd(w)}  ${"value".padStart(10)}  unit     target`);
  for (const r of rows) console.log(`${r.name.padEnd(w)}  ${String(r.value).padStart(10)}  ${r.unit.padEnd(7)}  ${r.target}`);
}
