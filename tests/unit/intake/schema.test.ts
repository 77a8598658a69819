/**
 * Seed 002's alert JSON: what passes, and for what fails, a message naming
 * the field (and every other problem) without echoing long values.
 */
import { describe, expect, it } from "vitest";
import { parseTradingViewSignal } from "../../../src/engine/intake/tradingview-schema.js";

const good = {
  timestamp: "2025-11-17T04:45:00Z",
  signal_type: "BASE_ENTRY",
  symbol: "BANKNIFTY",
  price: 50000,
  conditions: { rsi: 72.5, ema: 49500, dc_upper: 49800, adx: 28.5, er: 0.85, supertrend: 49750, doji: false },
  theoretical_lots: 12,
  stop_loss: 49650,
};
const refusal = (body: unknown) => {
  const r = parseTradingViewSignal(body);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.signal)}`);
  return r;
};

describe("parseTradingViewSignal", () => {
  it("takes seed 002's example as it is", () => {
    expect(parseTradingViewSignal(good)).toEqual({
      ok: true,
      signal: {
        timestamp: new Date("2025-11-17T04:45:00Z"),
        signalType: "BASE_ENTRY",
        symbol: "BANKNIFTY",
        price: 50000,
        conditions: good.conditions,
        theoreticalLots: 12,
        stopLoss: 49650,
      },
    });
  });

  it("reads times with an offset, drops an NSE: prefix, and lets an exit leave out its stop and conditions", () => {
    const r = parseTradingViewSignal({ ...good, timestamp: "2025-11-17T10:15:00+05:30", symbol: "NSE:M&M", signal_type: "EXIT", stop_loss: undefined, conditions: undefined, theoretical_lots: 0 });
    expect(r).toEqual({ ok: true, signal: expect.objectContaining({ timestamp: new Date("2025-11-17T04:45:00Z"), symbol: "M&M", signalType: "EXIT", stopLoss: null, conditions: {}, theoreticalLots: 0 }) });
  });

  it.each([
    ["timestamp", { timestamp: undefined }, "timestamp: required"],
    ["timestamp", { timestamp: 1731818700 }, "timestamp: expected a string, got 1731818700"],
    ["timestamp", { timestamp: "2025-11-17 04:45" }, 'timestamp: expected an ISO 8601 time with a zone, like 2025-11-17T04:45:00Z, got a string "2025-11-17 04:45"'],
    ["timestamp", { timestamp: "2025-11-17T04:45:00" }, 'timestamp: expected an ISO 8601 time with a zone, like 2025-11-17T04:45:00Z, got a string "2025-11-17T04:45:00"'],
    ["timestamp", { timestamp: "2025-02-30T04:45:00Z" }, "timestamp: not a real date and time"],
    ["signal_type", { signal_type: "BUY" }, 'signal_type: expected one of BASE_ENTRY, PYRAMID, EXIT, STOP, got a string "BUY"'],
    ["signal_type", { signal_type: "base_entry" }, 'signal_type: expected one of BASE_ENTRY, PYRAMID, EXIT, STOP, got a string "base_entry"'],
    ["symbol", { symbol: "sbin" }, 'symbol: expected an NSE symbol in capitals, like SBIN or BANKNIFTY, got a string "sbin"'],
    ["symbol", { symbol: "BANKNIFTY1!" }, 'symbol: expected an NSE symbol in capitals, like SBIN or BANKNIFTY, got a string "BANKNIFTY1!"'],
    ["price", { price: "50000" }, 'price: expected a number, got a string "50000"'],
    ["price", { price: -1 }, "price: expected a price in rupees from 0.01 to 10000000, got -1"],
    ["price", { price: 0 }, "price: expected a price in rupees from 0.01 to 10000000, got 0"],
    ["price", { price: 2e7 }, "price: expected a price in rupees from 0.01 to 10000000, got 20000000"],
    ["price", { price: null }, "price: expected a number, got null"],
    ["conditions", { conditions: [1, 2] }, "conditions: expected an object of names to numbers, texts or true/false, got an array"],
    ["conditions.rsi", { conditions: { rsi: [72] } }, "conditions.rsi: expected a number, a string or true/false, got an array"],
    ["conditions.note", { conditions: { note: "x".repeat(201) } }, "conditions.note: expected a text of at most 200 characters (201 characters)"],
    ["conditions.note", { conditions: { note: "a\u0000b" } }, "conditions.note: a text cannot hold a NUL character or half a Unicode surrogate pair"],
    ["theoretical_lots", { theoretical_lots: 1.5 }, "theoretical_lots: expected a whole number, got 1.5"],
    ["theoretical_lots", { theoretical_lots: 0 }, "theoretical_lots: expected 1 or more lots for BASE_ENTRY"],
    ["theoretical_lots", { theoretical_lots: -2 }, "theoretical_lots: expected a whole number of lots, 0 or more, got -2"],
    ["stop_loss", { stop_loss: undefined }, "stop_loss: required for BASE_ENTRY"],
    ["stop_loss", { signal_type: "PYRAMID", stop_loss: 50000 }, "stop_loss: expected below price (50000) for a long entry, got 50000"],
    ["stop_loss", { stop_loss: "49650" }, 'stop_loss: expected a number, got a string "49650"'],
    ["stoploss", { stoploss: 49650 }, "stoploss: unknown field; seed 002's fields are timestamp, signal_type, symbol, price, conditions, theoretical_lots, stop_loss and secret"],
  ])("names %s: %j", (field, change, message) => {
    expect(refusal({ ...good, ...change })).toEqual({ ok: false, field, message });
  });

  it("says every problem, the first field first", () => {
    expect(refusal({ ...good, timestamp: undefined, price: "x", signal_type: "NOPE" })).toEqual({
      ok: false,
      field: "timestamp",
      message: 'timestamp: required; signal_type: expected one of BASE_ENTRY, PYRAMID, EXIT, STOP, got a string "NOPE"; price: expected a number, got a string "x"',
    });
    expect(refusal({}).message).toBe("timestamp: required; signal_type: required; symbol: required; price: required; theoretical_lots: required");
  });

  it("quotes at most 40 characters of a value and never a NUL", () => {
    const r = refusal({ ...good, symbol: `${"A".repeat(30)}\u0000${"B".repeat(30)}` });
    expect(r.message).toBe(`symbol: expected an NSE symbol in capitals, like SBIN or BANKNIFTY, got a string "${"A".repeat(30)}\uFFFD${"B".repeat(9)}…"`);
    expect(refusal({ ...good, ["k\u0000".repeat(30)]: 1 }).field).not.toContain("\u0000");
  });

  it("never knows the secret: a body still carrying one is refused for the unknown field", () => {
    expect(refusal({ ...good, secret: "tv-shared-secret-0123456789" }).field).toBe("secret");
  });
});
