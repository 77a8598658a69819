/**
 * The intelligence layer's answer for one entry: trade or not, the three size
 * factors, and the record kept on the signal. The ports are small in-test
 * sources (a sentiment reading, a regime call, day rows), not our modules.
 */
import { describe, expect, it } from "vitest";
import { Intelligence, regimeFactor, type IntelligenceOptions, type RegimeReading, type SentimentReading, type SentimentRule } from "../../../src/engine/intelligence/intelligence.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const rule: SentimentRule = (side, s) => {
  const sign = side === "long" ? 1 : -1;
  if (sign * s.score < -0.3 && s.confidence > 0.6) return { trade: false, multiplier: 0, reason: `skip: score ${s.score}` };
  if (sign * s.score > 0.5 && s.confidence > 0.6) return { trade: true, multiplier: 1.2, reason: `×1.2: score ${s.score}` };
  return { trade: true, multiplier: 1, reason: "×1" };
};

function options(over: Partial<IntelligenceOptions> & { reading?: SentimentReading; regimeCall?: RegimeReading } = {}): IntelligenceOptions & { regimeCalls: string[] } {
  const regimeCalls: string[] = [];
  const reading = over.reading ?? { score: 0.7, confidence: 0.8, reason: "2 articles", articles: [{ id: 1, title: "Profit up", score: 0.9, confidence: 0.9, outcome: "scored" }, { id: 2, title: "Order win", score: 0.5, confidence: 0.7, outcome: "scored" }] };
  return {
    sentiment: { forSymbol: async () => reading },
    sentimentRule: rule,
    regime: {
      call: (date) => {
        regimeCalls.push(date);
        return over.regimeCall ?? { dayType: "choppy", confidence: 0.55, reason: "model says choppy" };
      },
    },
    regimeSizing: [
      { regime: "choppy", strategy: "adx-dma", factor: 0 },
      { regime: "choppy", strategy: "*", factor: 0.5 },
    ],
    performance: { strategyDays: async () => [], strategyTradeCounts: async () => new Map() },
    allocated: ["sma-cross", "adx-dma", "camarilla"],
    capital: 400_000_00,
    isTradingDay: () => true,
    ...over,
    regimeCalls,
  };
}

const NOW = fromIst("2024-05-06", "09:20");

describe("Intelligence.assess", () => {
  it("multiplies: allocation 1/3 (equal shares), sentiment ×1.2, regime choppy ×0.5 by the * rule; and records why", async () => {
    const intel = new Intelligence(options());
    const a = await intel.assess({ strategy: "sma-cross", symbol: "TCS", side: "long" }, NOW);
    expect(a.trade).toBe(true);
    expect(a.allocationWeight).toBeCloseTo(1 / 3, 12);
    expect(a.sentimentMultiplier).toBe(1.2);
    expect(a.regimeMultiplier).toBe(0.5);
    expect(a.record.sentiment.articles.map((x) => x.id)).toEqual([1, 2]);
    expect(a.record.regime).toMatchObject({ dayType: "choppy", confidence: 0.55, factor: 0.5 });
    expect(a.record.regime.reason).toContain("REGIME_SIZING choppy:*=0.5");
    expect(a.record.allocation).toMatchObject({ rule: "equal", rank: null });
  });

  it("skips a BUY on bearish news with the reason, and a strategy the regime keeps out", async () => {
    const bearish = new Intelligence(options({ reading: { score: -0.5, confidence: 0.9, reason: "1 article", articles: [] } }));
    const a = await bearish.assess({ strategy: "sma-cross", symbol: "TCS", side: "long" }, NOW);
    expect(a.trade).toBe(false);
    expect(a.skipReason).toContain("skip: score -0.5");
    // The same news does not stop a short.
    expect((await bearish.assess({ strategy: "sma-cross", symbol: "TCS", side: "short" }, NOW)).trade).toBe(true);

    const b = await new Intelligence(options()).assess({ strategy: "adx-dma", symbol: "TCS", side: "long" }, NOW);
    expect(b.trade).toBe(false);
    expect(b.skipReason).toContain("REGIME_SIZING choppy:adx-dma=0 keeps adx-dma out today");
  });

  it("calls the regime once a day, and an unknown regime sizes ×1 with the reason", async () => {
    const o = options({ regimeCall: { unknown: true, reason: "no regime model: run dalal regime train" } });
    const intel = new Intelligence(o);
    const a = await intel.assess({ strategy: "sma-cross", symbol: "TCS", side: "long" }, NOW);
    await intel.assess({ strategy: "camarilla", symbol: "INFY", side: "long" }, fromIst("2024-05-06", "13:00"));
    await intel.assess({ strategy: "camarilla", symbol: "INFY", side: "long" }, fromIst("2024-05-07", "09:20"));
    expect(o.regimeCalls).toEqual(["2024-05-06", "2024-05-07"]);
    expect(a.regimeMultiplier).toBe(1);
    expect(a.record.regime.reason).toBe("regime unknown (no regime model: run dalal regime train): size ×1");
  });

  it("without a sentiment service trades at ×1 and says why; a failing service is neutral too", async () => {
    const none = await new Intelligence(options({ sentiment: null, sentimentOff: "no OPENAI_API_KEY set" })).assess({ strategy: "sma-cross", symbol: "TCS", side: "long" }, NOW);
    expect(none.sentimentMultiplier).toBe(1);
    expect(none.record.sentiment.reason).toBe("sentiment neutral: no OPENAI_API_KEY set");
    const broken = await new Intelligence(options({ sentiment: { forSymbol: async () => Promise.reject(new Error("socket hang up")) } })).assess({ strategy: "sma-cross", symbol: "TCS", side: "long" }, NOW);
    expect(broken.trade).toBe(true);
    expect(broken.sentimentMultiplier).toBe(1);
    expect(broken.record.sentiment.reason).toContain("the sentiment service failed (socket hang up)");
  });

  it("leaves a strategy on its own capital outside the allocator", async () => {
    const a = await new Intelligence(options()).assess({ strategy: "tradingview", symbol: "TCS", side: "long" }, NOW);
    expect(a.allocationWeight).toBe(1);
    expect(a.record.allocation.rule).toBe("unallocated");
  });
});

describe("regimeFactor", () => {
  it("takes the strategy's own rule before *, else 1", () => {
    const rules = [{ regime: "volatile" as const, strategy: "*", factor: 0.5 }, { regime: "volatile" as const, strategy: "sma-cross", factor: 1.5 }];
    expect(regimeFactor(rules, "volatile", "sma-cross")).toEqual({ factor: 1.5, rule: "volatile:sma-cross=1.5" });
    expect(regimeFactor(rules, "volatile", "adx-dma")).toEqual({ factor: 0.5, rule: "volatile:*=0.5" });
    expect(regimeFactor(rules, "trending", "adx-dma")).toEqual({ factor: 1, rule: null });
  });
});
