import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ema, supertrend } from "../../../src/engine/indicators/index.js";
import type { Candle } from "../../../src/engine/market/candle.js";
import { BANKNIFTY_75M_FILE, loadBankNifty75m } from "../../../src/engine/market/shipped-data.js";
import { toOhlcv } from "../../../src/engine/strategies/bars.js";
import { bankNiftyTrend, bankNiftyTrendRun, type BankNiftyTrendParams } from "../../../src/engine/strategies/banknifty-trend.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import { toIsoIst } from "../../../src/engine/time/ist.js";

const bars = loadBankNifty75m().candles;
const n = bars.length;
const P = bankNiftyTrend.defaults;
const all = bankNiftyTrend.scan(bars, P);
const run = bankNiftyTrendRun(bars, P);

/** The raw CSV rows, parsed here without the project's loader: [time, open, high, low, close] in paise. */
const raw = readFileSync(BANKNIFTY_75M_FILE, "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => {
    const [t, o, h, l, c] = line.split(",");
    return { time: t!, open: Math.round(Number(o) * 100), high: Math.round(Number(h) * 100), low: Math.round(Number(l) * 100), close: Math.round(Number(c) * 100) };
  });
const rc = raw.map((r) => r.close);

// Plain reference indicators (textbook definitions, one loop each).
function refEma(x: number[], p: number): number[] {
  const out = x.map(() => NaN);
  let s = 0;
  for (let i = 0; i < p; i++) s += x[i]!;
  out[p - 1] = s / p;
  for (let i = p; i < x.length; i++) out[i] = (x[i]! - out[i - 1]!) * (2 / (p + 1)) + out[i - 1]!;
  return out;
}
function refRsi(x: number[], p: number): number[] {
  const out = x.map(() => NaN);
  let g = 0;
  let l = 0;
  for (let i = 1; i <= p; i++) {
    const d = x[i]! - x[i - 1]!;
    if (d > 0) g += d;
    else l -= d;
  }
  g /= p;
  l /= p;
  out[p] = 100 - 100 / (1 + g / l);
  for (let i = p + 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    g = (g * (p - 1) + Math.max(d, 0)) / p;
    l = (l * (p - 1) + Math.max(-d, 0)) / p;
    out[i] = 100 - 100 / (1 + g / l);
  }
  return out;
}
function refAtr(rows: { high: number; low: number; close: number }[], p: number): number[] {
  const tr = rows.map((r, i) => (i === 0 ? r.high - r.low : Math.max(r.high - r.low, Math.abs(r.high - rows[i - 1]!.close), Math.abs(r.low - rows[i - 1]!.close))));
  const out = tr.map(() => NaN);
  out[p - 1] = tr.slice(0, p).reduce((a, b) => a + b, 0) / p;
  for (let i = p; i < tr.length; i++) out[i] = (out[i - 1]! * (p - 1) + tr[i]!) / p;
  return out;
}
function refEr(x: number[], i: number, p: number): number {
  let path = 0;
  for (let j = i - p + 1; j <= i; j++) path += Math.abs(x[j]! - x[j - 1]!);
  return Math.abs(x[i]! - x[i - p]!) / path;
}
const atrRef = refAtr(raw, 14);
const floor5 = (x: number) => Math.floor(x / 5) * 5;

const indexOf = (iso: string) => raw.findIndex((r) => r.time === iso);
const at = (signals: SignalDraft[], i: number) => signals.filter((s) => s.barTime.getTime() === bars[i]!.time.getTime());

