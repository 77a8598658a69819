/**
 * A symbol's recent price for /chart: candles (volume underneath when the
 * symbol trades any), the strategy's own indicator lines on top, and markers
 * for what the strategy said and what the desk actually did on those bars.
 *
 * Built as an SVG string (fixed-precision coordinates, no clock, no locale, so
 * the same bars give the same bytes) and rasterised with resvg to a 1000×600
 * PNG; fonts as in equity-chart.ts (labels are skipped where none are found,
 * the drawing stays).
 *
 * Markers: ▲ under the bar's low is an entry, ▼ over its high an exit. Hollow
 * ones are the strategy's signals (scan with its default parameters, alerts
 * left out), filled ones the fills the desk made in the symbol, whatever the
 * strategy. Several on one bar stack outwards.
 *
 * Overlays per strategy (its default parameters), chosen to show the levels
 * its rules compare the close with:
 *   sma-cross          SMA fast and slow (20, 50)
 *   adx-dma            SMA 20, 50, 200
 *   volume-breakout    the prior 20-day high and low (Donchian, today excluded)
 *   camarilla          each day's R4, R3, S3, S4 as a short line across that day
 *   three-week-inside  WMA 20, 50, 100 and the latest setup's mother high/low,
 *                      from the mother week until the breakout or the setup lapses
 *   momentum-ladder    the prior 20-day closing high (the breakout level)
 *   banknifty-trend    EMA 200 and the prior 20-bar high (Donchian, this bar excluded)
 *   anything else      SMA 20 and 50
 * Indicators run over the whole series, so the window's first bars are warm.
 */
import { Resvg } from "@resvg/resvg-js";
import { camarilla, donchian, ema, sma, wma } from "../engine/indicators/index.js";
import { aggregateWeekly } from "../engine/market/aggregate.js";
import type { Candle, Timeframe } from "../engine/market/candle.js";
import { formatRupees, groupIndian, type Paise } from "../engine/money.js";
import { toOhlcv } from "../engine/strategies/bars.js";
import type { Strategy } from "../engine/strategies/strategy.js";
import { toIsoIst } from "../engine/time/ist.js";
import { niceTicks, type ChartFonts } from "./equity-chart.js";
import { esc, f, labelIndices } from "./svg.js";

export interface ChartOverlay {
  label: string;
  color: string;
  /** "line": joined through the bar centres; "steps": a flat stroke across each bar's slot (a level that holds for the bar). */
  style: "line" | "steps";
  dashed?: boolean;
  /** Paise, one per bar of the chart; NaN where there is none (warm-up, no setup). */
  values: ArrayLike<number>;
}

export interface ChartMarker {
  /** Index into the chart's bars. */
  bar: number;
  kind: "entry" | "exit";
  /** "signal": what the strategy said on the bar; "trade": a fill the desk made. */
  source: "signal" | "trade";
}

export interface PriceChartInput {
  title: string;
  subtitle?: string;
  /** The bars shown, oldest first, one symbol and timeframe. */
  bars: readonly Candle[];
  overlays: readonly ChartOverlay[];
  markers: readonly ChartMarker[];
}

/** Layout in pixels; exported so tests can check the geometry. */
export const PRICE_CHART = {
  width: 1000,
  height: 600,
  left: 90,
  right: 970,
  titleY: 26,
  subtitleY: 44,
  legendY: 62,
  legendRow: 14,
  priceTop: 88,
  /** Bottom of the price panel when a volume panel sits under it; without one the price panel runs to volumeBottom. */
  priceBottom: 462,
  volumeTop: 474,
  volumeBottom: 548,
  dateLabelY: 568,
  /** Gap between a bar's extreme and its first marker, and between stacked markers. */
  markerGap: 5,
  markerSize: 10,
  markerStep: 13,
} as const;

const FONT_FAMILY = "DejaVu Sans, Liberation Sans, Noto Sans, Arial, Helvetica, sans-serif";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const UP = "#0d9488";
const DOWN = "#dc2626";
const ENTRY = "#1d4ed8";
const EXIT = "#ea580c";

