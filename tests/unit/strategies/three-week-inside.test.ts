import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { atrPercent, rsi, volumeRatio, wma } from "../../../src/engine/indicators/index.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { NIFTY50_DIR, loadShippedDaily, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import { toPaise } from "../../../src/engine/money.js";
import { toOhlcv } from "../../../src/engine/strategies/bars.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import { threeWeekInside as twi, type ThreeWeekInsideParams } from "../../../src/engine/strategies/three-week-inside.js";
import { addDays, fromIst, istDate, toIsoIst, weekday } from "../../../src/engine/time/ist.js";

const P = twi.defaults;
const loose = (extra: Partial<ThreeWeekInsideParams> = {}): ThreeWeekInsideParams => twi.params.parse({ ...extra });
const daily = (sym: string): Candle[] => loadShippedDaily(NIFTY50_DIR, [sym]).candles;
const byDay = (sig: SignalDraft[], day: string): SignalDraft[] => sig.filter((s) => s.conditions.day === day);

/** The CSV rows of one symbol, parsed independently of the loader. */
function csvRows(sym: string): { date: string; high: number; low: number; close: number; volume: number }[] {
  const lines = readFileSync(join(NIFTY50_DIR, `${sym}.csv`), "utf8").trim().split("\n").slice(1);
  return lines.map((l) => {
    const [ts, , h, lo, c, v] = l.split(",");
    return { date: ts!.slice(0, 10), high: toPaise(h!), low: toPaise(lo!), close: toPaise(c!), volume: Number(v) };
  });
}

/** Monday (YYYY-MM-DD) of a date's calendar week, by plain Date arithmetic. */
function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

function weeklyHL(rows: ReturnType<typeof csvRows>, monday: string): { high: number; low: number; days: string[] } {
  const w = rows.filter((r) => mondayOf(r.date) === monday);
  return { high: Math.max(...w.map((r) => r.high)), low: Math.min(...w.map((r) => r.low)), days: w.map((r) => r.date) };
}

/** Entries and alerts are on the tick (an exit's "entry" is the raw close, which NSE may print off-tick). */
function expectOnTick(s: SignalDraft): void {
  const tick = defaultEquityTick(s.entry, String(s.conditions.day));
  expect(Number.isInteger(s.entry)).toBe(true);
  for (const p of [...(s.kind === "exit" ? [] : [s.entry]), ...(s.stop === null ? [] : [s.stop]), ...s.targets]) {
    expect(Number.isInteger(p)).toBe(true);
    expect(p % tick).toBe(0);
  }
}

// ---------------------------------------------------------------------------
// Synthetic series. Weeks of up to five weekday bars from Monday 2024-01-01.
// ---------------------------------------------------------------------------
interface D {
  o: number;
  h: number;
  l: number;
  c: number;
  v?: number;
  /** Leave this weekday out (a holiday). */
  skip?: boolean;
}
const r5 = (x: number): number => Math.round(x / 5) * 5;

function build(weeks: D[][], start = "2024-01-01"): Candle[] {
  const out: Candle[] = [];
  weeks.forEach((w, wi) =>
    w.forEach((d, di) => {
      if (d.skip) return;
      const date = addDays(start, wi * 7 + di);
      out.push({ symbol: "SYN", timeframe: "1d", time: fromIst(date, "09:15"), open: d.o, high: d.h, low: d.l, close: d.c, volume: d.v ?? 100_000 });
    }),
  );
  return out;
}

/** nWeeks of daily bars, each close `pct` away from the previous one. */
function trend(nWeeks: number, start: number, pct: number): { weeks: D[][]; last: number } {
  const weeks: D[][] = [];
  let p = start;
  for (let w = 0; w < nWeeks; w++) {
    const wk: D[] = [];
    for (let d = 0; d < 5; d++) {
      const o = p;
      const c = r5(p * (1 + pct));
      wk.push({ o, c, h: Math.max(o, c) + 200, l: Math.min(o, c) - 200 });
      p = c;
    }
    weeks.push(wk);
  }
  return { weeks, last: p };
}

