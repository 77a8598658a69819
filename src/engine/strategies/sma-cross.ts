import { z } from "zod";
import { roundToTick } from "../money.js";
import { defaultEquityTick } from "../market/tick.js";
import type { Candle } from "../market/candle.js";
import { istDate } from "../time/ist.js";
import { signalId, type SignalDraft } from "./signal.js";
import type { Strategy } from "./strategy.js";

const params = z
  .object({
    fast: z.number().int().min(2).max(200).default(20),
    slow: z.number().int().min(3).max(400).default(50),
    /** The stop sits under the lowest low of this many bars. */
    stopLookback: z.number().int().min(2).max(100).default(10),
    targetR: z.number().positive().max(20).default(2),
  })
  .refine((p) => p.fast < p.slow, { message: "fast must be shorter than slow", path: ["fast"] });

export type SmaCrossParams = z.output<typeof params>;

function sma(bars: readonly Candle[], end: number, n: number): number {
  let s = 0;
  for (let i = end - n + 1; i <= end; i++) s += bars[i]!.close;
  return s / n;
}

/**
 * Long when the fast SMA of closes crosses above the slow one on the bar just
 * closed; the cross back below is an exit for that long. Cash market: long-only.
 */
export const smaCross: Strategy<SmaCrossParams> = {
  name: "sma-cross",
  description: "Fast/slow simple moving average crossover on daily closes (long-only).",
  timeframe: "1d",
  params,
  defaults: params.parse({}),
  evaluate(bars, p) {
    const n = bars.length;
    if (n < p.slow + 1) return [];
    const last = bars[n - 1]!;
    const fastNow = sma(bars, n - 1, p.fast);
    const slowNow = sma(bars, n - 1, p.slow);
    const fastPrev = sma(bars, n - 2, p.fast);
    const slowPrev = sma(bars, n - 2, p.slow);
    const rupees = (paise: number) => Number((paise / 100).toFixed(4));
    const conditions = {
      smaFast: rupees(fastNow),
      smaSlow: rupees(slowNow),
      smaFastPrev: rupees(fastPrev),
      smaSlowPrev: rupees(slowPrev),
    };
    const base = { strategy: "sma-cross", symbol: last.symbol, timeframe: "1d" as const, barTime: last.time, side: "long" as const };
    const out: SignalDraft[] = [];
    // Two states, "above" (fast > slow) and "not above": a touch is not a new cross.
    const wasAbove = fastPrev > slowPrev;
    const isAbove = fastNow > slowNow;
    if (!wasAbove && isAbove) {
      const tick = defaultEquityTick(last.close, istDate(last.time));
      let low = Infinity;
      for (let i = Math.max(0, n - p.stopLookback); i < n; i++) low = Math.min(low, bars[i]!.low);
      const entry = last.close;
      const stop = roundToTick(Math.min(low, entry - tick), tick, "down");
      const risk = entry - stop;
      const target = roundToTick(entry + Math.round(risk * p.targetR), tick, "up");
      const spread = (fastNow - slowNow) / slowNow;
      out.push({
        ...base,
        id: signalId("sma-cross", p, last.symbol, "1d", last.time),
        kind: "entry",
        entry,
        stop,
        targets: [target],
        strength: Math.max(1, Math.min(100, Math.round(50 + spread * 5000))),
        conditions,
      });
    } else if (wasAbove && !isAbove) {
      out.push({
        ...base,
        id: signalId("sma-cross", p, last.symbol, "1d", last.time, "exit"),
        kind: "exit",
        entry: last.close,
        stop: null,
        targets: [],
        strength: 50,
        conditions,
      });
    }
    return out;
  },
};