describe("banknifty-trend definition", () => {
  it("is the BANKNIFTY 75m long-only trend follower", () => {
    expect(bankNiftyTrend.name).toBe("banknifty-trend");
    expect(bankNiftyTrend.timeframe).toBe("75m");
    expect(bankNiftyTrend.defaultUniverse).toBe("banknifty");
    expect(bankNiftyTrend.needsVolume).toBe(false);
    expect(bankNiftyTrend.evaluate([], P)).toEqual([]);
  });

  it("has the documented defaults", () => {
    expect(P).toEqual({
      rsiPeriod: 14,
      rsiMin: 70,
      emaPeriod: 200,
      dcPeriod: 20,
      adxPeriod: 14,
      adxMin: 25,
      erPeriod: 10,
      erMin: 0.5,
      stPeriod: 10,
      stMultiplier: 3,
      dojiFraction: 0.1,
      atrPeriod: 14,
      initialAtr: 1,
      trailAtr: 2,
      pyramidAtr: 0.75,
      maxPyramids: 5,
      marginPerUnitPct: 15,
      maxMarginPct: 100,
    });
  });

  it("rejects invalid params naming the field, and unknown keys", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ rsiMin: 150 }, "rsiMin"],
      [{ erMin: 1.5 }, "erMin"],
      [{ maxPyramids: 6 }, "maxPyramids"],
      [{ pyramidAtr: 0 }, "pyramidAtr"],
      [{ emaPeriod: 1.5 }, "emaPeriod"],
      [{ marginPerUnitPct: 50, maxMarginPct: 40 }, "maxMarginPct"],
    ];
    for (const [input, field] of bad) {
      const r = bankNiftyTrend.params.safeParse(input);
      expect(r.success, field).toBe(false);
      expect(r.error!.issues.some((i) => i.path.includes(field)), field).toBe(true);
    }
    const r = bankNiftyTrend.params.safeParse({ rsiMinimum: 60 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain("rsiMinimum");
  });
});

