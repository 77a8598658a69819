import { formatRupees, roundToTick, type Paise } from "../money.js";

/**
 * Seed 001's tracker rules for ONE open position, evaluated on one price update
 * (a bar close or a tick). Pure: the caller persists `fired` and carries out the actions.
 *
 * Move = (ltp − avgEntry) / avgEntry for a long, (avgEntry − ltp) / avgEntry for a short.
 * A threshold counts as reached AT the figure (≥), compared in exact integer arithmetic.
 *
 *   be3      +3%  stop → breakeven (avg entry on the tick, rounded so the stop is never looser).
 *   book6    +6%  book 25% of the ORIGINAL quantity; the percent trail starts.
 *   book10   +10% book 50% of the ORIGINAL quantity, capped by what is held; percent trail goes on.
 *   trail15  +15% the ATR trail replaces the percent trail: stop = ltp − 2 × ATR, on every later update.
 *   caution3 −3%  caution alert.
 *   exit6    −6%  exit all at market.
 *   stop     ltp at or through the stop → exit all at market.
 *
 * Trails: the percent trail is stop = ltp × (1 − 3%) (mirrored for a short), re-evaluated on every
 * update once book6 or book10 has fired; once trail15 has fired it is stop = ltp − 2 × ATR instead.
 * Because a stop only ever tightens (long: max(old, new); short: min), a trail that comes out looser
 * than the stop already in place changes nothing, so switching from one trail to the other never
 * loosens the stop.
 *
 * Order on one update: a stop hit, then −6%, short-circuit everything (one exit, nothing else).
 * Otherwise −3% caution, then the profit rules in ascending order (be3, book6, book10, trail15), each
 * firing at most once, partial quantities taken from what is still held after the earlier ones,
 * then one trail move if the active trail tightens the stop further.
 * Once "stop" or "exit6" is in `fired`, the position is being closed: no more actions.
 *
 * Bookings: pct of the ORIGINAL quantity floored to whole lots, at least one lot, never leaving less
 * than one lot held (see bookQty); when nothing can be booked (one lot or one share) the rule still
 * fires, the trail still starts, and an "info" alert says why nothing was sold.
 * ATR: null or 0 is "not known": trail15 waits (the percent trail keeps working). After trail15 has
 * fired, an update without an ATR leaves the stop where it is. Unknown ids in `fired` are ignored.
 */

export type RuleId = "be3" | "book6" | "book10" | "trail15" | "caution3" | "exit6" | "stop";

export interface ManagedPosition {
  side: "long" | "short";
  /** Quantity held now (after any earlier partial exits), in shares/units. */
  qty: number;
  /** Quantity at entry: the base for the booking percentages. */
  originalQty: number;
  avgEntry: Paise;
  /** Protective stop now; null when none has been set. */
  stop: Paise | null;
  /** 1 for cash equities; the F&O lot size otherwise. Quantities stay whole lots. */
  lotSize: number;
  tick: Paise;
}

export interface PriceUpdate {
  ltp: Paise;
  /** Average true range in paise (may be fractional); null while not yet known. */
  atr: number | null;
  at: Date;
}

export type Action =
  | { kind: "move_stop"; to: Paise; rule: RuleId; reason: string }
  | { kind: "partial_exit"; qty: number; rule: RuleId; reason: string }
  | { kind: "exit"; rule: RuleId; reason: string }
  | { kind: "alert"; level: "caution" | "info"; rule: RuleId; reason: string };

export interface ManagementSettings {
  /** Profit % at which the stop moves to breakeven. */
  breakevenAtPct: number;
  /** Profit % of the first booking, and the % of the original quantity it books. */
  firstBookAtPct: number;
  firstBookPctOfOriginal: number;
  /** Profit % of the second booking, and the % of the original quantity it books. */
  secondBookAtPct: number;
  secondBookPctOfOriginal: number;
  /** Distance of the percent trail below (long) / above (short) the ltp, in %. */
  trailPct: number;
  /** Profit % from which the ATR trail takes over. */
  atrTrailAtPct: number;
  atrTrailMultiple: number;
  /** Loss % for the caution alert, and for the exit at market. */
  cautionAtPct: number;
  exitAtPct: number;
}

