import { z } from "zod";
import type { Candle } from "../market/candle.js";
import { defaultEquityTick } from "../market/tick.js";
import { type Paise, roundToTick } from "../money.js";
import { RollingExtreme } from "../indicators/rolling.js";
import { istDate } from "../time/ist.js";
import { toOhlcv } from "./bars.js";
import { round4, rupees, signalId, type SignalDraft } from "./signal.js";
import { defineStrategy } from "./strategy.js";

const NAME = "momentum-ladder";

const pct = (max: number) => z.number().gt(0).max(max);

const params = z
  .object({
    /** Entry needs the close above the highest close of this many previous bars. */
    breakoutLookback: z.number().int().min(2).max(250).default(20),
    /** Rate of change over this many bars... */
    rocPeriod: z.number().int().min(1).max(250).default(10),
    /** ...at least this many percent. */
    rocMin: z.number().min(0).max(100).default(3),
    /** P1 (unit 0): stop below entry (and trailing distance below the highest close), percent. */
    p1StopPct: pct(50).default(2.5),
    /** P1 exits when the close reaches entry + this percent. */
    p1TargetPct: pct(100).default(5),
    /** P2 (unit 1) is added when a close puts P1 more than this percent in profit. */
    p2TriggerPct: z.number().min(0).max(50).default(0.25),
    p2StopPct: pct(50).default(2.5),
    /** P3 (unit 2) is added when a close is more than this percent above the average of P1's and P2's entries. */
    p3TriggerPct: z.number().min(0).max(50).default(1),
    p3StopPct: pct(50).default(5),
  })
  .strict();

export type MomentumLadderParams = z.output<typeof params>;

export type LadderExitReason = "stop" | "target";

/** One unit of the theoretical ladder, from its entry close to its exit close. */
export interface LadderUnitTrade {
  /** 0 = P1, 1 = P2, 2 = P3. */
  unit: number;
  entryIndex: number;
  entryTime: Date;
  entry: Paise;
  initialStop: Paise;
  /** P1's +target (rounded up to the tick); null for the runners P2 and P3. */
  target: Paise | null;
  /** Highest close since entry (the entry bar included), up to the exit bar or the last bar. */
  highestClose: Paise;
  /** The stop in force at the exit (or after the last bar while still open). */
  lastStop: Paise;
  /** null while the unit is still open after the last bar. */
  exitIndex: number | null;
  exitTime: Date | null;
  exitPrice: Paise | null;
  exitReason: LadderExitReason | null;
}

export interface LadderRun {
  /** Every unit taken, in the order they were entered. */
  trades: LadderUnitTrade[];
  /** stops[k][i]: unit k's stop in force after bar i's close; NaN when unit k is not open after bar i. */
  stops: [Float64Array, Float64Array, Float64Array];
}

/** Drops float noise (e.g. 97499.99999999999) before a price is floored/ceiled onto the tick. */
const clean = (x: number): number => Math.round(x * 1e6) / 1e6;

const clamp = (x: number): number => Math.max(1, Math.min(100, Math.round(x)));

const UNIT_LABEL = ["P1", "P2", "P3"] as const;

/**
 * Replays the ladder from bar 0 (state is never skipped) and reports signals for
 * bars from `from` on into `out`, and/or records the unit timeline into `run`.
 * One pass, O(n); allocation only per signal/trade.
 */
