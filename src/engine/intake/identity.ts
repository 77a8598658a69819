/**
 * What makes a TradingView signal itself: its symbol, signal type and time.
 * The duplicate check and the signal id both come from these three, so a
 * re-sent alert is recognised whatever else it carries.
 */
import { signalId } from "../strategies/signal.js";
import { TRADINGVIEW } from "../strategies/tradingview.js";
import type { SignalType, TradingViewSignal } from "./tradingview-schema.js";

/** Signals read 75-minute bars (seed 002); the timeframe is part of the id. */
export const TRADINGVIEW_TIMEFRAME = "75m" as const;

export interface DedupKey {
  symbol: string;
  signalType: SignalType;
  signalTime: Date;
}

export function dedupKey(s: Pick<TradingViewSignal, "symbol" | "signalType" | "timestamp">): DedupKey {
  return { symbol: s.symbol, signalType: s.signalType, signalTime: s.timestamp };
}

/**
 * "tradingview-" and 8 characters: deterministic from the key, and short enough
 * for button data ("a:" + id within 64 bytes) and for typing `/approve ID`.
 */
export function tradingViewSignalId(k: DedupKey): string {
  return signalId(TRADINGVIEW, null, k.symbol, TRADINGVIEW_TIMEFRAME, k.signalTime, k.signalType);
}