export const DEFAULT_MANAGEMENT: Readonly<ManagementSettings> = Object.freeze({
  breakevenAtPct: 3,
  firstBookAtPct: 6,
  firstBookPctOfOriginal: 25,
  secondBookAtPct: 10,
  secondBookPctOfOriginal: 50,
  trailPct: 3,
  atrTrailAtPct: 15,
  atrTrailMultiple: 2,
  cautionAtPct: 3,
  exitAtPct: 6,
});

export interface ManagementResult {
  actions: Action[];
  /** Rule ids that fired on this update: the caller appends them to what it persists. */
  fired: RuleId[];
}

/** Percentages are compared as millionths (4 decimal places of a percent), exactly. */
const PCT_SCALE = 10_000;
const WHOLE = 100 * PCT_SCALE;

function pctUnits(pct: number): bigint {
  return BigInt(Math.round(pct * PCT_SCALE));
}

export function managePosition(
  pos: ManagedPosition,
  update: PriceUpdate,
  fired: readonly string[],
  opts: Partial<ManagementSettings> = {},
): ManagementResult {
  const s: ManagementSettings = { ...DEFAULT_MANAGEMENT, ...opts };
  checkSettings(s);
  checkInputs(pos, update);

  const done = new Set(fired);
  const actions: Action[] = [];
  const newly: RuleId[] = [];
  const fire = (id: RuleId): void => {
    done.add(id);
    newly.push(id);
  };
  // A stop or loss exit is already on its way: emitting another would sell twice.
  if (done.has("stop") || done.has("exit6")) return { actions, fired: newly };

  const long = pos.side === "long";
  const { ltp } = update;
  const entry = pos.avgEntry;
  const move = long ? ltp - entry : entry - ltp; // paise in our favour
  const movePct = ((move / entry) * 100).toFixed(2);
  const vsEntry = `${formatRupees(ltp)} vs entry ${formatRupees(entry)}`;
  // move / entry ≥ pct / 100, exactly.
  const gained = (pct: number): boolean => BigInt(move) * BigInt(WHOLE) >= pctUnits(pct) * BigInt(entry);
  const lost = (pct: number): boolean => BigInt(-move) * BigInt(WHOLE) >= pctUnits(pct) * BigInt(entry);

  // 1. Exits short-circuit everything else.
  if (pos.stop !== null && (long ? ltp <= pos.stop : ltp >= pos.stop)) {
    fire("stop");
    const where = long ? "at or below" : "at or above";
    actions.push({ kind: "exit", rule: "stop", reason: `stop hit: ${formatRupees(ltp)} is ${where} the stop ${formatRupees(pos.stop)}; exit all ${qtyText(pos.qty, pos.lotSize)} at market` });
    return { actions, fired: newly };
  }
  if (lost(s.exitAtPct)) {
    fire("exit6");
    actions.push({ kind: "exit", rule: "exit6", reason: `down ${(-move / entry * 100).toFixed(2)}% (${vsEntry}), past the ${s.exitAtPct}% loss limit; exit all ${qtyText(pos.qty, pos.lotSize)} at market` });
    return { actions, fired: newly };
  }
  if (!done.has("caution3") && lost(s.cautionAtPct)) {
    fire("caution3");
    actions.push({ kind: "alert", level: "caution", rule: "caution3", reason: `caution: down ${(-move / entry * 100).toFixed(2)}% (${vsEntry}); watch closely, exit at −${s.exitAtPct}%` });
  }

  // 2. Profit rules, ascending. `stop` and `held` track what earlier actions in this call did.
  let stop = pos.stop;
  let held = pos.qty;
  const tighter = (cand: Paise): boolean => stop === null || (long ? cand > stop : cand < stop);
  const moveStop = (cand: Paise, rule: RuleId, why: string): void => {
    const to = notThroughLtp(cand, ltp, pos.tick, long);
    if (!tighter(to)) return;
    const was = stop === null ? "no stop before" : `was ${formatRupees(stop)}`;
    actions.push({ kind: "move_stop", to, rule, reason: `${why}: stop ${formatRupees(to)} (${was})` });
    stop = to;
  };

  if (!done.has("be3") && gained(s.breakevenAtPct)) {
    fire("be3");
    const be = roundToTick(entry, pos.tick, long ? "up" : "down");
    moveStop(be, "be3", `up ${movePct}% (${vsEntry}), past +${s.breakevenAtPct}%: breakeven`);
  }
  const book = (rule: RuleId, atPct: number, ofOriginalPct: number): void => {
    if (done.has(rule) || !gained(atPct)) return;
    fire(rule);
    const q = bookQty(pos.originalQty, ofOriginalPct, held, pos.lotSize);
    const head = `up ${movePct}% (${vsEntry}), past +${atPct}%`;
    if (q > 0) {
      held -= q;
      actions.push({ kind: "partial_exit", qty: q, rule, reason: `${head}: book ${qtyText(q, pos.lotSize)} at market (${ofOriginalPct}% of the original ${qtyText(pos.originalQty, pos.lotSize)}); ${qtyText(held, pos.lotSize)} left to trail` });
    } else {
      actions.push({ kind: "alert", level: "info", rule, reason: `${head}: ${qtyText(held, pos.lotSize)} cannot be split, nothing booked; the stop trails instead` });
    }
  };
  book("book6", s.firstBookAtPct, s.firstBookPctOfOriginal);
  book("book10", s.secondBookAtPct, s.secondBookPctOfOriginal);
  const atr = update.atr !== null && update.atr > 0 ? update.atr : null;
  // Without an ATR the aggressive trail cannot be placed: it waits, and the percent trail goes on.
  if (!done.has("trail15") && atr !== null && gained(s.atrTrailAtPct)) fire("trail15");

  // 3. The trail in force after this update's rules, attributed to the rule that set it up.
  if (done.has("trail15") && atr !== null) {
    const cand = atrTrail(ltp, atr * s.atrTrailMultiple, pos.tick, long);
    moveStop(cand, "trail15", `trailing ${s.atrTrailMultiple} × ATR ${formatRupees(Math.round(atr))} ${long ? "below" : "above"} ${formatRupees(ltp)}`);
  } else if (!done.has("trail15") && (done.has("book6") || done.has("book10"))) {
    const cand = pctTrail(ltp, s.trailPct, pos.tick, long);
    moveStop(cand, done.has("book10") ? "book10" : "book6", `trailing ${s.trailPct}% ${long ? "below" : "above"} ${formatRupees(ltp)}`);
  }
  return { actions, fired: newly };
}

