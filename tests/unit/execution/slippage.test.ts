import { describe, expect, it } from "vitest";
import {
  applySlippage,
  liquidityCategory,
  SEED_SLIPPAGE_MODEL,
  slippageBps,
  slippageBreakdown,
  slippageModelProblem,
  type SlippageModel,
} from "../../../src/engine/execution/slippage.js";
import { toPaise } from "../../../src/engine/money.js";

const ADV = 1_000_000; // shares a day

describe("slippageBps: the seed's base rates", () => {
  it.each([
    ["large_cap", 5],
    ["mid_cap", 10],
    ["small_cap", 20],
  ] as const)("%s at VIX 0 and a small order: %s bps", (category, bps) => {
    expect(slippageBps({ category, qty: 100, adv: ADV, vix: 0 })).toBe(bps);
  });
});

describe("slippageBps: VIX multiplier 1 + vix/20", () => {
  it("VIX 30 makes a large cap's 5 bps into 12.5 bps (×2.5)", () => {
    expect(slippageBreakdown({ category: "large_cap", qty: 100, adv: ADV, vix: 30 })).toEqual({ baseBps: 5, sizeMultiplier: 1, vixMultiplier: 2.5, bps: 12.5 });
  });

  it("VIX 10 is ×1.5: a small cap's 20 bps become 30", () => {
    expect(slippageBps({ category: "small_cap", qty: 100, adv: ADV, vix: 10 })).toBe(30);
  });

  it("no VIX reading assumes VIX 20 (×2), the dear side", () => {
    expect(slippageBps({ category: "mid_cap", qty: 100, adv: ADV, vix: null })).toBe(20);
  });
});

describe("slippageBps: order size against average daily volume", () => {
  it("0.1% of ADV pays no size penalty; 5% of ADV pays 1 + 10 × 0.05 = ×1.5", () => {
    expect(slippageBreakdown({ category: "large_cap", qty: 1_000, adv: ADV, vix: 20 })).toMatchObject({ sizeMultiplier: 1, bps: 10 });
    expect(slippageBreakdown({ category: "large_cap", qty: 50_000, adv: ADV, vix: 20 })).toMatchObject({ sizeMultiplier: 1.5, bps: 15 });
  });

  it("the seed's step at 1%: 0.99% of ADV is ×1, exactly 1% is ×1.1", () => {
    expect(slippageBps({ category: "mid_cap", qty: 9_900, adv: ADV, vix: 0 })).toBe(10);
    expect(slippageBps({ category: "mid_cap", qty: 10_000, adv: ADV, vix: 0 })).toBeCloseTo(11, 12);
  });

  it("an order value is turned into shares at the price: ₹50 lakh at ₹1,000 is 5,000 shares, 5% of 1 lakh ADV", () => {
    const bps = slippageBps({ category: "large_cap", orderValue: toPaise(50_00_000), price: toPaise(1000), adv: 100_000, vix: 0 });
    expect(bps).toBe(7.5);
  });

  it("unknown or zero ADV charges no size penalty (the category carries the caution)", () => {
    expect(slippageBps({ category: "small_cap", qty: 1_000_000, adv: null, vix: 0 })).toBe(20);
    expect(slippageBps({ category: "small_cap", qty: 1_000_000, adv: 0, vix: 0 })).toBe(20);
  });

  it("everything together: large cap, 5% of ADV, VIX 30 → 5 × 1.5 × 2.5 = 18.75 bps", () => {
    expect(slippageBps({ category: "large_cap", qty: 50_000, adv: ADV, vix: 30 })).toBe(18.75);
  });

  it("a custom model is used instead of the seed's", () => {
    const model: SlippageModel = { ...SEED_SLIPPAGE_MODEL, baseBps: { large_cap: 2, mid_cap: 4, small_cap: 8 } };
    expect(slippageBps({ category: "small_cap", qty: 1, adv: ADV, vix: 0 }, model)).toBe(8);
  });

  it.each([
    [{ category: "large_cap", qty: 0, adv: ADV, vix: 0 }, /quantity/],
    [{ category: "large_cap", qty: 10, adv: -5, vix: 0 }, /average daily volume/],
    [{ category: "large_cap", qty: 10, adv: ADV, vix: -1 }, /VIX/],
    [{ category: "mega_cap", qty: 10, adv: ADV, vix: 0 }, /large_cap, mid_cap or small_cap/],
    [{ category: "large_cap", orderValue: 100_000, price: 0, adv: ADV, vix: 0 }, /price/],
  ])("refuses bad input %j with a message naming it", (input, msg) => {
    expect(() => slippageBps(input as never)).toThrow(msg);
  });

  it("refuses a broken model, naming the field", () => {
    expect(slippageModelProblem(SEED_SLIPPAGE_MODEL)).toBeNull();
    expect(() => slippageBps({ category: "large_cap", qty: 1, adv: ADV, vix: 0 }, { ...SEED_SLIPPAGE_MODEL, vixDivisor: 0 })).toThrow(/VIX divisor/);
    expect(slippageModelProblem({ ...SEED_SLIPPAGE_MODEL, largeCapMinAdvValue: 1 })).toMatch(/large-cap threshold/);
  });
});

