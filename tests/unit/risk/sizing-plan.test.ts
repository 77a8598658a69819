import { describe, expect, it } from "vitest";
import { kellyFraction } from "../../../src/engine/risk/kelly.js";
import { checkEntry } from "../../../src/engine/risk/limits.js";
import { profitScaling, sizeSignal, strengthFactor, type SizeSignalInput } from "../../../src/engine/risk/sizing.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const RS = 100; // paise per rupee

/**
 * ₹4,00,000 capital, 1.5% risk (₹6,000 budget), a full-strength signal, entry ₹1,000,
 * stop ₹950 (₹50 risk per share), a strategy with a proven 20% half-Kelly, cash for all of it.
 */
const base: SizeSignalInput = {
  strategy: "sma-cross",
  symbol: "TCS",
  capital: 400_000 * RS,
  riskPct: 1.5,
  entry: 1_000 * RS,
  stop: 950 * RS,
  strength: 100,
  kelly: { fraction: 0.2, trades: 40 },
  available: 400_000 * RS,
};

describe("sizeSignal: the worked example", () => {
  it("₹6,000 budget / ₹50 = 120 shares by risk, capped to 80 (₹80,000) by the 20% half-Kelly", () => {
    const s = sizeSignal(base);
    expect(s.inputs).toMatchObject({ riskBudget: 6_000 * RS, perUnitRisk: 50 * RS, qtyByRisk: 120, kellyValue: 80_000 * RS, qtyByKelly: 80, qtyByStockCap: 80, qtyByCash: 400 });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.qty).toBe(80);
    expect(s.value).toBe(80_000 * RS);
    expect(s.riskAmount).toBe(4_000 * RS);
    // Kelly and the per-stock cap tie at 80; Kelly is named first.
    expect(s.bindingCap).toBe("kelly");
  });

  it("a strategy still under 20 trades gets 5%: ₹20,000 buys 20 shares", () => {
    const kelly = kellyFraction([{ net: 500 * RS }, { net: -200 * RS }]);
    const s = sizeSignal({ ...base, kelly });
    expect(s.ok && s.qty).toBe(20);
    expect(s.bindingCap).toBe("kelly");
    expect(s.inputs).toMatchObject({ kellyFraction: 0.05, tradesForKelly: 2, kellyValue: 20_000 * RS, qtyByKelly: 20 });
  });

  it("a wide stop makes risk bind: ₹100 risk → 60 shares, ₹6,000 at risk", () => {
    const s = sizeSignal({ ...base, stop: 900 * RS });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.qty).toBe(60);
    expect(s.riskAmount).toBe(6_000 * RS);
    expect(s.bindingCap).toBe("risk");
  });

  it("records every input", () => {
    const s = sizeSignal({ ...base, stop: 900 * RS });
    expect(s.inputs).toEqual({
      strategy: "sma-cross",
      symbol: "TCS",
      capital: 40_000_000,
      equity: 40_000_000,
      riskPct: 1.5,
      strength: 100,
      allocationWeight: 1,
      strengthFactor: 1,
      sentimentMultiplier: 1,
      regimeMultiplier: 1,
      profitPct: 0,
      profitScaling: 1,
      plan: 1,
      riskBudget: 600_000,
      entry: 100_000,
      stop: 90_000,
      side: "long",
      perUnitRisk: 10_000,
      lotSize: 1,
      qtyByRisk: 60,
      kellyFraction: 0.2,
      tradesForKelly: 40,
      kellyValue: 8_000_000,
      qtyByKelly: 80,
      maxPositionPct: 20,
      maxPositionValue: 8_000_000,
      heldValue: 0,
      qtyByStockCap: 80,
      available: 40_000_000,
      cashPerUnit: 100_000,
      qtyByCash: 400,
      bindingCap: "risk",
    });
  });
});