/**
 * pct% of the original quantity, floored to whole lots; at least one lot, but never so much that
 * less than one lot stays held (a partial booking that closes the position is not a partial).
 */
export function bookQty(originalQty: number, pctOfOriginal: number, held: number, lotSize: number): number {
  const units = Math.floor((originalQty * Math.round(pctOfOriginal * PCT_SCALE)) / WHOLE);
  const want = Math.max(lotSize, Math.floor(units / lotSize) * lotSize);
  return Math.max(0, Math.min(want, held - lotSize));
}

/** ltp × (1 ∓ pct%), put on the tick on the tighter side (long: up, short: down). */
function pctTrail(ltp: Paise, pct: number, tick: Paise, long: boolean): Paise {
  const factor = BigInt(WHOLE) + (long ? -1n : 1n) * pctUnits(pct);
  const num = BigInt(ltp) * factor;
  const den = BigInt(WHOLE) * BigInt(tick);
  const n = long ? (num + den - 1n) / den : num / den;
  return Number(n) * tick;
}

/** ltp ∓ distance (fractional paise), on the tick on the tighter side. */
function atrTrail(ltp: Paise, distance: number, tick: Paise, long: boolean): Paise {
  const raw = (long ? ltp - distance : ltp + distance) / tick;
  // The epsilon keeps float noise (111000.0000001) from costing a whole tick.
  return (long ? Math.ceil(raw - 1e-9) : Math.floor(raw + 1e-9)) * tick;
}

