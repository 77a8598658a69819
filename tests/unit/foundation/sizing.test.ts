import { describe, expect, it } from "vitest";
import { sizePosition, type SizingInput } from "../../../src/engine/risk/sizing.js";

const RS = 100; // paise per rupee

/** ₹4,00,000 capital, 1.5% risk, plenty of cash; entry ₹1,000, stop ₹970. */
const base: SizingInput = { capital: 400_000 * RS, riskPct: 1.5, entry: 1_000 * RS, stop: 970 * RS, available: 400_000 * RS };

describe("sizePosition: quantity from risk", () => {
  it("₹4,00,000 × 1.5% = ₹6,000 budget; ₹30 risk per share → 200 shares", () => {
    const s = sizePosition(base);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.qty).toBe(200);
    expect(s.riskAmount).toBe(6_000 * RS); // 200 × ₹30
    expect(s.inputs.riskBudget).toBe(6_000 * RS);
    expect(s.inputs.perUnitRisk).toBe(30 * RS);
    expect(s.inputs.qtyByRisk).toBe(200);
  });

  it("rounds the share count down, never risking more than the budget", () => {
    // ₹6,000 / ₹35.55 = 168.78 → 168 shares, ₹5,972.40 at risk.
    const s = sizePosition({ ...base, stop: 1_000 * RS - 3555 });
    expect(s.ok && s.qty).toBe(168);
    expect(s.ok && s.riskAmount).toBe(168 * 3555);
    expect(s.ok && s.riskAmount).toBeLessThanOrEqual(6_000 * RS);
  });

  it("floors a budget with a fraction of a paisa", () => {
    // ₹1,234.57 × 1% = 1234.57 paise → 1234 paise budget; risk 617 paise per share → 2 shares.
    const s = sizePosition({ capital: 123_457, riskPct: 1, entry: 10_000, stop: 10_000 - 617, available: 1e9 });
    expect(s.inputs.riskBudget).toBe(1234);
    expect(s.ok && s.qty).toBe(2);
  });

  it("never risks more than the budget over many stops", () => {
    for (let stop = 90_000; stop < 100_000; stop += 7) {
      const s = sizePosition({ ...base, stop });
      expect(s.ok).toBe(true);
      if (!s.ok) continue;
      const perUnit = 100_000 - stop;
      // ₹4,00,000 of cash pays for at most 400 shares at ₹1,000.
      expect(s.qty).toBe(Math.min(Math.floor(600_000 / perUnit), 400));
      expect(s.riskAmount).toBe(s.qty * perUnit);
      expect(s.riskAmount).toBeLessThanOrEqual(600_000);
      // When risk, not cash, binds, less than one more share's risk is left unused.
      if (s.qty < 400) expect(600_000 - s.riskAmount).toBeLessThan(perUnit);
    }
  });

  // capital × risk% in floating point falls a hair short of the whole budget
  // (50,000,000 × 2.3 / 100 = 1,149,999.9999999998), and the floor then drops a whole paisa,
  // so an exactly affordable share count loses one share.
  it("₹5,00,000 × 2.3% = ₹11,500 budget buys 100 shares at ₹115 risk each", () => {
    const s = sizePosition({ capital: 500_000 * RS, riskPct: 2.3, entry: 1_000 * RS, stop: 885 * RS, available: 1e12 });
    expect(s.inputs.riskBudget).toBe(11_500 * RS);
    expect(s.ok && s.qty).toBe(100);
  });

  it("₹1,10,000 × 0.7% = ₹770 budget buys 110 shares at ₹7 risk each", () => {
    const s = sizePosition({ capital: 110_000 * RS, riskPct: 0.7, entry: 100 * RS, stop: 93 * RS, available: 1e12 });
    expect(s.inputs.riskBudget).toBe(770 * RS);
    expect(s.ok && s.qty).toBe(110);
  });
});

