import { z } from "zod";
import { roundToTick } from "../money.js";
import { tickFor } from "../market/tick.js";
import { atr } from "../indicators/atr.js";
import { dmi } from "../indicators/dmi.js";
import { sma } from "../indicators/moving-averages.js";
import { toOhlcv } from "./bars.js";
import { round4, rupees, rupeesText, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const NAME = "adx-dma";

const params = z
  .object({
    /** Wilder period of +DI, −DI and ADX. */
    adxPeriod: z.number().int().min(2).max(100).default(14),
    /** The trend must be at least this strong (ADX, 0-100). */
    adxMin: z.number().min(0).max(100).default(25),
    /** The three simple moving averages of closes (days), fast < mid < slow. */
    fast: z.number().int().min(2).max(400).default(20),
    mid: z.number().int().min(3).max(400).default(50),
    slow: z.number().int().min(4).max(400).default(200),
    atrPeriod: z.number().int().min(1).max(100).default(14),
    /** The stop sits this many ATRs from the entry. */
    stopAtr: z.number().positive().max(20).default(2),
    targetR: z.number().positive().max(20).default(3),
    /**
     * Only entries whose strength (see below) lies in [minStrength, maxStrength]
     * are reported; the defaults keep them all. The seed's variants are bands of it.
     */
    minStrength: z.number().int().min(0).max(100).default(0),
    maxStrength: z.number().int().min(0).max(100).default(100),
  })
  .strict()
  .refine((p) => p.fast < p.mid, { message: "fast must be shorter than mid", path: ["fast"] })
  .refine((p) => p.mid < p.slow, { message: "mid must be shorter than slow", path: ["mid"] })
  .refine((p) => p.minStrength <= p.maxStrength, { message: "minStrength must not exceed maxStrength", path: ["minStrength"] });

export type AdxDmaParams = z.output<typeof params>;

/**
 * The seed's (000) strategy selector tracks "adx_dma_80_90" and "adx_dma_90_100"
 * without defining them. Read here as bands of the ADX-DMA signal strength
 * (the seed's signals carry a 0-100 signal_strength, and its position sizer
 * scales by it): strength = min(100, round(2 × ADX)), so 80..89 is ADX in
 * [39.75, 44.75) and 90..100 is ADX ≥ 44.75 at the entry. A variant reports the
 * subset of the default parameter set's entries in its band, on the same bars;
 * exits are not filtered (they close whatever long the strategy holds).
 */
export const ADX_DMA_VARIANTS: Readonly<Record<string, AdxDmaParams>> = Object.freeze({
  adx_dma_80_90: params.parse({ minStrength: 80, maxStrength: 89 }),
  adx_dma_90_100: params.parse({ minStrength: 90, maxStrength: 100 }),
});



/**
 * ADX + three daily moving averages, trend following on daily bars.
 *
 * Long setup on bar i: ADX ≥ adxMin, +DI > −DI, close above SMA fast, mid and
 * slow, and SMA fast > SMA mid > SMA slow. The entry fires on the bar where the
 * setup becomes true (it was false on the bar before, with every indicator
 * already valid there), not on every bar it holds. Stop = entry − stopAtr×ATR,
 * rounded down to the tick (skipped unless at least a tick below the entry),
 * target = entry + targetR×R, rounded up.
 *
 * Exit of a long (kind "exit", side "short"): the close falls below SMA mid
 * while the previous close was at or above it (the trend's first real break;
 * reported whether or not a long is held, the desk ignores it otherwise).
 *
 * F&O (opts.fno): the mirror setup (ADX ≥ adxMin, −DI > +DI, close below all
 * three, SMA fast < mid < slow) opens a short on the bar it becomes true, stop
 * entry + stopAtr×ATR rounded up, target entry − targetR×R rounded down; the
 * close rising above SMA mid (previous close at or below it) is the short's
 * exit (kind "exit", side "long"). Cash: no shorts and no short exits.
 *
 * strength = min(100, round(2 × ADX)): ADX 25 → 50, ADX ≥ 50 → 100.
 * On one bar an exit comes before an entry.
 */
export const adxDma = defineStrategy<AdxDmaParams>({
  name: NAME,
  description: "ADX ≥ 25 with +DI > −DI and the close above stacked 20/50/200-day SMAs; 2-ATR stop, 3R target.",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: false,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const n = bars.length;
    const fno = opts.fno ?? false;
    const ohlcv = toOhlcv(bars);
    const close = ohlcv.close;
    const d = dmi(ohlcv, p.adxPeriod);
    const adx = d.adx;
    const pdi = d.plusDi;
    const mdi = d.minusDi;
    const smaF = sma(close, p.fast);
    const smaM = sma(close, p.mid);
    const smaS = sma(close, p.slow);
    const atrs = atr(ohlcv, p.atrPeriod);
    const out: SignalDraft[] = [];

    /** 1: long setup, -1: short setup, 0: neither; NaN inputs give 0 (and callers check validity). */
    const setup = (i: number): number => {
      const c = close[i]!;
      const f = smaF[i]!;
      const m = smaM[i]!;
      const s = smaS[i]!;
      if (!(adx[i]! >= p.adxMin)) return 0;
      if (pdi[i]! > mdi[i]! && c > f && c > m && c > s && f > m && m > s) return 1;
      if (mdi[i]! > pdi[i]! && c < f && c < m && c < s && f < m && m < s) return -1;
      return 0;
    };
    const valid = (i: number): boolean =>
      !Number.isNaN(adx[i]!) && !Number.isNaN(smaS[i]!) && !Number.isNaN(smaM[i]!) && !Number.isNaN(smaF[i]!) && !Number.isNaN(atrs[i]!);

    const from = Math.max(opts.from ?? 0, 1);
    for (let i = from; i < n; i++) {
      const bar = bars[i]!;
      const c = close[i]!;

      // Exits: close crossing SMA mid.
      const mPrev = smaM[i - 1]!;
      if (!Number.isNaN(mPrev)) {
        const m = smaM[i]!;
        const prev = close[i - 1]!;
        if (c < m && prev >= mPrev) {
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
            strength: 50,
            conditions: { close: rupees(c), smaMid: rupees(m), prevClose: rupees(prev), prevSmaMid: rupees(mPrev) },
            note: `close ₹${rupeesText(c)} fell below SMA ${p.mid} ₹${rupeesText(m)}: exit the long`,
          });
        } else if (fno && c > m && prev <= mPrev) {
          out.push({
            id: signalId(NAME, p, bar.symbol, "1d", bar.time, "exit"),
            strategy: NAME,
            symbol: bar.symbol,
            timeframe: "1d",
            barTime: bar.time,
            side: "long",
            kind: "exit",
            entry: c,
            stop: null,
            targets: [],
            strength: 50,
            conditions: { close: rupees(c), smaMid: rupees(m), prevClose: rupees(prev), prevSmaMid: rupees(mPrev) },
            note: `close ₹${rupeesText(c)} rose above SMA ${p.mid} ₹${rupeesText(m)}: cover the short`,
          });
        }
      }

      // Entries: the setup becomes true on this bar.
      if (!valid(i) || !valid(i - 1)) continue;
      const now = setup(i);
      if (now === 0 || setup(i - 1) === now) continue;
      if (now === -1 && !fno) continue;
      const strength = Math.min(100, Math.round(adx[i]! * 2));
      if (strength < p.minStrength || strength > p.maxStrength) continue;
      const tick = tickFor(bar.symbol, c, bar.time);
      const entry = c;
      const dist = p.stopAtr * atrs[i]!;
      const long = now === 1;
      const stop = long ? roundToTick(entry - dist, tick, "down") : roundToTick(entry + dist, tick, "up");
      if (long ? stop >= entry || stop <= 0 : stop <= entry) continue;
      const r = Math.abs(entry - stop);
      const target = long
        ? roundToTick(entry + Math.round(r * p.targetR), tick, "up")
        : roundToTick(entry - Math.round(r * p.targetR), tick, "down");
      if (!long && target <= 0) continue;
      out.push({
        id: signalId(NAME, p, bar.symbol, "1d", bar.time, "entry"),
        strategy: NAME,
        symbol: bar.symbol,
        timeframe: "1d",
        barTime: bar.time,
        side: long ? "long" : "short",
        kind: "entry",
        entry,
        stop,
        targets: [target],
        strength,
        conditions: {
          adx: round4(adx[i]!),
          plusDi: round4(pdi[i]!),
          minusDi: round4(mdi[i]!),
          close: rupees(c),
          smaFast: rupees(smaF[i]!),
          smaMid: rupees(smaM[i]!),
          smaSlow: rupees(smaS[i]!),
          atr: rupees(atrs[i]!),
        },
      });
    }
    return out;
  },
});