/**
 * Rounding toward the tighter side can, on a coarse tick or a tiny ATR, land on or past the ltp,
 * which a broker would trigger at once. Keep the stop one tick inside the market instead.
 */
function notThroughLtp(stop: Paise, ltp: Paise, tick: Paise, long: boolean): Paise {
  if (long) return stop < ltp ? stop : roundToTick(ltp - 1, tick, "down");
  return stop > ltp ? stop : roundToTick(ltp + 1, tick, "up");
}

function qtyText(q: number, lot: number): string {
  if (lot === 1) return `${q} share${q === 1 ? "" : "s"}`;
  const lots = q / lot;
  return `${q} (${lots} lot${lots === 1 ? "" : "s"} of ${lot})`;
}

function isWholePaise(x: number): boolean {
  return Number.isSafeInteger(x);
}

function checkInputs(pos: ManagedPosition, u: PriceUpdate): void {
  const bad = (msg: string): never => {
    throw new RangeError(`position rules: ${msg}`);
  };
  if (pos.side !== "long" && pos.side !== "short") bad(`side must be "long" or "short", got ${JSON.stringify(pos.side)}`);
  if (!Number.isSafeInteger(pos.lotSize) || pos.lotSize < 1) bad(`lot size must be a whole number of at least 1, got ${pos.lotSize}`);
  if (!isWholePaise(pos.tick) || pos.tick <= 0) bad(`tick must be a positive whole number of paise, got ${pos.tick}`);
  if (!Number.isSafeInteger(pos.qty) || pos.qty <= 0) bad(`quantity held must be a positive whole number, got ${pos.qty}`);
  if (!Number.isSafeInteger(pos.originalQty) || pos.originalQty < pos.qty) {
    bad(`original quantity (${pos.originalQty}) must be a whole number no smaller than the quantity held (${pos.qty})`);
  }
  if (pos.qty % pos.lotSize !== 0 || pos.originalQty % pos.lotSize !== 0) {
    bad(`quantities must be whole lots of ${pos.lotSize}: held ${pos.qty}, original ${pos.originalQty}`);
  }
  if (!isWholePaise(pos.avgEntry) || pos.avgEntry <= 0) bad(`average entry must be a positive whole number of paise, got ${pos.avgEntry}`);
  if (pos.stop !== null && (!isWholePaise(pos.stop) || pos.stop <= 0)) bad(`stop must be a positive whole number of paise or null, got ${pos.stop}`);
  if (!isWholePaise(u.ltp) || u.ltp <= 0) bad(`last traded price must be a positive whole number of paise, got ${u.ltp}`);
  if (u.atr !== null && (!Number.isFinite(u.atr) || u.atr < 0)) bad(`ATR must be a non-negative number of paise or null, got ${u.atr}`);
}

function checkSettings(s: ManagementSettings): void {
  const bad = (msg: string): never => {
    throw new RangeError(`position rule settings: ${msg}`);
  };
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) bad(`${k} must be a positive number, got ${String(v)}`);
  }
  if (!(s.breakevenAtPct < s.firstBookAtPct && s.firstBookAtPct < s.secondBookAtPct && s.secondBookAtPct < s.atrTrailAtPct)) {
    bad(`profit thresholds must rise: breakeven ${s.breakevenAtPct}%, first booking ${s.firstBookAtPct}%, second booking ${s.secondBookAtPct}%, ATR trail ${s.atrTrailAtPct}%`);
  }
  if (!(s.cautionAtPct < s.exitAtPct)) bad(`the caution level (${s.cautionAtPct}%) must come before the loss exit (${s.exitAtPct}%)`);
  if (s.firstBookPctOfOriginal > 100 || s.secondBookPctOfOriginal > 100) bad(`a booking cannot exceed 100% of the original quantity`);
  if (s.trailPct >= 100) bad(`trail distance must be under 100%, got ${s.trailPct}%`);
}
