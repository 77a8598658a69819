/** The day-type rules on hand-made bars: each class, the order of the rules and their boundaries. */
import { describe, expect, it } from "vitest";
import { LABEL_RULES, LABEL_WINDOW, labelDay } from "../../../src/engine/intelligence/regime/labels.js";
import type { IndexBar } from "../../../src/engine/intelligence/regime/nifty-index.js";

// Twenty quiet days: range 100 points each, volume 1000, closing at 10,000.
const before: IndexBar[] = Array.from({ length: LABEL_WINDOW }, (_, i) => ({
  date: `2024-01-${String(i + 1).padStart(2, "0")}`,
  open: 10_000,
  high: 10_050,
  low: 9_950,
  close: 10_000,
  volume: 1000,
}));

/** A day opening at `open` with the given range (points), body and volume. */
function day(o: { open?: number; low?: number; range: number; close?: number; volume?: number }): IndexBar {
  const open = o.open ?? 10_000;
  const low = o.low ?? open - o.range / 2;
  return { date: "2024-01-22", open, high: low + o.range, low, close: o.close ?? open, volume: o.volume ?? 1000 };
}

const label = (bar: IndexBar, vixClose = 15) => {
  const r = labelDay({ bar, before, vixClose });
  if ("unknown" in r) throw new Error(r.reason);
  return r.label;
};

describe("labelDay", () => {
  it("volatile: a range past 1.75 x the average, or past 1.3 x with VIX above 20", () => {
    expect(LABEL_RULES).toMatchObject({ volatileVix: 20, volatileRangeWithVix: 1.3, volatileRange: 1.75 });
    expect(label(day({ range: 176 }))).toBe("volatile");
    expect(label(day({ range: 175 }))).not.toBe("volatile"); // not strictly above 1.75 x
    expect(label(day({ range: 131 }), 20.5)).toBe("volatile");
    expect(label(day({ range: 131 }), 20)).not.toBe("volatile"); // VIX must be above 20
    expect(label(day({ range: 130 }), 25)).not.toBe("volatile");
  });

  it("expansion: a wide range on high volume, or a gap past 0.6% the close does not fill", () => {
    expect(label(day({ range: 120, volume: 1100 }))).toBe("expansion");
    expect(label(day({ range: 120, volume: 1099 }))).not.toBe("expansion");
    expect(label(day({ range: 119, volume: 5000 }))).not.toBe("expansion");
    expect(label(day({ range: 120, volume: 0 }))).not.toBe("expansion"); // no volume: the volume half cannot hold
    // Gap up 0.61%, closing above the previous close (10,000): unfilled.
    expect(label(day({ open: 10_061, range: 80, close: 10_030 }))).toBe("expansion");
    // Same gap, but the close comes back to the previous close: filled.
    expect(label(day({ open: 10_061, low: 9_990, range: 80, close: 10_000 }))).not.toBe("expansion");
    // Gap down 0.7% closing below: unfilled.
    expect(label(day({ open: 9_930, range: 80, close: 9_950 }))).toBe("expansion");
    // A gap of exactly 0.6% is not beyond 0.6%.
    expect(label(day({ open: 10_060, range: 80, close: 10_040 }))).not.toBe("expansion");
  });

  it("contraction: a range at most 0.7 x the average, whatever the body", () => {
    expect(label(day({ range: 70, close: 10_034, low: 9_966 }))).toBe("contraction");
    expect(label(day({ range: 71 }))).not.toBe("contraction");
  });

  it("trending: a body of at least 0.55 of the range; choppy: the rest", () => {
    expect(label(day({ open: 10_000, low: 10_000, range: 100, close: 10_055 }))).toBe("trending");
    expect(label(day({ open: 10_000, low: 10_000, range: 100, close: 10_054 }))).toBe("choppy");
    expect(label(day({ open: 10_000, low: 9_945, range: 100, close: 9_945 }))).toBe("trending");
    expect(label(day({ range: 100 }))).toBe("choppy");
  });

  it("takes the first rule that matches", () => {
    // Wide range on volume with VIX above 20: volatile before expansion.
    expect(label(day({ range: 140, volume: 3000 }), 25)).toBe("volatile");
    // An unfilled gap on a narrow day: expansion before contraction.
    expect(label(day({ open: 10_100, low: 10_080, range: 40, close: 10_110 }))).toBe("expansion");
  });

  it("answers unknown, with the reason, when history or VIX is missing", () => {
    const short = labelDay({ bar: day({ range: 100 }), before: before.slice(5), vixClose: 15 });
    expect(short).toEqual({ unknown: true, reason: "unknown: the label needs 20 Nifty bars before 2024-01-22, there are 15" });
    expect(labelDay({ bar: day({ range: 100 }), before, vixClose: undefined })).toEqual({ unknown: true, reason: "unknown: no India VIX close on 2024-01-22" });
  });
});
