import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { drawdownSeries } from "../../../src/engine/backtest/metrics.js";
import { CHART, niceTicks, renderEquityPng, renderEquitySvg } from "../../../src/report/equity-chart.js";

const R = 100;
const EQUITY = [
  { date: "2025-01-01", equity: 100_000 * R },
  { date: "2025-01-02", equity: 101_000 * R },
  { date: "2025-01-03", equity: 99_990 * R },
  { date: "2025-01-06", equity: 102_000 * R },
  { date: "2025-01-07", equity: 102_000 * R },
];
const INPUT = { title: "SMA cross & co <daily>", equity: EQUITY, drawdownPct: drawdownSeries(EQUITY) };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

function points(svg: string, id: string): Array<[number, number]> {
  const d = new RegExp(`id="${id}" d="([^"]+)"`).exec(svg)?.[1];
  expect(d, id).toBeDefined();
  return [...d!.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe("renderEquitySvg geometry", () => {
  const svg = renderEquitySvg(INPUT);

  it("scales equity between rupee ticks ₹99,000 and ₹1,02,000 across the plot", () => {
    // Range ₹99,990–₹1,02,000 → ₹1,000 steps from ₹99,000 to ₹1,02,000 (₹3,000 over 320 px).
    for (const label of ["₹99,000", "₹1,00,000", "₹1,01,000", "₹1,02,000"]) expect(svg).toContain(`>${label}</text>`);
    const y = (rupees: number): number => Number((380 - ((rupees - 99_000) / 3_000) * 320).toFixed(2));
    // Five trading days spread evenly over 110…970 px: 215 px apart.
    expect(points(svg, "equity-line")).toEqual([
      [110, y(100_000)], // 273.33
      [325, y(101_000)], // 166.67
      [540, y(99_990)], // 274.40
      [755, 60], // the high touches the top of the panel
      [970, 60],
    ]);
  });

  it("hangs the drawdown area from the zero line, deepest day at the panel floor", () => {
    const top = CHART.drawdownTop;
    expect(points(svg, "drawdown-area")).toEqual([
      [110, top],
      [110, top],
      [325, top],
      [540, CHART.drawdownBottom], // −1 %, the deepest
      [755, top],
      [970, top],
      [970, top],
    ]);
    expect(svg).toContain(">-1.0%</text>");
  });

  it("labels dates without a locale and escapes the title", () => {
    expect(svg).toContain(">01 Jan 2025</text>");
    expect(svg).toContain(">07 Jan 2025</text>");
    expect(svg).toContain(">SMA cross &amp; co &lt;daily&gt;</text>");
  });

  it("draws a single day as a point in the middle", () => {
    const one = renderEquitySvg({ title: "t", equity: [EQUITY[0]!], drawdownPct: [0] });
    expect(points(one, "equity-line")).toEqual([[540, 220]]); // flat: centred in a ±₹1,000 band
    expect(one).toContain('<circle cx="540.00" cy="220.00"');
  });

  it("refuses input that cannot be charted, saying why", () => {
    expect(() => renderEquitySvg({ title: "t", equity: [], drawdownPct: [] })).toThrow(/no equity rows/);
    expect(() => renderEquitySvg({ ...INPUT, drawdownPct: [0, 0] })).toThrow(/drawdown has 2 values but equity has 5 rows/);
    expect(() => renderEquitySvg({ ...INPUT, drawdownPct: [0, 0, 1, 0, 0] })).toThrow(/drawdown 3: must be a percent ≤ 0/);
  });
});

describe("niceTicks", () => {
  it("brackets the range with 1-2-5 steps in paise", () => {
    expect(niceTicks(9_999_000, 10_200_000)).toEqual([9_900_000, 10_000_000, 10_100_000, 10_200_000]);
    expect(niceTicks(100, 150)).toEqual([100, 120, 140, 160]);
  });
});

describe("renderEquityPng", () => {
  const png = renderEquityPng(INPUT);

  it("is a 1000×600 PNG", () => {
    expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(png.toString("ascii", 12, 16)).toBe("IHDR");
    expect(png.readUInt32BE(16)).toBe(1000);
    expect(png.readUInt32BE(20)).toBe(600);
  });

  it("gives identical bytes for the same input", () => {
    expect(renderEquityPng({ ...INPUT, equity: EQUITY.map((r) => ({ ...r })) }).equals(png)).toBe(true);
  });

  it("still renders with no fonts at all (labels are dropped, not the chart)", () => {
    const bare = renderEquityPng(INPUT, { loadSystemFonts: false });
    expect([...bare.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(bare.readUInt32BE(16)).toBe(1000);
    expect(bare.readUInt32BE(20)).toBe(600);
  });

  // Needs a font on this machine to tell labelled from bare output.
  it.skipIf(!existsSync(DEJAVU))("draws the labels when given a font file", () => {
    const bare = renderEquityPng(INPUT, { loadSystemFonts: false });
    const withFont = renderEquityPng(INPUT, { loadSystemFonts: false, fontFiles: [DEJAVU] });
    expect(withFont.equals(bare)).toBe(false);
    expect(withFont.length).toBeGreaterThan(bare.length);
  });
});
