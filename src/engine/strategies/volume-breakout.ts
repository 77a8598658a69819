import { z } from "zod";
import { roundToTick } from "../money.js";
import { tickFor } from "../market/tick.js";
import { atr } from "../indicators/atr.js";
import { donchian } from "../indicators/donchian.js";
import { volumeRatio } from "../indicators/volume-ratio.js";
import { toOhlcv } from "./bars.js";
import { round4, rupees, rupeesText, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const NAME = "volume-breakout";

const params = z
  .object({
    /** The breakout level is the highest high of this many days before today. */
    lookback: z.number().int().min(2).max(250).default(20),
    /** Today's volume must be at least this multiple of its average. */
    volumeMultiple: z.number().positive().max(50).default(2),
    /** Days in the volume average (the days before today). */
    volumePeriod: z.number().int().min(1).max(250).default(20),
    atrPeriod: z.number().int().min(1).max(100).default(14),
    /** The stop is no farther than this many ATRs from the entry. */
    stopAtr: z.number().positive().max(20).default(2),
    targetR: z.number().positive().max(20).default(2),
  })
  .strict();

export type VolumeBreakoutParams = z.output<typeof params>;



/**
 * 20-day high breakout on heavy volume, daily bars.
 *
 * Long on bar i: close > the highest high of the `lookback` days BEFORE bar i
 * (today excluded, so the close must clear the prior range), and volume ≥
 * volumeMultiple × the average volume of the `volumePeriod` days before bar i
 * (indicators/volume-ratio.ts default: today is excluded so a spike does not
 * dilute its own yardstick). Every such bar fires (a second breakout day clears
 * a higher prior high); no volume average (zero volume history) means no signal.
 *
 * Stop = the higher (tighter) of the lowest low of the same `lookback` days
 * before bar i (the other side of the channel the close broke out of) and
 * entry − stopAtr × ATR(atrPeriod), rounded down to the tick; skipped unless at
 * least a tick below the entry. Target = entry + targetR × R, rounded up.
 *
 * Downside mirror (close < the lowest low of the prior `lookback` days on the
 * same volume): cash → kind "exit", side "short"; F&O → short entry, stop = the
 * lower of the prior highest high and entry + stopAtr × ATR, rounded up,
 * target = entry − targetR × R rounded down.
 *
 * strength = min(100, round(25 × volume ratio)): 2× → 50, 4× or more → 100.
 */
export const volumeBreakout = defineStrategy<VolumeBreakoutParams>({
  name: NAME,
  description: "Close above the prior 20-day high on at least twice the 20-day average volume; 2R target.",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: true,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const n = bars.length;
    const fno = opts.fno ?? false;
    const ohlcv = toOhlcv(bars);
    const { close, volume } = ohlcv;
    const ch = donchian(ohlcv, p.lookback, { excludeCurrent: true });
    const vr = volumeRatio(volume, p.volumePeriod);
    const atrs = atr(ohlcv, p.atrPeriod);
    const out: SignalDraft[] = [];
    const from = Math.max(opts.from ?? 0, 0);
    for (let i = from; i < n; i++) {
      const ratio = vr[i]!;
      // NaN in warm-up, Infinity or NaN after days of zero volume: no yardstick.
      if (!Number.isFinite(ratio) || ratio < p.volumeMultiple) continue;
      const hi = ch.upper[i]!;
      const lo = ch.lower[i]!;
      const c = close[i]!;
      const up = c > hi;
      const down = c < lo; // NaN channel: both false
      if (!up && !down) continue;
      const bar = bars[i]!;
      const a = atrs[i]!;
      const strength = Math.min(100, Math.round(ratio * 25));
      const conditions = {
        close: rupees(c),
        priorHigh: rupees(hi),
        priorLow: rupees(lo),
        volume: volume[i]!,
        avgVolume: Math.round(volume[i]! / ratio),
        volumeRatio: round4(ratio),
        atr: Number.isNaN(a) ? "n/a" : rupees(a),
      };
      if (down && !fno) {
        out.push({
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1d",
          barTime: bar.time,
          strength,
          conditions,
          id: signalId(NAME, p, bar.symbol, "1d", bar.time, "exit"),
          side: "short",
          kind: "exit",
          entry: c,
          stop: null,
          targets: [],
          note: `close ₹${rupeesText(c)} broke the ${p.lookback}-day low ₹${rupeesText(lo)} on ${ratio.toFixed(1)}× volume: exit the long`,
        });
        continue;
      }
      if (Number.isNaN(a)) continue;
      const tick = tickFor(bar.symbol, c, bar.time);
      const entry = c;
      const stop = up
        ? roundToTick(Math.max(lo, entry - p.stopAtr * a), tick, "down")
        : roundToTick(Math.min(hi, entry + p.stopAtr * a), tick, "up");
      if (up ? stop >= entry || stop <= 0 : stop <= entry) continue;
      const r = Math.abs(entry - stop);
      const target = up
        ? roundToTick(entry + Math.round(r * p.targetR), tick, "up")
        : roundToTick(entry - Math.round(r * p.targetR), tick, "down");
      if (!up && target <= 0) continue;
      out.push({
        strategy: NAME,
        symbol: bar.symbol,
        timeframe: "1d",
        barTime: bar.time,
        strength,
        conditions,
        id: signalId(NAME, p, bar.symbol, "1d", bar.time, "entry"),
        side: up ? "long" : "short",
        kind: "entry",
        entry,
        stop,
        targets: [target],
      });
    }
    return out;
  },
});
