import { describe, expect, it } from "vitest";
import type { Candle } from "../../../src/engine/market/candle.js";
import { smaCross } from "../../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../../src/engine/strategies/strategy.js";
import { threeWeekInside } from "../../../src/engine/strategies/three-week-inside.js";
import { volumeBreakout } from "../../../src/engine/strategies/volume-breakout.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { buildPriceChart, latestMotherSetup, PRICE_CHART, renderPricePng, renderPriceSvg, strategyOverlays } from "../../../src/report/price-chart.js";

const R = 100; // paise per rupee
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Weekday dates from 2025-01-06 (a Monday) on. */
function weekdays(count: number, from = "2025-01-06"): string[] {
  const out: string[] = [];
  for (let t = fromIst(from).getTime(); out.length < count; t += 86_400_000) {
    const d = new Date(t + 330 * 60_000);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** Daily bars: each opens at the previous close and reaches ₹1 beyond its body either way. */
function dailyBars(closes: number[], volume = 0): Candle[] {
  const dates = weekdays(closes.length);
  return closes.map((c, i) => {
    const open = (i === 0 ? c : closes[i - 1]!) * R;
    const close = c * R;
    return { symbol: "TEST", timeframe: "1d", time: fromIst(dates[i]!, "09:15"), open, high: Math.max(open, close) + R, low: Math.min(open, close) - R, close, volume };
  });
}

// SMA 2 against SMA 3 of these closes (rupees), worked by hand:
//   bar  4: SMA2 105   > SMA3 103.33, bar 3 had 100 = 100 (not above) → entry
//   bar  7: SMA2 102.5 < SMA3 108.33, bar 6 had 115 > 113.33          → exit
//   bar 10: SMA2 107.5 > SMA3 101.67, bar 9 had 95 = 95               → entry
const CLOSES = [100, 100, 100, 100, 110, 120, 110, 95, 90, 100, 115, 120];
const FAST_CROSS = { ...smaCross, defaults: { fast: 2, slow: 3, stopLookback: 2, targetR: 2 } } as Strategy<unknown>;

/** Triangles drawn, as [class, bar, tip x, tip y]. */
function markers(svg: string): Array<[string, number, number, number]> {
  return [...svg.matchAll(/<path class="marker ([a-z ]+)" data-bar="(\d+)" d="M([\d.]+) ([\d.]+) /g)].map((m) => [m[1]!, Number(m[2]), Number(m[3]), Number(m[4])]);
}

describe("buildPriceChart + renderPriceSvg on a hand-worked SMA 2/3 cross", () => {
  const bars = dailyBars(CLOSES);
  // A trade filled at bar 4's open (the bar of the first entry signal) and closed at 15:30 on bar 8;
  // another one wholly before the window, which must not show.
  const taken = [
    { entryTime: bars[4]!.time, exitTime: new Date(bars[8]!.time.getTime() + 375 * 60_000) },
    { entryTime: bars[0]!.time, exitTime: bars[1]!.time },
  ];
  const chart = buildPriceChart({ symbol: "TEST", strategy: FAST_CROSS, bars, taken, window: 10 });
  const svg = renderPriceSvg(chart.input);

  // 10 bars over 90…970 px: 88 px slots, centres at 134, 222, 310, …
  const cx = (i: number): number => 90 + 88 * (i + 0.5);
  // Window lows ₹89 … highs ₹121, padded 6 % → ₹10 ticks from ₹80 to ₹130 over 88…548 px (no volume panel).
  const y = (rupees: number): number => Number((548 - ((rupees - 80) / 50) * 460).toFixed(2));

  it("draws one candle per bar of the window, the last 10 of 12", () => {
    expect(chart.input.bars).toHaveLength(10);
    expect(chart.input.bars[0]).toBe(bars[2]);
    expect(svg.match(/<g class="candle /g)).toHaveLength(10);
    expect(svg).not.toContain('class="volume"');
    for (const label of ["₹80", "₹90", "₹100", "₹110", "₹120", "₹130"]) expect(svg).toContain(`>${label}</text>`);
    // Bar 2 of the window is series bar 4: open ₹100, close ₹110 → an up body from y(110) down to y(100).
    expect(svg).toContain(`<g class="candle up" data-bar="2"><line x1="310.00" y1="${y(111).toFixed(2)}" x2="310.00" y2="${y(99).toFixed(2)}"`);
    // Bodies are 65 % of the slot, at most 12 px wide.
    expect(svg).toContain(`<rect x="${(310 - 6).toFixed(2)}" y="${y(110).toFixed(2)}" width="12.00" height="${(y(100) - y(110)).toFixed(2)}"`);
  });

  it("puts the strategy's signals on their bars: entries ▲ under the low, exits ▼ over the high", () => {
    expect(chart.signals).toEqual({ entries: 2, exits: 1 });
    const signals = markers(svg).filter(([cls]) => cls.startsWith("signal"));
    expect(signals).toEqual([
      ["signal entry", 2, cx(2), y(99) + 5], // series bar 4, low ₹99: tip at 373.20 + 5
      ["signal exit", 5, cx(5), y(111) - 5], // series bar 7, high ₹111
      ["signal entry", 8, cx(8), y(99) + 5], // series bar 10: open 100, close 115, low ₹99
    ]);
    expect(svg).toContain('<path class="marker signal entry" data-bar="2" d="M310.00 378.20 L304.00 388.20 L316.00 388.20 Z" fill="#ffffff"');
  });

  it("adds the fills taken, stacked beyond a signal on the same bar, and leaves out fills before the window", () => {
    expect(chart.filled).toEqual({ entries: 1, exits: 1 });
    const fills = markers(svg).filter(([cls]) => cls.startsWith("trade"));
    expect(fills).toEqual([
      ["trade entry", 2, cx(2), Number((y(99) + 5 + 13).toFixed(2))],
      ["trade exit", 6, cx(6), y(96) - 5], // series bar 8: open 95, close 90, high ₹96
    ]);
  });

  it("overlays SMA 2 and SMA 3 through the bar centres", () => {
    expect(chart.input.overlays.map((o) => o.label)).toEqual(["SMA 2", "SMA 3"]);
    const d = /id="overlay-0" d="([^"]+)"/.exec(svg)![1]!;
    const pts = [...d.matchAll(/[ML]([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(pts).toHaveLength(10);
    expect(pts[0]).toEqual([cx(0), y(100)]); // SMA 2 at series bar 2: (100 + 100)/2
    expect(pts[3]).toEqual([cx(3), y(115)]); // series bar 5: (110 + 120)/2
  });

  it("titles the chart with the symbol, strategy and the window's dates", () => {
    expect(chart.input.title).toBe("TEST · sma-cross · 1d");
    expect(chart.input.subtitle).toBe("10 bars, 08 Jan 2025 to 21 Jan 2025 · last close ₹120.00");
    expect(svg).toContain(">08 Jan 2025</text>");
    expect(svg).toContain(">21 Jan 2025</text>");
  });

  it("shows every bar when the series is shorter than the window", () => {
    const all = buildPriceChart({ symbol: "TEST", strategy: FAST_CROSS, bars });
    expect(all.input.bars).toHaveLength(12);
    expect(renderPriceSvg(all.input).match(/<g class="candle /g)).toHaveLength(12);
  });
});

describe("renderPriceSvg checks and panels", () => {
  const bars = dailyBars([100, 101, 102], 1_000);

  it("draws a volume bar per bar with volume, tallest at the panel top", () => {
    const svg = renderPriceSvg({ title: "v", bars: [...bars.slice(0, 2), { ...bars[2]!, volume: 500 }], overlays: [], markers: [] });
    const vols = [...svg.matchAll(/<rect class="volume" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const h = PRICE_CHART.volumeBottom - PRICE_CHART.volumeTop;
    expect(vols).toEqual([
      [PRICE_CHART.volumeTop, h],
      [PRICE_CHART.volumeTop, h],
      [PRICE_CHART.volumeBottom - h / 2, h / 2],
    ]);
  });

  it("refuses a marker off the chart and overlays that do not line up with the bars", () => {
    expect(() => renderPriceSvg({ title: "x", bars, overlays: [], markers: [{ bar: 3, kind: "entry", source: "signal" }] })).toThrow(/bar 3, outside the chart's 3 bars/);
    expect(() => renderPriceSvg({ title: "x", bars, overlays: [{ label: "SMA 9", color: "#000", style: "line", values: [1, 2] }], markers: [] })).toThrow(/"SMA 9" has 2 values for 3 bars/);
    expect(() => renderPriceSvg({ title: "x", bars: [], overlays: [], markers: [] })).toThrow(/no bars/);
  });

  it("escapes the title", () => {
    expect(renderPriceSvg({ title: "M&M <1d>", bars, overlays: [], markers: [] })).toContain(">M&amp;M &lt;1d&gt;</text>");
  });
});

describe("strategy overlays", () => {
  it("volume-breakout: the channel of the 20 days BEFORE each bar, drawn as steps", () => {
    const closes = Array.from({ length: 25 }, (_, i) => 100 + (i % 5));
    const bars = dailyBars(closes, 1_000);
    const [upper, lower] = strategyOverlays(volumeBreakout as Strategy<unknown>, bars);
    expect([upper!.label, upper!.style, lower!.label]).toEqual(["prior 20-day high", "steps", "prior 20-day low"]);
    expect(Number.isNaN(upper!.values[19]!)).toBe(true); // only 19 days before bar 19
    // Bars 0..19: highs are max(open, close) + ₹1, at most ₹105; lows at least ₹99.
    expect(upper!.values[20]).toBe(105 * R);
    expect(lower!.values[20]).toBe(99 * R);
  });

  it("three-week-inside: the latest mother week's high and low, from the mother week to the breakout", () => {
    // Weeks of 5 days: mother ₹80–120, two inside weeks, then a breakout close of ₹125 on the 3rd day of week 4.
    const week = (lo: number, hi: number) => [lo + 1, hi - 1, (lo + hi) / 2, lo + 1, hi - 1];
    const closes = [...week(80, 120), ...week(90, 110), ...week(85, 115), 100, 105, 125, 126, 127, 128];
    const dates = weekdays(closes.length);
    const bars: Candle[] = closes.map((c, i) => {
      const w = Math.floor(i / 5);
      const [lo, hi] = w === 0 ? [80, 120] : w === 1 ? [90, 110] : w === 2 ? [85, 115] : [c - 1, c + 1];
      return { symbol: "TEST", timeframe: "1d", time: fromIst(dates[i]!, "09:15"), open: c * R, high: hi! * R, low: lo! * R, close: c * R, volume: 1_000 };
    });
    expect(latestMotherSetup(bars, 4)).toEqual({ high: 120 * R, low: 80 * R, from: 0, to: 17 });
    const overlays = strategyOverlays(threeWeekInside as Strategy<unknown>, bars);
    const high = overlays.find((o) => o.label === "mother high")!;
    expect(high.values[0]).toBe(120 * R);
    expect(high.values[17]).toBe(120 * R);
    expect(Number.isNaN(high.values[18]!)).toBe(true);
    // Without a third complete week after the mother there is no setup yet.
    expect(latestMotherSetup(bars.slice(0, 15), 4)).toBeNull();
  });
});

describe("renderPricePng", () => {
  const chart = buildPriceChart({ symbol: "TEST", strategy: FAST_CROSS, bars: dailyBars(CLOSES, 5_000) });

  it("is a 1000×600 PNG, byte-identical from one render to the next", () => {
    const a = renderPricePng(chart.input);
    const b = renderPricePng(chart.input);
    expect([...a.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(a.readUInt32BE(16)).toBe(1000);
    expect(a.readUInt32BE(20)).toBe(600);
    expect(a.equals(b)).toBe(true);
  });

  it("renders without any font (labels dropped, drawing kept), also deterministically", () => {
    const a = renderPricePng(chart.input, { loadSystemFonts: false });
    expect([...a.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(a.equals(renderPricePng(chart.input, { loadSystemFonts: false }))).toBe(true);
  });
});
