/**
 * A validated TradingView signal as the desk's SignalDraft: entries are longs
 * (unit 0 for a base, the next unit for a pyramid), EXIT and STOP close every
 * long unit of the strategy in the symbol. Prices go on the instrument's tick.
 */
import { tickFor } from "../market/tick.js";
import { roundToTick, toPaise } from "../money.js";
import type { SignalDraft } from "../strategies/signal.js";
import { TRADINGVIEW } from "../strategies/tradingview.js";
import { dedupKey, TRADINGVIEW_TIMEFRAME, tradingViewSignalId } from "./identity.js";
import type { TradingViewSignal } from "./tradingview-schema.js";

/**
 * 0-100 from seed 002's efficiency ratio and ADX when both are sent:
 * round(50 × er + 50 × min(adx, 50) / 50), kept within 1..100; else 50.
 */
export function strengthOf(conditions: Readonly<Record<string, unknown>>): number {
  const { er, adx } = conditions;
  if (typeof er !== "number" || typeof adx !== "number" || !Number.isFinite(er) || !Number.isFinite(adx)) return 50;
  const score = Math.round(50 * clamp(er, 0, 1) + (50 * clamp(adx, 0, 50)) / 50);
  return clamp(score, 1, 100);
}

export type DraftResult = { ok: true; draft: SignalDraft } | { ok: false; field: string; message: string };

/** `unit` is the pyramid's unit number (PYRAMID only; the caller reads what is held). */
export function toDraft(s: TradingViewSignal, unit?: number): DraftResult {
  const price = toPaise(s.price);
  const tick = tickFor(s.symbol, price, s.timestamp);
  const entry = Math.max(tick, roundToTick(price, tick, "nearest"));
  const base = {
    id: tradingViewSignalId(dedupKey(s)),
    strategy: TRADINGVIEW,
    symbol: s.symbol,
    timeframe: TRADINGVIEW_TIMEFRAME,
    barTime: s.timestamp,
    entry,
    targets: [],
    strength: strengthOf(s.conditions),
    conditions: { ...s.conditions, theoretical_lots: s.theoreticalLots },
  };
  if (s.signalType === "EXIT" || s.signalType === "STOP") {
    const draft: SignalDraft = {
      ...base,
      side: "short",
      kind: "exit",
      stop: null,
      note: s.signalType === "STOP" ? `TradingView STOP at ₹${s.price}: its stop was hit` : `TradingView EXIT at ₹${s.price}`,
      // TradingView believing in a position the desk does not hold is news for the trader.
      alertIfFlat: true,
    };
    return { ok: true, draft };
  }
  if (s.stopLoss === null) return { ok: false, field: "stop_loss", message: `stop_loss: required for ${s.signalType}` };
  // A long's stop goes down to the tick, and at least one tick under the entry, so the risk per share is never zero.
  const stop = Math.min(roundToTick(toPaise(s.stopLoss), tick, "down"), entry - tick);
  if (stop <= 0) return { ok: false, field: "stop_loss", message: `stop_loss: ${s.stopLoss} is not above zero once put on the tick (₹${tick / 100}) under the entry` };
  return { ok: true, draft: { ...base, side: "long", kind: "entry", stop, unit: s.signalType === "BASE_ENTRY" ? 0 : (unit ?? 1) } };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
