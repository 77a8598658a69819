import { describe, expect, it } from "vitest";
import { computeMetrics, drawdownSeries, type EquityRow, type TradeLike } from "../../../src/engine/backtest/metrics.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const R = 100; // paise per rupee

/** Five trading days: up ₹1,000, down to ₹99,990, a new high at ₹1,02,000, flat. */
const EQUITY: EquityRow[] = [
  { date: "2025-01-01", equity: 100_000 * R },
  { date: "2025-01-02", equity: 101_000 * R },
  { date: "2025-01-03", equity: 99_990 * R },
  { date: "2025-01-06", equity: 102_000 * R },
  { date: "2025-01-07", equity: 102_000 * R },
];

function trade(over: Partial<TradeLike>): TradeLike {
  return {
    symbol: "RELIANCE",
    side: "long",
    entryTime: fromIst("2025-01-02", "09:15"),
    entryPrice: 2_500 * R,
    exitTime: fromIst("2025-01-03", "15:20"),
    exitPrice: 2_600 * R,
    qty: 10,
    gross: 1_000 * R,
    charges: 20 * R,
    net: 980 * R,
    r: 2,
    exitReason: "target",
    ...over,
  };
}

// Two winners (₹980, ₹390), two losers (−₹515, −₹420); one trade without a stop (r null).
const TRADES: TradeLike[] = [
  trade({}),
  trade({ symbol: "M&M", entryPrice: 3_000 * R, exitPrice: 2_900 * R, qty: 5, gross: -500 * R, charges: 15 * R, net: -515 * R, r: -1.03, exitReason: "stop" }),
  trade({ symbol: "TCS", side: "short", entryPrice: 4_000 * R, exitPrice: 3_800 * R, qty: 2, gross: 400 * R, charges: 10 * R, net: 390 * R, r: null }),
  trade({ symbol: "INFY", entryPrice: 1_500 * R, exitPrice: 1_480 * R, qty: 20, gross: -400 * R, charges: 20 * R, net: -420 * R, r: -0.84, exitReason: "time" }),
];

const KEYS = [
  "startingCapital",
  "endingCapital",
  "cagrPct",
  "maxDrawdownPct",
  "maxDrawdownDays",
  "sharpe",
  "sortino",
  "calmar",
  "winRatePct",
  "profitFactor",
  "expectancy",
  "avgR",
  "exposurePct",
  "trades",
  "totalCharges",
  "turnover",
];

const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;

