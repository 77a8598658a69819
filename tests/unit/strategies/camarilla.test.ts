import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { camarillaLevels } from "../../../src/engine/indicators/camarilla.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { loadShippedDaily, NIFTY50_DIR } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import { camarillaBreakout as cam } from "../../../src/engine/strategies/camarilla.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import { fromIst, istDate, toIsoIst } from "../../../src/engine/time/ist.js";

const D = cam.defaults;
const daily = (sym: string): Candle[] => loadShippedDaily(NIFTY50_DIR, [sym]).candles;
const at = (sigs: SignalDraft[], date: string) => sigs.filter((s) => istDate(s.barTime) === date);

/** The CSV rows, read independently of the loader (rupees as written in the file). */
function csv(sym: string): { date: string; open: number; high: number; low: number; close: number }[] {
  const lines = readFileSync(join(NIFTY50_DIR, `${sym}.csv`), "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const f = l.split(",");
    return { date: f[0]!.slice(0, 10), open: Number(f[1]), high: Number(f[2]), low: Number(f[3]), close: Number(f[4]) };
  });
}
/** Yesterday's H/L/C and today's O/C from the CSV, and the levels worked out by hand (rupees). */
function byHand(sym: string, date: string) {
  const rows = csv(sym);
  const i = rows.findIndex((r) => r.date === date);
  const y = rows[i - 1]!;
  const t = rows[i]!;
  const range = y.high - y.low;
  return { y, t, r4: y.close + (range * 1.1) / 2, r3: y.close + (range * 1.1) / 4, s3: y.close - (range * 1.1) / 4, s4: y.close - (range * 1.1) / 2 };
}

/** Two-bar series: yesterday H ₹1100, L ₹1000, C ₹1050 → R4 1105, R3 1077.5, S3 1022.5, S4 995. */
function twoDays(today: { open: number; close: number; high?: number; low?: number }): Candle[] {
  const y: Candle = { symbol: "SYN", timeframe: "1d", time: fromIst("2023-03-01", "09:15"), open: 102_000, high: 110_000, low: 100_000, close: 105_000, volume: 0 };
  const high = today.high ?? Math.max(today.open, today.close) + 100;
  const low = today.low ?? Math.min(today.open, today.close) - 100;
  return [y, { symbol: "SYN", timeframe: "1d", time: fromIst("2023-03-02", "09:15"), open: today.open, high, low, close: today.close, volume: 0 }];
}

describe("camarilla levels (shared indicator) match the brief's formulas", () => {
  it("R4 = C + (H−L)×1.1/2, R3 = C + (H−L)×1.1/4, S3/S4 mirror", () => {
    const lv = camarillaLevels(110_000, 100_000, 105_000);
    expect(lv.r4).toBeCloseTo(110_500, 9);
    expect(lv.r3).toBeCloseTo(107_750, 9);
    expect(lv.s3).toBeCloseTo(102_250, 9);
    expect(lv.s4).toBeCloseTo(99_500, 9);
  });
});

