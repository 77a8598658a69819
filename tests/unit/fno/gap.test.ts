import { describe, expect, it } from "vitest";
import { classifyGap } from "../../../src/engine/fno/gap.js";

describe("classifyGap", () => {
  const signal = 4_000_000; // ₹40,000.00
  it("none within the adjust threshold, either way", () => {
    expect(classifyGap(signal, 4_020_000, 1, 2)).toEqual({ kind: "none", gapPct: 0.5 });
    expect(classifyGap(signal, 3_980_000, 1, 2)).toEqual({ kind: "none", gapPct: -0.5 });
    expect(classifyGap(signal, signal, 1, 2)).toEqual({ kind: "none", gapPct: 0 });
  });

  it("is strict at the thresholds: exactly 1 % is none, exactly 2 % is adjust", () => {
    expect(classifyGap(signal, 4_040_000, 1, 2)).toEqual({ kind: "none", gapPct: 1 });
    expect(classifyGap(signal, 3_960_000, 1, 2)).toEqual({ kind: "none", gapPct: -1 });
    expect(classifyGap(signal, 4_080_000, 1, 2)).toEqual({ kind: "adjust", gapPct: 2 });
    expect(classifyGap(signal, 3_920_000, 1, 2)).toEqual({ kind: "adjust", gapPct: -2 });
  });

  it("judges the exact gap, one paisa past a threshold counts", () => {
    expect(classifyGap(signal, 4_040_001, 1, 2).kind).toBe("adjust"); // 1.000025 %, shown as 1.00
    expect(classifyGap(signal, 4_040_001, 1, 2).gapPct).toBe(1);
    expect(classifyGap(signal, 3_919_999, 1, 2).kind).toBe("skip");
  });

  it("adjusts over 1 % and skips over 2 %, sign kept and rounded to 2 decimals", () => {
    expect(classifyGap(signal, 4_061_234, 1, 2)).toEqual({ kind: "adjust", gapPct: 1.53 }); // 1.53085 %
    expect(classifyGap(signal, 3_938_766, 1, 2)).toEqual({ kind: "adjust", gapPct: -1.53 });
    expect(classifyGap(signal, 4_130_000, 1, 2)).toEqual({ kind: "skip", gapPct: 3.25 });
    expect(classifyGap(signal, 3_870_000, 1, 2)).toEqual({ kind: "skip", gapPct: -3.25 });
    expect(classifyGap(3, 4, 1, 2)).toEqual({ kind: "skip", gapPct: 33.33 });
  });

  it("never reports -0", () => {
    expect(Object.is(classifyGap(signal, signal - 1, 1, 2).gapPct, 0)).toBe(true); // -0.000025 % rounds to 0
  });

  it("takes other thresholds, equal ones included", () => {
    expect(classifyGap(signal, 4_030_000, 0.5, 0.5).kind).toBe("skip");
    expect(classifyGap(signal, 4_030_000, 0, 3).kind).toBe("adjust");
  });

  it("refuses bad inputs, naming them", () => {
    expect(() => classifyGap(0, signal, 1, 2)).toThrow(/signal price/);
    expect(() => classifyGap(signal, -5, 1, 2)).toThrow(/open/);
    expect(() => classifyGap(signal, 4_000_000.5, 1, 2)).toThrow(/open/);
    expect(() => classifyGap(signal, signal, -1, 2)).toThrow(/adjust threshold/);
    expect(() => classifyGap(signal, signal, 2, 1)).toThrow(/skip threshold/);
    expect(() => classifyGap(signal, signal, 1, Number.NaN)).toThrow(/skip threshold/);
  });
});