describe("banknifty-trend on BANKNIFTY 75m, 2021-01..2023-01", () => {
  it("loads the same rows the test parses", () => {
    expect(n).toBe(raw.length);
    expect(n).toBe(2571);
    expect(bars.map((b) => b.close)).toEqual(rc);
  });

  it("produces base entries, pyramids and exits", () => {
    const base = all.filter((s) => s.kind === "entry" && s.unit === 0);
    const pyramids = all.filter((s) => s.kind === "entry" && s.unit! > 0);
    const exits = all.filter((s) => s.kind === "exit");
    expect(base.length).toBe(18);
    expect(pyramids.length).toBe(26);
    expect(exits.length).toBe(44);
    // Every pyramid number 1..5 is used at least once (Oct 2021 fills all six units).
    expect(new Set(pyramids.map((s) => s.unit))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(run.signals).toEqual(all);
  });

  it("first base entry: 21 May 2021 14:15, checked against the raw rows", () => {
    const first = all[0]!;
    const i = indexOf("2021-05-21T14:15:00+05:30");
    expect(i).toBe(465);
    expect(toIsoIst(first.barTime)).toBe("2021-05-21T14:15:00+05:30");
    expect(first).toMatchObject({ symbol: "BANKNIFTY", timeframe: "75m", kind: "entry", side: "long", unit: 0, entry: 3468635, stop: 3442970, targets: [], strength: 57 });
    const c = first.conditions;
    expect(c.rsi).toBeCloseTo(74.73, 2);
    expect(c.ema).toBeCloseTo(33099.69, 2);
    expect(c.dcUpper).toBe(34156.65);
    expect(c.adx).toBeCloseTo(28.42, 2);
    expect(c.er).toBeCloseTo(0.5648, 4);
    expect(c.supertrend).toBeCloseTo(33639.42, 2);
    expect(c.doji).toBe(false);
    expect(c.atr).toBeCloseTo(256.6, 2);

    // Independent recomputation from the CSV rows.
    const r = raw[i]!;
    expect(r.close).toBe(first.entry);
    const dcUpper = Math.max(...raw.slice(i - 20, i).map((x) => x.high));
    expect(dcUpper).toBe(3415665); // the 13:00 bar's high the same day
    expect(r.close).toBeGreaterThan(dcUpper);
    expect(c.dcUpper).toBe(dcUpper / 100);
    const e = refEma(rc, 200)[i]!;
    expect(c.ema).toBeCloseTo(e / 100, 3);
    expect(r.close).toBeGreaterThan(e);
    const rs = refRsi(rc, 14)[i]!;
    expect(c.rsi).toBeCloseTo(rs, 3);
    expect(rs).toBeGreaterThan(70);
    const er = refEr(rc, i, 10);
    expect(c.er).toBeCloseTo(er, 4);
    expect(er).toBeGreaterThan(0.5);
    expect(Math.abs(r.close - r.open)).toBeGreaterThan(0.1 * (r.high - r.low)); // not a doji
    expect(first.stop).toBe(floor5(r.close - atrRef[i]!)); // entry − 1 ATR, down to ₹0.05
    // Nothing fired earlier: with the defaults this is the first bar where all seven hold.
    expect(all.every((s) => s.barTime >= first.barTime)).toBe(true);
  });

  it("first pyramid and the first exits of that position", () => {
    const p1 = all[1]!;
    expect(toIsoIst(p1.barTime)).toBe("2021-05-27T14:15:00+05:30");
    expect(p1).toMatchObject({ kind: "entry", side: "long", unit: 1, entry: 3513430, stop: 3487100 });
    expect(p1.conditions).toMatchObject({ lastEntry: 34686.35, openPnl: 447.95, units: 2, marginPct: 30 });
    const i = bars.findIndex((b) => b.time.getTime() === p1.barTime.getTime());
    expect(3513430 - 3468635).toBeGreaterThanOrEqual(0.75 * atrRef[i]!);
    expect(p1.conditions.spacingAtr).toBeCloseTo((3513430 - 3468635) / atrRef[i]!, 4);

    const exits = all.filter((s) => toIsoIst(s.barTime) === "2021-06-08T09:15:00+05:30");
    expect(exits.map((s) => [s.kind, s.side, s.unit, s.entry, s.conditions.stop])).toEqual([
      ["exit", "short", 0, 3508680, 35314.25],
      ["exit", "short", 1, 3508680, 35314.25],
    ]);
    expect(exits[0]!.note).toBe("unit 0 trailing stop ₹35,314.25 hit: close ₹35,086.80");
    expect(exits[1]!.conditions.unitsLeft).toBe(0);
  });

  it("keeps the unit invariants over the whole run", () => {
    const open = new Map<number, number>(); // unit -> entry price
    let lastEntry = 0;
    let maxOpen = 0;
    const seenIds = new Set<string>();
    for (const s of all) {
      const i = bars.findIndex((b) => b.time.getTime() === s.barTime.getTime());
      expect(s.entry).toBe(rc[i]); // every signal is at the bar's close
      if (s.kind === "exit") {
        expect(s.side).toBe("short");
        expect(open.has(s.unit!), `exit of a closed unit ${s.unit} at ${toIsoIst(s.barTime)}`).toBe(true);
        expect(s.entry).toBeLessThanOrEqual(Math.round(Number(s.conditions.stop) * 100));
        expect(s.stop).toBeNull();
        expect(s.targets).toEqual([]);
        expect(s.note).toMatch(/^unit \d trailing stop ₹[\d,.]+ hit: close ₹[\d,.]+$/);
        open.delete(s.unit!);
        continue;
      }
      expect(s.kind).toBe("entry");
      expect(s.side).toBe("long");
      expect(s.targets).toEqual([]);
      expect(s.stop!).toBeLessThan(s.entry);
      expect(s.stop).toBe(floor5(s.entry - atrRef[i]!));
      expect(s.strength).toBeGreaterThanOrEqual(1);
      expect(s.strength).toBeLessThanOrEqual(100);
      if (s.unit === 0) {
        expect(open.size, `base entry while units are open at ${toIsoIst(s.barTime)}`).toBe(0);
        expect(s.conditions.rsi as number).toBeGreaterThan(70);
        expect(s.conditions.adx as number).toBeGreaterThan(25);
        expect(s.conditions.er as number).toBeGreaterThan(0.5);
        expect(s.conditions.doji).toBe(false);
        expect(rc[i]!).toBeGreaterThan(Math.max(...raw.slice(i - 20, i).map((x) => x.high)));
      } else {
        expect(open.size).toBeGreaterThan(0);
        expect(open.has(s.unit!)).toBe(false);
        expect(s.unit!).toBeGreaterThanOrEqual(1);
        expect(s.unit!).toBeLessThanOrEqual(5);
        // Spacing from the position's last entry, by an independent ATR.
        expect(s.conditions.lastEntry).toBe(lastEntry / 100);
        expect(s.entry - lastEntry).toBeGreaterThanOrEqual(0.75 * atrRef[i]!);
        let pnl = 0;
        for (const e of open.values()) pnl += s.entry - e;
        expect(pnl).toBeGreaterThan(0);
        expect(s.conditions.openPnl).toBe(pnl / 100);
        expect(s.conditions.units).toBe(open.size + 1);
        expect(s.conditions.marginPct as number).toBeLessThanOrEqual(100);
      }
      open.set(s.unit!, s.entry);
      lastEntry = s.entry;
      maxOpen = Math.max(maxOpen, open.size);
      expect(open.size).toBeLessThanOrEqual(6);
      expect(seenIds.has(s.id)).toBe(false);
      seenIds.add(s.id);
    }
    expect(maxOpen).toBe(6);
  });

  it("each unit's stop never loosens and trails the highest close by 2 ATR", () => {
    expect(run.units.length).toBe(44);
    const exits = all.filter((s) => s.kind === "exit");
    expect(run.units.filter((u) => u.exitIndex !== null).length).toBe(exits.length);
    for (const u of run.units) {
      expect(u.stops[0]).toBe(u.initialStop);
      expect(u.initialStop).toBe(floor5(u.entry - atrRef[u.entryIndex]!));
      const last = u.exitIndex ?? n;
      expect(u.stops.length).toBe(last - u.entryIndex);
      let hc = u.entry;
      for (let j = 1; j < u.stops.length; j++) {
        const i = u.entryIndex + j;
        expect(u.stops[j]!).toBeGreaterThanOrEqual(u.stops[j - 1]!);
        expect(rc[i]!, `unit ${u.unit} closed above its stop while open`).toBeGreaterThan(u.stops[j - 1]!);
        hc = Math.max(hc, rc[i]!);
        expect(u.stops[j]).toBe(Math.max(u.stops[j - 1]!, floor5(hc - 2 * atrRef[i]!)));
      }
      if (u.exitIndex !== null) {
        expect(u.exitPrice).toBe(rc[u.exitIndex]);
        expect(rc[u.exitIndex]!).toBeLessThanOrEqual(u.stops.at(-1)!);
        // Reported exactly once, on that bar, for that unit.
        const ex = exits.filter((s) => s.unit === u.unit && s.barTime.getTime() === u.exitTime!.getTime());
        expect(ex.length).toBe(1);
        expect(ex[0]!.conditions.stop).toBe(u.stops.at(-1)! / 100);
      }
    }
  });

  it("each of the seven conditions can block an entry on real bars", () => {
    const cases: [string, Partial<BankNiftyTrendParams>][] = [
      ["2021-04-28T11:45:00+05:30", { adxMin: 20 }], // ADX 20.45
      ["2021-09-27T09:15:00+05:30", { rsiMin: 68 }], // RSI 68.38
      ["2022-01-07T09:15:00+05:30", { erMin: 0.4 }], // ER 0.420
      ["2021-10-13T09:15:00+05:30", { dojiFraction: 0.05 }], // body 7.2 % of the range
      ["2021-02-01T11:45:00+05:30", { emaPeriod: 50 }], // EMA 200 still warming up
    ];
    for (const [iso, loosened] of cases) {
      const i = indexOf(iso);
      expect(at(all, i), iso).toEqual([]);
      const s = at(bankNiftyTrend.scan(bars, bankNiftyTrend.params.parse(loosened)), i);
      expect(s.map((x) => [x.kind, x.unit]), iso).toEqual([["entry", 0]]);
    }
    // The doji bar, from the raw row: |close − open| ≤ 10 % of the range, > 5 %.
    const d = raw[indexOf("2021-10-13T09:15:00+05:30")]!;
    expect(Math.abs(d.close - d.open)).toBeLessThanOrEqual(0.1 * (d.high - d.low));
    expect(Math.abs(d.close - d.open)).toBeGreaterThan(0.05 * (d.high - d.low));
    // SuperTrend: with multiplier 20 the line is still above price on 21 May 2021, so no entry.
    const wide = bankNiftyTrend.params.parse({ stMultiplier: 20 });
    expect(supertrend(toOhlcv(bars), { period: 10, multiplier: 20 }).direction[465]).toBe(-1);
    expect(at(bankNiftyTrend.scan(bars, wide), 465)).toEqual([]);
    // Donchian: 29 Apr 2021 09:15 closed at 33655.90, under the prior 20 bars' high of 33777.70.
    const k = indexOf("2021-04-29T09:15:00+05:30");
    expect(Math.max(...raw.slice(k - 20, k).map((x) => x.high))).toBe(3377770);
    expect(rc[k]).toBe(3365590);
    expect(at(all, k)).toEqual([]);
  });

  it("margin budget and maxPyramids cap the units", () => {
    for (const [over, cap] of [
      [{ maxMarginPct: 60 }, 4],
      [{ maxPyramids: 2 }, 3],
      [{ maxPyramids: 0 }, 1],
    ] as [Partial<BankNiftyTrendParams>, number][]) {
      const sig = bankNiftyTrend.scan(bars, bankNiftyTrend.params.parse(over));
      let open = 0;
      let max = 0;
      for (const s of sig) {
        open += s.kind === "entry" ? 1 : -1;
        max = Math.max(max, open);
      }
      expect(max).toBe(cap);
      expect(Math.max(...sig.map((s) => s.unit!))).toBe(cap - 1);
    }
  });

  it("scan equals evaluate bar by bar (causal), and from= only trims the report", () => {
    const lo = 440;
    const hi = 900;
    const fromLo = bankNiftyTrend.scan(bars, P, { from: lo }).filter((s) => s.barTime <= bars[hi]!.time);
    const stepwise: SignalDraft[] = [];
    for (let i = lo; i <= hi; i++) stepwise.push(...bankNiftyTrend.evaluate(bars.slice(0, i + 1), P));
    expect(stepwise).toEqual(fromLo);
    expect(stepwise.some((s) => s.kind === "entry" && s.unit! > 0)).toBe(true);
    expect(stepwise.some((s) => s.kind === "exit")).toBe(true);
    expect(fromLo).toEqual(all.filter((s) => s.barTime >= bars[lo]!.time && s.barTime <= bars[hi]!.time));
  });

  it("is deterministic, ids are unique and short, prices on the ₹0.05 tick", () => {
    expect(bankNiftyTrend.scan(bars, P)).toEqual(all);
    const ids = all.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of all) {
      expect(s.id.length).toBeLessThanOrEqual(40);
      expect(s.id.startsWith("banknifty-trend-")).toBe(true);
      for (const p of [s.entry, ...(s.stop === null ? [] : [s.stop])]) {
        expect(Number.isInteger(p)).toBe(true);
        expect(p % 5).toBe(0);
      }
      expect(Number.isInteger(s.strength)).toBe(true);
    }
    // Another parameter set gives other ids for the same bar.
    const other = bankNiftyTrend.scan(bars, bankNiftyTrend.params.parse({ trailAtr: 2.5 }));
    expect(other[0]!.barTime).toEqual(all[0]!.barTime);
    expect(other[0]!.id).not.toBe(all[0]!.id);
  });

  it("is long-only with fno too (v6 has no short side)", () => {
    expect(bankNiftyTrend.scan(bars, P, { fno: true })).toEqual(all);
    expect(all.filter((s) => s.kind === "entry").every((s) => s.side === "long")).toBe(true);
  });
});