/** A mother week (range base-2500 .. base+1500) and a factory for weeks inside it. */
function setup(base: number) {
  const mH = base + 1500;
  const mL = base - 2500;
  const mother: D[] = [
    { o: base, h: mH, l: base - 300, c: base + 500 },
    { o: base + 500, h: base + 800, l: mL, c: base - 1000 },
    { o: base - 1000, h: base, l: base - 1200, c: base - 500 },
    { o: base - 500, h: base + 300, l: base - 700, c: base },
    { o: base, h: base + 600, l: base - 200, c: base + 400 },
  ];
  const inside = (): D[] => [
    { o: base + 400, h: base + 700, l: base - 200, c: base - 100 },
    { o: base - 100, h: base + 600, l: base - 400, c: base + 500 },
    { o: base + 500, h: base + 900, l: base - 300, c: base - 200 },
    { o: base - 200, h: base + 1000, l: base - 400, c: base + 600 },
    { o: base + 600, h: base + 1100, l: base - 100, c: base + 400 },
  ];
  return { mH, mL, mother, inside };
}

/** A day closing `c` with a small range around it. */
const day = (c: number, v = 100_000): D => ({ o: c - 100, h: c + 300, l: c - 300, c, v });
const breakout = (mH: number, v = 200_000): D => ({ o: mH - 200, h: mH + 600, l: mH - 300, c: mH + 300, v });

/** 26 weeks of steady uptrend, mother, two inside weeks, then `after` weeks. */
function upSeries(after: (s: ReturnType<typeof setup>) => D[][]): { bars: Candle[]; s: ReturnType<typeof setup> } {
  const up = trend(26, 100_000, 0.004);
  const s = setup(up.last);
  return { bars: build([...up.weeks, s.mother, s.inside(), s.inside(), ...after(s)]), s };
}

/** Prices reflected around a level (high and low swap): RSI → 100 − RSI, WMA order reversed. */
function mirror(bars: Candle[], around = 400_000): Candle[] {
  return bars.map((b) => ({ ...b, open: around - b.open, high: around - b.low, low: around - b.high, close: around - b.close }));
}

describe("three-week-inside: definition and params", () => {
  it("metadata", () => {
    expect(twi.name).toBe("three-week-inside");
    expect(twi.timeframe).toBe("1d");
    expect(twi.defaultUniverse).toBe("nifty50");
    expect(twi.needsVolume).toBe(true);
  });

  it("defaults are the documented values", () => {
    expect(P).toEqual({
      rsiPeriod: 14,
      rsiMin: 55,
      wmaFast: 20,
      wmaMid: 50,
      wmaSlow: 100,
      volumeMultiple: 1.5,
      volumePeriod: 20,
      atrPeriod: 14,
      atrPctMax: 6,
      nearBreakoutPct: 99,
      t1R: 1.5,
      t2R: 3,
      maxWeeksArmed: 4,
    });
  });

  it("rejects invalid params naming the field, and unknown keys", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ rsiMin: 101 }, "rsiMin"],
      [{ rsiPeriod: 1.5 }, "rsiPeriod"],
      [{ wmaFast: 60 }, "wmaFast"],
      [{ wmaMid: 100 }, "wmaMid"],
      [{ volumeMultiple: -1 }, "volumeMultiple"],
      [{ atrPctMax: 0 }, "atrPctMax"],
      [{ nearBreakoutPct: 0 }, "nearBreakoutPct"],
      [{ nearBreakoutPct: 101 }, "nearBreakoutPct"],
      [{ t1R: 3 }, "t1R"],
      [{ maxWeeksArmed: 0 }, "maxWeeksArmed"],
    ];
    for (const [input, field] of bad) {
      const r = twi.params.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      expect(r.error!.issues.some((i) => i.path.includes(field)), JSON.stringify(input)).toBe(true);
    }
    const unknown = twi.params.safeParse({ rsiMinimum: 50 });
    expect(unknown.success).toBe(false);
    expect(JSON.stringify(unknown.error!.issues)).toContain("rsiMinimum");
  });
});

