/**
 * Tick throughput: the live price path (LtpCache + StopWatch over 500
 * instruments), packet decoding, and candles from ticks. Run alone with
 * `node bin/run-ts.js bench/ticks.ts`, or call tickBench() from the runner.
 */
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { decodeTickPacket, encodeTickPacket, type Tick } from "../src/engine/feed/tick-packet.js";
import { LtpCache } from "../src/engine/market/ltp-cache.js";
import { StopWatch } from "../src/engine/market/stop-watch.js";
import { TickCandleBuilder } from "../src/engine/market/tick-candles.js";
import { fromIst } from "../src/engine/time/ist.js";

export interface TickBenchRow {
  name: string;
  value: number;
  unit: string;
  target: string;
}

const INSTRUMENTS = 500;
const SESSION_OPEN = fromIst("2025-09-15", "09:15").getTime();
const SESSION_MS = 375 * 60_000;

/** A seeded generator, so every run walks the same prices. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Walk {
  symbols: string[];
  start: Int32Array;
  idx: Uint16Array;
  price: Int32Array;
  time: Float64Array;
}

/** Ticks for 500 instruments through one session: each step moves a price by about 0.02%. */
function randomWalk(n: number, seed = 1): Walk {
  const rand = rng(seed);
  const symbols = Array.from({ length: INSTRUMENTS }, (_, i) => `SYM${String(i).padStart(3, "0")}`);
  const start = Int32Array.from(symbols, () => 10_000 + Math.floor(rand() * 490_000));
  const current = Int32Array.from(start);
  const idx = new Uint16Array(n);
  const price = new Int32Array(n);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * INSTRUMENTS);
    const step = Math.max(1, Math.round(current[k]! * 0.0002));
    current[k] = Math.max(100, current[k]! + (rand() < 0.5 ? -step : step) * (1 + Math.floor(rand() * 2)));
    idx[i] = k;
    price[i] = current[k]!;
    time[i] = SESSION_OPEN + Math.floor((i * SESSION_MS) / n);
  }
  return { symbols, start, idx, price, time };
}

function armAround(w: StopWatch, key: string, symbol: string, long: boolean, p: number): void {
  const d = Math.max(2, Math.round(p * 0.02));
  w.set(key, long ? { symbol, side: "long", stop: p - d, targets: [p + d, p + 2 * d] } : { symbol, side: "short", stop: p + d, targets: [p - d, p - 2 * d] });
}

function ltpAndStops(walk: Walk): { ticksPerS: number; hits: number } {
  const ltp = new LtpCache();
  const watch = new StopWatch();
  const { symbols, idx, price, time } = walk;
  for (let k = 0; k < INSTRUMENTS; k++) armAround(watch, `pos${k}`, symbols[k]!, k % 2 === 0, walk.start[k]!);
  let hits = 0;
  const run = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const symbol = symbols[idx[i]!]!;
      const p = price[i]!;
      ltp.set(symbol, p, new Date(time[i]!));
      const crossed = watch.onTick(symbol, p);
      if (crossed.length > 0) {
        hits += crossed.length;
        // The position manager would act and re-arm: here, new levels around the price.
        const k = idx[i]!;
        armAround(watch, `pos${k}`, symbol, k % 2 === 0, p);
      }
    }
  };
  const warm = Math.min(200_000, idx.length);
  run(0, warm);
  hits = 0;
  const t = performance.now();
  run(warm, idx.length);
  const s = (performance.now() - t) / 1000;
  return { ticksPerS: Math.round((idx.length - warm) / s), hits };
}

function decodeRate(packets: Buffer[], n: number): number {
  let sink = 0;
  const pass = (count: number) => {
    for (let i = 0; i < count; i++) {
      const r = decodeTickPacket(packets[i % packets.length]!);
      if (r.ok) sink += r.tick.ltp;
    }
  };
  pass(Math.min(100_000, n));
  const t = performance.now();
  pass(n);
  const s = (performance.now() - t) / 1000;
  if (sink === 0) throw new Error("nothing decoded");
  return Math.round(n / s);
}

function packetsFor(walk: Walk, mode: 1 | 2, count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const base = { exchangeType: 1, token: String(1000 + walk.idx[i]!), seq: i + 1, exchangeTime: new Date(walk.time[i]!), ltp: walk.price[i]! };
    const tick: Tick =
      mode === 1
        ? { mode: 1, ...base }
        : { mode: 2, ...base, lastTradedQty: 10, avgPrice: base.ltp, volume: 1_000 + i, totalBuyQty: 5_000, totalSellQty: 4_000, open: base.ltp, high: base.ltp + 50, low: base.ltp - 50, close: base.ltp };
    out.push(encodeTickPacket(tick));
  }
  return out;
}

function candleRate(walk: Walk): { ticksPerS: number; bars: number } {
  const b = new TickCandleBuilder();
  const { symbols, idx, price, time } = walk;
  const volume = new Float64Array(INSTRUMENTS);
  let bars = 0;
  const t = performance.now();
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i]!;
    volume[k] = volume[k]! + 10;
    bars += b.addTick(symbols[k]!, price[i]!, new Date(time[i]!), volume[k]).length;
  }
  bars += b.closeDay("2025-09-15").length;
  const s = (performance.now() - t) / 1000;
  return { ticksPerS: Math.round(idx.length / s), bars };
}

export async function tickBench(ticks = 2_000_000): Promise<TickBenchRow[]> {
  const walk = randomWalk(ticks);
  const rows: TickBenchRow[] = [];
  const live = ltpAndStops(walk);
  rows.push({ name: `ticks through LtpCache + StopWatch, 500 instruments (${live.hits} levels crossed and re-armed)`, value: live.ticksPerS, unit: "ticks/s", target: "≥ 200,000" });
  rows.push({ name: "tick packet decode, LTP mode (51 bytes)", value: decodeRate(packetsFor(walk, 1, 1_000), 1_000_000), unit: "ticks/s", target: "-" });
  rows.push({ name: "tick packet decode, Quote mode (123 bytes)", value: decodeRate(packetsFor(walk, 2, 1_000), 1_000_000), unit: "ticks/s", target: "-" });
  const candles = candleRate(walk);
  rows.push({ name: `ticks through TickCandleBuilder (1m + 75m + daily, 500 symbols, one session; ${candles.bars} bars)`, value: candles.ticksPerS, unit: "ticks/s", target: "-" });
  return rows;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  for (const r of await tickBench()) console.log(`${r.name}  ${r.value} ${r.unit}  (target ${r.target})`);
}