function replay(bars: readonly Candle[], p: MomentumLadderParams, from: number, out: SignalDraft[] | null, run: LadderRun | null): void {
  const n = bars.length;
  const { close } = toOhlcv(bars);
  const prior = new RollingExtreme(p.breakoutLookback, true);
  const stopPct = [p.p1StopPct, p.p2StopPct, p.p3StopPct];

  // Per-unit state (k = 0, 1, 2).
  const open = [false, false, false];
  const used = [false, false, false];
  const entry = [0, 0, 0];
  const stop = [0, 0, 0];
  const high = [0, 0, 0];
  const trade: (LadderUnitTrade | null)[] = [null, null, null];
  let target = 0;
  let active = false;

  // The IST date of the bar, computed at most once per bar and only when a price is put on the tick.
  let dateBar = -1;
  let date = "";
  const tickAt = (price: number, i: number): number => {
    if (dateBar !== i) {
      dateBar = i;
      date = istDate(bars[i]!.time);
    }
    return defaultEquityTick(price, date);
  };
  const rocAt = (i: number): number => ((close[i]! - close[i - p.rocPeriod]!) / close[i - p.rocPeriod]!) * 100;
  const strengthOf = (roc: number): number => clamp(50 + (roc - p.rocMin) * 5);

  for (let i = 0; i < n; i++) {
    const c = close[i]!;
    const priorHigh = prior.count >= p.breakoutLookback ? prior.value : NaN;
    prior.push(c);
    const bar = bars[i]!;
    const report = out !== null && i >= from;

    if (active) {
      // 1. Exits at this close against the stop in force (set by earlier closes), P1's target first.
      for (let k = 0; k < 3; k++) {
        if (!open[k]) continue;
        let reason: LadderExitReason | null = null;
        if (k === 0 && c >= target) reason = "target";
        else if (c <= stop[k]!) reason = "stop";
        if (reason === null) {
          // 2. Still open: trail. A new highest close lifts the stop; it never comes down.
          if (c > high[k]!) {
            high[k] = c;
            const cand = roundToTick(clean((c * (100 - stopPct[k]!)) / 100), tickAt(c, i), "down");
            if (cand > stop[k]!) stop[k] = cand;
          }
          continue;
        }
        open[k] = false;
        const t = trade[k];
        if (t) {
          t.exitIndex = i;
          t.exitTime = bar.time;
          t.exitPrice = c;
          t.exitReason = reason;
          t.lastStop = stop[k]!;
          t.highestClose = high[k]!;
        }
        if (report) {
          const label = UNIT_LABEL[k]!;
          out.push({
            id: signalId(NAME, p, bar.symbol, "1d", bar.time, `exit:u${k}`),
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
            unit: k,
            conditions: {
              reason,
              unitEntry: rupees(entry[k]!),
              close: rupees(c),
              ...(reason === "target" ? { target: rupees(target) } : { stop: rupees(stop[k]!) }),
              highestClose: rupees(high[k]!),
              pnlPct: round4((c / entry[k]! - 1) * 100),
            },
            note:
              reason === "target"
                ? `target: ${label} closed at ₹${rupees(c)}, +${p.p1TargetPct}% target ₹${rupees(target)} reached`
                : `trailing stop: ${label} closed at ₹${rupees(c)}, at or below its stop ₹${rupees(stop[k]!)}`,
          });
        }
      }
      active = open[0]! || open[1]! || open[2]!;

      // 3. Adds, one per bar at most, in order: P2 needs P1 open; P3 needs P1 and P2 open. Each unit once per ladder.
      let add = -1;
      if (open[0] && !used[1] && c * 100 > entry[0]! * (100 + p.p2TriggerPct)) add = 1;
      else if (open[0] && open[1] && !used[2] && c * 200 > (entry[0]! + entry[1]!) * (100 + p.p3TriggerPct)) add = 2;
      if (add > 0) {
        const roc = rocAt(i);
        const conditions: Record<string, number> =
          add === 1
            ? { p1Entry: rupees(entry[0]!), pnlPct: round4((c / entry[0]! - 1) * 100), p1Stop: rupees(stop[0]!), roc: round4(roc) }
            : {
                p1Entry: rupees(entry[0]!),
                p2Entry: rupees(entry[1]!),
                avgEntry: rupees((entry[0]! + entry[1]!) / 2),
                avgPnlPct: round4(((c * 2) / (entry[0]! + entry[1]!) - 1) * 100),
                p1Stop: rupees(stop[0]!),
                p2Stop: rupees(stop[1]!),
                roc: round4(roc),
              };
        open_(add, i, c, roc, conditions);
      }
    } else if (i >= p.rocPeriod && c > priorHigh && c * 100 >= close[i - p.rocPeriod]! * (100 + p.rocMin)) {
      // Flat since the previous bar (so not on a bar where a unit just exited): a new closing high with momentum starts a ladder.
      used[0] = used[1] = used[2] = false;
      const roc = rocAt(i);
      const tick = tickAt(c, i);
      target = roundToTick(clean((c * (100 + p.p1TargetPct)) / 100), tick, "up");
      open_(0, i, c, roc, {
        roc: round4(roc),
        rocBase: rupees(close[i - p.rocPeriod]!),
        highestClose: rupees(priorHigh),
        breakoutPct: round4((c / priorHigh - 1) * 100),
      });
      active = open[0]!;
    }

    if (run) for (let k = 0; k < 3; k++) run.stops[k as 0 | 1 | 2][i] = open[k] ? stop[k]! : NaN;
  }

  if (run) {
    for (let k = 0; k < 3; k++) {
      const t = trade[k];
      if (t && open[k]) {
        t.lastStop = stop[k]!;
        t.highestClose = high[k]!;
      }
    }
  }

  /** Opens unit k at bar i's close with its initial stop (rounded down to the tick). */
  function open_(k: number, i: number, c: number, roc: number, conditions: Record<string, number>): void {
    const bar = bars[i]!;
    const s = roundToTick(clean((c * (100 - stopPct[k]!)) / 100), tickAt(c, i), "down");
    if (!(s < c)) return; // a stop must sit at least a tick under the entry
    open[k] = true;
    used[k] = true;
    entry[k] = c;
    stop[k] = s;
    high[k] = c;
    if (run) {
      const t: LadderUnitTrade = {
        unit: k,
        entryIndex: i,
        entryTime: bar.time,
        entry: c,
        initialStop: s,
        target: k === 0 ? target : null,
        highestClose: c,
        lastStop: s,
        exitIndex: null,
        exitTime: null,
        exitPrice: null,
        exitReason: null,
      };
      trade[k] = t;
      run.trades.push(t);
    }
    if (out !== null && i >= from) {
      out.push({
        id: signalId(NAME, p, bar.symbol, "1d", bar.time, `entry:u${k}`),
        strategy: NAME,
        symbol: bar.symbol,
        timeframe: "1d",
        barTime: bar.time,
        side: "long",
        kind: "entry",
        entry: c,
        stop: s,
        targets: k === 0 ? [target] : [],
        strength: strengthOf(roc),
        unit: k,
        conditions,
      });
    }
  }
}