describe("three-week-inside: real data", () => {
  it("AXISBANK: mother week 2021-09-27, inside 10-04 and 10-11 (Dussehra week), long on 2021-10-18", () => {
    const bars = daily("AXISBANK");
    const sig = twi.scan(bars, P);
    const [e] = byDay(sig, "2021-10-18");
    expect(e).toBeDefined();
    expect(e!.symbol).toBe("AXISBANK");
    expect(e!.timeframe).toBe("1w");
    expect(toIsoIst(e!.barTime)).toBe("2021-10-18T09:15:00+05:30");
    expect(e!.kind).toBe("entry");
    expect(e!.side).toBe("long");
    expect(e!.entry).toBe(81_330);
    expect(e!.stop).toBe(75_400);
    // R = 813.30 − 754.00 = 59.30; 1.5R = 88.95, 3R = 177.90.
    expect(e!.targets).toEqual([90_225, 99_120]);
    expect(e!.strength).toBe(100);
    expect(e!.conditions).toMatchObject({ motherHigh: 808.8, motherLow: 754, motherWeek: "2021-09-27", insideWeeks: 2, qRange: 30, qVolume: 25, qTrend: 25, qRsi: 20, score: 100 });
    expect(e!.conditions.rsi).toBeCloseTo(63.88, 2);
    expect(e!.conditions.wma20).toBeCloseTo(789.44, 2);
    expect(e!.conditions.wma50).toBeCloseTo(786.62, 2);
    expect(e!.conditions.wma100).toBeCloseTo(772.59, 2);
    expect(e!.conditions.volumeRatio).toBeCloseTo(1.59, 2);
    expect(e!.conditions.atrPct).toBeCloseTo(1.98, 2);
    expect(e!.id).toMatch(/^three-week-inside-[a-z2-7]{8}$/);

    // By hand from the CSV text: weekly highs/lows, the close, the volume ratio, WMA20.
    const rows = csvRows("AXISBANK");
    const mother = weeklyHL(rows, "2021-09-27");
    const in1 = weeklyHL(rows, "2021-10-04");
    const in2 = weeklyHL(rows, "2021-10-11");
    expect(mother).toMatchObject({ high: 80_880, low: 75_400 });
    expect(in2.days).toEqual(["2021-10-11", "2021-10-12", "2021-10-13", "2021-10-14"]); // 15 Oct: holiday
    for (const w of [in1, in2]) {
      expect(w.high).toBeLessThanOrEqual(mother.high);
      expect(w.low).toBeGreaterThanOrEqual(mother.low);
    }
    // The week before the mother is not a mother for these weeks (its range does not hold them).
    const k = rows.findIndex((r) => r.date === "2021-10-18");
    expect(rows[k]!.close).toBe(81_330);
    expect(rows[k]!.close).toBeGreaterThan(mother.high);
    const prev20 = rows.slice(k - 20, k).reduce((a, r) => a + r.volume, 0) / 20;
    expect(rows[k]!.volume / prev20).toBeCloseTo(e!.conditions.volumeRatio as number, 4);
    expect(rows[k]!.volume / prev20).toBeGreaterThanOrEqual(1.5);
    let ws = 0;
    for (let j = 0; j < 20; j++) ws += (20 - j) * rows[k - j]!.close;
    expect(ws / 210 / 100).toBeCloseTo(e!.conditions.wma20 as number, 3);
    // The setup is spent: no second breakout signal on the following days of that week.
    expect(sig.filter((s) => s.conditions.motherWeek === "2021-09-27")).toHaveLength(1);
  });

  it("RELIANCE 2023-09-20: down breakout of the 2023-08-28 mother is an exit on cash and a short on F&O", () => {
    const bars = daily("RELIANCE");
    const rows = csvRows("RELIANCE");
    const mother = weeklyHL(rows, "2023-08-28");
    expect(mother).toMatchObject({ high: 124_200, low: 119_995 });
    for (const m of ["2023-09-04", "2023-09-11"]) {
      const w = weeklyHL(rows, m);
      expect(w.high <= mother.high && w.low >= mother.low).toBe(true);
    }
    // Week of 18 Sep (19 Sep holiday): 18 Sep closes inside, 20 Sep below the mother low.
    expect(rows.find((r) => r.date === "2023-09-18")!.close).toBeGreaterThan(mother.low);
    expect(rows.find((r) => r.date === "2023-09-20")!.close).toBe(119_110);

    const [x] = byDay(twi.scan(bars, P), "2023-09-20");
    expect(x).toMatchObject({ kind: "exit", side: "short", entry: 119_110, stop: null, targets: [], strength: 100 });
    expect(toIsoIst(x!.barTime)).toBe("2023-09-18T09:15:00+05:30");
    expect(x!.note).toBe("RELIANCE closed ₹1,191.10 below its 3-week-inside mother low ₹1,199.95");

    const [s] = byDay(twi.scan(bars, P, { fno: true }), "2023-09-20");
    expect(s).toMatchObject({ kind: "entry", side: "short", entry: 119_110, stop: 124_200, strength: 100 });
    // R = 1242.00 − 1191.10 = 50.90; 1.5R = 76.35, 3R = 152.70.
    expect(s!.targets).toEqual([111_475, 103_840]);
    expect(toIsoIst(s!.barTime)).toBe("2023-09-18T09:15:00+05:30");
    expect(s!.conditions.rsi).toBeCloseTo(34.39, 2);
    expect((s!.conditions.wma20 as number) < (s!.conditions.wma50 as number)).toBe(true);
    expect((s!.conditions.wma50 as number) < (s!.conditions.wma100 as number)).toBe(true);
    expect(s!.id).not.toBe(x!.id);
  });

  it("ETERNAL: 1-paise tick short (2025-03-11) and a near-breakout alert (2025-08-13)", () => {
    const bars = daily("ETERNAL");
    const fno = twi.scan(bars, P, { fno: true });
    const [s] = byDay(fno, "2025-03-11");
    expect(s).toMatchObject({ kind: "entry", side: "short", entry: 20_807, stop: 23_873, targets: [16_208, 11_609] });
    expect(s!.conditions).toMatchObject({ motherHigh: 238.73, motherLow: 210.51, motherWeek: "2025-02-17" });
    expect(toIsoIst(s!.barTime)).toBe("2025-03-10T09:15:00+05:30");

    const rows = csvRows("ETERNAL");
    const mother = weeklyHL(rows, "2025-07-21");
    expect(mother).toMatchObject({ high: 31_445, low: 25_665 });
    for (const m of ["2025-07-28", "2025-08-04"]) {
      const w = weeklyHL(rows, m);
      expect(w.high <= mother.high && w.low >= mother.low).toBe(true);
    }
    // 11 and 12 Aug close under 99% of 314.45 (311.3055); 13 Aug closes at 312.35.
    expect(rows.find((r) => r.date === "2025-08-11")!.close * 100).toBeLessThan(99 * mother.high);
    expect(rows.find((r) => r.date === "2025-08-12")!.close * 100).toBeLessThan(99 * mother.high);
    const cash = twi.scan(bars, P);
    const alerts = cash.filter((a) => a.conditions.motherWeek === "2025-07-21");
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ kind: "alert", side: "long", entry: 31_235, stop: 25_665, targets: [39_590, 47_945] });
    expect(a.conditions.day).toBe("2025-08-13");
    expect(toIsoIst(a.barTime)).toBe("2025-08-11T09:15:00+05:30");
    expect(a.note).toBe("ETERNAL within 1% of its 3-week-inside mother high ₹314.45");
    // 14 Aug closes 318.40 above the mother high, but on 0.44x-ish volume: no entry by default…
    expect(byDay(cash, "2025-08-14")).toEqual([]);
    // …and an entry once the volume filter is off: the breakout itself was seen.
    const [e] = byDay(twi.scan(bars, loose({ volumeMultiple: 0 })), "2025-08-14");
    expect(e).toMatchObject({ kind: "entry", side: "long", entry: 31_840, stop: 25_665 });
    expect(e!.conditions.volumeRatio as number).toBeLessThan(1.5);
  });

  it("all 50 stocks: default-filter breakouts exist and every signal obeys the rules", () => {
    let entries = 0;
    let shorts = 0;
    for (const sym of shippedSymbols()) {
      const bars = daily(sym);
      const weekOpen = new Map<string, Date>();
      for (const b of bars) {
        const m = mondayOf(istDate(b.time));
        if (!weekOpen.has(m)) weekOpen.set(m, b.time);
      }
      for (const fno of [false, true]) {
        const sig = twi.scan(bars, P, { fno });
        expect(new Set(sig.map((s) => s.id)).size).toBe(sig.length);
        for (const s of sig) {
          expect(s.id.length).toBeLessThanOrEqual(40);
          expect(Number.isInteger(s.strength) && s.strength >= 0 && s.strength <= 100).toBe(true);
          expect(s.timeframe).toBe("1w");
          // barTime is the first trading day of the signal day's week.
          expect(s.barTime).toEqual(weekOpen.get(mondayOf(String(s.conditions.day))));
          expect(s.conditions.insideWeeks as number).toBeGreaterThanOrEqual(2);
          expectOnTick(s);
          const c = s.conditions as Record<string, number>;
          if (s.kind === "entry" && s.side === "long") {
            if (!fno) entries++;
            expect(s.entry / 100).toBeGreaterThan(c.motherHigh!);
            expect(c.rsi! > 55 && c.wma20! > c.wma50! && c.wma50! > c.wma100! && c.volumeRatio! >= 1.5 && c.atrPct! < 6).toBe(true);
            expect(s.stop).toBeLessThanOrEqual(toPaise(c.motherLow!));
          }
          if (s.side === "short") {
            expect(s.entry / 100).toBeLessThan(c.motherLow!);
            if (!fno) expect(s.kind).toBe("exit");
            else {
              shorts++;
              expect(s.kind).toBe("entry");
              expect(c.rsi! < 45 && c.wma20! < c.wma50! && c.wma50! < c.wma100! && c.volumeRatio! >= 1.5 && c.atrPct! < 6).toBe(true);
            }
          }
          if (s.kind === "alert") expect(s.entry / 100 >= 0.99 * c.motherHigh! && s.entry / 100 <= c.motherHigh!).toBe(true);
        }
      }
    }
    // 52 default-filter long entries and 24 F&O shorts on the shipped 2020-10..2025-09 data.
    expect(entries).toBe(52);
    expect(shorts).toBe(24);
  });
});