describe("sizeSignal: the plan", () => {
  it("weight 0.5 × strength 60 (0.8) × sentiment 1.2 × profit +15% (1.2) = 0.576 → ₹3,456 → 34 shares", () => {
    const s = sizeSignal({ ...base, stop: 900 * RS, allocationWeight: 0.5, strength: 60, sentimentMultiplier: 1.2, equity: 460_000 * RS });
    expect(s.inputs).toMatchObject({ strengthFactor: 0.8, profitPct: 15, profitScaling: 1.2, plan: 0.576, riskBudget: 3_456 * RS, qtyByRisk: 34 });
    expect(s.ok && s.qty).toBe(34);
    expect(s.ok && s.riskAmount).toBe(3_400 * RS);
  });

  it("the plan can lift the budget above RISK_PER_TRADE_PCT: 1.2 × 1.5 = 1.8 → ₹10,800 → 108 shares by risk", () => {
    const s = sizeSignal({ ...base, stop: 900 * RS, sentimentMultiplier: 1.2, equity: 480_000 * RS + 1 });
    expect(s.inputs).toMatchObject({ profitScaling: 1.5, plan: 1.8, riskBudget: 10_800 * RS, qtyByRisk: 108 });
    // Still capped at 80 by half-Kelly / the per-stock cap.
    expect(s.ok && s.qty).toBe(80);
  });

  it("keeps the budget exact: ₹5,00,000 × 2.3% × (0.9 × 1.2 × 1.5) = ₹18,630.00", () => {
    // In floats 50,000,000 × 0.023 × 1.62 lands a hair off the whole paisa.
    const s = sizeSignal({ ...base, capital: 500_000 * RS, equity: 600_000 * RS + 1, riskPct: 2.3, strength: 80, sentimentMultiplier: 1.2, stop: 1_000 * RS - 1_863 });
    expect(s.inputs.plan).toBe(1.62);
    expect(s.inputs.riskBudget).toBe(1_863_000);
    expect(s.inputs.qtyByRisk).toBe(1_000);
  });

  it("sentiment 0 skips the trade and says the plan is 0", () => {
    const s = sizeSignal({ ...base, sentimentMultiplier: 0 });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the plan is 0 (allocation weight 1 × strength factor 1 × sentiment 0 × regime 1 × profit scaling 1), so there is no risk budget");
    expect(s.bindingCap).toBe("risk");
  });

  it("strength factor is 0.5 + strength/200, clamped", () => {
    expect([0, 50, 60, 100].map(strengthFactor)).toEqual([0.5, 0.75, 0.8, 1]);
    expect(strengthFactor(150)).toBe(1);
    expect(strengthFactor(-10)).toBe(0.5);
  });
});

describe("profitScaling (seed 000: >10% → ×1.2, >20% → ×1.5)", () => {
  const cap = 400_000 * RS;
  it.each([
    ["a loss", 350_000 * RS, 1],
    ["flat", cap, 1],
    ["exactly +10%", 440_000 * RS, 1],
    ["+10% and a paisa", 440_000 * RS + 1, 1.2],
    ["exactly +20%", 480_000 * RS, 1.2],
    ["+20% and a paisa", 480_000 * RS + 1, 1.5],
    ["+100%", 800_000 * RS, 1.5],
  ])("%s", (_label, equity, factor) => {
    expect(profitScaling(equity, cap).factor).toBe(factor);
  });

  it("reports the profit %", () => {
    expect(profitScaling(460_000 * RS, cap).profitPct).toBe(15);
    expect(profitScaling(360_000 * RS, cap).profitPct).toBe(-10);
  });
});