describe("sizePosition: capped by cash", () => {
  it("buys only what the available cash pays for", () => {
    // Risk allows 200 shares at ₹1,000; ₹1,50,500 of cash pays for 150.
    const s = sizePosition({ ...base, available: 150_500 * RS });
    expect(s.ok && s.qty).toBe(150);
    expect(s.ok && s.riskAmount).toBe(150 * 30 * RS);
    expect(s.inputs.qtyByRisk).toBe(200);
    expect(s.inputs.qtyByCash).toBe(150);
  });

  it("exactly enough cash for the risk quantity is enough", () => {
    const s = sizePosition({ ...base, available: 200_000 * RS });
    expect(s.ok && s.qty).toBe(200);
  });

  it("one paisa short of 200 shares gives 199", () => {
    const s = sizePosition({ ...base, available: 200_000 * RS - 1 });
    expect(s.ok && s.qty).toBe(199);
  });
});

describe("sizePosition: lots", () => {
  it("sizes in whole lots of 15", () => {
    // 200 shares by risk → 13 lots = 195.
    const s = sizePosition({ ...base, lotSize: 15 });
    expect(s.ok && s.qty).toBe(195);
    expect(s.ok && s.qty % 15).toBe(0);
    expect(s.inputs.lotSize).toBe(15);
  });

  it("cash caps in whole lots too", () => {
    // ₹1,00,000 of cash pays for 100 shares → 6 lots = 90.
    const s = sizePosition({ ...base, lotSize: 15, available: 100_000 * RS });
    expect(s.ok && s.qty).toBe(90);
    expect(s.inputs.qtyByCash).toBe(90);
  });

  it("every quantity is a multiple of the lot for many lot sizes", () => {
    for (const lot of [1, 15, 25, 50, 75, 125, 200]) {
      const s = sizePosition({ ...base, lotSize: lot });
      if (s.ok) {
        expect(s.qty % lot).toBe(0);
        expect(s.qty).toBe(Math.floor(200 / lot) * lot);
      } else {
        expect(lot).toBeGreaterThan(200);
      }
    }
  });

  it("refuses when the budget buys less than one lot", () => {
    const s = sizePosition({ ...base, lotSize: 250 });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the risk budget buys less than one lot");
  });
});

describe("sizePosition: refusals", () => {
  it.each([
    ["stop equal to entry", 1_000 * RS],
    ["stop above entry", 1_010 * RS],
  ])("refuses a %s", (_label, stop) => {
    const s = sizePosition({ ...base, stop });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the stop is not below the entry");
    expect(s.inputs.perUnitRisk).toBe(1_000 * RS - stop);
  });

  it("refuses when the budget is below the risk of one share", () => {
    // ₹1,000 × 1% = ₹10 budget, ₹30 risk per share.
    const s = sizePosition({ ...base, capital: 1_000 * RS, riskPct: 1 });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the risk budget buys less than one share");
    expect(s.inputs.qtyByRisk).toBe(0);
  });

  it("refuses when cash is below the price of one share", () => {
    const s = sizePosition({ ...base, available: 999 * RS });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the available cash buys less than one share");
    expect(s.inputs.qtyByCash).toBe(0);
  });

  it("treats negative available cash as none", () => {
    const s = sizePosition({ ...base, available: -5_000 * RS });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the available cash buys less than one share");
    expect(s.inputs.qtyByCash).toBe(0);
  });

  it("names cash, in lots, when only cash is short", () => {
    const s = sizePosition({ ...base, lotSize: 15, available: 14_000 * RS });
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toBe("the available cash buys less than one lot");
  });
});

describe("sizePosition: inputs recorded", () => {
  it("records every input and both quantities", () => {
    const s = sizePosition({ ...base, available: 150_500 * RS, lotSize: 1 });
    expect(s.inputs).toEqual({
      capital: 40_000_000,
      riskPct: 1.5,
      riskBudget: 600_000,
      entry: 100_000,
      stop: 97_000,
      perUnitRisk: 3_000,
      available: 15_050_000,
      lotSize: 1,
      qtyByRisk: 200,
      qtyByCash: 150,
    });
  });

  it("records the inputs on a refusal as well", () => {
    const s = sizePosition({ ...base, stop: 1_000 * RS });
    expect(s.inputs).toMatchObject({ capital: 40_000_000, riskPct: 1.5, riskBudget: 600_000, entry: 100_000, stop: 100_000, perUnitRisk: 0, lotSize: 1 });
  });

  it("defaults the lot size to 1", () => {
    expect(sizePosition(base).inputs.lotSize).toBe(1);
  });
});