describe("three-week-inside: synthetic", () => {
  it("fires a long on the first close above the mother high, with the alert before it once", () => {
    const { bars, s } = upSeries((st) => [[day(st.mH - 100), day(st.mH - 50), breakout(st.mH)]]);
    const sig = twi.scan(bars, P);
    expect(sig.map((x) => [x.kind, x.conditions.day])).toEqual([
      ["alert", "2024-07-22"],
      ["entry", "2024-07-24"],
    ]);
    const e = sig[1]!;
    expect(toIsoIst(e.barTime)).toBe("2024-07-22T09:15:00+05:30");
    expect(e.entry).toBe(s.mH + 300);
    expect(e.stop).toBe(s.mL);
    const r = e.entry - s.mL;
    expect(e.targets).toEqual([r5(e.entry + 1.5 * r), r5(e.entry + 3 * r)]);
    expect(e.conditions).toMatchObject({ motherWeek: "2024-07-01", insideWeeks: 2, volumeRatio: 2 });
  });

  it("each filter matters: volume, RSI, ATR% and the WMA stack", () => {
    const good = upSeries((st) => [[breakout(st.mH)]]).bars;
    const [e] = twi.scan(good, P);
    expect(e!.kind).toBe("entry");
    const c = e!.conditions as Record<string, number>;
    expect(c.rsi).toBeGreaterThan(55);
    // Volume 1.4x the previous 20 days: no signal.
    expect(twi.scan(upSeries((st) => [[breakout(st.mH, 140_000)]]).bars, P)).toEqual([]);
    expect(twi.scan(upSeries((st) => [[breakout(st.mH, 150_000)]]).bars, P)).toHaveLength(1);
    // Thresholds straddling the measured values.
    const { close, high, low } = toOhlcv(good);
    const n = good.length - 1;
    const r = rsi(close, 14)[n]!;
    const a = atrPercent({ high, low, close }, 14)[n]!;
    expect(twi.scan(good, loose({ rsiMin: r + 0.01 }))).toEqual([]);
    expect(twi.scan(good, loose({ rsiMin: r - 0.01 }))).toHaveLength(1);
    expect(twi.scan(good, loose({ atrPctMax: a }))).toEqual([]);
    expect(twi.scan(good, loose({ atrPctMax: a + 0.001 }))).toHaveLength(1);

    // WMA stack: a long decline then a short bounce. RSI, volume, ATR% pass; WMA50 < WMA100.
    const down = trend(24, 160_000, -0.004);
    const bounce = trend(3, down.last, 0.006);
    const st = setup(bounce.last);
    const v = build([...down.weeks, ...bounce.weeks, st.mother, st.inside(), st.inside(), [day(st.mH - 100), breakout(st.mH)]]);
    const o = toOhlcv(v);
    const m = v.length - 1;
    expect(rsi(o.close, 14)[m]!).toBeGreaterThan(55);
    expect(volumeRatio(o.volume, 20)[m]!).toBeGreaterThanOrEqual(1.5);
    expect(atrPercent(o, 14)[m]!).toBeLessThan(6);
    expect(wma(o.close, 20)[m]!).toBeGreaterThan(wma(o.close, 50)[m]!);
    expect(wma(o.close, 50)[m]!).toBeLessThan(wma(o.close, 100)[m]!);
    // The setup is armed (the near alert fires) but the breakout is filtered out.
    expect(twi.scan(v, P).map((x) => x.kind)).toEqual(["alert"]);
  });

  it("pattern near-misses: inside week poking 5 paise above the mother; close equal to the mother high", () => {
    const up = trend(26, 100_000, 0.004);
    const s = setup(up.last);
    const poke = s.inside();
    poke[2] = { ...poke[2]!, h: s.mH + 5 };
    expect(twi.scan(build([...up.weeks, s.mother, s.inside(), poke, [breakout(s.mH)]]), P)).toEqual([]);
    const exact = { ...poke[2]!, h: s.mH };
    const ok = s.inside();
    ok[2] = exact;
    expect(twi.scan(build([...up.weeks, s.mother, s.inside(), ok, [breakout(s.mH)]]), P).map((x) => x.kind)).toEqual(["entry"]);
    // A close exactly at the mother high is not a breakout (only the near alert).
    const at = twi.scan(upSeries((st) => [[{ ...breakout(st.mH), c: st.mH }]]).bars, P);
    expect(at.map((x) => x.kind)).toEqual(["alert"]);
    // Just under 99% of the mother high: no alert either.
    const under = twi.scan(upSeries((st) => [[day(Math.floor((st.mH * 0.99) / 5) * 5 - 5)]]).bars, P);
    expect(under).toEqual([]);
  });

  it("a near alert whose stop would not be a tick below the close is skipped", () => {
    // A mother only 1 rupee wide (under 1%): a close on the mother low is also "near" the high.
    const up = trend(26, 100_000, 0.004);
    // Above the last trend week, so that week is no mother of the flat weeks.
    const b = up.last + 1000;
    const flat = (): D[] => Array.from({ length: 5 }, () => ({ o: b, h: b + 50, l: b - 50, c: b }));
    const at = (c: number) => build([...up.weeks, flat(), flat(), flat(), [{ o: b, h: b + 50, l: b - 50, c }]]);
    expect(twi.scan(at(b - 50), P)).toEqual([]);
    const sig = twi.scan(at(b - 45), P);
    expect(sig).toHaveLength(1);
    expect(sig[0]).toMatchObject({ kind: "alert", entry: b - 45, stop: b - 50, targets: [b - 45 + 10, b - 45 + 15] });
    expect(sig[0]!.conditions).toMatchObject({ motherHigh: (b + 50) / 100, motherLow: (b - 50) / 100, day: "2024-07-22" });
  });

  it("armed only once inside week 2 is complete (a bar of a later week exists)", () => {
    const { bars, s } = upSeries((st) => [[day(st.mH - 100)]]);
    // Last inside-2 bar closing near the mother high: week 2 still in progress, so nothing.
    const in2End = bars.length - 2;
    const near: Candle = { ...bars[in2End]!, close: s.mH - 100, high: s.mH - 50 };
    const truncated = [...bars.slice(0, in2End), near];
    expect(twi.scan(truncated, P)).toEqual([]);
    // The next week's first bar arms the setup and alerts on itself.
    const full = [...truncated, bars[bars.length - 1]!];
    expect(twi.evaluate(full, P).map((x) => [x.kind, x.conditions.day])).toEqual([["alert", "2024-07-22"]]);
  });

  it("expires after maxWeeksArmed weeks after inside 2; later inside weeks are counted", () => {
    // One-day filler weeks inside the mother, each shifted up 2 rupees so none nests in
    // the one before (no newer mother forms), closing far from the mother high.
    const fill = (st: ReturnType<typeof setup>, k: number): D[][] => Array.from({ length: k }, (_, j) => [day(st.mH - 3000 + j * 200)]);
    const onWeek = (k: number) => upSeries((st) => [...fill(st, k - 1), [breakout(st.mH)]]).bars;
    // Breakout in the 4th week after inside 2: fires; 2 + 3 inside weeks.
    const [e] = twi.scan(onWeek(4), P);
    expect(e).toMatchObject({ kind: "entry", side: "long" });
    expect(e!.conditions).toMatchObject({ motherWeek: "2024-07-01", insideWeeks: 5 });
    // In the 5th week the setup has expired…
    expect(twi.scan(onWeek(5), P)).toEqual([]);
    // …unless maxWeeksArmed allows it.
    expect(twi.scan(onWeek(5), loose({ maxWeeksArmed: 5 })).map((x) => [x.kind, x.conditions.insideWeeks])).toEqual([["entry", 6]]);
    // A week that is not inside (but does not close outside) keeps the setup armed and
    // stops the inside count.
    const poke = upSeries((st) => [[{ ...day(st.mH - 3000), h: st.mH + 100 }], [day(st.mH - 2800)], [breakout(st.mH)]]).bars;
    expect(twi.scan(poke, P).map((x) => [x.kind, x.conditions.insideWeeks])).toEqual([["entry", 2]]);
  });

  it("a newer mother replaces the older one", () => {
    const up = trend(26, 100_000, 0.004);
    const a = setup(up.last);
    const base = up.last;
    // B: inside A with a narrower range; C and D inside B (so also inside A).
    const B: D[] = [day(base), { o: base, h: base + 1200, l: base - 1200, c: base + 200 }, day(base + 100)];
    const inB: D[] = [day(base + 100), day(base + 200), day(base)];
    // Closes at base + 1400: above B's high, under A's.
    const bars = build([...up.weeks, a.mother, B, inB, inB, [breakout(base + 1100)]]);
    const sig = twi.scan(bars, P);
    // A (mother 07-01, inside B and the first inB) is armed from 07-22 and alerts at once;
    // when the second inB completes, B (07-08) replaces it and the 07-29 close breaks B.
    expect(sig.map((x) => [x.kind, x.conditions.day, x.conditions.motherWeek])).toEqual([
      ["alert", "2024-07-22", "2024-07-01"],
      ["entry", "2024-07-29", "2024-07-08"],
    ]);
    expect(sig[1]!.conditions).toMatchObject({ motherHigh: (base + 1200) / 100, motherLow: (base - 1200) / 100, insideWeeks: 2 });
    expect(sig[1]!.stop).toBe(base - 1200);
    // Under A alone the same close (below A's high) would not be a breakout.
    expect(sig[1]!.entry).toBeLessThan(a.mH);
  });

  it("barTime is the week's first trading day when Monday is a holiday", () => {
    const { bars } = upSeries((st) => [[{ ...day(st.mH), skip: true }, breakout(st.mH)]]);
    const [e] = twi.scan(bars, P);
    expect(e!.conditions.day).toBe("2024-07-23");
    expect(weekday(String(e!.conditions.day))).toBe(2);
    expect(toIsoIst(e!.barTime)).toBe("2024-07-23T09:15:00+05:30");
  });

  it("downside: exit on cash (no filters), filtered short on F&O", () => {
    const up = upSeries((st) => [[breakout(st.mH)]]);
    const down = mirror(up.bars);
    const mL = 400_000 - up.s.mH;
    const cash = twi.scan(down, P);
    expect(cash).toHaveLength(1);
    expect(cash[0]).toMatchObject({ kind: "exit", side: "short", stop: null, targets: [], entry: mL - 300 });
    const fno = twi.scan(down, P, { fno: true });
    expect(fno).toHaveLength(1);
    const s = fno[0]!;
    expect(s).toMatchObject({ kind: "entry", side: "short", entry: mL - 300, stop: 400_000 - up.s.mL });
    const r = s.stop! - s.entry;
    expect(s.targets).toEqual([r5(s.entry - 1.5 * r), r5(s.entry - 3 * r)]);
    expect(s.conditions.rsi as number).toBeLessThan(45);
    // Low volume: F&O short filtered out, the cash exit stays.
    const quiet = mirror(upSeries((st) => [[breakout(st.mH, 100_000)]]).bars);
    expect(twi.scan(quiet, P, { fno: true })).toEqual([]);
    expect(twi.scan(quiet, P).map((x) => x.kind)).toEqual(["exit"]);
    // Cash never opens a short.
    expect(cash.some((x) => x.kind === "entry")).toBe(false);
  });
});

