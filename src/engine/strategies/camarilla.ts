import { z } from "zod";
import { roundToTick } from "../money.js";
import { tickFor } from "../market/tick.js";
import { camarilla } from "../indicators/camarilla.js";
import { toOhlcv } from "./bars.js";
import { round4, rupees, rupeesText, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const NAME = "camarilla";

const params = z
  .object({
    targetR: z.number().positive().max(20).default(2),
  })
  .strict();

export type CamarillaParams = z.output<typeof params>;




/**
 * Camarilla R4 breakout / S4 breakdown on daily bars.
 *
 * Levels come from the PREVIOUS day's high H, low L and close C
 * (indicators/camarilla.ts): R4 = C + (H−L)×1.1/2, R3 = C + (H−L)×1.1/4,
 * S3 = C − (H−L)×1.1/4, S4 = C − (H−L)×1.1/2.
 *
 * "Crosses above R4" means the day itself crossed it: today's close > R4 and
 * today's open ≤ R4. (Yesterday's close ≤ R4 would be no condition at all: R4 lies
 * above yesterday's close whenever yesterday had any range.) A gap that opens
 * above R4 is not this setup. A prior day with no range (H = L) gives no levels.
 *
 * Long: entry = close, stop = R3 rounded down to the tick (skipped unless at
 * least a tick below the entry), target = entry + targetR×R rounded up.
 * S4 breakdown (close < S4, open ≥ S4): cash → kind "exit", side "short";
 * F&O → short entry, stop = S3 rounded up, target = entry − targetR×R rounded down.
 *
 * strength = min(100, round(50 + 50×x)) with x = (close − R4)/(R4 − R3), how far
 * past R4 the close is in units of the R3-R4 gap (a close just past R4 → 50,
 * a full gap past → 100); the breakdown mirrors it with S4 and S3.
 */
export const camarillaBreakout = defineStrategy<CamarillaParams>({
  name: NAME,
  description: "Daily close crossing above the Camarilla R4 of the previous day (stop R3, 2R target); S4 breakdown mirrors.",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: false,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const n = bars.length;
    const fno = opts.fno ?? false;
    const ohlcv = toOhlcv(bars);
    const { open, close } = ohlcv;
    const lv = camarilla(ohlcv);
    const out: SignalDraft[] = [];
    const from = Math.max(opts.from ?? 0, 1);
    for (let i = from; i < n; i++) {
      const r4 = lv.r4[i]!;
      const r3 = lv.r3[i]!;
      const s3 = lv.s3[i]!;
      const s4 = lv.s4[i]!;
      // NaN levels compare false; a day with no range gives R4 = R3 = C.
      if (!(r4 > r3)) continue;
      const c = close[i]!;
      const o = open[i]!;
      const up = c > r4 && o <= r4;
      const down = c < s4 && o >= s4;
      if (!up && !down) continue;
      const bar = bars[i]!;
      const prev = bars[i - 1]!;
      const gap = r4 - r3; // = S3 − S4
      const beyond = up ? (c - r4) / gap : (s4 - c) / gap;
      const strength = Math.min(100, Math.round(50 + 50 * beyond));
      const conditions: Record<string, number> = up
        ? { prevHigh: rupees(prev.high), prevLow: rupees(prev.low), prevClose: rupees(prev.close), open: rupees(o), close: rupees(c), r4: rupees(r4), r3: rupees(r3), beyond: round4(beyond) }
        : { prevHigh: rupees(prev.high), prevLow: rupees(prev.low), prevClose: rupees(prev.close), open: rupees(o), close: rupees(c), s4: rupees(s4), s3: rupees(s3), beyond: round4(beyond) };
      if (down && !fno) {
        out.push({
          id: signalId(NAME, p, bar.symbol, "1d", bar.time, "exit"),
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1d",
          barTime: bar.time,
          side: "short",
          kind: "exit",
          entry: c,
          stop: null,
          targets: [],
          strength,
          conditions,
          note: `close ₹${rupeesText(c)} broke below Camarilla S4 ₹${rupeesText(s4)}: exit the long`,
        });
        continue;
      }
      const tick = tickFor(bar.symbol, c, bar.time);
      const entry = c;
      const stop = up ? roundToTick(r3, tick, "down") : roundToTick(s3, tick, "up");
      if (up ? stop >= entry || stop <= 0 : stop <= entry) continue;
      const r = Math.abs(entry - stop);
      const target = up
        ? roundToTick(entry + Math.round(r * p.targetR), tick, "up")
        : roundToTick(entry - Math.round(r * p.targetR), tick, "down");
      if (!up && target <= 0) continue;
      out.push({
        id: signalId(NAME, p, bar.symbol, "1d", bar.time, "entry"),
        strategy: NAME,
        symbol: bar.symbol,
        timeframe: "1d",
        barTime: bar.time,
        side: up ? "long" : "short",
        kind: "entry",
        entry,
        stop,
        targets: [target],
        strength,
        conditions,
      });
    }
    return out;
  },
});
