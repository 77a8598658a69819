import { describe, expect, it } from "vitest";
import { kellyFraction } from "../../../src/engine/risk/kelly.js";

const RS = 100; // paise per rupee
const trades = (...rupees: number[]) => rupees.map((r) => ({ net: r * RS }));
const repeat = (n: number, rupees: number) => trades(...Array<number>(n).fill(rupees));

describe("kellyFraction: warm-up", () => {
  it("gives the conservative 5% with no trades", () => {
    const k = kellyFraction([]);
    expect(k).toMatchObject({ fraction: 0.05, trades: 0, winRate: 0, payoff: null });
    expect(k.reason).toBe("0 closed trades, fewer than 20: the conservative 5.00% until there are enough");
  });

  it("gives 5% at 19 trades however good they are, and the trades' own figure at 20", () => {
    const nineteen = [...repeat(15, 2_000), ...repeat(4, -1_000)];
    expect(kellyFraction(nineteen).fraction).toBe(0.05);
    // 20 trades: 16 wins of ₹2,000, 4 losses of ₹1,000 → W 0.8, R 2, Kelly 0.8 − 0.2/2 = 0.7, half 0.35 → capped 20%.
    const twenty = [...nineteen, { net: 2_000 * RS }];
    const k = kellyFraction(twenty);
    expect(k.trades).toBe(20);
    expect(k.winRate).toBe(0.8);
    expect(k.payoff).toBe(2);
    expect(k.fraction).toBe(0.2);
    expect(k.reason).toBe("half-Kelly 35.00% (win rate 80.00%, payoff 2.00, 20 trades), capped at 20.00%");
  });
});

describe("kellyFraction: worked examples", () => {
  it("25 trades, 13 wins averaging ₹1,500, 12 losses averaging ₹1,000 → half-Kelly exactly 10%", () => {
    // Wins sum to ₹19,500, losses to ₹12,000.
    const wins = trades(2_500, 800, 1_200, 3_000, 1_000, 900, 1_700, 1_400, 600, 2_100, 1_300, 1_500, 1_500);
    const losses = trades(-1_000, -500, -1_500, -800, -1_200, -900, -1_100, -700, -1_300, -1_000, -1_000, -1_000);
    expect(wins.reduce((a, t) => a + t.net, 0)).toBe(19_500 * RS);
    expect(losses.reduce((a, t) => a + t.net, 0)).toBe(-12_000 * RS);
    // W = 13/25 = 0.52, R = 1500/1000 = 1.5, Kelly = 0.52 − 0.48/1.5 = 0.52 − 0.32 = 0.20, half = 0.10.
    const k = kellyFraction([...wins, ...losses]);
    expect(k.trades).toBe(25);
    expect(k.winRate).toBe(0.52);
    expect(k.payoff).toBe(1.5);
    expect(k.fraction).toBe(0.1);
    expect(k.reason).toBe("half-Kelly 10.00% (win rate 52.00%, payoff 1.50, 25 trades)");
  });

  it("the order of trades does not matter", () => {
    const a = [...repeat(13, 1_500), ...repeat(12, -1_000)];
    expect(kellyFraction(a).fraction).toBe(0.1);
    expect(kellyFraction([...a].reverse()).fraction).toBe(0.1);
  });

  it("25 trades, W 0.6, R 1.5 → Kelly 1/3, half 1/6", () => {
    const k = kellyFraction([...repeat(15, 3_000), ...repeat(10, -2_000)]);
    expect(k.fraction).toBe(1 / 6);
    expect(k.payoff).toBe(1.5);
  });

  it("caps half-Kelly at 20%", () => {
    // W 0.6, R 4: Kelly 0.6 − 0.4/4 = 0.5, half 0.25 → 0.20.
    const k = kellyFraction([...repeat(15, 2_000), ...repeat(10, -500)]);
    expect(k.payoff).toBe(4);
    expect(k.fraction).toBe(0.2);
  });

  it("gives 0 for a negative edge", () => {
    // W 0.4, R 1: Kelly 0.4 − 0.6 = −0.2.
    const k = kellyFraction([...repeat(8, 1_000), ...repeat(12, -1_000)]);
    expect(k.fraction).toBe(0);
    expect(k.reason).toBe("half-Kelly is -10.00% (win rate 40.00%, payoff 1.00, 20 trades): no edge, 0%");
  });

  it("gives 0 at exactly no edge (mean net P&L zero)", () => {
    expect(kellyFraction([...repeat(10, 1_000), ...repeat(10, -1_000)]).fraction).toBe(0);
  });

  it("counts a scratch trade (₹0.00 net) as a non-win in the average loss", () => {
    // 10 wins of ₹1,000, 5 losses of ₹1,000, 5 scratches: W 0.5, avg loss 5000/10 = 500, R 2,
    // Kelly 0.5 − 0.5/2 = 0.25, half 0.125 (the mean net ₹250 over the average win ₹1,000, halved).
    const k = kellyFraction([...repeat(10, 1_000), ...repeat(5, -1_000), ...repeat(5, 0)]);
    expect(k.winRate).toBe(0.5);
    expect(k.payoff).toBe(2);
    expect(k.fraction).toBe(0.125);
  });
});

describe("kellyFraction: edge cases", () => {
  it("no losses: payoff null, held at the 20% cap", () => {
    const k = kellyFraction(repeat(20, 700));
    expect(k.payoff).toBeNull();
    expect(k.winRate).toBe(1);
    expect(k.fraction).toBe(0.2);
    expect(k.reason).toBe("half-Kelly 50.00% (win rate 100.00%, payoff unbounded (no losses), 20 trades), capped at 20.00%");
  });

  it("only wins and scratches is also 'no losses'", () => {
    const k = kellyFraction([...repeat(12, 700), ...repeat(8, 0)]);
    expect(k.payoff).toBeNull();
    // Kelly = W = 0.6, half 0.3 → 0.2.
    expect(k.fraction).toBe(0.2);
  });

  it("no wins: 0", () => {
    const k = kellyFraction(repeat(25, -400));
    expect(k).toMatchObject({ fraction: 0, winRate: 0, payoff: null, trades: 25 });
    expect(k.reason).toBe("no winning trade in 25: 0%, no evidence of an edge");
  });

  it("stays exact with crore-sized P&L", () => {
    // Same shape as the 10% example, scaled by ₹1 crore per rupee: the BigInt path.
    const k = kellyFraction([...repeat(13, 1_500 * 10_000_000), ...repeat(12, -1_000 * 10_000_000)]);
    expect(k.fraction).toBe(0.1);
  });

  it("takes other thresholds", () => {
    const t = [...repeat(13, 1_500), ...repeat(12, -1_000)];
    expect(kellyFraction(t, { minTrades: 30 }).fraction).toBe(0.05);
    expect(kellyFraction(t, { minTrades: 30, defaultFraction: 0.02 }).fraction).toBe(0.02);
    expect(kellyFraction(t, { maxFraction: 0.08 }).fraction).toBe(0.08);
  });

  it("names a trade without whole-paise P&L", () => {
    expect(() => kellyFraction([{ net: 100 }, { net: 10.5 }])).toThrow("trade 2: net P&L must be whole paise, got 10.5");
    expect(() => kellyFraction([{ net: Number.NaN }])).toThrow("trade 1");
  });

  it("rejects nonsense options", () => {
    expect(() => kellyFraction([], { minTrades: 0 })).toThrow("minTrades");
    expect(() => kellyFraction([], { maxFraction: 2 })).toThrow("maxFraction");
  });
});
