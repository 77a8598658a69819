import type { z } from "zod";
import type { Candle, Timeframe } from "../market/candle.js";
import type { SignalDraft } from "./signal.js";

/**
 * A strategy is a pure function of the bars seen so far (oldest first, the last
 * one just closed) and its parameters. Same input, same signals. No I/O, no clock.
 */
export interface Strategy<P = unknown> {
  name: string;
  description: string;
  timeframe: Timeframe;
  params: z.ZodType<P>;
  defaults: P;
  /** Signals on the last bar of `bars` only. */
  evaluate(bars: readonly Candle[], params: P): SignalDraft[];
}
