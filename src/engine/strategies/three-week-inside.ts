import { z } from "zod";
import { formatRupees, roundToTick } from "../money.js";
import { defaultEquityTick } from "../market/tick.js";
import { atrPercent } from "../indicators/atr.js";
import { sma, wma } from "../indicators/moving-averages.js";
import { rsi } from "../indicators/rsi.js";
import { volumeRatio } from "../indicators/volume-ratio.js";
import { IST_OFFSET_MS, istDate } from "../time/ist.js";
import { toOhlcv } from "./bars.js";
import { round4, rupees, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const NAME = "three-week-inside";
const DAY_MS = 86_400_000;

/** Quality rubric (seed 001: 30/25/25/20). Fixed constants, not parameters. */
const Q_RANGE_MIN_PCT = 2;
const Q_RANGE_MAX_PCT = 8;
const Q_VOLUME_MULTIPLE = 1.5;
const Q_SMA_FAST = 20;
const Q_SMA_SLOW = 50;
const Q_RSI_LO = 55;
const Q_RSI_HI = 75;

const params = z
  .object({
    rsiPeriod: z.number().int().min(2).max(100).default(14),
    /** Long filter: RSI > rsiMin; the fno short filter mirrors it (RSI < 100 − rsiMin). */
    rsiMin: z.number().min(0).max(100).default(55),
    wmaFast: z.number().int().min(2).max(400).default(20),
    wmaMid: z.number().int().min(3).max(400).default(50),
    wmaSlow: z.number().int().min(4).max(400).default(100),
    /** Volume today ≥ volumeMultiple × the average of the previous volumePeriod days. */
    volumeMultiple: z.number().min(0).max(100).default(1.5),
    volumePeriod: z.number().int().min(2).max(200).default(20),
    atrPeriod: z.number().int().min(2).max(100).default(14),
    /** ATR(atrPeriod) as % of the close must be below this. */
    atrPctMax: z.number().positive().max(100).default(6),
    /** Near-breakout alert when close ≥ nearBreakoutPct % of the mother high. */
    nearBreakoutPct: z.number().gt(0).max(100).default(99),
    t1R: z.number().positive().max(20).default(1.5),
    t2R: z.number().positive().max(40).default(3),
    /** Complete weeks after inside week 2 during which the setup stays armed. */
    maxWeeksArmed: z.number().int().min(1).max(52).default(4),
  })
  .strict()
  .refine((p) => p.wmaFast < p.wmaMid, { message: "wmaFast must be shorter than wmaMid", path: ["wmaFast"] })
  .refine((p) => p.wmaMid < p.wmaSlow, { message: "wmaMid must be shorter than wmaSlow", path: ["wmaMid"] })
  .refine((p) => p.t1R < p.t2R, { message: "t1R must be smaller than t2R", path: ["t1R"] });

export type ThreeWeekInsideParams = z.output<typeof params>;

/** Monday of the IST week of an instant, as an IST day number (same key as aggregateWeekly). */
function weekKey(ms: number): number {
  const day = Math.floor((ms + IST_OFFSET_MS) / DAY_MS);
  // Day 0 (1970-01-01) was a Thursday, so (day + 3) mod 7 counts days since Monday.
  return day - ((((day + 3) % 7) + 7) % 7);
}

/**
 * Three-week inside: a mother week followed by two complete weeks whose ranges
 * sit inside it (high ≤ mother high, low ≥ mother low). From the first daily
 * bar after the second inside week the setup is armed for `maxWeeksArmed`
 * complete weeks; the first daily close beyond the mother range is the breakout
 * (it spends the setup whether or not the filters pass). Up: a long entry if
 * RSI, WMA stack, volume and ATR% filters pass. Down: an exit on cash (no
 * filters), a filtered short entry on F&O. A close within (100 − nearBreakoutPct)%
 * under the mother high alerts once per setup. Signals are on the weekly bar
 * (timeframe "1w", barTime = the week's first trading day).
 */
export const threeWeekInside = defineStrategy<ThreeWeekInsideParams>({
  name: NAME,
  description: "Weekly three-week-inside (mother + 2 inside weeks) breakout on daily closes, filtered by RSI, WMA stack, volume and ATR%.",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: true,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const n = bars.length;
    const fno = opts.fno ?? false;
    const from = Math.max(opts.from ?? 0, 0);
    const { high, low, close, volume } = toOhlcv(bars);
    const rsiArr = rsi(close, p.rsiPeriod);
    const wF = wma(close, p.wmaFast);
    const wM = wma(close, p.wmaMid);
    const wS = wma(close, p.wmaSlow);
    const sF = sma(close, Q_SMA_FAST);
    const sS = sma(close, Q_SMA_SLOW);
    const vr = volumeRatio(volume, p.volumePeriod);
    const atrP = atrPercent({ high, low, close }, p.atrPeriod);
    const out: SignalDraft[] = [];

    // The week in progress.
    let curKey = NaN;
    let curHigh = 0;
    let curLow = 0;
    let curFirst = -1;
    // The last three complete weeks, oldest first (w1, w2, w3).
    let completeCount = 0;
    let w1H = 0, w1L = 0, w1F = -1;
    let w2H = 0, w2L = 0, w2F = -1;
    let w3H = 0, w3L = 0, w3F = -1;
    // The armed setup.
    let armed = false;
    let mH = 0;
    let mL = 0;
    let mFirst = -1;
    let insideWeeks = 0;
    let insideRun = false;
    let weeksAfter = 0;
    let nearDone = false;

    for (let i = 0; i < n; i++) {
      const bar = bars[i]!;
      const key = weekKey(bar.time.getTime());
      if (key !== curKey) {
        if (curFirst >= 0) {
          // The week in progress is complete: a bar of a later week exists.
          if (armed) {
            weeksAfter++;
            if (insideRun && curHigh <= mH && curLow >= mL) insideWeeks++;
            else insideRun = false;
            if (weeksAfter >= p.maxWeeksArmed) armed = false;
          }
          w1H = w2H; w1L = w2L; w1F = w2F;
          w2H = w3H; w2L = w3L; w2F = w3F;
          w3H = curHigh; w3L = curLow; w3F = curFirst;
          completeCount++;
          if (completeCount >= 3 && w2H <= w1H && w2L >= w1L && w3H <= w1H && w3L >= w1L) {
            // A newer mother replaces any older setup.
            armed = true;
            mH = w1H;
            mL = w1L;
            mFirst = w1F;
            insideWeeks = 2;
            insideRun = true;
            weeksAfter = 0;
            nearDone = false;
          }
        }
        curKey = key;
        curHigh = bar.high;
        curLow = bar.low;
        curFirst = i;
      } else {
        if (bar.high > curHigh) curHigh = bar.high;
        if (bar.low < curLow) curLow = bar.low;
      }
      if (!armed) continue;

      const c = bar.close;
      let event: "up" | "down" | "near" | null = null;
      if (c > mH) event = "up";
      else if (c < mL) event = "down";
      else if (!nearDone && c * 100 >= p.nearBreakoutPct * mH) event = "near";
      if (event === null) continue;
      if (event === "near") nearDone = true;
      else armed = false; // The first breakout, either way, spends the setup.
      if (i < from) continue;

      const r = rsiArr[i]!;
      const f = wF[i]!;
      const m = wM[i]!;
      const s = wS[i]!;
      const v = vr[i]!;
      const a = atrP[i]!;
      const sf = sF[i]!;
      const ss = sS[i]!;
      // Never signal on a warm-up (NaN) or degenerate (infinite) indicator.
      if (!(Number.isFinite(r) && Number.isFinite(f) && Number.isFinite(m) && Number.isFinite(s))) continue;
      if (!(Number.isFinite(v) && Number.isFinite(a) && Number.isFinite(sf) && Number.isFinite(ss))) continue;

      const long = event !== "down";
      const volOk = v >= p.volumeMultiple;
      const atrOk = a < p.atrPctMax;
      const filtersOk = long
        ? r > p.rsiMin && f > m && m > s && volOk && atrOk
        : r < 100 - p.rsiMin && f < m && m < s && volOk && atrOk;
      if (event === "up" && !filtersOk) continue;
      if (event === "down" && fno && !filtersOk) continue;

      // Quality rubric; a downside signal reads it mirrored.
      const rangePct = ((mH - mL) / mL) * 100;
      const qRange = rangePct >= Q_RANGE_MIN_PCT && rangePct <= Q_RANGE_MAX_PCT ? 30 : 0;
      const qVolume = v >= Q_VOLUME_MULTIPLE ? 25 : 0;
      const qTrend = (long ? c > sf && sf > ss : c < sf && sf < ss) ? 25 : 0;
      const qRsi = (long ? r >= Q_RSI_LO && r <= Q_RSI_HI : r >= 100 - Q_RSI_HI && r <= 100 - Q_RSI_LO) ? 20 : 0;
      const score = qRange + qVolume + qTrend + qRsi;

      const weekOpen = bars[curFirst]!.time;
      const motherWeek = istDate(bars[mFirst]!.time);
      const conditions: Record<string, number | string | boolean> = {
        motherHigh: rupees(mH),
        motherLow: rupees(mL),
        motherWeek,
        motherRangePct: round4(rangePct),
        insideWeeks,
        day: istDate(bar.time),
        close: rupees(c),
        rsi: round4(r),
        [`wma${p.wmaFast}`]: rupees(f),
        [`wma${p.wmaMid}`]: rupees(m),
        [`wma${p.wmaSlow}`]: rupees(s),
        sma20: rupees(sf),
        sma50: rupees(ss),
        volumeRatio: round4(v),
        atrPct: round4(a),
        filtersOk,
        qRange,
        qVolume,
        qTrend,
        qRsi,
        score,
      };
      const tick = defaultEquityTick(c, conditions.day as string);

      if (event === "down" && !fno) {
        out.push({
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1w",
          barTime: weekOpen,
          firedAt: bar.time,
          strength: score,
          conditions,
          id: signalId(NAME, p, bar.symbol, "1w", weekOpen, `exit@${motherWeek}`),
          side: "short",
          kind: "exit",
          entry: c,
          stop: null,
          targets: [],
          note: `${bar.symbol} closed ${formatRupees(c)} below its 3-week-inside mother low ${formatRupees(mL)}`,
          // Closes a long if one is held; otherwise the trader still hears of the breakdown.
          alertIfFlat: true,
        });
        continue;
      }

      if (event === "down") {
        const stop = roundToTick(mH, tick, "up");
        if (stop - c < tick) continue;
        const risk = stop - c;
        out.push({
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1w",
          barTime: weekOpen,
          firedAt: bar.time,
          strength: score,
          conditions,
          id: signalId(NAME, p, bar.symbol, "1w", weekOpen, `entry@${motherWeek}`),
          side: "short",
          kind: "entry",
          entry: c,
          stop,
          targets: [roundToTick(c - Math.round(risk * p.t1R), tick, "down"), roundToTick(c - Math.round(risk * p.t2R), tick, "down")],
        });
        continue;
      }

      const stop = roundToTick(mL, tick, "down");
      if (c - stop < tick) continue;
      const risk = c - stop;
      const targets = [roundToTick(c + Math.round(risk * p.t1R), tick, "up"), roundToTick(c + Math.round(risk * p.t2R), tick, "up")];
      if (event === "up") {
        out.push({
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1w",
          barTime: weekOpen,
          firedAt: bar.time,
          strength: score,
          conditions,
          id: signalId(NAME, p, bar.symbol, "1w", weekOpen, `entry@${motherWeek}`),
          side: "long",
          kind: "entry",
          entry: c,
          stop,
          targets,
        });
      } else {
        out.push({
          strategy: NAME,
          symbol: bar.symbol,
          timeframe: "1w",
          barTime: weekOpen,
          firedAt: bar.time,
          strength: score,
          conditions,
          id: signalId(NAME, p, bar.symbol, "1w", weekOpen, `alert@${motherWeek}`),
          side: "long",
          kind: "alert",
          entry: c,
          stop,
          targets,
          note: `${bar.symbol} within ${Number((100 - p.nearBreakoutPct).toFixed(2))}% of its 3-week-inside mother high ${formatRupees(mH)}`,
        });
      }
    }
    return out;
  },
});
