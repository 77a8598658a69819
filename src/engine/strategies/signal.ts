import { createHash } from "node:crypto";
import type { Timeframe } from "../market/candle.js";
import type { Paise } from "../money.js";

export type Side = "long" | "short";

/** What a strategy says about one bar: pure data, no sizing yet. */
export interface SignalDraft {
  id: string;
  strategy: string;
  symbol: string;
  timeframe: Timeframe;
  /** The signal bar's opening instant. */
  barTime: Date;
  side: Side;
  /** entry opens a position; exit closes the strategy's open position in the symbol. */
  kind: "entry" | "exit";
  entry: Paise;
  stop: Paise | null;
  targets: Paise[];
  /** 0-100. */
  strength: number;
  /** The indicator values that triggered it. */
  conditions: Record<string, number | string | boolean>;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/**
 * Same strategy, parameters, symbol, timeframe and bar → same id. Short enough
 * (at most 40 characters) for button data and for typing `/approve ID`.
 */
export function signalId(strategy: string, params: unknown, symbol: string, tf: Timeframe, barTime: Date, kind = "entry"): string {
  const h = createHash("sha256")
    .update(JSON.stringify([strategy, params, symbol, tf, barTime.toISOString(), kind]))
    .digest();
  let s = "";
  for (let i = 0; i < 8; i++) s += BASE32[h[i]! & 31];
  return `${strategy.slice(0, 30)}-${s}`;
}
