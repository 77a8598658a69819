import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FreezeTable, parseFreezeCsv, splitAtFreeze } from "../../../src/engine/execution/angelone/freeze.js";

describe("splitAtFreeze", () => {
  const cases = fc
    .record({ lot: fc.integer({ min: 1, max: 200 }), lotsPerFreeze: fc.integer({ min: 1, max: 100 }), slack: fc.integer({ min: 0, max: 199 }), lots: fc.integer({ min: 1, max: 2000 }) })
    .map(({ lot, lotsPerFreeze, slack, lots }) => ({ lot, freeze: lot * lotsPerFreeze + (slack % lot), qty: lot * lots }));

  it("pieces add up to the quantity, each within the freeze limit and a whole number of lots", () => {
    fc.assert(
      fc.property(cases, ({ lot, freeze, qty }) => {
        const pieces = splitAtFreeze(qty, freeze, lot);
        expect(pieces.reduce((a, b) => a + b, 0)).toBe(qty);
        for (const p of pieces) {
          expect(p).toBeGreaterThan(0);
          expect(p).toBeLessThanOrEqual(freeze);
          expect(p % lot).toBe(0);
        }
      }),
    );
  });

  it("uses as few pieces as the limit allows, all but the last full", () => {
    fc.assert(
      fc.property(cases, ({ lot, freeze, qty }) => {
        const pieces = splitAtFreeze(qty, freeze, lot);
        const maxPiece = Math.floor(freeze / lot) * lot;
        expect(pieces).toHaveLength(Math.ceil(qty / maxPiece));
        expect(pieces.slice(0, -1).every((p) => p === maxPiece)).toBe(true);
      }),
    );
  });

  it("Bank Nifty: 1,400 at lot 35 under a 600 freeze is 595 + 595 + 210", () => {
    expect(splitAtFreeze(1400, 600, 35)).toEqual([595, 595, 210]);
    expect(splitAtFreeze(900, 900, 30)).toEqual([900]);
    expect(splitAtFreeze(1800, 900, 30)).toEqual([900, 900]);
  });

  it("refuses what cannot be split into whole lots within the limit", () => {
    expect(() => splitAtFreeze(100, 600, 35)).toThrow(/not a whole number of lots of 35/);
    expect(() => splitAtFreeze(70, 30, 35)).toThrow(/one lot \(35\) is above the freeze quantity 30/);
    expect(() => splitAtFreeze(0, 600, 35)).toThrow(/quantity must be a positive whole number/);
    expect(() => splitAtFreeze(35.5, 600, 35)).toThrow(/positive whole number/);
  });
});

describe("the shipped freeze quantities", () => {
  const table = FreezeTable.load();

  it("answer by underlying and trading day, each row from its date to the next", () => {
    expect(table.freezeQty("BANKNIFTY", "2025-08-29")).toBe(600);
    expect(table.freezeQty("BANKNIFTY", "2025-09-01")).toBe(900);
    expect(table.freezeQty("BANKNIFTY", "2025-11-21")).toBe(600);
    expect(table.freezeQty("NIFTY", "2025-11-21")).toBe(1800);
    expect(table.freezeQty("FINNIFTY", "2025-12-15")).toBe(1200);
    expect(table.freezeQty("FINNIFTY", "2026-02-01")).toBe(1800);
    expect(table.freezeQty("MIDCPNIFTY", "2025-04-10")).toBe(4200);
  });

  it("have no answer for an underlying they do not list or a day before they start", () => {
    expect(table.freezeQty("RELIANCE", "2025-11-21")).toBeUndefined();
    expect(table.freezeQty("NIFTY", "2024-07-31")).toBeUndefined();
  });

  it("every row names its source", () => {
    const rows = parseFreezeCsv("underlying,effective_from,freeze_qty,source\nNIFTY,2025-01-01,1800,a circular, as read\n");
    expect(rows).toEqual([{ underlying: "NIFTY", effectiveFrom: "2025-01-01", freezeQty: 1800, source: "a circular, as read" }]);
    expect(() => parseFreezeCsv("underlying,effective_from,freeze_qty,source\nNIFTY,2025-01-01,1800\n")).toThrow(/freeze_quantities.csv:2/);
    expect(() => parseFreezeCsv("underlying,effective_from,freeze_qty,source\nNIFTY,2025-02-30,1800,x\n")).toThrow(/not a date/);
    expect(() => parseFreezeCsv("underlying,effective_from,freeze_qty,source\nNIFTY,2025-01-01,-5,x\n")).toThrow(/positive whole number/);
    expect(() => new FreezeTable([...rows, ...rows])).toThrow(/two rows for NIFTY/);
  });
});
