import { describe, expect, it } from "vitest";
import { checkEntry, checkExit, DEFAULT_LIMITS, positionExposure, resolveLimits, type Exposure, type LimitContext } from "../../../src/engine/risk/limits.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const RS = 100; // paise per rupee
const now = fromIst("2025-01-03", "11:02");

/** ₹4,00,000 capital and equity, nothing open, a ₹50,000 TCS entry risking ₹5,000. */
function ctx(over: Partial<LimitContext> = {}): LimitContext {
  return {
    now,
    capital: 400_000 * RS,
    equity: 400_000 * RS,
    peakEquity: 400_000 * RS,
    positions: [],
    order: { symbol: "TCS", value: 50_000 * RS, risk: 5_000 * RS },
    recentOrders: [],
    market: { open: true },
    availableMargin: 400_000 * RS,
    ...over,
  };
}

const pos = (symbol: string, valueRs: number, riskRs = 0): Exposure => ({ symbol, value: valueRs * RS, risk: riskRs * RS });

describe("checkEntry: the plain case", () => {
  it("allows an entry inside every limit", () => {
    expect(checkEntry(ctx())).toEqual({ ok: true });
  });

  it("exports the defaults", () => {
    expect(DEFAULT_LIMITS).toEqual({ MAX_POSITION_PCT: 20, MAX_OPEN_RISK_PCT: 6, MAX_DRAWDOWN_PCT: 20, MAX_OPEN_POSITIONS: 10, MAX_EXPOSURE_PCT: 100, MAX_ORDERS_PER_MINUTE: 10 });
  });
});

describe("checkEntry: admin switches", () => {
  it("refuses when halted, before anything else", () => {
    const r = checkEntry(ctx({ halted: true, paused: true, market: { open: false } }));
    expect(r).toEqual({ ok: false, limit: "HALTED", reason: "trading is halted by the admin" });
  });

  it("refuses when the breaker tripped today, with the time and its reason", () => {
    const r = checkEntry(ctx({ breaker: { tripped: true, trippedAt: "2025-01-03T11:02:00+05:30", reason: "equity ₹3,88,000.00 is 3.00% below the day's start" } }));
    expect(r).toEqual({
      ok: false,
      limit: "CIRCUIT_BREAKER",
      reason: "the daily-loss circuit breaker tripped at 11:02 IST: equity ₹3,88,000.00 is 3.00% below the day's start",
    });
  });

  it("gives the date when the breaker tripped on an earlier day", () => {
    const r = checkEntry(ctx({ now: fromIst("2025-01-06", "09:30"), breaker: { tripped: true, trippedAt: "2025-01-03T11:02:00+05:30", reason: "x" } }));
    expect(!r.ok && r.reason).toBe("the daily-loss circuit breaker tripped at 03 Jan 2025 11:02 IST: x");
  });

  it("an armed breaker does not refuse", () => {
    expect(checkEntry(ctx({ breaker: { tripped: false } })).ok).toBe(true);
  });

  it("refuses when entries are paused", () => {
    expect(checkEntry(ctx({ paused: true }))).toEqual({ ok: false, limit: "PAUSED", reason: "entries are paused" });
  });

  it("refuses outside market hours, saying why", () => {
    expect(checkEntry(ctx({ market: { open: false, why: "it opens at 09:15 IST" } }))).toEqual({
      ok: false,
      limit: "MARKET_HOURS",
      reason: "the market is closed: it opens at 09:15 IST",
    });
    expect(checkEntry(ctx({ market: { open: false } }))).toMatchObject({ reason: "the market is closed" });
  });
});