/**
 * The theoretical ladder on one symbol's daily bars: every unit's entry, its stop
 * after each close, and its exit. The same replay the scan reports from.
 */
export function momentumLadderRun(bars: readonly Candle[], p: MomentumLadderParams): LadderRun {
  const n = bars.length;
  const run: LadderRun = { trades: [], stops: [new Float64Array(n), new Float64Array(n), new Float64Array(n)] };
  replay(bars, p, 0, null, run);
  return run;
}

/**
 * Momentum ladder (seed 004's 3-position ladder with trailing stops), on daily closes.
 *
 * Trigger (seed 004 leaves it open; defined here): while flat, the close makes a new
 * `breakoutLookback`-bar closing high (strictly above the highest close of the
 * previous `breakoutLookback` bars) and the rate of change over `rocPeriod` bars is
 * at least `rocMin` percent.
 *
 * Ladder, replayed causally from the first bar on closes only (a theoretical
 * position: every entry, stop test, target test and add is at a bar's close; an
 * intraday touch does not count):
 * - P1 (unit 0): entry at the trigger close; stop −p1StopPct%; target +p1TargetPct% (rounded up).
 * - P2 (unit 1): on a later close above P1 entry × (1 + p2TriggerPct%); stop −p2StopPct%; runner.
 * - P3 (unit 2): on a later close above avg(P1, P2 entries) × (1 + p3TriggerPct%); stop −p3StopPct%; runner.
 * - Each unit trails: stop = max(previous stop, highest close since its entry × (1 − its stop%)),
 *   rounded down to the tick; it never moves down. A close at or below a unit's stop exits that unit;
 *   a close at or above P1's target exits P1.
 * Order on one bar: exits first (P1, P2, P3), then the stops trail, then at most one add.
 * P2 needs P1 open and P3 needs P1 and P2 open; each unit is taken at most once per ladder (a
 * stopped-out P2 is not re-added). When every unit is out the ladder is flat; a new trigger can
 * start another from the next bar (not on a bar where a unit exited).
 * Strength of entries: 50 at ROC = rocMin, +5 per ROC point above, clamped to 1-100.
 * Long-only in cash and F&O alike (no short ladder): exits are `exit`/`short` with the unit.
 */
export const momentumLadder = defineStrategy<MomentumLadderParams>({
  name: NAME,
  description:
    "3-position momentum ladder: P1 on a new 20-day closing high with 10-day ROC ≥ 3%, P2 when P1 is +0.25%, P3 when avg(P1,P2) is +1%; trailing stops on closes (long-only).",
  timeframe: "1d",
  defaultUniverse: "nifty50",
  needsVolume: false,
  ownExits: true,
  params,
  defaults: params.parse({}),
  scan(bars, p, opts = {}) {
    const out: SignalDraft[] = [];
    replay(bars, p, opts.from ?? 0, out, null);
    return out;
  },
});
