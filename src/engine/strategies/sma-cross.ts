import { z } from "zod";
import { roundToTick } from "../money.js";
import { defaultEquityTick } from "../market/tick.js";
import { sma } from "../indicators/moving-averages.js";
import { RollingExtreme } from "../indicators/rolling.js";
import { istDate } from "../time/ist.js";
import { toOhlcv } from "./bars.js";
import { rupees, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const params = z
  .object({
    fast: z.number().int().min(2).max(200).default(20),
    slow: z.number().int().min(3).max(400).default(50),
    /** The stop sits under the lowest low of this many bars. */
    stopLookback: z.number().int().min(2).max(100).default(10),
    targetR: z.number().positive().max(20).default(2),
  })
  .strict()
  .refine((p) => p.fast < p.slow, { message: "fast must be shorter than slow", path: ["fast"] });

export type SmaCrossParams = z.output<typeof params>;

/**
 * Long when the fast SMA of closes crosses above the slow one on the bar just
 * closed; the cross back below is an exit for that long. Cash market: long-only.
 */
export const smaCross = defineStrategy<SmaCrossParams>({
  name: "sma-cross",
  description: "Fast/slow simple moving average crossover on daily closes (long-only).",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: false,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const n = bars.length;
    const { close, low } = toOhlcv(bars);
    const fast = sma(close, p.fast);
    const slow = sma(close, p.slow);
    const lows = new RollingExtreme(p.stopLookback, false);
    const out: SignalDraft[] = [];
    const from = Math.max(opts.from ?? 0, 1);
    for (let i = 0; i < n; i++) {
      lows.push(low[i]!);
      if (i < from || Number.isNaN(slow[i - 1]!)) continue;
      // Two states, "above" (fast > slow) and "not above": a touch is not a new cross.
      const wasAbove = fast[i - 1]! > slow[i - 1]!;
      const isAbove = fast[i]! > slow[i]!;
      if (wasAbove === isAbove) continue;
      const bar = bars[i]!;
      const conditions = {
        smaFast: rupees(fast[i]!),
        smaSlow: rupees(slow[i]!),
        smaFastPrev: rupees(fast[i - 1]!),
        smaSlowPrev: rupees(slow[i - 1]!),
      };
      if (isAbove) {
        const tick = defaultEquityTick(bar.close, istDate(bar.time));
        const entry = bar.close;
        const stop = roundToTick(Math.min(lows.value, entry - tick), tick, "down");
        const target = roundToTick(entry + Math.round((entry - stop) * p.targetR), tick, "up");
        const spread = (fast[i]! - slow[i]!) / slow[i]!;
        // Plain literals, not spreads: a scan builds a hundred thousand of these.
        out.push({
          id: signalId("sma-cross", p, bar.symbol, "1d", bar.time),
          strategy: "sma-cross",
          symbol: bar.symbol,
          timeframe: "1d",
          barTime: bar.time,
          side: "long",
          kind: "entry",
          entry,
          stop,
          targets: [target],
          strength: Math.max(1, Math.min(100, Math.round(50 + spread * 5000))),
          conditions,
        });
      } else {
        out.push({
          id: signalId("sma-cross", p, bar.symbol, "1d", bar.time, "exit"),
          strategy: "sma-cross",
          symbol: bar.symbol,
          timeframe: "1d",
          barTime: bar.time,
          side: "short",
          kind: "exit",
          entry: bar.close,
          stop: null,
          targets: [],
          strength: 50,
          conditions,
          note: `fast SMA ${p.fast} crossed below slow SMA ${p.slow}`,
        });
      }
    }
    return out;
  },
});