describe("checkEntry: MAX_DRAWDOWN_PCT stops entries at 90% of it", () => {
  it("refuses at exactly 18% below the peak (90% of 20%)", () => {
    // ₹4,00,000 peak, ₹3,28,000 equity: ₹72,000 down = 18.00%.
    const r = checkEntry(ctx({ equity: 328_000 * RS, availableMargin: 328_000 * RS }));
    expect(r).toEqual({
      ok: false,
      limit: "MAX_DRAWDOWN_PCT",
      reason: "MAX_DRAWDOWN_PCT: equity ₹3,28,000.00 is 18.00% below its peak of ₹4,00,000.00; new entries stop at 18.00%, 90% of the 20% limit",
    });
  });

  it("allows one paisa less drawdown", () => {
    expect(checkEntry(ctx({ equity: 328_000 * RS + 1 })).ok).toBe(true);
  });

  it("follows the setting: 10% stops at 9%", () => {
    // ₹3,64,000 is 9.00% below ₹4,00,000.
    expect(checkEntry(ctx({ equity: 364_000 * RS, settings: { MAX_DRAWDOWN_PCT: 10 } })).ok).toBe(false);
    expect(checkEntry(ctx({ equity: 364_000 * RS + 1, settings: { MAX_DRAWDOWN_PCT: 10 } })).ok).toBe(true);
  });

  it("reads a stale peak below equity as no drawdown", () => {
    expect(checkEntry(ctx({ peakEquity: 300_000 * RS })).ok).toBe(true);
  });
});

describe("checkEntry: MAX_ORDERS_PER_MINUTE", () => {
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  it("allows the 10th order in a minute and refuses the 11th", () => {
    const nine = Array.from({ length: 9 }, (_, i) => ago(5 + i));
    expect(checkEntry(ctx({ recentOrders: nine })).ok).toBe(true);
    const r = checkEntry(ctx({ recentOrders: [...nine, ago(59)] }));
    expect(r).toEqual({ ok: false, limit: "MAX_ORDERS_PER_MINUTE", reason: "MAX_ORDERS_PER_MINUTE: 10 orders in the last minute already, the limit is 10" });
  });

  it("an order exactly 60 s ago has left the window; timestamps as numbers work too", () => {
    const nine = Array.from({ length: 9 }, (_, i) => ago(5 + i).getTime());
    expect(checkEntry(ctx({ recentOrders: [...nine, ago(60)] })).ok).toBe(true);
    expect(checkEntry(ctx({ recentOrders: [...nine, ago(59.999)] })).ok).toBe(false);
  });

  it("follows the setting", () => {
    const r = checkEntry(ctx({ recentOrders: [ago(1)], settings: { MAX_ORDERS_PER_MINUTE: 1 } }));
    expect(!r.ok && r.reason).toBe("MAX_ORDERS_PER_MINUTE: 1 order in the last minute already, the limit is 1");
  });
});

describe("checkEntry: MAX_OPEN_POSITIONS", () => {
  const held = (n: number) => Array.from({ length: n }, (_, i) => pos(`S${i}`, 10_000, 100));

  it("allows the 10th stock and refuses an 11th", () => {
    expect(checkEntry(ctx({ positions: held(9) })).ok).toBe(true);
    expect(checkEntry(ctx({ positions: held(10) }))).toEqual({
      ok: false,
      limit: "MAX_OPEN_POSITIONS",
      reason: "MAX_OPEN_POSITIONS: 10 stocks are held and TCS would make 11, above the limit of 10",
    });
  });

  it("adding to a stock already held is not a new position", () => {
    const positions = [...held(9), pos("TCS", 10_000, 100)];
    expect(checkEntry(ctx({ positions })).ok).toBe(true);
  });

  it("counts stocks, not rows: two strategies in one stock are one", () => {
    const positions = [...held(8), pos("INFY", 5_000, 100), pos("INFY", 5_000, 100)];
    expect(checkEntry(ctx({ positions })).ok).toBe(true);
  });
});

