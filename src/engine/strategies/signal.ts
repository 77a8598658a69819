import type { Timeframe } from "../market/candle.js";
import type { Paise } from "../money.js";

export type Side = "long" | "short";

/**
 * entry opens a position (unit 0) or adds a pyramid unit (unit ≥ 1); exit closes
 * the strategy's position in the symbol (one unit when `unit` is set, else all);
 * alert only informs the trader (a near breakout, a downside move on a cash stock
 * that nobody holds).
 */
export type SignalKind = "entry" | "exit" | "alert";

/** What a strategy says about one bar: pure data, no sizing yet. */
export interface SignalDraft {
  id: string;
  strategy: string;
  symbol: string;
  /** The signal bar's timeframe (three-week-inside reads daily bars and signals on weekly ones). */
  timeframe: Timeframe;
  /** The signal bar's opening instant (a weekly bar opens on its first trading day). */
  barTime: Date;
  /** The direction the signal reads: a downside breakout is "short" even when it only closes a long. */
  side: Side;
  kind: SignalKind;
  entry: Paise;
  stop: Paise | null;
  targets: Paise[];
  /** 0-100. */
  strength: number;
  /** The indicator values that triggered it; prices here are rupees, not paise. */
  conditions: Record<string, number | string | boolean>;
  /** The bar that fired, when it is not the signal bar (a weekly signal fires on a daily close). */
  firedAt?: Date;
  /** Pyramid unit: 0 base, 1.. adds. Absent: a single-unit strategy. */
  unit?: number;
  /** One line for the trader, for alerts and exits. */
  note?: string;
  /** An exit that is news even when nothing is held (a downside breakout on a cash stock): alert the trader then. */
  alertIfFlat?: boolean;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * A 64-bit non-cryptographic string hash (two mixed 32-bit lanes, cyrb53-style).
 * Ids need spread, not secrecy, and a scan makes a hundred thousand of them.
 */
function hash64(str: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

// A scan makes many ids with one params object: serialise it once.
const PARAMS_JSON = new WeakMap<object, string>();
function paramsJson(params: unknown): string {
  if (params === null || typeof params !== "object") return JSON.stringify(params) ?? "null";
  let s = PARAMS_JSON.get(params);
  if (s === undefined) PARAMS_JSON.set(params, (s = JSON.stringify(params)));
  return s;
}

/**
 * Same strategy, parameters, symbol, timeframe and bar → same id. Short enough
 * (at most 40 characters) for button data and for typing `/approve ID`.
 * `kind` separates several signals on one bar ("entry", "exit", "entry:u2", ...).
 */
export function signalId(strategy: string, params: unknown, symbol: string, tf: Timeframe, barTime: Date, kind = "entry"): string {
  // NUL cannot occur in any of the parts, so the joined key is unambiguous.
  const [hi, lo] = hash64(`${strategy}\0${paramsJson(params)}\0${symbol}\0${tf}\0${barTime.getTime()}\0${kind}`);
  // 40 bits: 20 from each half.
  let s = "";
  for (let i = 0; i < 4; i++) s += BASE32[(hi >>> (i * 5)) & 31];
  for (let i = 0; i < 4; i++) s += BASE32[(lo >>> (i * 5)) & 31];
  return `${strategy.slice(0, 30)}-${s}`;
}

/** Paise → rupees for `conditions`, kept to 4 decimals so JSON stays readable and stable. */
export function rupees(paise: number): number {
  return Math.round(paise * 100) / 10_000;
}

/** Paise as rupees with two decimals, for notes ("1234.50"). */
export function rupeesText(paise: number): string {
  return (paise / 100).toFixed(2);
}

/** An indicator value rounded for `conditions` (full precision stays in the computation). */
export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