export function renderPriceSvg(input: PriceChartInput): string {
  check(input);
  const C = PRICE_CHART;
  const { bars } = input;
  const n = bars.length;
  const slot = (C.right - C.left) / n;
  const cx = (i: number): number => C.left + (i + 0.5) * slot;
  const bodyW = Math.max(1, Math.min(12, slot * 0.65));
  const hasVolume = bars.some((b) => b.volume > 0);
  const priceBottom = hasVolume ? C.priceBottom : C.volumeBottom;

  // Price scale: the bars and every overlay value in the window, padded so markers fit.
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of bars) {
    lo = Math.min(lo, b.low);
    hi = Math.max(hi, b.high);
  }
  for (const o of input.overlays) {
    for (let i = 0; i < n; i++) {
      const v = o.values[i]!;
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.max(100, hi * 0.01);
  const ticks = niceTicks(Math.max(0, lo - pad), hi + pad);
  const yMin = ticks[0]!;
  const yMax = ticks[ticks.length - 1]!;
  const y = (p: Paise): number => priceBottom - ((p - yMin) / (yMax - yMin)) * (priceBottom - C.priceTop);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${C.width}" height="${C.height}" viewBox="0 0 ${C.width} ${C.height}" font-family="${FONT_FAMILY}">`,
    `<rect x="0" y="0" width="${C.width}" height="${C.height}" fill="#ffffff"/>`,
    `<text x="${C.left}" y="${C.titleY}" font-size="18" font-weight="bold" fill="#111827">${esc(input.title)}</text>`,
  );
  if (input.subtitle) out.push(`<text x="${C.left}" y="${C.subtitleY}" font-size="12" fill="#4b5563">${esc(input.subtitle)}</text>`);
  out.push(...legend(input.overlays));

  // Grid and rupee labels.
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 100;
  for (const t of ticks) {
    out.push(`<line x1="${C.left}" y1="${f(y(t))}" x2="${C.right}" y2="${f(y(t))}" stroke="#e5e7eb" stroke-width="1"/>`);
    out.push(`<text x="${C.left - 8}" y="${f(y(t) + 4)}" font-size="12" text-anchor="end" fill="#374151">${esc(priceLabel(t, step))}</text>`);
  }
  out.push(`<rect x="${C.left}" y="${C.priceTop}" width="${C.right - C.left}" height="${priceBottom - C.priceTop}" fill="none" stroke="#9ca3af" stroke-width="1"/>`);

  // Volume panel.
  if (hasVolume) {
    let maxVol = 0;
    for (const b of bars) maxVol = Math.max(maxVol, b.volume);
    const h = C.volumeBottom - C.volumeTop;
    out.push(`<g id="volume" fill-opacity="0.45">`);
    bars.forEach((b, i) => {
      const bh = (b.volume / maxVol) * h;
      if (bh <= 0) return;
      out.push(`<rect class="volume" x="${f(cx(i) - bodyW / 2)}" y="${f(C.volumeBottom - bh)}" width="${f(bodyW)}" height="${f(bh)}" fill="${b.close >= b.open ? UP : DOWN}"/>`);
    });
    out.push(`</g>`);
    out.push(`<rect x="${C.left}" y="${C.volumeTop}" width="${C.right - C.left}" height="${h}" fill="none" stroke="#9ca3af" stroke-width="1"/>`);
    out.push(`<text x="${C.left + 6}" y="${C.volumeTop + 14}" font-size="11" fill="#6b7280">Volume</text>`);
  }

  // Candles: a wick from low to high and a body from open to close (a doji gets a 1 px body).
  out.push(`<g id="candles">`);
  bars.forEach((b, i) => {
    const up = b.close >= b.open;
    const color = up ? UP : DOWN;
    const top = y(Math.max(b.open, b.close));
    const height = Math.max(1, y(Math.min(b.open, b.close)) - top);
    out.push(
      `<g class="candle ${up ? "up" : "down"}" data-bar="${i}">` +
        `<line x1="${f(cx(i))}" y1="${f(y(b.high))}" x2="${f(cx(i))}" y2="${f(y(b.low))}" stroke="${color}" stroke-width="1"/>` +
        `<rect x="${f(cx(i) - bodyW / 2)}" y="${f(top)}" width="${f(bodyW)}" height="${f(height)}" fill="${color}"/></g>`,
    );
  });
  out.push(`</g>`);

  // Overlays.
  input.overlays.forEach((o, k) => {
    const parts: string[] = [];
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = o.values[i]!;
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      if (o.style === "steps") parts.push(`M${f(cx(i) - slot / 2)} ${f(y(v))} H${f(cx(i) + slot / 2)}`);
      else parts.push(`${pen ? "L" : "M"}${f(cx(i))} ${f(y(v))}`);
      pen = true;
    }
    if (parts.length === 0) return;
    const dash = o.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<path class="overlay" id="overlay-${k}" d="${parts.join(" ")}" fill="none" stroke="${o.color}" stroke-width="1.6"${dash} stroke-linejoin="round"/>`);
  });

  // Markers: signals nearest the bar, fills beyond them.
  const stacks = new Map<string, number>();
  const ordered = [...input.markers.filter((m) => m.source === "signal"), ...input.markers.filter((m) => m.source === "trade")];
  out.push(`<g id="markers">`);
  for (const m of ordered) {
    const key = `${m.bar}:${m.kind}`;
    const k = stacks.get(key) ?? 0;
    stacks.set(key, k + 1);
    const b = bars[m.bar]!;
    const x = cx(m.bar);
    const s = C.markerSize;
    const d =
      m.kind === "entry"
        ? markerPath(x, y(b.low) + C.markerGap + k * C.markerStep, s)
        : markerPath(x, y(b.high) - C.markerGap - k * C.markerStep, -s);
    const color = m.kind === "entry" ? ENTRY : EXIT;
    const paint = m.source === "signal" ? `fill="#ffffff" stroke="${color}" stroke-width="2"` : `fill="${color}" stroke="${color}" stroke-width="1"`;
    out.push(`<path class="marker ${m.source} ${m.kind}" data-bar="${m.bar}" d="${d}" ${paint}/>`);
  }
  out.push(`</g>`);

  // A few bar times along the bottom, first and last always.
  const intraday = bars[0]!.timeframe === "75m" || bars[0]!.timeframe === "1m";
  for (const i of labelIndices(n, 6)) {
    const anchor = n === 1 ? "middle" : i === 0 ? "start" : i === n - 1 ? "end" : "middle";
    const x = n === 1 ? cx(0) : i === 0 ? C.left : i === n - 1 ? C.right : cx(i);
    out.push(`<text x="${f(x)}" y="${C.dateLabelY}" font-size="12" text-anchor="${anchor}" fill="#374151">${esc(timeLabel(bars[i]!.time, intraday))}</text>`);
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** The chart as PNG bytes (same input, same bytes). */
export function renderPricePng(input: PriceChartInput, fonts: ChartFonts = {}): Buffer {
  const resvg = new Resvg(renderPriceSvg(input), {
    fitTo: { mode: "original" },
    font: { loadSystemFonts: fonts.loadSystemFonts ?? true, fontFiles: fonts.fontFiles ?? [] },
    // A fontless server would warn on every render; missing labels are documented above.
    logLevel: "error",
  });
  return resvg.render().asPng();
}

/** A triangle with its tip at (x, tipY): size > 0 points up (▲, under a bar), size < 0 down (▼, over a bar). */
function markerPath(x: number, tipY: number, size: number): string {
  const base = tipY + size;
  const half = Math.abs(size) * 0.6;
  return `M${f(x)} ${f(tipY)} L${f(x - half)} ${f(base)} L${f(x + half)} ${f(base)} Z`;
}

function legend(overlays: readonly ChartOverlay[]): string[] {
  const C = PRICE_CHART;
  const items: Array<{ label: string; swatch: (x: number, y: number) => string }> = overlays.map((o) => ({
    label: o.label,
    swatch: (x, y) => `<line x1="${f(x)}" y1="${f(y - 4)}" x2="${f(x + 18)}" y2="${f(y - 4)}" stroke="${o.color}" stroke-width="2"${o.dashed ? ` stroke-dasharray="6 4"` : ""}/>`,
  }));
  const tri = (kind: "entry" | "exit", filled: boolean) => (x: number, y: number) => {
    const color = kind === "entry" ? ENTRY : EXIT;
    const d = kind === "entry" ? markerPath(x + 9, y - 9, 9) : markerPath(x + 9, y, -9);
    return `<path d="${d}" ${filled ? `fill="${color}" stroke="${color}"` : `fill="#ffffff" stroke="${color}" stroke-width="2"`}/>`;
  };
  items.push(
    { label: "entry signal", swatch: tri("entry", false) },
    { label: "exit signal", swatch: tri("exit", false) },
    { label: "entry filled", swatch: tri("entry", true) },
    { label: "exit filled", swatch: tri("exit", true) },
  );
  const out: string[] = [];
  let x = C.left;
  let row = 0;
  for (const it of items) {
    // Roughly 6.5 px a character at 11 px: enough to keep items apart without measuring text.
    const w = 24 + Math.ceil(it.label.length * 6.5) + 14;
    if (x + w > C.right && x > C.left) {
      if (row === 1) break; // two rows at most; the plot starts under them
      row++;
      x = C.left;
    }
    const ly = C.legendY + row * C.legendRow;
    out.push(it.swatch(x, ly), `<text x="${f(x + 24)}" y="${f(ly)}" font-size="11" fill="#374151">${esc(it.label)}</text>`);
    x += w;
  }
  return out;
}

// ---- building a chart from a strategy and the desk's books ----

/** A trade the desk took: both legs of a closed one, only the entry of one still open. */
export interface TakenTrade {
  entryTime: Date;
  exitTime: Date | null;
}

export interface PriceChartRequest {
  symbol: string;
  strategy: Strategy<unknown>;
  /** The symbol's whole series on the strategy's timeframe, oldest first: indicators and signals warm up on the bars before the window. */
  bars: readonly Candle[];
  taken?: readonly TakenTrade[];
  /** Bars shown, the latest ones (default 120). */
  window?: number;
}

export interface PriceChart {
  input: PriceChartInput;
  /** The window's first and last bar times. */
  from: Date;
  to: Date;
  signals: { entries: number; exits: number };
  filled: { entries: number; exits: number };
}

export const DEFAULT_CHART_BARS = 120;

export function buildPriceChart(req: PriceChartRequest): PriceChart {
  const { symbol, strategy, bars } = req;
  if (bars.length === 0) throw new RangeError(`no ${strategy.timeframe} bars for ${symbol} to chart`);
  const size = req.window ?? DEFAULT_CHART_BARS;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`window must be a whole number of bars, at least 1, got ${size}`);
  const start = Math.max(0, bars.length - size);
  const shown = bars.slice(start);

  const index = new Map<number, number>();
  bars.forEach((b, i) => index.set(b.time.getTime(), i));
  const markers: ChartMarker[] = [];
  const signals = { entries: 0, exits: 0 };
  for (const s of strategy.scan(bars, strategy.defaults, { from: start })) {
    if (s.kind === "alert") continue;
    // A weekly signal (three-week-inside) sits on the daily bar that fired it.
    const i = index.get((s.firedAt ?? s.barTime).getTime());
    if (i === undefined || i < start) continue;
    markers.push({ bar: i - start, kind: s.kind, source: "signal" });
    signals[s.kind === "entry" ? "entries" : "exits"]++;
  }
  const filled = { entries: 0, exits: 0 };
  for (const t of req.taken ?? []) {
    for (const [kind, at] of [["entry", t.entryTime], ["exit", t.exitTime]] as const) {
      if (!at) continue;
      const i = barAt(bars, at);
      if (i < start) continue;
      markers.push({ bar: i - start, kind, source: "trade" });
      filled[kind === "entry" ? "entries" : "exits"]++;
    }
  }

  const overlays = strategyOverlays(strategy, bars).map((o) => ({ ...o, values: o.values.slice(start) }));
  const first = shown[0]!;
  const last = shown[shown.length - 1]!;
  const intraday = first.timeframe === "75m" || first.timeframe === "1m";
  return {
    input: {
      title: `${symbol} · ${strategy.name} · ${first.timeframe}`,
      subtitle: `${shown.length} bar${shown.length === 1 ? "" : "s"}, ${timeLabel(first.time, intraday, true)} to ${timeLabel(last.time, intraday, true)} · last close ${formatRupees(last.close)}`,
      bars: shown,
      overlays,
      markers,
    },
    from: first.time,
    to: last.time,
    signals,
    filled,
  };
}

const BAR_SPAN_MS: Record<Timeframe, number> = { "1m": 60_000, "75m": 75 * 60_000, "1d": 86_400_000, "1w": 7 * 86_400_000 };

/** The bar a fill at `t` belongs to (the last bar opening at or before it, if `t` is within its span), else -1. */
function barAt(bars: readonly Candle[], t: Date): number {
  const ms = t.getTime();
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.time.getTime() <= ms) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0) return -1;
  const b = bars[i]!;
  return ms - b.time.getTime() < BAR_SPAN_MS[b.timeframe] ? i : -1;
}

type FullOverlay = Omit<ChartOverlay, "values"> & { values: Float64Array };

const VIOLET = "#7c3aed";
const PINK = "#db2777";
const AMBER = "#d97706";
const SLATE = "#475569";

/** The strategy's levels over the whole series (see the table at the top of this file). */
export function strategyOverlays(strategy: Strategy<unknown>, bars: readonly Candle[]): FullOverlay[] {
  const p = (strategy.defaults ?? {}) as Record<string, unknown>;
  const num = (key: string, fallback: number): number => (typeof p[key] === "number" ? (p[key] as number) : fallback);
  const ohlcv = toOhlcv(bars);
  const { close } = ohlcv;
  const line = (label: string, color: string, values: Float64Array): FullOverlay => ({ label, color, style: "line", values });
  const steps = (label: string, color: string, values: Float64Array, dashed = false): FullOverlay => ({ label, color, style: "steps", dashed, values });
  const smas = (...periods: number[]): FullOverlay[] => periods.map((n, k) => line(`SMA ${n}`, [AMBER, VIOLET, SLATE][k]!, sma(close, n)));

  switch (strategy.name) {
    case "sma-cross":
      return smas(num("fast", 20), num("slow", 50));
    case "adx-dma":
      return smas(num("fast", 20), num("mid", 50), num("slow", 200));
    case "volume-breakout": {
      const n = num("lookback", 20);
      const ch = donchian(ohlcv, n, { excludeCurrent: true });
      return [steps(`prior ${n}-day high`, VIOLET, ch.upper), steps(`prior ${n}-day low`, PINK, ch.lower)];
    }
    case "camarilla": {
      const lv = camarilla(ohlcv);
      return [steps("R4", VIOLET, lv.r4), steps("R3", VIOLET, lv.r3, true), steps("S3", PINK, lv.s3, true), steps("S4", PINK, lv.s4)];
    }
    case "three-week-inside": {
      const ws = [num("wmaFast", 20), num("wmaMid", 50), num("wmaSlow", 100)];
      const out = ws.map((n, k) => line(`WMA ${n}`, [AMBER, SLATE, "#0891b2"][k]!, wma(close, n)));
      const setup = latestMotherSetup(bars, num("maxWeeksArmed", 4));
      if (setup) {
        const high = new Float64Array(bars.length).fill(NaN);
        const low = new Float64Array(bars.length).fill(NaN);
        for (let i = setup.from; i <= setup.to; i++) {
          high[i] = setup.high;
          low[i] = setup.low;
        }
        out.push(steps("mother high", VIOLET, high), steps("mother low", PINK, low));
      }
      return out;
    }
    case "momentum-ladder": {
      const n = num("breakoutLookback", 20);
      return [steps(`prior ${n}-day closing high`, VIOLET, donchian({ high: close, low: close }, n, { excludeCurrent: true }).upper)];
    }
    case "banknifty-trend": {
      const e = num("emaPeriod", 200);
      const n = num("dcPeriod", 20);
      return [line(`EMA ${e}`, AMBER, ema(close, e)), steps(`prior ${n}-bar high`, VIOLET, donchian(ohlcv, n, { excludeCurrent: true }).upper)];
    }
    default:
      return smas(20, 50);
  }
}

/**
 * The latest three-week-inside setup in daily bars: a mother week and two
 * complete weeks inside it (Monday–Sunday IST weeks, as the strategy reads
 * them). Drawn from the mother week's first bar to the first close beyond the
 * mother range, or to the last bar of the `maxWeeksArmed` weeks it stays armed.
 */
export function latestMotherSetup(bars: readonly Candle[], maxWeeksArmed: number): { high: Paise; low: Paise; from: number; to: number } | null {
  if (bars.length === 0 || bars[0]!.timeframe !== "1d") return null;
  const index = new Map<number, number>();
  bars.forEach((b, i) => index.set(b.time.getTime(), i));
  const weeks = aggregateWeekly(bars).map((w) => ({ high: w.high, low: w.low, first: index.get(w.time.getTime())! }));
  // The last week may still be in progress: a setup needs its second inside week complete, so a later week must exist.
  for (let k = weeks.length - 4; k >= 0; k--) {
    const m = weeks[k]!;
    const a = weeks[k + 1]!;
    const b = weeks[k + 2]!;
    if (!(a.high <= m.high && a.low >= m.low && b.high <= m.high && b.low >= m.low)) continue;
    const armedFrom = weeks[k + 3]!.first;
    const armedEnd = weeks[k + 3 + maxWeeksArmed]?.first ?? bars.length;
    let to = armedEnd - 1;
    for (let i = armedFrom; i < armedEnd; i++) {
      if (bars[i]!.close > m.high || bars[i]!.close < m.low) {
        to = i;
        break;
      }
    }
    return { high: m.high, low: m.low, from: m.first, to };
  }
  return null;
}

// ---- small helpers ----

function check(input: PriceChartInput): void {
  const n = input.bars.length;
  if (n === 0) throw new RangeError("no bars to chart");
  input.bars.forEach((b, i) => {
    if (![b.open, b.high, b.low, b.close].every((v) => Number.isFinite(v) && v > 0)) throw new RangeError(`bar ${i + 1}: prices must be positive paise`);
  });
  for (const o of input.overlays) {
    if (o.values.length !== n) throw new RangeError(`overlay "${o.label}" has ${o.values.length} values for ${n} bars: they must line up, one per bar`);
  }
  for (const m of input.markers) {
    if (!Number.isInteger(m.bar) || m.bar < 0 || m.bar >= n) throw new RangeError(`a marker sits on bar ${m.bar}, outside the chart's ${n} bars`);
  }
}

/** "₹1,250" when the ticks are whole rupees, "₹1,250.50" when they are not. */
function priceLabel(p: Paise, step: Paise): string {
  if (step % 100 === 0) return `₹${groupIndian(p).slice(0, -3)}`;
  return formatRupees(p);
}

/**
 * "03 Jan 2025", or "03 Jan 10:30" for intraday bars on the axis ("03 Jan 2025
 * 10:30" with the year); IST, without Intl so no locale can change it.
 */
function timeLabel(t: Date, intraday: boolean, withYear = !intraday): string {
  const iso = toIsoIst(t);
  const day = `${iso.slice(8, 10)} ${MONTHS[Number(iso.slice(5, 7)) - 1]}${withYear ? ` ${iso.slice(0, 4)}` : ""}`;
  return intraday ? `${day} ${iso.slice(11, 16)}` : day;
}