describe("banknifty-trend on synthetic series", () => {
  /** A steady climb of ₹10 a bar from ₹1,000: body ₹8, range ₹12, true range ₹12. */
  function uptrend(count: number): Candle[] {
    const out: Candle[] = [];
    const t0 = Date.parse("2024-01-01T03:45:00Z");
    for (let i = 0; i < count; i++) {
      const c = 100_000 + i * 1000;
      out.push({ symbol: "BANKNIFTY", timeframe: "75m", time: new Date(t0 + i * 75 * 60_000), open: c - 800, high: c + 200, low: c - 1000, close: c, volume: 0 });
    }
    return out;
  }
  const entriesOf = (s: SignalDraft[]) => s.filter((x) => x.kind === "entry").map((x) => [x.unit, x.entry, x.stop]);

  it("a steady uptrend fires the base when EMA 200 exists, then five pyramids, then a fall exits all six", () => {
    const b = uptrend(215);
    const last = b[214]!.close;
    b.push({ ...b[214]!, time: new Date(b[214]!.time.getTime() + 75 * 60_000), open: last, high: last, low: last - 6000, close: last - 5000 });
    const s = bankNiftyTrend.scan(b, P);
    // ATR = ₹12: initial stop ₹12 under each entry; ₹10 a bar ≥ 0.75 ATR = ₹9, so one pyramid a bar.
    expect(entriesOf(s)).toEqual([
      [0, 299_000, 297_800],
      [1, 300_000, 298_800],
      [2, 301_000, 299_800],
      [3, 302_000, 300_800],
      [4, 303_000, 301_800],
      [5, 304_000, 302_800],
    ]);
    expect(s[0]!.conditions).toMatchObject({ rsi: 100, er: 1, adx: 100, doji: false, atr: 12 });
    expect(toIsoIst(s[0]!.barTime)).toBe(toIsoIst(b[199]!.time));
    const exits = s.filter((x) => x.kind === "exit");
    expect(exits.map((x) => x.unit)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(exits.every((x) => x.barTime.getTime() === b[215]!.time.getTime())).toBe(true);
    // Every stop trailed to the highest close (₹3,140) − 2 ATR (₹24) = ₹3,116, up from the initial stops.
    expect(exits.map((x) => x.conditions.stop)).toEqual([3116, 3116, 3116, 3116, 3116, 3116]);
    const units = bankNiftyTrendRun(b, P).units;
    expect(units.map((u) => u.exitIndex)).toEqual([215, 215, 215, 215, 215, 215]);
  });

  it("a close exactly at the stop exits; one tick above does not", () => {
    for (const [close, exits] of [
      [311_600, 6],
      [311_605, 0],
    ] as const) {
      const b = uptrend(215);
      const prev = b[214]!.close;
      // An outside-down bar: TR = ₹31.40, ATR moves but the stops (₹3,116, set on bar 214) are checked first.
      b.push({ ...b[214]!, time: new Date(b[214]!.time.getTime() + 75 * 60_000), open: prev, high: prev, low: close, close });
      const s = bankNiftyTrend.scan(b, P).filter((x) => x.kind === "exit");
      expect(s.length, `close ${close}`).toBe(exits);
    }
  });

  it("a doji bar blocks an otherwise valid entry", () => {
    const b = uptrend(210);
    b[199] = { ...b[199]!, open: b[199]!.close - 100 }; // body ₹1 ≤ 10 % of the ₹12 range
    const s = bankNiftyTrend.scan(b, P);
    expect(at2(s, b, 199)).toEqual([]);
    expect(at2(s, b, 200).map((x) => [x.kind, x.unit, x.conditions.doji])).toEqual([["entry", 0, false]]);
    // dojiFraction 0 (only open = close is a doji) lets it fire on bar 199.
    const loose = bankNiftyTrend.scan(b, bankNiftyTrend.params.parse({ dojiFraction: 0 }));
    expect(at2(loose, b, 199).map((x) => [x.kind, x.unit])).toEqual([["entry", 0]]);
  });

  it("a close at or under the prior 20 bars' high is no breakout", () => {
    const b = uptrend(210);
    const c = b[198]!.close + 100; // under the previous high (close + ₹2)
    b[199] = { ...b[199]!, open: c - 800, high: c + 200, low: c - 1000, close: c };
    const s = bankNiftyTrend.scan(b, P);
    expect(at2(s, b, 199)).toEqual([]);
    expect(at2(s, b, 200).map((x) => [x.kind, x.unit])).toEqual([["entry", 0]]);
  });

  it("a rally under the 200 EMA does not enter; a short EMA lets it", () => {
    // 250 bars down ₹4 a bar, then up ₹10 a bar.
    const b: Candle[] = [];
    const t0 = Date.parse("2024-01-01T03:45:00Z");
    for (let i = 0; i < 330; i++) {
      const c = i < 250 ? 200_000 - i * 400 : 100_400 + (i - 250) * 1000;
      const up = i >= 250;
      b.push({ symbol: "BANKNIFTY", timeframe: "75m", time: new Date(t0 + i * 75 * 60_000), open: up ? c - 800 : c + 300, high: up ? c + 200 : c + 500, low: up ? c - 1000 : c - 100, close: c, volume: 0 });
    }
    const e200 = ema(toOhlcv(b).close, 200);
    const fast = bankNiftyTrend.scan(b, bankNiftyTrend.params.parse({ emaPeriod: 10 }));
    const j = b.findIndex((x) => x.time.getTime() === fast[0]!.barTime.getTime());
    expect(j).toBeGreaterThan(250);
    expect(b[j]!.close).toBeLessThan(e200[j]!); // under the 200 EMA
    const s = bankNiftyTrend.scan(b, P);
    const k = b.findIndex((x) => x.time.getTime() === s[0]!.barTime.getTime());
    expect(k).toBeGreaterThan(j);
    expect(b[k]!.close).toBeGreaterThan(e200[k]!);
    expect(b[k - 1]!.close).toBeLessThanOrEqual(e200[k - 1]!); // the first bar above it
  });
});

function at2(signals: SignalDraft[], b: Candle[], i: number): SignalDraft[] {
  return signals.filter((s) => s.barTime.getTime() === b[i]!.time.getTime());
}
