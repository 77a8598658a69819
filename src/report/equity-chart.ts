/**
 * Equity curve chart for a run: equity line on top, drawdown area below,
 * rupee labels with Indian grouping and a few dates. Built as an SVG string
 * (deterministic: integer tick maths, fixed-precision coordinates, no clock,
 * no locale) and rasterised with resvg to a ~1000×600 PNG.
 *
 * Fonts: resvg draws text only with fonts it can find. We ask for the system
 * fonts (DejaVu Sans and friends; /usr/share/fonts on Linux). On a server
 * with none installed the chart still renders, lines, areas and grid intact,
 * just without its labels (resvg skips text it cannot shape). Install
 * fonts-dejavu-core, or pass fontFiles, to get the labels back.
 *
 * The x axis is trading days, evenly spaced (weekends and holidays take no room).
 */
import { Resvg } from "@resvg/resvg-js";
import { formatRupees, groupIndian, type Paise } from "../engine/money.js";
import { isIstDate, type IstDate } from "../engine/time/ist.js";
import { esc, f, labelIndices } from "./svg.js";

export interface EquityChartInput {
  title: string;
  /** One row per trading day, oldest first. */
  equity: ReadonlyArray<{ date: IstDate; equity: Paise }>;
  /** Per row drawdown from the running high, percent ≤ 0 (drawdownSeries). */
  drawdownPct: readonly number[];
}

export interface ChartFonts {
  /** Default true. */
  loadSystemFonts?: boolean;
  fontFiles?: string[];
}

/** Layout in pixels; exported so tests can check the geometry. */
export const CHART = {
  width: 1000,
  height: 600,
  left: 110,
  right: 970,
  equityTop: 60,
  equityBottom: 380,
  drawdownTop: 410,
  drawdownBottom: 540,
  dateLabelY: 565,
} as const;

const FONT_FAMILY = "DejaVu Sans, Liberation Sans, Noto Sans, Arial, Helvetica, sans-serif";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function renderEquitySvg(input: EquityChartInput): string {
  const { equity, drawdownPct } = input;
  check(input);
  const C = CHART;
  const n = equity.length;
  const x = (i: number): number => (n === 1 ? (C.left + C.right) / 2 : C.left + (i * (C.right - C.left)) / (n - 1));

  // Equity scale: nice rupee ticks that bracket the curve.
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of equity) {
    lo = Math.min(lo, r.equity);
    hi = Math.max(hi, r.equity);
  }
  const ticks = niceTicks(lo, hi);
  const yMin = ticks[0]!;
  const yMax = ticks[ticks.length - 1]!;
  const yEq = (p: Paise): number => C.equityBottom - ((p - yMin) / (yMax - yMin)) * (C.equityBottom - C.equityTop);

  // Drawdown scale: 0 at the top of its panel, the deepest point at the bottom.
  let deepest = 0;
  for (const d of drawdownPct) deepest = Math.min(deepest, d);
  const ddFloor = deepest < 0 ? deepest : -1;
  const yDd = (d: number): number => C.drawdownTop + (d / ddFloor) * (C.drawdownBottom - C.drawdownTop);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${C.width}" height="${C.height}" viewBox="0 0 ${C.width} ${C.height}" font-family="${FONT_FAMILY}">`,
    `<rect x="0" y="0" width="${C.width}" height="${C.height}" fill="#ffffff"/>`,
    `<text x="${C.left}" y="36" font-size="20" font-weight="bold" fill="#111827">${esc(input.title)}</text>`,
  );

  // Grid and rupee labels.
  const stepPaise = ticks.length > 1 ? ticks[1]! - ticks[0]! : 100;
  for (const t of ticks) {
    const y = f(yEq(t));
    out.push(`<line x1="${C.left}" y1="${y}" x2="${C.right}" y2="${y}" stroke="#e5e7eb" stroke-width="1"/>`);
    out.push(`<text x="${C.left - 8}" y="${f(yEq(t) + 4)}" font-size="12" text-anchor="end" fill="#374151">${esc(rupeeLabel(t, stepPaise))}</text>`);
  }
  out.push(`<rect x="${C.left}" y="${C.equityTop}" width="${C.right - C.left}" height="${C.equityBottom - C.equityTop}" fill="none" stroke="#9ca3af" stroke-width="1"/>`);

  // Equity line.
  const line = equity.map((r, i) => `${i === 0 ? "M" : "L"}${f(x(i))} ${f(yEq(r.equity))}`).join(" ");
  out.push(`<path id="equity-line" d="${line}" fill="none" stroke="#1d4ed8" stroke-width="2" stroke-linejoin="round"/>`);
  if (n === 1) out.push(`<circle cx="${f(x(0))}" cy="${f(yEq(equity[0]!.equity))}" r="3" fill="#1d4ed8"/>`);

  // Drawdown panel: area hanging from the zero line.
  const area = [`M${f(x(0))} ${f(yDd(0))}`, ...drawdownPct.map((d, i) => `L${f(x(i))} ${f(yDd(d))}`), `L${f(x(n - 1))} ${f(yDd(0))}`, "Z"].join(" ");
  out.push(`<path id="drawdown-area" d="${area}" fill="#dc2626" fill-opacity="0.35" stroke="#dc2626" stroke-width="1"/>`);
  out.push(`<rect x="${C.left}" y="${C.drawdownTop}" width="${C.right - C.left}" height="${C.drawdownBottom - C.drawdownTop}" fill="none" stroke="#9ca3af" stroke-width="1"/>`);
  out.push(`<text x="${C.left - 8}" y="${C.drawdownTop + 4}" font-size="12" text-anchor="end" fill="#374151">0%</text>`);
  out.push(`<text x="${C.left - 8}" y="${C.drawdownBottom + 4}" font-size="12" text-anchor="end" fill="#374151">${esc(pctLabel(ddFloor))}</text>`);
  out.push(`<text x="${C.left + 6}" y="${C.drawdownTop + 16}" font-size="12" fill="#991b1b">Drawdown</text>`);

  // A few dates along the bottom, first and last always.
  for (const i of labelIndices(n, 6)) {
    const anchor = n === 1 ? "middle" : i === 0 ? "start" : i === n - 1 ? "end" : "middle";
    out.push(`<text x="${f(x(i))}" y="${C.dateLabelY}" font-size="12" text-anchor="${anchor}" fill="#374151">${esc(dateLabel(equity[i]!.date))}</text>`);
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** The chart as PNG bytes (same input, same bytes). */
export function renderEquityPng(input: EquityChartInput, fonts: ChartFonts = {}): Buffer {
  const svg = renderEquitySvg(input);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "original" },
    font: { loadSystemFonts: fonts.loadSystemFonts ?? true, fontFiles: fonts.fontFiles ?? [] },
    // A fontless server would warn on every render; missing labels are documented above.
    logLevel: "error",
  });
  return resvg.render().asPng();
}

