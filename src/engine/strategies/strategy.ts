import type { z } from "zod";
import type { Candle, Timeframe } from "../market/candle.js";
import type { SignalDraft } from "./signal.js";

export type UniverseName = "nifty50" | "banknifty";

export interface ScanOptions {
  /** First bar index whose signals are reported (default 0); earlier bars only warm up. */
  from?: number;
  /** An F&O instrument: downside setups may open shorts. Default false: cash, long-only. */
  fno?: boolean;
}

/**
 * A strategy is a pure function of one symbol's bars (oldest first, one timeframe,
 * no gaps) and its parameters. Same input, same signals. No I/O, no clock.
 * Signals on bar i depend only on bars[0..i], so scanning a whole history once
 * gives exactly what evaluating bar by bar would.
 */
export interface Strategy<P = unknown> {
  name: string;
  description: string;
  /** The bars it reads. */
  timeframe: Timeframe;
  /** The scanner's universe when none is named. */
  defaultUniverse: UniverseName;
  /** It cannot work on a series without volume (an index). */
  needsVolume: boolean;
  /** It runs its own stops and exits (trailing units): the desk's seed-001 position rules leave its positions alone. */
  ownExits?: boolean;
  params: z.ZodType<P>;
  defaults: P;
  /** Every signal on bars[from..], in bar order. */
  scan(bars: readonly Candle[], params: P, opts?: ScanOptions): SignalDraft[];
  /** Signals on the last bar only. */
  evaluate(bars: readonly Candle[], params: P, opts?: Omit<ScanOptions, "from">): SignalDraft[];
}

/** Builds a strategy from its scan; evaluate is the scan of the last bar. */
export function defineStrategy<P>(s: Omit<Strategy<P>, "evaluate">): Strategy<P> {
  return {
    ...s,
    evaluate: (bars, params, opts) => (bars.length === 0 ? [] : s.scan(bars, params, { ...opts, from: bars.length - 1 })),
  };
}
