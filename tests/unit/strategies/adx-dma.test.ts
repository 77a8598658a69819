import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ADX, ATR } from "technicalindicators";
import { describe, expect, it } from "vitest";
import { atr } from "../../../src/engine/indicators/atr.js";
import { dmi } from "../../../src/engine/indicators/dmi.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { loadShippedDaily, NIFTY50_DIR } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import { roundToTick } from "../../../src/engine/money.js";
import { ADX_DMA_VARIANTS, adxDma, type AdxDmaParams } from "../../../src/engine/strategies/adx-dma.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import { addDays, fromIst, istDate, toIsoIst } from "../../../src/engine/time/ist.js";

const D = adxDma.defaults;
const daily = (sym: string): Candle[] => loadShippedDaily(NIFTY50_DIR, [sym]).candles;
const iso = (s: SignalDraft) => toIsoIst(s.barTime);
const at = (sigs: SignalDraft[], date: string) => sigs.filter((s) => istDate(s.barTime) === date);

/** The CSV rows, read independently of the loader (rupees as written in the file). */
function csv(sym: string): { date: string; open: number; high: number; low: number; close: number }[] {
  const lines = readFileSync(join(NIFTY50_DIR, `${sym}.csv`), "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const f = l.split(",");
    return { date: f[0]!.slice(0, 10), open: Number(f[1]), high: Number(f[2]), low: Number(f[3]), close: Number(f[4]) };
  });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Synthetic daily bars from closes (paise): a ±₹3 range around each close, one bar per calendar day. */
function synth(closes: number[], symbol = "SYN", start = "2019-01-01"): Candle[] {
  let d = start;
  return closes.map((c) => {
    d = addDays(d, 1);
    return { symbol, timeframe: "1d", time: fromIst(d, "09:15"), open: c, high: c + 300, low: c - 300, close: c, volume: 1000 };
  });
}
/** 150 bars down ₹5 a day from ₹2000, then 150 bars up ₹8 a day. */
function vCloses(): number[] {
  const c: number[] = [];
  for (let i = 0; i < 150; i++) c.push(200_000 - 500 * i);
  for (let i = 0; i < 150; i++) c.push(125_500 + 800 * (i + 1));
  return c;
}
const indexOf = (bars: Candle[], s: SignalDraft) => bars.findIndex((b) => b.time.getTime() === s.barTime.getTime());