describe("checkEntry: MAX_POSITION_PCT (per stock, of capital)", () => {
  it("allows exactly 20%: ₹30,000 held + ₹50,000 new = ₹80,000", () => {
    expect(checkEntry(ctx({ positions: [pos("TCS", 30_000, 1_000)] })).ok).toBe(true);
  });

  it("refuses one paisa more, naming held and new", () => {
    const r = checkEntry(ctx({ positions: [pos("TCS", 30_000, 1_000)], order: { symbol: "TCS", value: 50_000 * RS + 1, risk: 5_000 * RS } }));
    expect(r).toEqual({
      ok: false,
      limit: "MAX_POSITION_PCT",
      reason: "MAX_POSITION_PCT: TCS would be 20.00% of capital (₹80,000.01: ₹30,000.00 held + ₹50,000.01 new), above the 20% limit (₹80,000.00)",
    });
  });

  it("a new ₹90,000 position alone is 22.50%", () => {
    const r = checkEntry(ctx({ order: { symbol: "TCS", value: 90_000 * RS, risk: 1_000 * RS } }));
    expect(!r.ok && r.reason).toBe("MAX_POSITION_PCT: TCS would be 22.50% of capital (₹90,000.00), above the 20% limit (₹80,000.00)");
  });

  it("other stocks do not count against TCS", () => {
    expect(checkEntry(ctx({ positions: [pos("INFY", 80_000, 1_000)] })).ok).toBe(true);
  });

  it("measures against capital, not equity", () => {
    // Equity up to ₹5,00,000 does not lift the per-stock cap of 20% × ₹4,00,000.
    const r = checkEntry(ctx({ equity: 500_000 * RS, peakEquity: 500_000 * RS, order: { symbol: "TCS", value: 90_000 * RS, risk: 1_000 * RS } }));
    expect(r).toMatchObject({ ok: false, limit: "MAX_POSITION_PCT" });
  });
});

describe("checkEntry: MAX_EXPOSURE_PCT (all open value, of equity)", () => {
  const book = [pos("A", 80_000, 100), pos("B", 80_000, 100), pos("C", 80_000, 100), pos("D", 80_000, 100), pos("E", 30_000, 100)];

  it("allows exactly 100%: ₹3,50,000 open + ₹50,000 new", () => {
    expect(checkEntry(ctx({ positions: book })).ok).toBe(true);
  });

  it("refuses ₹10,000 more", () => {
    const r = checkEntry(ctx({ positions: [...book, pos("F", 10_000, 100)] }));
    expect(r).toEqual({
      ok: false,
      limit: "MAX_EXPOSURE_PCT",
      reason: "MAX_EXPOSURE_PCT: open value would be 102.50% of equity (₹4,10,000.00), above the 100% limit (₹4,00,000.00)",
    });
  });

  it("counts a short's value as exposure too", () => {
    const r = checkEntry(ctx({ positions: [...book.slice(0, 4), pos("E", -40_000, 100)] }));
    expect(r).toMatchObject({ ok: false, limit: "MAX_EXPOSURE_PCT" });
  });
});

describe("checkEntry: MAX_OPEN_RISK_PCT (all open risk, of equity)", () => {
  it("refuses 6.42% of equity: ₹20,680 open + ₹5,000 new = ₹25,680", () => {
    const r = checkEntry(ctx({ positions: [pos("INFY", 60_000, 12_000), pos("HDFCBANK", 60_000, 8_680)] }));
    expect(r).toEqual({
      ok: false,
      limit: "MAX_OPEN_RISK_PCT",
      reason: "MAX_OPEN_RISK_PCT: open risk would be 6.42% of equity (₹25,680.00), above the 6% limit (₹24,000.00)",
    });
  });

  it("allows exactly 6%: ₹19,000 open + ₹5,000 new", () => {
    expect(checkEntry(ctx({ positions: [pos("INFY", 60_000, 19_000)] })).ok).toBe(true);
    expect(checkEntry(ctx({ positions: [{ symbol: "INFY", value: 60_000 * RS, risk: 19_000 * RS + 1 }] })).ok).toBe(false);
  });

  it("measures against equity: after a loss the same risk no longer fits", () => {
    // ₹24,000 is 6% of ₹4,00,000 but 6.32% of ₹3,80,000.
    const r = checkEntry(ctx({ equity: 380_000 * RS, positions: [pos("INFY", 60_000, 19_000)] }));
    expect(!r.ok && r.reason).toBe("MAX_OPEN_RISK_PCT: open risk would be 6.32% of equity (₹24,000.00), above the 6% limit (₹22,800.00)");
  });

  it("a raised setting lets it through", () => {
    expect(checkEntry(ctx({ positions: [pos("INFY", 60_000, 20_680)], settings: { MAX_OPEN_RISK_PCT: 8 } })).ok).toBe(true);
  });
});