describe("camarilla on real data", () => {
  it("HDFCBANK 2024-03-05: R4 breakout, levels recomputed from the CSV", () => {
    const h = byHand("HDFCBANK", "2024-03-05");
    // 2024-03-04: H 718.5, L 712.2, C 716.4 → range 6.3; R4 = 716.4 + 3.465, R3 = 716.4 + 1.7325.
    expect([h.y.date, h.y.high, h.y.low, h.y.close]).toEqual(["2024-03-04", 718.5, 712.2, 716.4]);
    expect(h.r4).toBeCloseTo(719.865, 9);
    expect(h.r3).toBeCloseTo(718.1325, 9);
    // Today: open 711 ≤ R4 and close 720.4 > R4: the day crossed R4.
    expect(h.t.open).toBeLessThanOrEqual(h.r4);
    expect(h.t.close).toBeGreaterThan(h.r4);

    const [s, ...rest] = at(cam.scan(daily("HDFCBANK"), D), "2024-03-05");
    expect(rest).toEqual([]);
    expect(toIsoIst(s!.barTime)).toBe("2024-03-05T09:15:00+05:30");
    expect(s).toMatchObject({ strategy: "camarilla", symbol: "HDFCBANK", timeframe: "1d", side: "long", kind: "entry" });
    // entry ₹720.40; stop R3 ₹718.1325 down to the 5-paise tick = ₹718.10; R = ₹2.30; target ₹720.40 + ₹4.60.
    expect(s!.entry).toBe(72_040);
    expect(s!.stop).toBe(71_810);
    expect(s!.targets).toEqual([72_500]);
    // beyond = (720.4 − 719.865)/(719.865 − 718.1325) = 0.3088 → 50 + 15.4 → 65.
    expect(s!.strength).toBe(65);
    expect(s!.conditions).toEqual({
      prevHigh: 718.5,
      prevLow: 712.2,
      prevClose: 716.4,
      open: 711,
      close: 720.4,
      r4: 719.865,
      r3: 718.1325,
      beyond: 0.3088,
    });
  });

  it("TATASTEEL 2024-06-20: under ₹250 after 10 June 2024 the tick is 1 paisa", () => {
    const h = byHand("TATASTEEL", "2024-06-20");
    expect(h.r4).toBeCloseTo(181.769, 9);
    expect(h.r3).toBeCloseTo(180.8945, 9);
    const [s] = at(cam.scan(daily("TATASTEEL"), D), "2024-06-20");
    expect(s).toMatchObject({ side: "long", kind: "entry", entry: 18_228, stop: 18_089, targets: [18_506], strength: 79 });
    expect(defaultEquityTick(18_228, "2024-06-20")).toBe(1);
  });

  it("HDFCBANK 2024-04-04: a gap that opens above R4 is not a cross", () => {
    const h = byHand("HDFCBANK", "2024-04-04");
    expect(h.t.open).toBeGreaterThan(h.r4);
    expect(h.t.close).toBeGreaterThan(h.r4);
    expect(at(cam.scan(daily("HDFCBANK"), D), "2024-04-04")).toEqual([]);
  });

  it("HDFCBANK 2024-01-09: S4 breakdown → exit on cash, short on F&O with stop S3", () => {
    const h = byHand("HDFCBANK", "2024-01-09");
    // Yesterday H 841.2 L 830 C 831.7 → S4 = 831.7 − 6.16 = 825.54, S3 = 828.62; open 833.6 ≥ S4, close 825.2 < S4.
    expect(h.s4).toBeCloseTo(825.54, 9);
    expect(h.s3).toBeCloseTo(828.62, 9);
    expect(h.t.open >= h.s4 && h.t.close < h.s4).toBe(true);
    const bars = daily("HDFCBANK");
    const [x] = at(cam.scan(bars, D), "2024-01-09");
    expect(x).toMatchObject({ side: "short", kind: "exit", entry: 82_520, stop: null, targets: [] });
    expect(x!.note).toContain("S4");
    const [s] = at(cam.scan(bars, D, { fno: true }), "2024-01-09");
    // Stop S3 ₹828.62 up to the 5-paise tick = ₹828.65; R = ₹3.45; target ₹825.20 − ₹6.90 = ₹818.30.
    expect(s).toMatchObject({ side: "short", kind: "entry", entry: 82_520, stop: 82_865, targets: [81_830] });
    expect(s!.conditions.s4).toBe(825.54);
    // beyond = (825.54 − 825.2)/3.08 = 0.110 → 56
    expect(s!.strength).toBe(56);
  });

  it("cash is long-only: the same bars, with each S4 entry of F&O turned into an exit", () => {
    for (const sym of ["RELIANCE", "INFY", "SBIN"]) {
      const bars = daily(sym);
      const cash = cam.scan(bars, D);
      const fno = cam.scan(bars, D, { fno: true });
      expect(cash.map((s) => [s.barTime.getTime(), s.side])).toEqual(fno.map((s) => [s.barTime.getTime(), s.side]));
      for (const s of cash) expect(s.kind).toBe(s.side === "long" ? "entry" : "exit");
      for (const s of fno) expect(s.kind).toBe("entry");
      expect(cash.some((s) => s.kind === "exit")).toBe(true);
    }
  });

  it("every signal on RELIANCE is a real cross of yesterday's levels, and every cross is signalled", () => {
    const rows = csv("RELIANCE");
    const sigs = cam.scan(daily("RELIANCE"), D, { fno: true });
    const byDate = new Map(sigs.map((s) => [istDate(s.barTime), s]));
    let ups = 0;
    for (let i = 1; i < rows.length; i++) {
      const y = rows[i - 1]!;
      const t = rows[i]!;
      const range = y.high - y.low;
      const r4 = y.close + (range * 1.1) / 2;
      const s4 = y.close - (range * 1.1) / 2;
      const up = t.close > r4 + 1e-9 && t.open <= r4 + 1e-9;
      const down = t.close < s4 - 1e-9 && t.open >= s4 - 1e-9;
      const s = byDate.get(t.date);
      expect(s?.side, t.date).toBe(up ? "long" : down ? "short" : undefined);
      if (up) ups++;
    }
    expect(ups).toBeGreaterThan(50);
  });
});