describe("adx-dma on real data", () => {
  const rel = daily("RELIANCE");
  const rows = csv("RELIANCE");

  it("RELIANCE 2021-08-30: long entry, checked by hand from the CSV", () => {
    const sigs = adxDma.scan(rel, D);
    const [s] = at(sigs, "2021-08-30");
    expect(s).toBeDefined();
    expect(s).toMatchObject({
      strategy: "adx-dma",
      symbol: "RELIANCE",
      timeframe: "1d",
      side: "long",
      kind: "entry",
      entry: 108_200,
      stop: 104_475,
      targets: [119_375],
      strength: 54,
    });
    expect(iso(s!)).toBe("2021-08-30T09:15:00+05:30");
    expect(s!.conditions.adx).toBeCloseTo(26.84, 2);
    expect(s!.conditions.plusDi).toBeCloseTo(34.6, 2);
    expect(s!.conditions.minusDi).toBeCloseTo(10.83, 2);
    expect(s!.conditions.close).toBe(1082);
    expect(s!.conditions.smaFast).toBeCloseTo(1023.78, 2);
    expect(s!.conditions.smaMid).toBeCloseTo(1013.4, 2);
    expect(s!.conditions.smaSlow).toBeCloseTo(973.18, 2);

    // By hand: SMAs as plain means of the CSV closes; ADX/DI and ATR from technicalindicators.
    const i = rows.findIndex((r) => r.date === "2021-08-30");
    const closes = rows.map((r) => r.close);
    const smaAt = (k: number, n: number) => mean(closes.slice(k - n + 1, k + 1));
    const lib = ADX.calculate({ period: 14, high: rows.map((r) => r.high), low: rows.map((r) => r.low), close: closes });
    const dmiAt = (k: number) => lib[k - 27]!; // the library starts at bar 2N-1
    const libAtr = ATR.calculate({ period: 14, high: rows.map((r) => r.high), low: rows.map((r) => r.low), close: closes });
    const atrAt = (k: number) => libAtr[k - 14]!; // TA-Lib seeding; after 200 bars it agrees to ~1e-7
    const setup = (k: number) => {
      const c = closes[k]!;
      const [f, m, sl] = [smaAt(k, 20), smaAt(k, 50), smaAt(k, 200)];
      const x = dmiAt(k);
      return x.adx >= 25 && x.pdi > x.mdi && c > f && c > m && c > sl && f > m && m > sl;
    };
    expect(closes[i]).toBe(1082);
    expect(smaAt(i, 20)).toBeCloseTo(1023.775, 6);
    expect(smaAt(i, 50)).toBeCloseTo(1013.398, 6);
    expect(smaAt(i, 200)).toBeCloseTo(973.18325, 6);
    expect(dmiAt(i).adx).toBeCloseTo(26.8352, 4);
    expect(setup(i)).toBe(true);
    // The day before, ADX was still under 25: the setup became true on the 30th.
    expect(dmiAt(i - 1).adx).toBeLessThan(25);
    expect(setup(i - 1)).toBe(false);
    // Stop: ₹1082 − 2 × ATR ₹18.6044 = ₹1044.79, down to the 5-paise tick; target 3R up.
    expect(atrAt(i)).toBeCloseTo(18.6044, 3);
    const stop = Math.floor((108_200 - 2 * atrAt(i) * 100) / 5) * 5;
    expect(stop).toBe(104_475);
    expect(Math.ceil((108_200 + 3 * (108_200 - stop)) / 5) * 5).toBe(119_375);
    // It does not fire again the next day while the setup holds.
    expect(setup(i + 1)).toBe(true);
    expect(at(sigs, "2021-08-31").filter((x) => x.kind === "entry")).toEqual([]);
  });

  it("RELIANCE 2021-08-06: close falls below SMA50 → exit of the long (cash and F&O)", () => {
    const i = rows.findIndex((r) => r.date === "2021-08-06");
    const closes = rows.map((r) => r.close);
    const sma50 = (k: number) => mean(closes.slice(k - 49, k + 1));
    expect(closes[i]! < sma50(i) && closes[i - 1]! >= sma50(i - 1)).toBe(true);
    for (const fno of [false, true]) {
      const [s] = at(adxDma.scan(rel, D, { fno }), "2021-08-06");
      expect(s).toMatchObject({ kind: "exit", side: "short", entry: 99_565, stop: null, targets: [] });
      expect(s!.conditions.close).toBe(995.65);
      expect(s!.conditions.smaMid).toBeCloseTo(sma50(i), 4);
      expect(s!.conditions.prevSmaMid).toBeCloseTo(sma50(i - 1), 4);
      expect(s!.note).toContain("below SMA 50");
    }
  });

  it("RELIANCE 2023-02-02: the mirror opens a short on F&O only", () => {
    const [s] = at(adxDma.scan(rel, D, { fno: true }), "2023-02-02");
    expect(s).toMatchObject({ side: "short", kind: "entry", entry: 110_900, stop: 115_505, targets: [97_085], strength: 73 });
    expect(s!.conditions.adx).toBeCloseTo(36.26, 2);
    expect(s!.conditions.minusDi as number).toBeGreaterThan(s!.conditions.plusDi as number);
    // Stop 2 ATR above, up to the tick; target 3R below, down to the tick.
    expect(s!.stop! % 5).toBe(0);
    expect(s!.targets[0]).toBe(110_900 - 3 * (115_505 - 110_900));
    expect(at(adxDma.scan(rel, D), "2023-02-02")).toEqual([]);
  });

  it("cash never opens a short; F&O adds shorts and short exits but keeps every cash signal", () => {
    for (const sym of ["RELIANCE", "TCS", "HDFCBANK"]) {
      const bars = daily(sym);
      const cash = adxDma.scan(bars, D);
      const fno = adxDma.scan(bars, D, { fno: true });
      expect(cash.some((s) => s.side === "short" && s.kind === "entry")).toBe(false);
      expect(cash.some((s) => s.side === "long" && s.kind === "exit")).toBe(false);
      const key = (s: SignalDraft) => s.id;
      const fnoIds = new Set(fno.map(key));
      for (const s of cash) expect(fnoIds.has(s.id)).toBe(true);
      expect(fno.length).toBeGreaterThan(cash.length);
    }
  });

  it("variants: the seed's bands are subsets of the default entries, by strength", () => {
    expect(Object.keys(ADX_DMA_VARIANTS).sort()).toEqual(["adx_dma_80_90", "adx_dma_90_100"]);
    const v80 = ADX_DMA_VARIANTS.adx_dma_80_90!;
    const v90 = ADX_DMA_VARIANTS.adx_dma_90_100!;
    expect(v80).toEqual({ ...D, minStrength: 80, maxStrength: 89 });
    expect(v90).toEqual({ ...D, minStrength: 90, maxStrength: 100 });
    let seen80 = 0;
    let seen90 = 0;
    for (const sym of ["RELIANCE", "TCS", "INFY", "BHARTIARTL", "ICICIBANK"]) {
      const bars = daily(sym);
      for (const fno of [false, true]) {
        const all = adxDma.scan(bars, D, { fno });
        const strip = (s: SignalDraft) => ({ ...s, id: "" });
        for (const [v, lo, hi] of [
          [v80, 80, 89],
          [v90, 90, 100],
        ] as const) {
          const got = adxDma.scan(bars, v, { fno });
          const want = all.filter((s) => s.kind !== "entry" || (s.strength >= lo && s.strength <= hi));
          expect(got.map(strip)).toEqual(want.map(strip));
          if (lo === 80) seen80 += got.filter((s) => s.kind === "entry").length;
          else seen90 += got.filter((s) => s.kind === "entry").length;
        }
      }
    }
    expect(seen80).toBeGreaterThan(0);
    expect(seen90).toBeGreaterThan(0);
    // RELIANCE 2024-01-24 (ADX 44.63 → 89) is in 80_90 only; 2024-03-01 (ADX 46.93 → 94) in 90_100 only.
    const e80 = adxDma.scan(rel, v80).filter((s) => s.kind === "entry").map((s) => istDate(s.barTime));
    const e90 = adxDma.scan(rel, v90).filter((s) => s.kind === "entry").map((s) => istDate(s.barTime));
    expect(e80).toContain("2024-01-24");
    expect(e80).not.toContain("2024-03-01");
    expect(e90).toContain("2024-03-01");
    expect(e90).not.toContain("2024-01-24");
  });
});