describe("three-week-inside: causality and determinism", () => {
  it("scan equals bar-by-bar evaluate (ASIANPAINT 2021-05..2022-04, cash and F&O)", () => {
    const bars = daily("ASIANPAINT");
    const a = bars.findIndex((b) => istDate(b.time) >= "2021-05-01");
    const b = bars.findIndex((x) => istDate(x.time) >= "2022-05-01");
    for (const fno of [false, true]) {
      const whole = twi.scan(bars, P, { fno }).filter((s) => String(s.conditions.day) >= "2021-05-01" && String(s.conditions.day) < "2022-05-01");
      const ranged = twi.scan(bars.slice(0, b), P, { fno, from: a });
      const stepped: SignalDraft[] = [];
      for (let i = a; i < b; i++) stepped.push(...twi.evaluate(bars.slice(0, i + 1), P, { fno }));
      expect(stepped).toEqual(whole);
      expect(ranged).toEqual(whole);
      expect(whole.some((s) => s.kind === "entry")).toBe(true);
      expect(whole.some((s) => s.kind === "alert")).toBe(true);
      expect(whole.some((s) => s.side === "short")).toBe(true);
    }
  });

  it("same input, same signals and ids", () => {
    const bars = daily("TECHM");
    const one = twi.scan(bars, P);
    const two = twi.scan(bars.map((b) => ({ ...b })), twi.params.parse({}));
    expect(two).toEqual(one);
    expect(one.length).toBeGreaterThan(0);
    expect(new Set(one.map((s) => s.id)).size).toBe(one.length);
    // Different params, different ids.
    const other = twi.scan(bars, loose({ t2R: 4 }));
    expect(other.map((s) => s.id)).not.toEqual(one.map((s) => s.id));
  });
});
