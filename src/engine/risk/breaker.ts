import { formatRupees, type Paise } from "../money.js";
import { formatIst, isIstDate, istDate, toIsoIst, type IstDate } from "../time/ist.js";

/**
 * The daily-loss circuit breaker, as a pure state machine over equity marks.
 *
 * Each IST day's first mark sets the baseline (dayStartEquity). The breaker trips when
 * equity ≤ dayStartEquity × (1 − MAX_DAILY_LOSS_PCT / 100), compared exactly in BigInt.
 * Once tripped it stays tripped, across restarts (the state is plain JSON the desk keeps
 * in settings) and across days, until the admin resets it: a loss big enough to trip
 * deserves a person's look before the next entry, and a new morning is not that look.
 * While tripped, marks change nothing (the baseline stays the trip day's).
 *
 * A mark on a different IST day than the state's, earlier or later, starts that day:
 * a replay that starts over is a new day too.
 */
export interface BreakerState {
  tripped: boolean;
  /** When it tripped, ISO 8601 in IST ("2025-01-03T11:02:00+05:30"). */
  trippedAt?: string;
  /** Why, for the trader: the equity, the loss % and the limit. */
  reason?: string;
  /** The IST day the baseline belongs to. */
  day: IstDate;
  /** Equity at the day's first mark (or at the last reset). */
  dayStartEquity: Paise;
  /** The last admin reset. */
  resetAt?: string;
  resetBy?: string;
}

export const DEFAULT_MAX_DAILY_LOSS_PCT = 3;

/** A fresh, armed breaker with `equity` as the day's baseline. */
export function armBreaker(day: IstDate, equity: Paise): BreakerState {
  if (!isIstDate(day)) throw new RangeError(`breaker: day must be a date (YYYY-MM-DD), got ${JSON.stringify(day)}`);
  checkEquity(equity);
  return { tripped: false, day, dayStartEquity: equity };
}

function checkEquity(equity: Paise): void {
  if (!Number.isSafeInteger(equity)) throw new RangeError(`breaker: equity must be whole paise, got ${equity}`);
}

function checkPct(pct: number): void {
  if (!(Number.isFinite(pct) && pct > 0 && pct <= 100)) throw new RangeError(`MAX_DAILY_LOSS_PCT: expected a percent above 0 and at most 100, got ${pct}`);
}

/** Millionths of the baseline kept: (1 − pct/100) × 1e6. */
function keptUnits(pct: number): bigint {
  return 1_000_000n - BigInt(Math.round(pct * 10_000));
}

/** The highest equity that trips the breaker: floor(dayStart × (1 − pct/100)). */
export function tripLevel(dayStartEquity: Paise, maxDailyLossPct = DEFAULT_MAX_DAILY_LOSS_PCT): Paise {
  checkPct(maxDailyLossPct);
  const p = BigInt(dayStartEquity) * keptUnits(maxDailyLossPct);
  const q = p / 1_000_000n;
  return Number(p < 0n && q * 1_000_000n !== p ? q - 1n : q);
}

export interface EquityMark {
  now: Date;
  /** The IST day of `now` (default istDate(now)). */
  day?: IstDate;
  /** Equity marked to market. */
  equity: Paise;
  maxDailyLossPct?: number;
}

/** Feed one equity mark. `tripped` is true only on the mark that trips it. */
export function onEquity(state: BreakerState, mark: EquityMark): { state: BreakerState; tripped: boolean } {
  const pct = mark.maxDailyLossPct ?? DEFAULT_MAX_DAILY_LOSS_PCT;
  checkPct(pct);
  checkEquity(mark.equity);
  if (state.tripped) return { state, tripped: false };
  const day = mark.day ?? istDate(mark.now);
  const s = day === state.day ? state : { ...armBreaker(day, mark.equity), ...carryReset(state) };
  // equity ≤ dayStart × (1 − pct/100), as integers: equity × 1e6 ≤ dayStart × kept.
  if (BigInt(mark.equity) * 1_000_000n > BigInt(s.dayStartEquity) * keptUnits(pct)) return { state: s, tripped: false };
  const loss = s.dayStartEquity - mark.equity;
  const lossPct = s.dayStartEquity > 0 ? `${((loss / s.dayStartEquity) * 100).toFixed(2)}%` : "all";
  const reason = `equity ${formatRupees(mark.equity)} is ${lossPct} (${formatRupees(loss)}) below the day's start of ${formatRupees(s.dayStartEquity)}, at or past the MAX_DAILY_LOSS_PCT limit of ${pct}%`;
  return { state: { ...s, tripped: true, trippedAt: toIsoIst(mark.now), reason }, tripped: true };
}

