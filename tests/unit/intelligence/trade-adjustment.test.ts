import { describe, expect, it } from "vitest";
import { sentimentAdjustment } from "../../../src/engine/intelligence/trade-adjustment.js";

describe("seed 000's sentiment rule", () => {
  it("skips a BUY on clearly bad news and sizes it ×1.2 on clearly good news", () => {
    expect(sentimentAdjustment("long", { score: -0.31, confidence: 0.61 })).toMatchObject({ trade: false, multiplier: 0 });
    expect(sentimentAdjustment("long", { score: 0.51, confidence: 0.61 })).toMatchObject({ trade: true, multiplier: 1.2 });
    expect(sentimentAdjustment("long", { score: 0.2, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
  });

  it("does not trigger exactly on a threshold (-0.3, 0.5, confidence 0.6)", () => {
    expect(sentimentAdjustment("long", { score: -0.3, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
    expect(sentimentAdjustment("long", { score: -0.9, confidence: 0.6 })).toMatchObject({ trade: true, multiplier: 1 });
    expect(sentimentAdjustment("long", { score: 0.5, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
    expect(sentimentAdjustment("long", { score: 0.9, confidence: 0.6 })).toMatchObject({ trade: true, multiplier: 1 });
    expect(sentimentAdjustment("short", { score: 0.3, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
    expect(sentimentAdjustment("short", { score: -0.5, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
  });

  it("mirrors the rule for a short", () => {
    expect(sentimentAdjustment("short", { score: 0.31, confidence: 0.61 })).toMatchObject({ trade: false, multiplier: 0 });
    expect(sentimentAdjustment("short", { score: -0.51, confidence: 0.61 })).toMatchObject({ trade: true, multiplier: 1.2 });
    expect(sentimentAdjustment("short", { score: -0.31, confidence: 0.9 })).toMatchObject({ trade: true, multiplier: 1 });
  });

  it("puts the numbers in the reason", () => {
    const r = sentimentAdjustment("long", { score: -0.45, confidence: 0.7 });
    expect(r.reason).toBe("BUY skipped: news sentiment score -0.45, confidence 0.70 (score < -0.3 with confidence > 0.6)");
    expect(sentimentAdjustment("long", { score: 0.6, confidence: 0.8 }).reason).toBe("BUY sized ×1.2: news sentiment score 0.60, confidence 0.80 (score > 0.5 with confidence > 0.6)");
    expect(sentimentAdjustment("short", { score: 0, confidence: 0 }).reason).toBe("SELL sized ×1: news sentiment score 0.00, confidence 0.00 (confidence not above 0.6)");
  });
});