describe("applySlippage: against the trader, on the tick", () => {
  it("₹1,000 buy with 10 bps fills at ₹1,001.00; a sell at ₹999.00", () => {
    expect(applySlippage(toPaise(1000), "buy", 10, 5)).toBe(toPaise(1001));
    expect(applySlippage(toPaise(1000), "sell", 10, 5)).toBe(toPaise(999));
  });

  it("₹1,000 buy with 18.75 bps is ₹1,001.875, rounded up to ₹1,001.90 on a 5-paise tick; the sell ₹998.125 down to ₹998.10", () => {
    expect(applySlippage(toPaise(1000), "buy", 18.75, 5)).toBe(toPaise(1001.9));
    expect(applySlippage(toPaise(1000), "sell", 18.75, 5)).toBe(toPaise(998.1));
  });

  it("rounds in the adverse direction: ₹1,000.05 ± 10 bps is ₹1,001.05005 / ₹999.05 before the tick", () => {
    // buy: 100005 × 1.001 = 100105.005 paise → up to 100110 (5-paise tick) or 100106 (1-paisa tick)
    expect(applySlippage(100_005, "buy", 10, 5)).toBe(100_110);
    expect(applySlippage(100_005, "buy", 10, 1)).toBe(100_106);
    // sell: 100005 × 0.999 = 99904.995 paise → down to 99900 or 99904
    expect(applySlippage(100_005, "sell", 10, 5)).toBe(99_900);
    expect(applySlippage(100_005, "sell", 10, 1)).toBe(99_904);
  });

  it("no slippage leaves an on-tick price alone and puts an off-tick price on the tick against the trader", () => {
    expect(applySlippage(12_345, "buy", 0, 5)).toBe(12_345);
    expect(applySlippage(12_343, "buy", 0, 5)).toBe(12_345);
    expect(applySlippage(12_343, "sell", 0, 5)).toBe(12_340);
  });

  it("even a sliver of slippage costs a whole tick", () => {
    expect(applySlippage(toPaise(100), "buy", 0.01, 5)).toBe(toPaise(100.05));
    expect(applySlippage(toPaise(100), "sell", 0.01, 5)).toBe(toPaise(99.95));
  });

  it("is exact on large prices (₹5,00,000 × 1.001 is ₹5,00,500.00, not a float hair above)", () => {
    expect(applySlippage(toPaise(500_000), "buy", 10, 5)).toBe(toPaise(500_500));
  });

  it("is exact where floats are not: ₹80 × 1.001875 is ₹80.15 exactly (a float gives 8015.000000000001 paise, which would round up to ₹80.20)", () => {
    expect(applySlippage(toPaise(80), "buy", 18.75, 5)).toBe(toPaise(80.15));
  });

  it("a sell never goes below one tick", () => {
    expect(applySlippage(5, "sell", 9_999, 5)).toBe(5);
  });

  it.each([
    [0, "buy", 10, 5, /price/],
    [100, "buy", -1, 5, /basis points/],
    [100, "buy", 10_000, 5, /basis points/],
    [100, "buy", 10, 0, /tick/],
    [100, "hold", 10, 5, /buy or sell/],
  ] as const)("refuses price %s side %s bps %s tick %s", (price, side, bps, tick, msg) => {
    expect(() => applySlippage(price, side as "buy", bps, tick)).toThrow(msg);
  });
});

describe("liquidityCategory by average daily value traded", () => {
  const price = toPaise(1000);
  it("₹100 crore a day or more is large cap: 10 lakh shares at ₹1,000", () => {
    expect(liquidityCategory("RELIANCE", 1_000_000, price)).toBe("large_cap");
    expect(liquidityCategory("RELIANCE", 999_999, price)).toBe("mid_cap");
  });

  it("₹20 crore a day or more is mid cap: 2 lakh shares at ₹1,000; below is small cap", () => {
    expect(liquidityCategory("X", 200_000, price)).toBe("mid_cap");
    expect(liquidityCategory("X", 199_999, price)).toBe("small_cap");
  });

  it("unknown or zero ADV is small cap", () => {
    expect(liquidityCategory("X", null, price)).toBe("small_cap");
    expect(liquidityCategory("X", 0, price)).toBe("small_cap");
  });

  it("does not overflow on the busiest stocks (1e9 shares × ₹1 lakh)", () => {
    expect(liquidityCategory("BIG", 1e9, toPaise(100_000))).toBe("large_cap");
  });

  it("names the stock when the input is bad", () => {
    expect(() => liquidityCategory("TCS", -1, price)).toThrow(/TCS.*average daily volume/);
    expect(() => liquidityCategory("TCS", 10, 0)).toThrow(/TCS.*price/);
  });
});