describe("sizeSignal: the per-stock cap", () => {
  it("counts what is already held: ₹75,000 of TCS leaves ₹5,000 → 5 shares", () => {
    const s = sizeSignal({ ...base, heldValue: 75_000 * RS });
    expect(s.ok && s.qty).toBe(5);
    expect(s.bindingCap).toBe("stock");
    expect(s.inputs).toMatchObject({ maxPositionValue: 80_000 * RS, heldValue: 75_000 * RS, qtyByStockCap: 5 });
  });

  it("refuses when the room left is under one share, naming MAX_POSITION_PCT", () => {
    const s = sizeSignal({ ...base, heldValue: 79_500 * RS });
    expect(s.ok).toBe(false);
    expect(s.bindingCap).toBe("stock");
    expect(!s.ok && s.reason).toBe(
      "MAX_POSITION_PCT: 20% of capital is ₹80,000.00 per stock, ₹79,500.00 is already in TCS, and the ₹500.00 left buys less than one share at ₹1,000.00",
    );
  });

  it("a stock priced above the whole cap", () => {
    // 10% of ₹4,00,000 is ₹40,000; one share costs ₹50,000. Risk (6 shares) and the 20% half-Kelly (1 share) would allow it.
    const s = sizeSignal({ ...base, maxPositionPct: 10, entry: 50_000 * RS, stop: 49_000 * RS });
    expect(s.inputs).toMatchObject({ qtyByRisk: 6, qtyByKelly: 1, qtyByStockCap: 0 });
    expect(!s.ok && s.reason).toBe("MAX_POSITION_PCT: 10% of capital (₹40,000.00) buys less than one share at ₹50,000.00");
  });

  it("follows the setting", () => {
    const s = sizeSignal({ ...base, maxPositionPct: 10 });
    expect(s.ok && s.qty).toBe(40);
    expect(s.bindingCap).toBe("stock");
  });

  it("a sized order passes the entry limit for the same stock", () => {
    const s = sizeSignal({ ...base, heldValue: 75_000 * RS });
    if (!s.ok) throw new Error(s.reason);
    const r = checkEntry({
      now: fromIst("2025-01-03", "11:00"),
      capital: base.capital,
      equity: base.capital,
      peakEquity: base.capital,
      positions: [{ symbol: "TCS", value: 75_000 * RS, risk: 0 }],
      order: { symbol: "TCS", value: s.value, risk: s.riskAmount },
      recentOrders: [],
      market: { open: true },
      availableMargin: base.available,
    });
    expect(r).toEqual({ ok: true });
  });
});

describe("sizeSignal: half-Kelly and cash", () => {
  it("a strategy with no edge (Kelly 0) is refused, naming the half-Kelly cap", () => {
    const s = sizeSignal({ ...base, kelly: { fraction: 0, trades: 30 } });
    expect(s.ok).toBe(false);
    expect(s.bindingCap).toBe("kelly");
    expect(!s.ok && s.reason).toBe("the half-Kelly cap for sma-cross, 0.00% of capital (₹0.00, from 30 closed trades), buys less than one share at ₹1,000.00");
  });

  it("cash binds: ₹50,500 buys 50 shares", () => {
    const s = sizeSignal({ ...base, available: 50_500 * RS });
    expect(s.ok && s.qty).toBe(50);
    expect(s.bindingCap).toBe("cash");
  });

  it("refuses when cash is under one share, treating negative cash as none", () => {
    const s = sizeSignal({ ...base, available: -100 * RS });
    expect(s.bindingCap).toBe("cash");
    expect(!s.ok && s.reason).toBe("the available cash (₹0.00) buys less than one share at ₹1,000.00");
  });

  it("lists every other cap that is short too", () => {
    const s = sizeSignal({ ...base, kelly: { fraction: 0, trades: 30 }, available: 0, heldValue: 80_000 * RS });
    expect(!s.ok && s.reason).toMatch(/^the half-Kelly cap for sma-cross, .* \(also short: MAX_POSITION_PCT, cash\)$/);
  });
});