describe("computeMetrics, worked example", () => {
  const m = computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: TRADES, exposureDays: 3 });

  it("has exactly the documented keys", () => {
    expect(Object.keys(m).sort()).toEqual([...KEYS].sort());
  });

  it("capital, CAGR and drawdown", () => {
    expect(m.startingCapital).toBe(100_000);
    expect(m.endingCapital).toBe(102_000);
    // 1 Jan to 7 Jan is 6 calendar days: 2 % in 6 days, compounded over 365.
    const cagr = (Math.pow(102_000 / 100_000, 365 / 6) - 1) * 100;
    expect(cagr).toBeGreaterThan(233); // about 233.5 %: a week annualised is loud
    expect(m.cagrPct).toBe(r4(cagr));
    // From the ₹1,01,000 high to ₹99,990 is ₹1,010 down, exactly 1 %.
    expect(m.maxDrawdownPct).toBe(1);
    // High on 2 Jan (row 2), back above it on 6 Jan (row 4): 2 trading days.
    expect(m.maxDrawdownDays).toBe(2);
    expect(m.calmar).toBe(r4(cagr / 1));
  });

  it("Sharpe and Sortino from first principles", () => {
    const returns = [101_000 / 100_000 - 1, 99_990 / 101_000 - 1, 102_000 / 99_990 - 1, 0];
    expect(returns[0]).toBeCloseTo(0.01, 12);
    expect(returns[1]).toBeCloseTo(-0.01, 12);
    const mean = returns.reduce((a, b) => a + b) / 4;
    const sampleSd = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / 3);
    const downside = Math.sqrt(0.01 ** 2 / 4); // only 3 Jan fell; the mean is over all 4 days
    expect(m.sharpe).toBe(r4((mean / sampleSd) * Math.sqrt(252)));
    expect(m.sortino).toBe(r4((mean / downside) * Math.sqrt(252)));
    // mean ≈ 0.5026 % a day over sd ≈ 1.2949 % → Sharpe ≈ 6.16; Sortino = mean / 0.5 % × √252 ≈ 15.96.
    expect(m.sharpe).toBe(6.1607);
    expect(m.sortino).toBe(15.9555);
  });

  it("trade statistics", () => {
    expect(m.trades).toBe(4);
    expect(m.winRatePct).toBe(50);
    // (980 + 390) / (515 + 420) = 1370 / 935
    expect(m.profitFactor).toBe(1.4652);
    // (980 − 515 + 390 − 420) / 4 = 435 / 4
    expect(m.expectancy).toBe(108.75);
    // Only the three trades with a stop: (2 − 1.03 − 0.84) / 3 = 0.0433…
    expect(m.avgR).toBe(0.0433);
    expect(m.totalCharges).toBe(65);
    // Both legs: 51,000 + 29,500 + 15,600 + 59,600
    expect(m.turnover).toBe(155_700);
    expect(m.exposurePct).toBe(60);
  });

  it("takes the turnover when the caller knows it", () => {
    expect(computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: TRADES, turnover: 1_234_567 }).turnover).toBe(12_345.67);
  });

  it("a risk-free rate is made daily by compounding over 252 days and shifts every return", () => {
    const withRf = computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: TRADES, riskFreePct: 6.5 });
    const rf = Math.pow(1.065, 1 / 252) - 1;
    const excess = [101_000 / 100_000 - 1, 99_990 / 101_000 - 1, 102_000 / 99_990 - 1, 0].map((r) => r - rf);
    const mean = excess.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(excess.reduce((a, r) => a + (r - mean) ** 2, 0) / 3);
    // The flat last day now falls short of the risk-free rate and counts as downside.
    const downside = Math.sqrt(excess.reduce((a, r) => a + Math.min(0, r) ** 2, 0) / 4);
    expect(withRf.sharpe).toBe(r4((mean / sd) * Math.sqrt(252)));
    expect(withRf.sortino).toBe(r4((mean / downside) * Math.sqrt(252)));
    expect(withRf.sharpe!).toBeLessThan(m.sharpe!);
  });
});

describe("CAGR over whole years", () => {
  it("2 % over exactly 365 days is 2 % a year; 21 % over 730 days is 10 %", () => {
    const one = computeMetrics({
      startingCapital: 100_000 * R,
      equity: [
        { date: "2025-01-01", equity: 100_000 * R },
        { date: "2026-01-01", equity: 102_000 * R },
      ],
      trades: [],
    });
    expect(one.cagrPct).toBe(2);
    const two = computeMetrics({
      startingCapital: 100_000 * R,
      equity: [
        { date: "2024-01-01", equity: 100_000 * R },
        { date: "2025-12-31", equity: 121_000 * R },
      ],
      trades: [],
    });
    expect(two.cagrPct).toBe(10);
  });
});