function carryReset(state: BreakerState): Pick<BreakerState, "resetAt" | "resetBy"> {
  const r: Pick<BreakerState, "resetAt" | "resetBy"> = {};
  if (state.resetAt !== undefined) r.resetAt = state.resetAt;
  if (state.resetBy !== undefined) r.resetBy = state.resetBy;
  return r;
}

/** The admin's reset: armed again, with the current equity as the day's new baseline. */
export function reset(_state: BreakerState, r: { now: Date; by: string; equity: Paise; day?: IstDate }): BreakerState {
  checkEquity(r.equity);
  return { ...armBreaker(r.day ?? istDate(r.now), r.equity), resetAt: toIsoIst(r.now), resetBy: r.by };
}

/** One or two lines for the trader. */
export function describe(state: BreakerState, maxDailyLossPct = DEFAULT_MAX_DAILY_LOSS_PCT): string {
  if (state.tripped) {
    const at = state.trippedAt ? ` at ${formatIst(new Date(state.trippedAt))}` : "";
    return `Daily-loss circuit breaker: TRIPPED${at}${state.reason ? `: ${state.reason}` : ""}. No new entries until the admin resets it; exits still go through.`;
  }
  const last = state.resetAt ? ` Last reset ${formatIst(new Date(state.resetAt))}${state.resetBy ? ` by ${state.resetBy}` : ""}.` : "";
  return (
    `Daily-loss circuit breaker: armed. ${state.day} started at ${formatRupees(state.dayStartEquity)}; ` +
    `it trips at ${formatRupees(tripLevel(state.dayStartEquity, maxDailyLossPct))} or below (a ${maxDailyLossPct}% loss).${last}`
  );
}

/** Reads a stored state back (from the settings table), naming the first bad field. */
export function parseBreaker(json: unknown): BreakerState {
  const v = typeof json === "string" ? (JSON.parse(json) as unknown) : json;
  if (v === null || typeof v !== "object") throw new RangeError(`breaker state: expected an object, got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  const bad = (field: string, want: string) => new RangeError(`breaker state: ${field}: expected ${want}, got ${JSON.stringify(o[field])}`);
  if (typeof o.tripped !== "boolean") throw bad("tripped", "true or false");
  if (typeof o.day !== "string" || !isIstDate(o.day)) throw bad("day", "a date (YYYY-MM-DD)");
  if (typeof o.dayStartEquity !== "number" || !Number.isSafeInteger(o.dayStartEquity)) throw bad("dayStartEquity", "whole paise");
  const instant = (field: string) => {
    const x = o[field];
    if (x === undefined) return undefined;
    if (typeof x !== "string" || Number.isNaN(Date.parse(x))) throw bad(field, "an ISO 8601 time");
    return x;
  };
  const text = (field: string) => {
    const x = o[field];
    if (x === undefined) return undefined;
    if (typeof x !== "string") throw bad(field, "text");
    return x;
  };
  const s: BreakerState = { tripped: o.tripped, day: o.day, dayStartEquity: o.dayStartEquity };
  const trippedAt = instant("trippedAt");
  const reason = text("reason");
  const resetAt = instant("resetAt");
  const resetBy = text("resetBy");
  if (trippedAt !== undefined) s.trippedAt = trippedAt;
  if (reason !== undefined) s.reason = reason;
  if (resetAt !== undefined) s.resetAt = resetAt;
  if (resetBy !== undefined) s.resetBy = resetBy;
  return s;
}
