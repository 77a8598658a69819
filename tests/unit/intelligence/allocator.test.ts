import { describe, expect, it } from "vitest";
import { allocate, annualisedSharpe, type StrategyDay } from "../../../src/engine/intelligence/allocator.js";
import { addDays, type IstDate } from "../../../src/engine/time/ist.js";

const RS = 100;
const CAPITAL = 400_000 * RS;

/** 20 weekdays from 2024-03-04 (a Monday): the window's sessions. */
function weekdays(from: IstDate, n: number): IstDate[] {
  const out: IstDate[] = [];
  for (let d = from; out.length < n; d = addDays(d, 1)) {
    const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(d);
  }
  return out;
}
const DAYS = weekdays("2024-03-04", 20);

/** A strategy whose daily nets follow `pattern` (rupees), repeated over the window. */
function rows(strategy: string, pattern: number[]): StrategyDay[] {
  return DAYS.map((date, i) => ({ strategy, date, trades: 1, net: pattern[i % pattern.length]! * RS }));
}

describe("annualisedSharpe", () => {
  it("is mean / sample sd × √252", () => {
    const r = [0.01, -0.005, 0.02, 0];
    const mean = 0.00625;
    const sd = Math.sqrt(((0.00375 ** 2) + (0.01125 ** 2) + (0.01375 ** 2) + (0.00625 ** 2)) / 3);
    expect(annualisedSharpe(r)).toBeCloseTo((mean / sd) * Math.sqrt(252), 10);
  });

  it("is null with no variation or under two days", () => {
    expect(annualisedSharpe([0, 0, 0])).toBeNull();
    expect(annualisedSharpe([0.01])).toBeNull();
  });
});

describe("allocate", () => {
  const names = ["a", "b", "c", "d", "e"];
  const many = new Map(names.map((n) => [n, 25]));

  it("gives the top four of 10+ trades 40/30/20/10% by 30-day Sharpe, the fifth nothing", () => {
    const days = [
      ...rows("a", [100, -50]), // mean 25, sd ~75: Sharpe ~5.2
      ...rows("b", [300, -250]), // mean 25, larger sd: lower
      ...rows("c", [500, 100]), // mean 300, sd ~283: the best
      ...rows("d", [-100, 50]), // negative
      ...rows("e", [50, -100, 20]),
    ];
    const a = allocate({ strategies: names, days, tradingDays: DAYS, tradeCounts: many, capital: CAPITAL });
    expect(a.rule).toBe("ranked");
    const by = Object.fromEntries(a.shares.map((s) => [s.strategy, s]));
    expect(by.c!.rank).toBe(1);
    expect(by.c!.share).toBe(0.4);
    expect(by.a!.rank).toBe(2);
    expect(by.a!.share).toBe(0.3);
    expect(by.b!.share).toBe(0.2);
    // e (mean ≈ −10) against d (mean −25): e ranks fourth.
    expect(by.e!.share).toBe(0.1);
    expect(by.d!.share).toBe(0);
    expect(by.d!.reason).toContain("only the top four get capital");
    expect(a.shares.reduce((s, x) => s + x.share, 0)).toBeCloseTo(1, 12);
  });

  it("counts a flat day as a 0 return: one good day in a quiet month is not a steady strategy", () => {
    const steady = rows("a", [100]).map((r, i) => ({ ...r, net: (i % 2 ? 90 : 110) * RS }));
    const once: StrategyDay[] = [{ strategy: "b", date: DAYS[3]!, trades: 1, net: 5_000 * RS }];
    const a = allocate({ strategies: ["a", "b", "c", "d"], days: [...steady, ...once], tradingDays: DAYS, tradeCounts: new Map([["a", 20], ["b", 20], ["c", 20], ["d", 20]]), capital: CAPITAL });
    const sa = a.shares.find((s) => s.strategy === "a")!;
    const sb = a.shares.find((s) => s.strategy === "b")!;
    expect(sa.sharpe!).toBeGreaterThan(sb.sharpe!);
    expect(sa.rank).toBe(1);
  });

  it("gives equal shares while fewer than four strategies have 10 trades", () => {
    const a = allocate({ strategies: names, days: rows("a", [100, -50]), tradingDays: DAYS, tradeCounts: new Map([["a", 30], ["b", 12], ["c", 10], ["d", 9]]), capital: CAPITAL });
    expect(a.rule).toBe("equal");
    expect(a.shares.map((s) => s.share)).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
    expect(a.shares.find((s) => s.strategy === "d")!.eligible).toBe(false);
    expect(a.reason).toContain("equal shares of 1/5");
  });

  it("leaves a strategy under 10 trades out once four qualify, and says why", () => {
    const counts = new Map([["a", 10], ["b", 10], ["c", 10], ["d", 10], ["e", 9]]);
    const a = allocate({ strategies: names, days: [...rows("e", [900, 800])], tradingDays: DAYS, tradeCounts: counts, capital: CAPITAL });
    const e = a.shares.find((s) => s.strategy === "e")!;
    expect(e.share).toBe(0);
    expect(e.reason).toContain("9 closed trades, under the 10");
  });

  it("ignores rows outside the window's trading days and ranks ties by trades, then name", () => {
    const outside: StrategyDay = { strategy: "d", date: "2023-01-02", trades: 1, net: 99_999 * RS };
    const counts = new Map([["a", 10], ["b", 11], ["c", 10], ["d", 10]]);
    const a = allocate({ strategies: ["a", "b", "c", "d"], days: [outside], tradingDays: DAYS, tradeCounts: counts, capital: CAPITAL });
    expect(a.shares.map((s) => [s.strategy, s.rank])).toEqual([["a", 2], ["b", 1], ["c", 3], ["d", 4]]);
    expect(a.shares.every((s) => s.sharpe === null)).toBe(true);
  });
});