describe("nothing to divide by gives null, never Infinity or NaN", () => {
  const allFinite = (m: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(m)) {
      if (v !== null) expect(Number.isFinite(v), k).toBe(true);
    }
  };

  it("no trades", () => {
    const m = computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: [] });
    expect(m.trades).toBe(0);
    expect(m.winRatePct).toBeNull();
    expect(m.profitFactor).toBeNull();
    expect(m.expectancy).toBeNull();
    expect(m.avgR).toBeNull();
    expect(m.totalCharges).toBe(0);
    expect(m.turnover).toBe(0);
    expect(m.exposurePct).toBeNull(); // not told
    allFinite({ ...m });
  });

  it("only winners: no profit factor; no stops: no average R", () => {
    const m = computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: [trade({ r: null }), trade({ net: 0, r: null })] });
    expect(m.profitFactor).toBeNull();
    expect(m.avgR).toBeNull();
    expect(m.winRatePct).toBe(50); // breakeven is not a win
  });

  it("only losers: profit factor 0", () => {
    const m = computeMetrics({ startingCapital: 100_000 * R, equity: EQUITY, trades: [TRADES[1]!] });
    expect(m.profitFactor).toBe(0);
    expect(m.winRatePct).toBe(0);
  });

  it("flat equity: no Sharpe, Sortino or Calmar, zero drawdown", () => {
    const flat = ["2025-01-01", "2025-01-02", "2025-01-03"].map((date) => ({ date, equity: 100_000 * R }));
    const m = computeMetrics({ startingCapital: 100_000 * R, equity: flat, trades: [] });
    expect(m.sharpe).toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.calmar).toBeNull();
    expect(m.maxDrawdownPct).toBe(0);
    expect(m.maxDrawdownDays).toBe(0);
    expect(m.cagrPct).toBe(0);
    allFinite({ ...m });
  });

  it("never a down day: Sharpe but no Sortino, no Calmar", () => {
    const up = [100_000, 100_500, 101_500].map((e, i) => ({ date: `2025-01-0${i + 1}`, equity: e * R }));
    const m = computeMetrics({ startingCapital: 100_000 * R, equity: up, trades: [] });
    expect(m.sharpe).not.toBeNull();
    expect(m.sortino).toBeNull();
    expect(m.calmar).toBeNull();
  });

  it("one row or none: no CAGR, Sharpe or Sortino; ending capital is the start", () => {
    const one = computeMetrics({ startingCapital: 100_000 * R, equity: [EQUITY[0]!], trades: [], exposureDays: 0 });
    expect(one.cagrPct).toBeNull();
    expect(one.sharpe).toBeNull();
    expect(one.exposurePct).toBe(0);
    const none = computeMetrics({ startingCapital: 100_000 * R, equity: [], trades: [] });
    expect(none.endingCapital).toBe(100_000);
    expect(none.cagrPct).toBeNull();
    expect(none.maxDrawdownPct).toBe(0);
    expect(none.exposurePct).toBeNull();
    allFinite({ ...none });
  });
});

describe("drawdown", () => {
  it("series is ≤ 0 percent below the running high", () => {
    expect(drawdownSeries([100, 120, 90, 120, 60].map((equity) => ({ equity })))).toEqual([0, 0, -25, 0, -50]);
    expect(drawdownSeries([])).toEqual([]);
  });

  it("an unrecovered drawdown counts to the last row; the longest episode wins", () => {
    const rows = (xs: number[]): EquityRow[] => xs.map((e, i) => ({ date: `2025-02-${String(i + 1).padStart(2, "0")}`, equity: e * R }));
    // High at row 1, then under water for two rows to the end.
    expect(computeMetrics({ startingCapital: 100 * R, equity: rows([100, 90, 95]), trades: [] }).maxDrawdownDays).toBe(2);
    // ₹110 high (row 2) is regained on row 6: 4 days. The deeper fall from ₹111 to ₹80 is over in 2.
    const m = computeMetrics({ startingCapital: 100 * R, equity: rows([100, 110, 105, 104, 108, 111, 80, 120]), trades: [] });
    expect(m.maxDrawdownDays).toBe(4); // 110 on row 2, back above on row 6
    expect(m.maxDrawdownPct).toBe(r4((1 - 80 / 111) * 100)); // the deeper but shorter fall
  });
});

describe("bad input is refused with a message naming it", () => {
  const base = { startingCapital: 100_000 * R, equity: EQUITY, trades: TRADES };
  it("dates out of order", () => {
    expect(() => computeMetrics({ ...base, equity: [EQUITY[1]!, EQUITY[0]!] })).toThrow(/row 2 \(2025-01-01\) is not after .*2025-01-02/);
  });
  it("equity in rupee floats", () => {
    expect(() => computeMetrics({ ...base, equity: [{ date: "2025-01-01", equity: 1000.5 }] })).toThrow(/row 1 \(2025-01-01\).*whole number of paise/);
  });
  it("a bad date", () => {
    expect(() => computeMetrics({ ...base, equity: [{ date: "2025-02-30", equity: 1 }] })).toThrow(/YYYY-MM-DD/);
  });
  it("more exposure days than days", () => {
    expect(() => computeMetrics({ ...base, exposureDays: 6 })).toThrow(/exposure days .* 0 to 5/);
  });
  it("capital of zero", () => {
    expect(() => computeMetrics({ ...base, startingCapital: 0 })).toThrow(/starting capital/);
  });
  it("a trade with fractional paise", () => {
    expect(() => computeMetrics({ ...base, trades: [trade({ net: 0.5 })] })).toThrow(/trade 1 \(RELIANCE\): net/);
  });
});