function check(input: EquityChartInput): void {
  const { equity, drawdownPct } = input;
  if (equity.length === 0) throw new RangeError("no equity rows to chart: the run has no trading days");
  if (drawdownPct.length !== equity.length) {
    throw new RangeError(`drawdown has ${drawdownPct.length} values but equity has ${equity.length} rows: they must line up, one per day`);
  }
  equity.forEach((r, i) => {
    if (!isIstDate(r.date)) throw new RangeError(`equity row ${i + 1}: date must be YYYY-MM-DD, got ${JSON.stringify(r.date)}`);
    if (!Number.isFinite(r.equity)) throw new RangeError(`equity row ${i + 1} (${r.date}): equity must be a number of paise, got ${r.equity}`);
  });
  drawdownPct.forEach((d, i) => {
    if (!Number.isFinite(d) || d > 0) throw new RangeError(`drawdown ${i + 1}: must be a percent ≤ 0, got ${d}`);
  });
}

/**
 * 3–6 evenly spaced tick values in paise (1, 2 or 5 × a power of ten, at
 * least one paisa) whose first and last bracket [lo, hi]. Integer maths only.
 */
export function niceTicks(lo: Paise, hi: Paise): Paise[] {
  let a = Math.floor(lo);
  let b = Math.ceil(hi);
  if (a === b) {
    // Flat curve: give it a band of about ±1 % so the line sits mid-panel.
    const pad = Math.max(100, Math.round(Math.abs(a) / 100));
    a -= pad;
    b += pad;
  }
  const raw = (b - a) / 4;
  let step = 1;
  for (let mag = 1; ; mag *= 10) {
    const s = [1, 2, 5].map((m) => m * mag).find((c) => c >= raw);
    if (s !== undefined) {
      step = s;
      break;
    }
  }
  const first = Math.floor(a / step) * step;
  const last = Math.ceil(b / step) * step;
  const ticks: Paise[] = [];
  for (let t = first; t <= last; t += step) ticks.push(t);
  return ticks;
}

/** "₹1,02,000" when the ticks are whole rupees, "₹1,000.50" when they are not. */
function rupeeLabel(p: Paise, step: Paise): string {
  if (step % 100 === 0) {
    const s = groupIndian(p).slice(0, -3);
    return s.startsWith("-") ? `-₹${s.slice(1)}` : `₹${s}`;
  }
  return formatRupees(p);
}

function pctLabel(d: number): string {
  const abs = Math.abs(d);
  return `${d < 0 ? "-" : ""}${abs >= 10 ? abs.toFixed(0) : abs.toFixed(1)}%`;
}

/** "2025-01-03" → "03 Jan 2025", without Intl so no locale can change it. */
function dateLabel(d: IstDate): string {
  return `${d.slice(8, 10)} ${MONTHS[Number(d.slice(5, 7)) - 1]} ${d.slice(0, 4)}`;
}