describe("checkEntry: available margin", () => {
  it("allows exactly the cash available and refuses a paisa short", () => {
    expect(checkEntry(ctx({ availableMargin: 50_000 * RS })).ok).toBe(true);
    expect(checkEntry(ctx({ availableMargin: 50_000 * RS - 1 }))).toEqual({
      ok: false,
      limit: "AVAILABLE_MARGIN",
      reason: "AVAILABLE_MARGIN: the order needs ₹50,000.00 and only ₹49,999.99 is available",
    });
  });

  it("uses the order's margin when given (F&O)", () => {
    const order = { symbol: "TCS", value: 50_000 * RS, risk: 5_000 * RS, margin: 10_000 * RS };
    expect(checkEntry(ctx({ order, availableMargin: 10_000 * RS })).ok).toBe(true);
    expect(checkEntry(ctx({ order, availableMargin: 9_000 * RS })).ok).toBe(false);
  });
});

describe("checkEntry: bad numbers", () => {
  it("refuses with no equity", () => {
    expect(checkEntry(ctx({ equity: 0 }))).toEqual({ ok: false, limit: "EQUITY", reason: "equity is ₹0.00: no new entries" });
  });

  it("refuses an order without value", () => {
    expect(checkEntry(ctx({ order: { symbol: "TCS", value: 0, risk: 0 } }))).toMatchObject({ limit: "ORDER" });
  });

  it("names a bad setting", () => {
    expect(() => checkEntry(ctx({ settings: { MAX_OPEN_RISK_PCT: -1 } }))).toThrow("MAX_OPEN_RISK_PCT: expected a percent above 0 and at most 100, got -1");
    expect(() => resolveLimits({ MAX_OPEN_POSITIONS: 2.5 })).toThrow("MAX_OPEN_POSITIONS: expected a whole number of at least 1, got 2.5");
    expect(resolveLimits({ MAX_EXPOSURE_PCT: 250 }).MAX_EXPOSURE_PCT).toBe(250);
  });
});

describe("positionExposure", () => {
  it("risk is qty × (entry − stop) for a long, value at the mark", () => {
    expect(positionExposure({ symbol: "TCS", qty: 50, entry: 1_000 * RS, mark: 1_100 * RS, stop: 950 * RS })).toEqual({ symbol: "TCS", value: 55_000 * RS, risk: 2_500 * RS });
  });

  it("no stop: the whole value is at risk", () => {
    expect(positionExposure({ symbol: "TCS", qty: 50, entry: 1_000 * RS, stop: null })).toEqual({ symbol: "TCS", value: 50_000 * RS, risk: 50_000 * RS });
  });

  it("a stop trailed past the entry adds no open risk", () => {
    expect(positionExposure({ symbol: "TCS", qty: 50, entry: 1_000 * RS, stop: 1_020 * RS }).risk).toBe(0);
  });

  it("a short risks qty × (stop − entry)", () => {
    expect(positionExposure({ symbol: "NIFTY", side: "short", qty: -75, entry: 24_000 * RS, stop: 24_200 * RS })).toEqual({ symbol: "NIFTY", value: 1_800_000 * RS, risk: 15_000 * RS });
  });
});

describe("checkExit", () => {
  it("always allows an exit", () => {
    expect(checkExit()).toEqual({ ok: true });
  });
});