describe("camarilla on constructed bars", () => {
  it("fires when the day crosses R4: stop R3, 2R target", () => {
    const [s] = cam.scan(twoDays({ open: 106_000, close: 111_000 }), D);
    // R3 = 1077.5 (on the tick), R = 32.5, target 1110 + 65 = 1175.
    expect(s).toMatchObject({ side: "long", kind: "entry", entry: 111_000, stop: 107_750, targets: [117_500] });
    // beyond = (1110 − 1105)/27.5 = 0.1818 → 59
    expect(s!.strength).toBe(59);
    expect(cam.scan(twoDays({ open: 106_000, close: 111_000 }), cam.params.parse({ targetR: 3 }))[0]!.targets).toEqual([120_750]);
  });

  it("near misses: close exactly at R4, or opened above it", () => {
    expect(cam.scan(twoDays({ open: 106_000, close: 110_500 }), D)).toEqual([]);
    expect(cam.scan(twoDays({ open: 110_505, close: 112_000 }), D)).toEqual([]);
    // Open exactly at R4 still counts as from below.
    expect(cam.scan(twoDays({ open: 110_500, close: 110_505 }), D).length).toBe(1);
    // A close between R3 and R4 is nothing.
    expect(cam.scan(twoDays({ open: 106_000, close: 109_000 }), D)).toEqual([]);
  });

  it("S4 breakdown: exit on cash; short on F&O with stop S3 rounded up", () => {
    const bars = twoDays({ open: 104_000, close: 99_000 });
    const [x] = cam.scan(bars, D);
    expect(x).toMatchObject({ side: "short", kind: "exit", entry: 99_000, stop: null, targets: [] });
    const [s] = cam.scan(bars, D, { fno: true });
    // S3 1022.5, R = 32.5, target 990 − 65 = 925.
    expect(s).toMatchObject({ side: "short", kind: "entry", entry: 99_000, stop: 102_250, targets: [92_500] });
    expect(cam.scan(twoDays({ open: 99_400, close: 98_000 }), D, { fno: true })).toEqual([]); // opened below S4
    expect(cam.scan(twoDays({ open: 104_000, close: 99_500 }), D, { fno: true })).toEqual([]); // at S4
  });

  it("stops round outward to the tick; a flat prior day gives no levels", () => {
    // Yesterday H 1100.10 L 1000 C 1050: R3 = 1050 + 100.1×0.275 = 1077.5275 → down to 1077.50; S3 1022.4725 → up to 1022.50.
    const bars = twoDays({ open: 106_000, close: 112_000 });
    bars[0] = { ...bars[0]!, high: 110_010 };
    expect(cam.scan(bars, D)[0]!.stop).toBe(107_750);
    const dn = twoDays({ open: 104_000, close: 98_000 });
    dn[0] = { ...dn[0]!, high: 110_010 };
    expect(cam.scan(dn, D, { fno: true })[0]!.stop).toBe(102_250);
    const flat = twoDays({ open: 105_000, close: 106_000 });
    flat[0] = { ...flat[0]!, open: 105_000, high: 105_000, low: 105_000 };
    expect(cam.scan(flat, D)).toEqual([]);
  });
});