describe("adx-dma on constructed series", () => {
  it("V-shaped series: fires once, on the first bar SMA50 > SMA200 (every other condition held the bar before)", () => {
    const bars = synth(vCloses());
    const sigs = adxDma.scan(bars, D);
    expect(sigs.length).toBe(1);
    const s = sigs[0]!;
    const i = indexOf(bars, s);
    const c = vCloses();
    const smaAt = (k: number, n: number) => mean(c.slice(k - n + 1, k + 1));
    expect(smaAt(i, 50)).toBeGreaterThan(smaAt(i, 200));
    expect(smaAt(i - 1, 50)).toBeLessThanOrEqual(smaAt(i - 1, 200));
    // The bar before: close above all three, SMA20 > SMA50, uptrend — only the stack failed.
    expect(c[i - 1]! > smaAt(i - 1, 20) && c[i - 1]! > smaAt(i - 1, 200) && smaAt(i - 1, 20) > smaAt(i - 1, 50)).toBe(true);
    expect(i).toBe(213);
    expect(s).toMatchObject({ side: "long", kind: "entry", entry: c[213] });
    const a = atr({ high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: c }, 14)[213]!;
    expect(s.stop).toBe(roundToTick(c[213]! - 2 * a, 5, "down"));
    expect(s.targets).toEqual([roundToTick(c[213]! + 3 * (c[213]! - s.stop!), 5, "up")]);
    expect(s.strength).toBe(100); // ADX above 50
  });

  it("fires again only after the setup was broken (a dip under SMA20 only)", () => {
    const c = vCloses();
    // Bar 250 drops ₹90: under its SMA20 (₹72.90 below bar 249's close), well above SMA50, and too
    // small to lift −DI over +DI (−DM 9000 against a smoothed +DM of 10400).
    c[250] = c[249]! - 9000;
    const bars = synth(c);
    const d = dmi({ high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: c }, 14);
    const smaAt = (k: number, n: number) => mean(c.slice(k - n + 1, k + 1));
    expect(c[250]!).toBeLessThan(smaAt(250, 20));
    expect(c[250]!).toBeGreaterThan(smaAt(250, 50));
    expect(d.plusDi[250]!).toBeGreaterThan(d.minusDi[250]!);
    expect(d.adx[250]!).toBeGreaterThan(25);
    expect(c[251]!).toBeGreaterThan(smaAt(251, 20));
    const sigs = adxDma.scan(bars, D);
    expect(sigs.map((s) => [indexOf(bars, s), s.kind, s.side])).toEqual([
      [213, "entry", "long"],
      [251, "entry", "long"],
    ]);
  });

  it("+DI/−DI filter: lower wicks turn −DI above +DI while closes keep rising; the entry waits for +DI", () => {
    const c = vCloses();
    const bars = synth(c).map((b, i) => (i >= 250 && i < 262 ? { ...b, low: b.low - 4000 * (i - 249) } : b));
    const d = dmi({ high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: c }, 14);
    const smaAt = (k: number, n: number) => mean(c.slice(k - n + 1, k + 1));
    // Bars 253..275: ADX ≥ 25, close above stacked SMAs, but −DI > +DI.
    for (let k = 253; k <= 275; k++) {
      expect(d.adx[k]!, `bar ${k}`).toBeGreaterThanOrEqual(25);
      expect(d.minusDi[k]!, `bar ${k}`).toBeGreaterThan(d.plusDi[k]!);
      expect(c[k]! > smaAt(k, 20) && smaAt(k, 20) > smaAt(k, 50) && smaAt(k, 50) > smaAt(k, 200)).toBe(true);
    }
    expect(d.plusDi[276]!).toBeGreaterThan(d.minusDi[276]!);
    const sigs = adxDma.scan(bars, D);
    expect(sigs.map((s) => [indexOf(bars, s), s.kind, s.side])).toEqual([
      [213, "entry", "long"],
      [276, "entry", "long"],
    ]);
  });

  it("the mirror on F&O: upper wicks during a decline hold the short back until −DI leads again", () => {
    const c = vCloses();
    const up = synth(c).map((b, i) => (i >= 250 && i < 262 ? { ...b, low: b.low - 4000 * (i - 249) } : b));
    const K = 400_000;
    const bars = up.map((b) => ({ ...b, open: K - b.open, high: K - b.low, low: K - b.high, close: K - b.close }));
    const sigs = adxDma.scan(bars, D, { fno: true }).filter((s) => s.kind === "entry");
    expect(sigs.map((s) => [indexOf(bars, s), s.side])).toEqual([
      [213, "short"],
      [276, "short"],
    ]);
    expect(adxDma.scan(bars, D).filter((s) => s.kind === "entry")).toEqual([]);
  });

  it("stopAtr and targetR are honoured; stops and targets round outward", () => {
    const bars = synth(vCloses().map((x) => x + 2)); // closes 2 paise off the 5-paise tick
    const c = bars.map((b) => b.close);
    const a = atr({ high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: c }, 14)[213]!;
    const p = adxDma.params.parse({ stopAtr: 3, targetR: 2 });
    const [s] = adxDma.scan(bars, p);
    expect(indexOf(bars, s!)).toBe(213);
    // entry ₹1767.02; 3 ATR = ₹32.92 → ₹1734.10 down to ₹1734.05; R = ₹32.97; 2R → ₹1832.96 up to ₹1833.00.
    expect(s!.entry).toBe(176_702);
    expect(s!.stop).toBe(Math.floor((c[213]! - 3 * a) / 5) * 5);
    expect(s!.stop).toBe(173_405);
    expect(s!.targets).toEqual([183_300]);
    // The mirror short: entry ₹2232.98, stop up to ₹2265.95, R = ₹32.97, 2R → ₹2167.04 down to ₹2167.00.
    const K = 400_000;
    const inv = bars.map((b) => ({ ...b, open: K - b.open, high: K - b.low, low: K - b.high, close: K - b.close }));
    const [t] = adxDma.scan(inv, p, { fno: true }).filter((x) => x.kind === "entry");
    expect(t).toMatchObject({ side: "short", entry: 223_298, stop: 226_595, targets: [216_700] });
  });

  it("tick: 1 paisa for a stock under ₹250 after 10 June 2024, 5 paise for BANKNIFTY", () => {
    const c = vCloses().map((x) => Math.round(x / 10) + 1); // ₹125..₹245, off the 5-paise tick
    const stock = synth(c, "SYN", "2024-01-01").map((b) => ({ ...b, high: b.close + 30, low: b.close - 30 }));
    const index = stock.map((b) => ({ ...b, symbol: "BANKNIFTY" }));
    expect(istDate(stock[213]!.time) >= "2024-06-10").toBe(true);
    const a = atr({ high: stock.map((b) => b.high), low: stock.map((b) => b.low), close: c }, 14)[213]!;
    const [s] = adxDma.scan(stock, D);
    const [t] = adxDma.scan(index, D);
    expect(indexOf(stock, s!)).toBe(213);
    expect(s!.stop).toBe(Math.floor(c[213]! - 2 * a));
    expect(t!.stop).toBe(Math.floor((c[213]! - 2 * a) / 5) * 5);
    expect(s!.stop).not.toBe(t!.stop);
    expect(t!.targets[0]! % 5).toBe(0);
  });

  it("the indicator periods are honoured (entries = the setup's rising edges, worked out by hand)", () => {
    const c = vCloses();
    c[250] = c[249]! - 9000; // the dip of the test above
    const bars = synth(c);
    const hl = { high: bars.map((b) => b.high), low: bars.map((b) => b.low), close: c };
    const smaAt = (k: number, n: number) => (k >= n - 1 ? mean(c.slice(k - n + 1, k + 1)) : NaN);
    const cases: [Partial<AdxDmaParams>, number][] = [
      [{}, 2],
      [{ fast: 40, mid: 45 }, 1], // the dip stays above SMA40: no second entry
      [{ slow: 100 }, 2],
      [{ fast: 10, mid: 30, slow: 120 }, 2],
      [{ adxPeriod: 7, atrPeriod: 5 }, 2],
      [{ mid: 60, adxPeriod: 20 }, 2],
    ];
    for (const [over, count] of cases) {
      const p = adxDma.params.parse(over);
      const d = dmi(hl, p.adxPeriod);
      const a = atr(hl, p.atrPeriod);
      const ok = (k: number) => {
        const [f, m, sl] = [smaAt(k, p.fast), smaAt(k, p.mid), smaAt(k, p.slow)];
        return d.adx[k]! >= 25 && d.plusDi[k]! > d.minusDi[k]! && c[k]! > f && f > m && m > sl;
      };
      const edges: number[] = [];
      for (let k = p.slow; k < c.length; k++) if (ok(k) && !ok(k - 1)) edges.push(k);
      const entries = adxDma.scan(bars, p).filter((x) => x.kind === "entry");
      const label = JSON.stringify(over);
      expect(edges.length, label).toBe(count);
      expect(entries.map((e) => indexOf(bars, e)), label).toEqual(edges);
      for (const e of entries) {
        const k = indexOf(bars, e);
        expect(e.conditions.adx, label).toBeCloseTo(d.adx[k]!, 4);
        expect(e.stop, label).toBe(Math.floor((c[k]! - 2 * a[k]!) / 5) * 5);
      }
    }
  });

  it("ADX filter: with adxMin above the ADX of bar 213 the entry waits for the ADX", () => {
    const bars = synth(vCloses());
    const s213 = adxDma.scan(bars, D)[0]!;
    const adx213 = s213.conditions.adx as number;
    const p = adxDma.params.parse({ adxMin: Math.ceil(adx213) });
    const sigs = adxDma.scan(bars, p);
    expect(sigs.length).toBe(1);
    expect(indexOf(bars, sigs[0]!)).toBeGreaterThan(213);
    expect(sigs[0]!.conditions.adx as number).toBeGreaterThanOrEqual(Math.ceil(adx213));
  });

  it("direction filter: the inverted series gives no long; on F&O the mirror short fires at bar 213", () => {
    const bars = synth(vCloses().map((x) => 400_000 - x));
    const cash = adxDma.scan(bars, D);
    expect(cash.filter((s) => s.kind === "entry")).toEqual([]);
    const fno = adxDma.scan(bars, D, { fno: true }).filter((s) => s.kind === "entry");
    expect(fno.length).toBe(1);
    const s = fno[0]!;
    expect(indexOf(bars, s)).toBe(213);
    expect(s.side).toBe("short");
    expect(s.stop!).toBeGreaterThan(s.entry);
    expect(s.targets[0]!).toBe(roundToTick(s.entry - 3 * (s.stop! - s.entry), 5, "down"));
  });

  it("exit on the cross below SMA50 only, and the F&O short exit on the cross above", () => {
    // Up 300 bars, then straight down: one cross below SMA50.
    const c: number[] = [];
    for (let i = 0; i < 260; i++) c.push(100_000 + 400 * i);
    for (let i = 0; i < 60; i++) c.push(c[259]! - 700 * (i + 1));
    const bars = synth(c);
    const exits = adxDma.scan(bars, D).filter((s) => s.kind === "exit");
    expect(exits.length).toBe(1);
    const i = indexOf(bars, exits[0]!);
    const sma50 = (k: number) => mean(c.slice(k - 49, k + 1));
    expect(c[i]! < sma50(i) && c[i - 1]! >= sma50(i - 1)).toBe(true);
    expect(exits[0]).toMatchObject({ side: "short", entry: c[i], stop: null, targets: [] });
    // Inverted: the cross above SMA50 closes a short, on F&O only.
    const inv = synth(c.map((x) => 400_000 - x));
    expect(adxDma.scan(inv, D).filter((s) => s.kind === "exit")).toEqual([]);
    const up = adxDma.scan(inv, D, { fno: true }).filter((s) => s.kind === "exit");
    expect(up.map((s) => [indexOf(inv, s), s.side])).toEqual([[i, "long"]]);
  });

  it("warm-up: a setup already true when the indicators first exist is not a new one", () => {
    // A steady rally from bar 0: everything holds from bar 199 (first SMA200) on, but it never "becomes" true.
    const rally = synth(Array.from({ length: 300 }, (_, i) => 100_000 + 800 * i));
    expect(adxDma.scan(rally, D)).toEqual([]);
    // With a 100-day slow SMA the same bars are still warm-up-only: no entry either.
    expect(adxDma.scan(rally, adxDma.params.parse({ slow: 100 }))).toEqual([]);
  });
});

