/**
 * A TradingView signal as the desk's draft: sides, units, prices on the tick,
 * strength from ER and ADX, and ids fixed by (symbol, signal type, time).
 */
import { describe, expect, it } from "vitest";
import { dedupKey, tradingViewSignalId } from "../../../src/engine/intake/identity.js";
import { strengthOf, toDraft } from "../../../src/engine/intake/tradingview-draft.js";
import type { TradingViewSignal } from "../../../src/engine/intake/tradingview-schema.js";

const base: TradingViewSignal = {
  timestamp: new Date("2025-11-17T04:45:00Z"),
  signalType: "BASE_ENTRY",
  symbol: "BANKNIFTY",
  price: 50_001.23,
  conditions: { rsi: 72.5, adx: 28.5, er: 0.85, doji: false },
  theoreticalLots: 12,
  stopLoss: 49_650.04,
};
const draft = (s: Partial<TradingViewSignal>, unit?: number) => {
  const r = toDraft({ ...base, ...s }, unit);
  if (!r.ok) throw new Error(r.message);
  return r.draft;
};

describe("toDraft", () => {
  it("makes BASE_ENTRY a long entry, unit 0, entry to the nearest tick and the stop down to it", () => {
    expect(draft({})).toEqual({
      id: tradingViewSignalId(dedupKey(base)),
      strategy: "tradingview",
      symbol: "BANKNIFTY",
      timeframe: "75m",
      barTime: base.timestamp,
      side: "long",
      kind: "entry",
      unit: 0,
      // Bank Nifty moves in 5 paise: ₹50,001.23 → ₹50,001.25; the stop ₹49,650.04 → ₹49,650.00.
      entry: 5_000_125,
      stop: 4_965_000,
      targets: [],
      strength: 71,
      conditions: { rsi: 72.5, adx: 28.5, er: 0.85, doji: false, theoretical_lots: 12 },
    });
  });

  it("uses the cash tick of the day: 1 paisa under ₹250 from 10 June 2024, 5 paise before", () => {
    const cheap = { symbol: "ITC", price: 212.347, stopLoss: 205.011 };
    expect(draft({ ...cheap, timestamp: new Date("2024-07-01T04:45:00Z") })).toMatchObject({ entry: 21_235, stop: 20_501 });
    expect(draft({ ...cheap, timestamp: new Date("2024-06-07T04:45:00Z") })).toMatchObject({ entry: 21_235, stop: 20_500 });
  });

  it("keeps a stop at least one tick under the entry", () => {
    expect(draft({ symbol: "SBIN", price: 812.31, stopLoss: 812.3 })).toMatchObject({ entry: 81_230, stop: 81_225 });
  });

  it("refuses, naming stop_loss, a stop that is not above zero on the tick", () => {
    expect(toDraft({ ...base, symbol: "SBIN", price: 0.03, stopLoss: 0.01, timestamp: new Date("2024-01-02T04:45:00Z") })).toEqual({
      ok: false,
      field: "stop_loss",
      message: "stop_loss: 0.01 is not above zero once put on the tick (₹0.05) under the entry",
    });
  });

  it("gives PYRAMID the unit it is told", () => {
    expect(draft({ signalType: "PYRAMID" }, 3)).toMatchObject({ kind: "entry", side: "long", unit: 3 });
  });

  it("makes EXIT and STOP exits of every unit (no unit), with a note and an alert when nothing is held", () => {
    const exit = draft({ signalType: "EXIT", stopLoss: null });
    expect(exit).toMatchObject({ kind: "exit", side: "short", stop: null, entry: 5_000_125, note: "TradingView EXIT at ₹50001.23", alertIfFlat: true });
    expect(exit.unit).toBeUndefined();
    expect(draft({ signalType: "STOP", stopLoss: null }).note).toBe("TradingView STOP at ₹50001.23: its stop was hit");
  });
});

describe("strengthOf", () => {
  it("is round(50 × er + 50 × min(adx, 50) / 50), within 1..100, when both are numbers; 50 otherwise", () => {
    expect(strengthOf({ er: 0.85, adx: 28.5 })).toBe(71);
    expect(strengthOf({ er: 1, adx: 80 })).toBe(100);
    expect(strengthOf({ er: 2, adx: 50 })).toBe(100);
    expect(strengthOf({ er: 0, adx: 0 })).toBe(1);
    expect(strengthOf({ er: -1, adx: -5 })).toBe(1);
    expect(strengthOf({ er: 0.5 })).toBe(50);
    expect(strengthOf({ er: "0.5", adx: 30 })).toBe(50);
    expect(strengthOf({})).toBe(50);
  });
});

describe("signal ids", () => {
  it("depend on symbol, signal type and time only, and fit a button", () => {
    const id = tradingViewSignalId(dedupKey(base));
    expect(id).toMatch(/^tradingview-[a-z2-7]{8}$/);
    expect(Buffer.byteLength(`a:${id}`)).toBeLessThanOrEqual(64);
    expect(draft({ price: 49_000, stopLoss: 48_000, conditions: {} }).id).toBe(id);
    const others = [
      dedupKey({ ...base, symbol: "SBIN" }),
      dedupKey({ ...base, signalType: "PYRAMID" }),
      dedupKey({ ...base, timestamp: new Date(base.timestamp.getTime() + 1) }),
    ].map(tradingViewSignalId);
    expect(new Set([id, ...others]).size).toBe(4);
  });
});