describe("camarilla tick for the index", () => {
  it("BANKNIFTY keeps a 5-paise tick where a stock under ₹250 would have 1 paisa", () => {
    // Yesterday H ₹210, L ₹200, C ₹205.01 (2024-07-01); R4 = 210.51, R3 = 207.76.
    const mk = (symbol: string): Candle[] => [
      { symbol, timeframe: "1d", time: fromIst("2024-07-01", "09:15"), open: 20_200, high: 21_000, low: 20_000, close: 20_501, volume: 0 },
      { symbol, timeframe: "1d", time: fromIst("2024-07-02", "09:15"), open: 20_600, high: 21_300, low: 20_550, close: 21_200, volume: 0 },
    ];
    expect(cam.scan(mk("SOMESTOCK"), D)).toMatchObject([{ entry: 21_200, stop: 20_776, targets: [22_048] }]);
    expect(cam.scan(mk("BANKNIFTY"), D)).toMatchObject([{ entry: 21_200, stop: 20_775, targets: [22_050] }]);
  });
});

describe("camarilla contract", () => {
  it("scan equals evaluate bar by bar (causal), and `from` only hides reports", () => {
    const bars = daily("ICICIBANK");
    for (const fno of [false, true]) {
      const lo = 100;
      const hi = 400;
      const want = cam.scan(bars.slice(0, hi), D, { fno, from: lo });
      const got: SignalDraft[] = [];
      for (let i = lo; i < hi; i++) got.push(...cam.evaluate(bars.slice(0, i + 1), D, { fno }));
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(20);
      const all = cam.scan(bars, D, { fno });
      const t = bars[600]!.time.getTime();
      expect(cam.scan(bars, D, { fno, from: 600 })).toEqual(all.filter((s) => s.barTime.getTime() >= t));
    }
    expect(cam.evaluate([], D)).toEqual([]);
    expect(cam.scan(bars.slice(0, 1), D)).toEqual([]);
  });

  it("deterministic; ids unique and ≤ 40 chars; prices integers on the tick; stop beyond entry", () => {
    for (const sym of ["RELIANCE", "ONGC", "WIPRO"]) {
      const bars = daily(sym);
      const a = cam.scan(bars, D, { fno: true });
      expect(cam.scan(bars, D, { fno: true })).toEqual(a);
      expect(new Set(a.map((s) => s.id)).size).toBe(a.length);
      const closeAt = new Map(bars.map((b) => [b.time.getTime(), b.close]));
      for (const s of a) {
        expect(s.id.length).toBeLessThanOrEqual(40);
        expect(Number.isInteger(s.strength) && s.strength >= 50 && s.strength <= 100).toBe(true);
        // The entry is the bar's close (split-adjusted closes need not sit on today's tick).
        expect(s.entry).toBe(closeAt.get(s.barTime.getTime()));
        const tick = defaultEquityTick(s.entry, istDate(s.barTime));
        for (const p of [s.stop!, ...s.targets]) {
          expect(Number.isInteger(p)).toBe(true);
          expect(p % tick).toBe(0);
        }
        if (s.side === "long") {
          expect(s.stop!).toBeLessThan(s.entry);
          expect(s.stop! / 100).toBeLessThanOrEqual(s.conditions.r3 as number);
          expect(s.targets[0]! - s.entry).toBeGreaterThanOrEqual(2 * (s.entry - s.stop!));
          expect(s.targets[0]! - s.entry).toBeLessThan(2 * (s.entry - s.stop!) + tick);
        } else {
          expect(s.stop!).toBeGreaterThan(s.entry);
          expect(s.stop! / 100).toBeGreaterThanOrEqual(s.conditions.s3 as number);
          expect(s.entry - s.targets[0]!).toBeGreaterThanOrEqual(2 * (s.stop! - s.entry));
        }
      }
    }
  });

  it("params: defaults, validation naming the field, unknown keys rejected", () => {
    expect(cam.defaults).toEqual({ targetR: 2 });
    expect(cam).toMatchObject({ name: "camarilla", timeframe: "1d", defaultUniverse: "nifty50", needsVolume: false });
    for (const [input, field] of [
      [{ targetR: 0 }, "targetR"],
      [{ targetR: "2" }, "targetR"],
      [{ lookback: 5 }, "lookback"],
    ] as const) {
      const r = cam.params.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error!.issues.some((i) => i.path.includes(field) || i.message.includes(field))).toBe(true);
    }
  });
});