describe("sizeSignal: F&O lots", () => {
  // ₹40,00,000 capital: ₹60,000 risk budget; a stock future, lot 250, at ₹300 with a ₹290 stop.
  const fut: SizeSignalInput = { ...base, symbol: "TATASTEEL25JANFUT", capital: 4_000_000 * RS, entry: 300 * RS, stop: 290 * RS, lotSize: 250, available: 500_000 * RS, cashPerUnit: 60 * RS };

  it("sizes in whole lots, every cap in lots", () => {
    // Risk: 60,000/10 = 6,000 units = 24 lots. Kelly 20% = ₹8,00,000 / ₹75,000 a lot = 10 lots.
    // Per stock the same 10 lots. Cash: ₹5,00,000 / (₹60 margin × 250) = 33 lots.
    const s = sizeSignal(fut);
    expect(s.inputs).toMatchObject({ qtyByRisk: 6_000, qtyByKelly: 2_500, qtyByStockCap: 2_500, qtyByCash: 8_250 });
    expect(s.ok && s.qty).toBe(2_500);
    expect(s.ok && s.riskAmount).toBe(25_000 * RS);
  });

  it("refuses below one lot, naming the cap and the lot", () => {
    const s = sizeSignal({ ...fut, available: 14_999 * RS });
    expect(s.bindingCap).toBe("cash");
    expect(!s.ok && s.reason).toBe("the available cash (₹14,999.00) buys less than one lot (250) at ₹15,000.00");
    const r = sizeSignal({ ...fut, capital: 100_000 * RS, available: 1e9 });
    // ₹1,500 budget / ₹10 = 150 units, under one lot of 250.
    expect(!r.ok && r.reason).toMatch(/^the risk budget of ₹1,500.00 \(1.5% of capital × plan 1\) buys less than one lot \(250\) at ₹2,500.00 of risk per lot/);
  });
});

describe("sizeSignal: shorts, stops and bad input", () => {
  it("sizes a short from a stop above the entry", () => {
    const s = sizeSignal({ ...base, side: "short", stop: 1_100 * RS });
    expect(s.ok && s.qty).toBe(60);
    expect(s.inputs.perUnitRisk).toBe(100 * RS);
  });

  it.each([
    [{ stop: 1_000 * RS }, "the stop is not below the entry"],
    [{ side: "short" as const, stop: 950 * RS }, "the stop is not above the entry (a short)"],
    [{ stop: null }, "the signal has no stop, so there is no risk per share to size from"],
    [{ lotSize: 0 }, "the lot size must be a whole number of at least 1, got 0"],
    [{ sentimentMultiplier: -1 }, "the sentiment multiplier must be 0 or more, got -1"],
    [{ riskPct: 0 }, "RISK_PER_TRADE_PCT must be above 0 and at most 100, got 0"],
    [{ entry: 0 }, "the entry price must be a positive amount, got 0 paise"],
    [{ kelly: { fraction: Number.NaN, trades: 0 } }, "the Kelly fraction must be between 0 and 1, got NaN"],
    [{ strength: Number.NaN }, "the signal strength must be a number from 0 to 100, got NaN"],
  ])("refuses %j", (over, reason) => {
    const s = sizeSignal({ ...base, ...over });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe(reason);
    expect(s.bindingCap).toBeNull();
    expect(s.inputs.capital).toBe(base.capital);
  });
});

describe("sizeSignal: never over any cap, never a lot short of all of them", () => {
  it("holds over many stops, Kelly fractions, lots and cash", () => {
    for (const lot of [1, 25, 75]) {
      for (const kf of [0.03, 0.05, 0.1234, 0.2]) {
        for (let stop = 80_000; stop < 100_000; stop += 373) {
          for (const available of [7_000_000, 40_000_000]) {
            const input = { ...base, capital: 4_000_000 * RS, stop, lotSize: lot, kelly: { fraction: kf, trades: 30 }, available };
            const s = sizeSignal(input);
            const perUnit = 100_000 - stop;
            const budget = Number(s.inputs.riskBudget);
            const kellyValue = Number(s.inputs.kellyValue);
            const fits = (q: number) => q * perUnit <= budget && q * 100_000 <= kellyValue && q * 100_000 <= 0.2 * 400_000_000 && q * 100_000 <= available;
            expect(budget).toBe(6_000_000);
            expect(kellyValue).toBe(Math.round(kf * 400_000_000));
            if (!s.ok) {
              expect(fits(lot)).toBe(false);
              continue;
            }
            expect(s.qty % lot).toBe(0);
            expect(fits(s.qty)).toBe(true);
            expect(fits(s.qty + lot)).toBe(false);
          }
        }
      }
    }
  });
});