describe("adx-dma contract", () => {
  it("scan equals evaluate bar by bar (causal)", () => {
    const bars = daily("TCS");
    for (const fno of [false, true]) {
      const lo = 180;
      const hi = 520;
      const want = adxDma.scan(bars.slice(0, hi), D, { fno, from: lo });
      const got: SignalDraft[] = [];
      for (let i = lo; i < hi; i++) got.push(...adxDma.evaluate(bars.slice(0, i + 1), D, { fno }));
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(3);
      // and `from` only hides reports
      const all = adxDma.scan(bars, D, { fno });
      expect(adxDma.scan(bars, D, { fno, from: 400 })).toEqual(all.filter((s) => indexOf(bars, s) >= 400));
    }
  });

  it("deterministic; ids unique and ≤ 40 chars; prices are integers on the tick", () => {
    for (const sym of ["RELIANCE", "ITC", "TATASTEEL"]) {
      const bars = daily(sym);
      const a = adxDma.scan(bars, D, { fno: true });
      const b = adxDma.scan(bars, D, { fno: true });
      expect(a).toEqual(b);
      expect(new Set(a.map((s) => s.id)).size).toBe(a.length);
      const closeAt = new Map(bars.map((b) => [b.time.getTime(), b.close]));
      for (const s of a) {
        expect(s.entry).toBe(closeAt.get(s.barTime.getTime()));
        expect(s.id.length).toBeLessThanOrEqual(40);
        expect(s.id.startsWith("adx-dma-")).toBe(true);
        expect(Number.isInteger(s.strength) && s.strength >= 0 && s.strength <= 100).toBe(true);
        if (s.kind !== "entry") continue;
        const tick = defaultEquityTick(s.entry, istDate(s.barTime));
        // Stop and target on the tick (split-adjusted closes need not be).
        for (const p of [s.stop!, ...s.targets]) {
          expect(Number.isInteger(p)).toBe(true);
          expect(p % tick).toBe(0);
        }
        // Stop 2 ATR away rounded outward, target 3R rounded outward (ATR in conditions is to 0.01 paise).
        const twoAtr = 2 * (s.conditions.atr as number) * 100;
        const r = Math.abs(s.entry - s.stop!);
        expect(r).toBeGreaterThanOrEqual(twoAtr - 0.02);
        expect(r).toBeLessThan(twoAtr + tick + 0.02);
        const reward = Math.abs(s.targets[0]! - s.entry);
        expect(reward).toBeGreaterThanOrEqual(3 * r);
        expect(reward).toBeLessThan(3 * r + tick);
        if (s.side === "long") expect(s.stop! < s.entry && s.targets[0]! > s.entry).toBe(true);
        else expect(s.stop! > s.entry && s.targets[0]! < s.entry).toBe(true);
        expect(s.strength).toBe(Math.min(100, Math.round((s.conditions.adx as number) * 2)));
      }
    }
  });

  it("params: documented defaults, validation naming the field, unknown keys rejected", () => {
    const want: AdxDmaParams = {
      adxPeriod: 14,
      adxMin: 25,
      fast: 20,
      mid: 50,
      slow: 200,
      atrPeriod: 14,
      stopAtr: 2,
      targetR: 3,
      minStrength: 0,
      maxStrength: 100,
    };
    expect(adxDma.defaults).toEqual(want);
    expect(adxDma).toMatchObject({ name: "adx-dma", timeframe: "1d", defaultUniverse: "nifty50", needsVolume: false });
    const bad = (input: unknown, field: string) => {
      const r = adxDma.params.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error!.issues.some((i) => i.path.includes(field) || i.message.includes(field))).toBe(true);
    };
    bad({ adxPeriod: 1 }, "adxPeriod");
    bad({ adxMin: 101 }, "adxMin");
    bad({ stopAtr: 0 }, "stopAtr");
    bad({ targetR: -1 }, "targetR");
    bad({ fast: 60 }, "fast"); // not shorter than mid
    bad({ mid: 250 }, "mid"); // not shorter than slow
    bad({ minStrength: 90, maxStrength: 80 }, "minStrength");
    bad({ atrPeriod: 2.5 }, "atrPeriod");
    bad({ adxMinimum: 20 }, "adxMinimum");
  });
});
