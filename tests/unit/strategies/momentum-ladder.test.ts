import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Candle } from "../../../src/engine/market/candle.js";
import { NIFTY50_DIR, loadShippedDaily, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import {
  type LadderRun,
  type MomentumLadderParams,
  momentumLadder,
  momentumLadderRun,
} from "../../../src/engine/strategies/momentum-ladder.js";
import { signalId, type SignalDraft } from "../../../src/engine/strategies/signal.js";
import { addDays, fromIst, istDate, toIsoIst } from "../../../src/engine/time/ist.js";

const D = momentumLadder.defaults;
const NAME = "momentum-ladder";

/** Daily bars (paise) at 09:15 IST on consecutive calendar days from `start`; OHLC one rupee around the close. */
function fromCloses(closes: readonly number[], start = "2024-01-01", symbol = "TEST"): Candle[] {
  return closes.map((c, i) => ({
    symbol,
    timeframe: "1d",
    time: fromIst(addDays(start, i), "09:15"),
    open: c,
    high: c + 100,
    low: c - 100,
    close: c,
    volume: 1000,
  }));
}

const flat = (n: number, c = 10_000) => Array.from({ length: n }, () => c);

/** [bar index, kind, unit, entry, stop, targets] of each signal, for compact exact comparison. */
function digest(bars: readonly Candle[], sigs: readonly SignalDraft[]) {
  const at = new Map(bars.map((b, i) => [b.time.getTime(), i]));
  return sigs.map((s) => [at.get(s.barTime.getTime()), s.kind, s.unit, s.entry, s.stop, s.targets] as const);
}

const barIndex = (bars: readonly Candle[], s: SignalDraft) => bars.findIndex((b) => b.time.getTime() === s.barTime.getTime());

/** Every shipped symbol's bars, loaded once. */
const shipped = (() => {
  const m = new Map<string, Candle[]>();
  for (const c of loadShippedDaily().candles) {
    let a = m.get(c.symbol);
    if (!a) m.set(c.symbol, (a = []));
    a.push(c);
  }
  return m;
})();

/** The CSV rows of one symbol read straight from the file (rupees as written), independent of the loader. */
function csvRows(symbol: string): { date: string; close: number }[] {
  const lines = readFileSync(join(NIFTY50_DIR, `${symbol}.csv`), "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const f = l.split(",");
    return { date: f[0]!.slice(0, 10), close: Number(f[4]) };
  });
}

/*
 * The synthetic ladder (tick ₹0.05; default params). Closes in paise:
 *  0..20  ₹100.00 ×21
 *  21  104.00  new 20-bar closing high (prior 100.00), ROC(10) = 4% ≥ 3 → P1. Stop 104×0.975 = 101.40; target 104×1.05 = 109.20.
 *  22  104.35  > 104×1.0025 = 104.26 → P2. Stop 104.35×0.975 = 101.74125 → 101.70. P1 trails to the same 101.70.
 *  23  105.60  > avg(104, 104.35)×1.01 = 105.21675 → P3. Stop 105.6×0.95 = 100.32 → 100.30. P1, P2 trail: 105.6×0.975 = 102.96 → 102.95.
 *  24  108.00  P1, P2 trail: 105.30. P3: 108×0.95 = 102.60.
 *  25  109.50  ≥ 109.20 → P1 exits at its target. P2 trails 109.5×0.975 = 106.7625 → 106.75; P3 104.025 → 104.00.
 *  26  107.00  above every stop: nothing; the stops stay (never down).
 *  27  106.75  ≤ P2's stop 106.75 → P2 exits.
 *  28  105.00  nothing (P3's stop 104.00).
 *  29  104.00  ≤ 104.00 → P3 exits; the ladder is flat.
 *  30  110.00  new high above 109.50 (bars 10..29), ROC vs bar 20 = 10% → a new P1. Stop 107.25, target 115.50.
 */
const LADDER = [...flat(21), 10_400, 10_435, 10_560, 10_800, 10_950, 10_700, 10_675, 10_500, 10_400, 11_000];

describe("momentumLadder definition and params", () => {
  it("is a daily nifty50 strategy that needs no volume", () => {
    expect(momentumLadder.name).toBe("momentum-ladder");
    expect(momentumLadder.timeframe).toBe("1d");
    expect(momentumLadder.defaultUniverse).toBe("nifty50");
    expect(momentumLadder.needsVolume).toBe(false);
    expect(momentumLadder.description).toMatch(/ladder/i);
  });

  it("defaults are the documented values", () => {
    expect(D).toEqual({
      breakoutLookback: 20,
      rocPeriod: 10,
      rocMin: 3,
      p1StopPct: 2.5,
      p1TargetPct: 5,
      p2TriggerPct: 0.25,
      p2StopPct: 2.5,
      p3TriggerPct: 1,
      p3StopPct: 5,
    });
  });

  it.each([
    [{ breakoutLookback: 1 }, "breakoutLookback"],
    [{ breakoutLookback: 20.5 }, "breakoutLookback"],
    [{ rocPeriod: 0 }, "rocPeriod"],
    [{ rocMin: -1 }, "rocMin"],
    [{ p1StopPct: 0 }, "p1StopPct"],
    [{ p1TargetPct: -5 }, "p1TargetPct"],
    [{ p2TriggerPct: "0.25" }, "p2TriggerPct"],
    [{ p2StopPct: 60 }, "p2StopPct"],
    [{ p3TriggerPct: -0.1 }, "p3TriggerPct"],
    [{ p3StopPct: 0 }, "p3StopPct"],
  ])("rejects %j naming %s", (input, field) => {
    const r = momentumLadder.params.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual([field]);
    expect(z.prettifyError(r.error!)).toContain(field);
  });

  it("rejects unknown keys and accepts a full valid set", () => {
    const r = momentumLadder.params.safeParse({ breakoutLookbak: 20 });
    expect(r.success).toBe(false);
    expect(z.prettifyError(r.error!)).toContain("breakoutLookbak");
    expect(momentumLadder.params.safeParse({ ...D, rocMin: 0, p2TriggerPct: 0 }).success).toBe(true);
  });
});

describe("momentumLadder synthetic ladder P1 → P2 → P3 → trailing exits", () => {
  const b = fromCloses(LADDER);

  it("walks the whole ladder with exact paise", () => {
    const sigs = momentumLadder.scan(b, D);
    expect(digest(b, sigs)).toEqual([
      [21, "entry", 0, 10_400, 10_140, [10_920]],
      [22, "entry", 1, 10_435, 10_170, []],
      [23, "entry", 2, 10_560, 10_030, []],
      [25, "exit", 0, 10_950, null, []],
      [27, "exit", 1, 10_675, null, []],
      [29, "exit", 2, 10_400, null, []],
      [30, "entry", 0, 11_000, 10_725, [11_550]],
    ]);
    for (const s of sigs) expect(s.side).toBe(s.kind === "entry" ? "long" : "short");
  });

  it("reports the conditions a trader checks, and strength from ROC", () => {
    const [p1, p2, p3, x1, x2, x3, again] = momentumLadder.scan(b, D);
    expect(p1!.conditions).toEqual({ roc: 4, rocBase: 100, highestClose: 100, breakoutPct: 4 });
    expect(p1!.strength).toBe(55); // 50 + (4 − 3) × 5
    expect(p2!.conditions).toEqual({ p1Entry: 104, pnlPct: 0.3365, p1Stop: 101.7, roc: 4.35 });
    expect(p2!.strength).toBe(57); // 50 + 1.35 × 5 = 56.75
    expect(p3!.conditions).toEqual({ p1Entry: 104, p2Entry: 104.35, avgEntry: 104.175, avgPnlPct: 1.3679, p1Stop: 102.95, p2Stop: 102.95, roc: 5.6 });
    expect(p3!.strength).toBe(63); // 50 + 2.6 × 5
    expect(x1!.conditions).toEqual({ reason: "target", unitEntry: 104, close: 109.5, target: 109.2, highestClose: 108, pnlPct: 5.2885 });
    expect(x1!.note).toMatch(/^target: P1 closed at ₹109.5/);
    expect(x2!.conditions).toEqual({ reason: "stop", unitEntry: 104.35, close: 106.75, stop: 106.75, highestClose: 109.5, pnlPct: 2.3 }); // 240 / 10435 = 2.29995%
    expect(x2!.note).toMatch(/^trailing stop: P2 .*₹106.75/);
    expect(x3!.conditions).toEqual({ reason: "stop", unitEntry: 105.6, close: 104, stop: 104, highestClose: 109.5, pnlPct: -1.5152 });
    expect(again!.conditions).toEqual({ roc: 10, rocBase: 100, highestClose: 109.5, breakoutPct: 0.4566 });
    expect(again!.strength).toBe(85);
    for (const s of [x1, x2, x3]) expect(s!.strength).toBe(50);
  });

  it("records each unit's stop after every close; stops only ever rise", () => {
    const run = momentumLadderRun(b, D);
    const series = (k: 0 | 1 | 2) => Array.from(run.stops[k].slice(20, 31), (x) => (Number.isNaN(x) ? null : x));
    // bars 20..30
    expect(series(0)).toEqual([null, 10_140, 10_170, 10_295, 10_530, null, null, null, null, null, 10_725]);
    expect(series(1)).toEqual([null, null, 10_170, 10_295, 10_530, 10_675, 10_675, null, null, null, null]);
    expect(series(2)).toEqual([null, null, null, 10_030, 10_260, 10_400, 10_400, 10_400, 10_400, null, null]);
    expect(run.trades.map((t) => [t.unit, t.entryIndex, t.exitIndex, t.exitReason, t.exitPrice, t.lastStop, t.highestClose])).toEqual([
      [0, 21, 25, "target", 10_950, 10_530, 10_800],
      [1, 22, 27, "stop", 10_675, 10_675, 10_950],
      [2, 23, 29, "stop", 10_400, 10_400, 10_950],
      [0, 30, null, null, null, 10_725, 11_000],
    ]);
    expect(run.trades[0]!.target).toBe(10_920);
    expect(run.trades[1]!.target).toBeNull();
  });

  it("ids follow signalId with entry:uK / exit:uK", () => {
    const sigs = momentumLadder.scan(b, D);
    const kinds = ["entry:u0", "entry:u1", "entry:u2", "exit:u0", "exit:u1", "exit:u2", "entry:u0"];
    sigs.forEach((s, i) => expect(s.id).toBe(signalId(NAME, D, "TEST", "1d", s.barTime, kinds[i])));
    for (const s of sigs) {
      expect(s.strategy).toBe(NAME);
      expect(s.symbol).toBe("TEST");
      expect(s.timeframe).toBe("1d");
    }
  });
});

describe("momentumLadder near misses (each condition matters)", () => {
  const at = (closes: number[], i: number, p: MomentumLadderParams = D) => {
    const b = fromCloses(closes);
    return digest(b, momentumLadder.scan(b, p)).filter((d) => d[0] === i);
  };
  const withClose = (i: number, c: number, base = LADDER) => base.map((x, j) => (j === i ? c : x));

  it("ROC: 3.00% over 10 bars fires (inclusive), 2.95% does not", () => {
    expect(at(withClose(21, 10_300), 21)).toEqual([[21, "entry", 0, 10_300, 10_040, [10_815]]]);
    expect(at(withClose(21, 10_295), 21)).toEqual([]);
    // the threshold is the parameter: with rocMin 2 the same 2.95% fires
    expect(at(withClose(21, 10_295), 21, { ...D, rocMin: 2 })).toHaveLength(1);
  });

  it("breakout: a close equal to or under the prior 20-bar closing high does not fire; an older high is outside the window", () => {
    expect(at(withClose(5, 10_400), 21)).toEqual([]); // equal: not a new high
    expect(at(withClose(1, 10_450), 21)).toEqual([]); // bar 1 is inside bars 1..20
    expect(at(withClose(0, 10_450), 21)).toHaveLength(1); // bar 0 is 21 bars back
    expect(at(withClose(0, 10_450), 21, { ...D, breakoutLookback: 21 })).toEqual([]);
  });

  it("P2: a close at P1 entry + 0.24% adds nothing; the next close above the trigger adds P2 (not P3)", () => {
    const c = withClose(22, 10_425); // ≤ 104.26
    expect(at(c, 22)).toEqual([]);
    expect(at(c, 23)).toEqual([[23, "entry", 1, 10_560, 10_295, []]]);
    expect(at(LADDER, 22, { ...D, p2TriggerPct: 0.5 })).toEqual([]); // 104.35 ≤ 104 × 1.005 = 104.52
  });

  it("P3: a close under avg(P1, P2) + 1% adds nothing", () => {
    const c = withClose(23, 10_520); // ≤ 105.21675
    expect(at(c, 23)).toEqual([]);
    expect(at(c, 24)).toEqual([[24, "entry", 2, 10_800, 10_260, []]]);
  });

  it("no P2 once P1 has hit its target, and no new P1 on the bar a unit exited", () => {
    const b = fromCloses([...flat(21), 10_400, 10_920, 11_000]);
    // bar 22: ≥ target 109.20 → P1 out; it is also a new high with ROC 9.2%, but the ladder restarts only on bar 23.
    expect(digest(b, momentumLadder.scan(b, D))).toEqual([
      [21, "entry", 0, 10_400, 10_140, [10_920]],
      [22, "exit", 0, 10_920, null, []],
      [23, "entry", 0, 11_000, 10_725, [11_550]],
    ]);
  });

  it("no P3 when P2 is already stopped out, and no second P2 in the same ladder", () => {
    // P1 with a 10% stop outlives P2's 2.5% stop.
    const p = { ...D, p1StopPct: 10 };
    const b = fromCloses([...flat(21), 10_400, 10_435, 10_170, 10_600, 10_950]);
    expect(digest(b, momentumLadder.scan(b, p))).toEqual([
      [21, "entry", 0, 10_400, 9_360, [10_920]],
      [22, "entry", 1, 10_435, 10_170, []],
      [23, "exit", 1, 10_170, null, []], // P2 stopped; P1's stop is 104.35 × 0.9 = 93.90
      [25, "exit", 0, 10_950, null, []], // bar 24 (106.00) would be a P3 and a P2 trigger: neither
    ]);
  });

  it("exits need the close at or below the stop: a close one paisa above holds", () => {
    expect(at(withClose(27, 10_676), 27)).toEqual([]);
    expect(at(withClose(29, 10_401), 29)).toEqual([]);
    expect(at(withClose(25, 10_915), 25)).toEqual([]); // under P1's target 109.20
  });
});

describe("momentumLadder on the shipped data", () => {
  it("RELIANCE May-June 2021: P1, P2, P3, P1 target, P2 and P3 trailing stops, checked against the CSV", () => {
    const b = shipped.get("RELIANCE")!;
    const rows = csvRows("RELIANCE");
    expect(rows.length).toBe(b.length);
    const i = rows.findIndex((r) => r.date === "2021-05-28");
    expect(rows[i]!.close).toBe(998.4);
    // By hand from the CSV: the previous 20 closes (2021-04-29 .. 2021-05-27) peak at 964.65 on 2021-04-29;
    // ten bars back (2021-05-14) the close was 923.30, so ROC = 998.40 / 923.30 − 1 = 8.134%.
    const prev20 = rows.slice(i - 20, i);
    expect(prev20[0]!.date).toBe("2021-04-29");
    expect(prev20[19]!.date).toBe("2021-05-27");
    const hi = Math.max(...prev20.map((r) => r.close));
    expect(hi).toBe(964.65);
    expect(rows[i - 10]).toEqual({ date: "2021-05-14", close: 923.3 });
    const roc = (998.4 / 923.3 - 1) * 100;
    expect(roc).toBeCloseTo(8.134, 3);
    // P2 trigger 998.40 × 1.0025 = 1000.896 < 1029.60 (2021-05-31); P3 trigger avg(998.40, 1029.60) × 1.01 = 1024.14 < 1033.70 (2021-06-01).
    expect(rows[i + 1]).toEqual({ date: "2021-05-31", close: 1029.6 });
    expect(rows[i + 2]).toEqual({ date: "2021-06-01", close: 1033.7 });
    expect(rows[i + 1]!.close).toBeGreaterThan(998.4 * 1.0025);
    expect(rows[i + 2]!.close).toBeGreaterThan(((998.4 + 1029.6) / 2) * 1.01);
    // The highest close while P2/P3 ran: 1072.35 on 2021-06-15 → P2 stop 1072.35 × 0.975 = 1045.54 → 1045.50, P3 stop × 0.95 = 1018.73 → 1018.70.
    const j24 = rows.findIndex((r) => r.date === "2021-06-24");
    expect(Math.max(...rows.slice(i + 1, j24).map((r) => r.close))).toBe(1072.35);
    expect(rows[j24]!.close).toBe(1026.35); // ≤ 1045.50 but > 1018.70
    expect(rows[j24 + 1]).toEqual({ date: "2021-06-25", close: 1003 });

    const sigs = momentumLadder.scan(b, D).filter((s) => s.barTime >= b[i - 1]!.time && s.barTime <= b[j24 + 1]!.time);
    expect(sigs.map((s) => [toIsoIst(s.barTime), s.symbol, s.kind, s.side, s.unit, s.entry, s.stop, s.targets])).toEqual([
      ["2021-05-28T09:15:00+05:30", "RELIANCE", "entry", "long", 0, 99_840, 97_340, [104_835]], // 973.44 ↓ 973.40; 1048.32 ↑ 1048.35
      ["2021-05-31T09:15:00+05:30", "RELIANCE", "entry", "long", 1, 102_960, 100_385, []], // 1003.86 ↓ 1003.85
      ["2021-06-01T09:15:00+05:30", "RELIANCE", "entry", "long", 2, 103_370, 98_200, []], // 982.015 ↓ 982.00
      ["2021-06-02T09:15:00+05:30", "RELIANCE", "exit", "short", 0, 104_910, null, []], // 1049.10 ≥ 1048.35
      ["2021-06-24T09:15:00+05:30", "RELIANCE", "exit", "short", 1, 102_635, null, []],
      ["2021-06-25T09:15:00+05:30", "RELIANCE", "exit", "short", 2, 100_300, null, []],
    ]);
    const [p1, p2, p3, x1, x2, x3] = sigs;
    expect(p1!.conditions.highestClose).toBe(hi);
    expect(p1!.conditions.rocBase).toBe(923.3);
    expect(p1!.conditions.roc as number).toBeCloseTo(roc, 4);
    expect(p1!.strength).toBe(Math.round(50 + (roc - 3) * 5)); // 76
    expect(p2!.conditions.p1Entry).toBe(998.4);
    expect(p2!.conditions.pnlPct as number).toBeCloseTo((1029.6 / 998.4 - 1) * 100, 4); // 3.125%
    expect(p3!.conditions.avgEntry).toBe(1014);
    expect(p3!.conditions.avgPnlPct as number).toBeCloseTo((1033.7 / 1014 - 1) * 100, 4);
    expect(x1!.conditions).toMatchObject({ reason: "target", target: 1048.35 });
    expect(x2!.conditions).toMatchObject({ reason: "stop", stop: 1045.5, highestClose: 1072.35 });
    expect(x3!.conditions).toMatchObject({ reason: "stop", stop: 1018.7, highestClose: 1072.35 });
    // Flat before: no unit was open on 2021-05-27.
    const run = momentumLadderRun(b, D);
    for (const k of [0, 1, 2] as const) expect(run.stops[k][i - 1]).toBeNaN();
  });

  it("TATASTEEL June 2024 (₹0.01 tick): 10 June is a new closing high with ROC 2.73% (no entry), 11 June fires", () => {
    const b = shipped.get("TATASTEEL")!;
    const rows = csvRows("TATASTEEL");
    const i = rows.findIndex((r) => r.date === "2024-06-11");
    // 10 June: 180.29 > the previous 20 closes' high 178.90, but ROC vs 175.50 (2024-05-27) is 2.73% < 3%.
    expect(rows[i - 1]!.close).toBe(180.29);
    expect(Math.max(...rows.slice(i - 21, i - 1).map((r) => r.close))).toBe(178.9);
    expect(rows[i - 11]).toEqual({ date: "2024-05-27", close: 175.5 });
    expect((180.29 / 175.5 - 1) * 100).toBeLessThan(3);
    // 11 June: 181.33 > 180.29; ROC vs 174.90 (2024-05-28) = 3.676%.
    expect(Math.max(...rows.slice(i - 20, i).map((r) => r.close))).toBe(180.29);
    expect(rows[i - 10]).toEqual({ date: "2024-05-28", close: 174.9 });
    const sigs = momentumLadder.scan(b, D).filter((s) => istDate(s.barTime) >= "2024-06-07" && istDate(s.barTime) <= "2024-06-11");
    expect(sigs).toHaveLength(1);
    const s = sigs[0]!;
    expect([toIsoIst(s.barTime), s.kind, s.side, s.unit, s.entry, s.stop, s.targets]).toEqual([
      "2024-06-11T09:15:00+05:30",
      "entry",
      "long",
      0,
      18_133,
      17_679, // 181.33 × 0.975 = 176.79675 ↓ 176.79 (₹0.01 tick)
      [19_040], // 190.3965 ↑ 190.40
    ]);
    expect(s.conditions.roc as number).toBeCloseTo((181.33 / 174.9 - 1) * 100, 4);
    expect(s.conditions.highestClose).toBe(180.29);
  });

  it("all 50 stocks: every P1 is exactly a flat-ladder breakout, stops trail and never loosen, units in order, exits once", () => {
    const L = D.breakoutLookback;
    const R = D.rocPeriod;
    const slPermille = [975, 975, 950]; // 1 − 2.5%, 2.5%, 5%
    let p1s = 0;
    let p3s = 0;
    let targets = 0;
    // Collected, not asserted one by one: tens of thousands of checks stay fast.
    const bad: string[] = [];
    const check = (ok: boolean, msg: string) => {
      if (!ok) bad.push(msg);
    };
    for (const sym of shippedSymbols()) {
      const b = shipped.get(sym)!;
      const n = b.length;
      const close = b.map((c) => c.close);
      const run: LadderRun = momentumLadderRun(b, D);
      const sigs = momentumLadder.scan(b, D);
      const openAfter = (i: number) => i >= 0 && [0, 1, 2].some((k) => !Number.isNaN(run.stops[k as 0][i]!));

      // The trigger, recomputed naively: every P1 bar, and only those.
      const p1At = new Set(run.trades.filter((t) => t.unit === 0).map((t) => t.entryIndex));
      for (let i = L; i < n; i++) {
        const breakout = close[i]! > Math.max(...close.slice(i - L, i));
        const roc = i >= R && (close[i]! / close[i - R]! - 1) * 100 >= D.rocMin - 1e-9;
        check(p1At.has(i) === (breakout && roc && !openAfter(i - 1)), `${sym} bar ${i}: P1 ${p1At.has(i)}, trigger ${breakout && roc}`);
      }
      p1s += p1At.size;

      // Each unit's stop series, recomputed; entries and exits checked against it.
      const seenStop = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
      for (const t of run.trades) {
        const k = t.unit;
        const what = `${sym} u${k} from bar ${t.entryIndex}`;
        const tick0 = defaultEquityTick(t.entry, istDate(t.entryTime));
        check(t.initialStop === Math.floor((t.entry * slPermille[k]!) / (1000 * tick0)) * tick0, `${what}: initial stop ${t.initialStop}`);
        if (k === 0) check(t.target === Math.ceil((t.entry * 105) / (100 * tick0)) * tick0, `${what}: target ${t.target}`);
        const end = t.exitIndex ?? n;
        let hi = t.entry;
        let stop = t.initialStop;
        for (let j = t.entryIndex; j < end; j++) {
          if (j > t.entryIndex) {
            // still open after bar j: it neither hit the stop in force nor the target
            check(close[j]! > stop, `${what}: bar ${j} close ${close[j]} ≤ stop ${stop} but no exit`);
            if (k === 0) check(close[j]! < t.target!, `${what}: bar ${j} reached the target but no exit`);
            if (close[j]! > hi) {
              hi = close[j]!;
              const tick = defaultEquityTick(hi, istDate(b[j]!.time));
              stop = Math.max(stop, Math.floor((hi * slPermille[k]!) / (1000 * tick)) * tick);
            }
          }
          const recorded = run.stops[k as 0][j]!;
          check(recorded === stop, `${what}: stop after bar ${j} is ${recorded}, expected ${stop}`);
          if (j > t.entryIndex) check(recorded >= run.stops[k as 0][j - 1]!, `${what}: stop loosened at bar ${j}`);
          seenStop[k]![j] = 1;
        }
        if (t.exitIndex !== null) {
          check(Number.isNaN(run.stops[k as 0][t.exitIndex]!), `${what}: stop recorded on its exit bar`);
          if (t.exitReason === "target") {
            check(k === 0 && close[t.exitIndex]! >= t.target!, `${what}: target exit`);
            targets++;
          } else {
            check(t.exitReason === "stop" && close[t.exitIndex]! <= stop && t.lastStop === stop, `${what}: stop exit`);
          }
        }
      }
      // No stop is recorded outside a unit's open span.
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < n; j++) if (!seenStop[k]![j]) check(Number.isNaN(run.stops[k as 0][j]!), `${sym} u${k}: stop at bar ${j} while not open`);

      // Units in order within each ladder; P2 only while P1 is open, P3 only while P1 and P2 are; adds at the first trigger close.
      for (let a = 0; a < run.trades.length; ) {
        const p1 = run.trades[a]!;
        expect(p1.unit).toBe(0);
        const ladder = [p1];
        while (a + ladder.length < run.trades.length && run.trades[a + ladder.length]!.unit !== 0) ladder.push(run.trades[a + ladder.length]!);
        expect(ladder.map((t) => t.unit)).toEqual([0, 1, 2].slice(0, ladder.length));
        const p1End = p1.exitIndex ?? n;
        const firstAfter = (from: number, to: number, ok: (c: number) => boolean) => {
          for (let j = from + 1; j < to; j++) if (ok(close[j]!)) return j;
          return undefined;
        };
        const p2Bar = firstAfter(p1.entryIndex, p1End, (c) => c * 100 > p1.entry * 100.25);
        expect(ladder[1]?.entryIndex, `${sym} P2 after ${p1.entryIndex}`).toBe(p2Bar);
        if (ladder[1]) {
          const p2 = ladder[1];
          const p3Bar = firstAfter(p2.entryIndex, Math.min(p1End, p2.exitIndex ?? n), (c) => c * 200 > (p1.entry + p2.entry) * 101);
          expect(ladder[2]?.entryIndex, `${sym} P3 after ${p2.entryIndex}`).toBe(p3Bar);
          if (ladder[2]) p3s++;
        }
        const last = Math.max(...ladder.map((t) => t.exitIndex ?? n));
        a += ladder.length;
        if (a < run.trades.length) expect(run.trades[a]!.entryIndex).toBeGreaterThan(last);
      }

      // The signals are the run's events; replaying them keeps at most 3 units, each exited once.
      check(sigs.length === run.trades.length + run.trades.filter((t) => t.exitIndex !== null).length, `${sym}: signal count`);
      const indexOf = new Map(b.map((c, i) => [c.time.getTime(), i]));
      const tradeAt = new Map(run.trades.map((t) => [`${t.unit}@${t.entryIndex}`, t]));
      const openUnits = new Set<number>();
      let lastBar = -1;
      for (const s of sigs) {
        const i = indexOf.get(s.barTime.getTime())!;
        const k = s.unit!;
        const what = `${sym} ${s.kind} u${k} bar ${i}`;
        check(i >= lastBar, `${what}: out of order`);
        lastBar = i;
        check(k === 0 || k === 1 || k === 2, `${what}: unit`);
        check(/^momentum-ladder-[a-z2-7]{8}$/.test(s.id), `${what}: id ${s.id}`);
        check(s.entry === close[i], `${what}: price is not the close`);
        if (s.kind === "entry") {
          check(s.side === "long", `${what}: side`);
          check(!openUnits.has(k), `${what}: unit already open`);
          check(k === 0 ? openUnits.size === 0 : Array.from({ length: k }, (_, u) => openUnits.has(u)).every(Boolean), `${what}: out of order`);
          openUnits.add(k);
          const t = tradeAt.get(`${k}@${i}`);
          check(t !== undefined && s.stop === t.initialStop && JSON.stringify(s.targets) === JSON.stringify(t.target === null ? [] : [t.target]), `${what}: not the run's entry`);
          const tick = defaultEquityTick(s.entry, istDate(s.barTime));
          check(s.stop! % tick === 0 && s.targets.every((x) => x % tick === 0 && x > s.entry), `${what}: off the tick`);
          check(s.stop! < s.entry, `${what}: stop not below entry`);
          check(Number.isInteger(s.strength) && s.strength >= 1 && s.strength <= 100, `${what}: strength ${s.strength}`);
        } else {
          check(s.kind === "exit" && s.side === "short" && s.stop === null && !!s.note, `${what}: exit shape`);
          check(openUnits.delete(k), `${what}: exit of a unit not open`);
        }
        check(openUnits.size <= 3, `${what}: more than 3 open`);
      }
      check(new Set(sigs.map((s) => s.id)).size === sigs.length, `${sym}: duplicate ids`);
    }
    expect(bad.slice(0, 10), `${bad.length} failed checks`).toEqual([]);
    expect(p1s).toBeGreaterThan(1000);
    expect(p3s).toBeGreaterThan(300);
    expect(targets).toBeGreaterThan(300);
  });
});

describe("momentumLadder causality, determinism, cash vs F&O", () => {
  it("scan over all bars equals evaluate on each prefix (RELIANCE, whole series)", () => {
    const b = shipped.get("RELIANCE")!;
    const walked: SignalDraft[] = [];
    for (let i = 0; i < b.length; i++) walked.push(...momentumLadder.evaluate(b.slice(0, i + 1), D));
    const all = momentumLadder.scan(b, D);
    expect(all.length).toBeGreaterThan(50);
    expect(walked).toEqual(all);
  });

  it("`from` only hides earlier signals; state is still replayed from the first bar", () => {
    const b = shipped.get("INFY")!;
    const all = momentumLadder.scan(b, D);
    for (const from of [0, 1, 25, 300, 777, b.length - 1, b.length]) {
      expect(momentumLadder.scan(b, D, { from })).toEqual(all.filter((s) => barIndex(b, s) >= from));
    }
    // A unit opened before `from` still exits after it (the first INFY ladder: P1 2020-11-24, out 2020-11-27).
    const x = momentumLadder.scan(b, D, { from: barIndex(b, all[0]!) + 1 })[0]!;
    expect([istDate(x.barTime), x.kind, x.unit]).toEqual(["2020-11-27", "exit", 0]);
  });

  it("is deterministic and does not modify its input", () => {
    const b = shipped.get("SBIN")!;
    const copy = structuredClone(b);
    const a = momentumLadder.scan(b, D);
    const again = momentumLadder.scan(structuredClone(b), { ...D });
    expect(again).toEqual(a);
    expect(b).toEqual(copy);
    for (const s of a) expect(s.id.length).toBeLessThanOrEqual(40);
    expect(momentumLadder.scan(b, { ...D, p3StopPct: 6 })[0]!.id).not.toBe(a[0]!.id);
    expect(momentumLadder.scan([], D)).toEqual([]);
    expect(momentumLadder.evaluate([], D)).toEqual([]);
  });

  it("is long-only in cash and F&O alike: fno changes nothing", () => {
    const synth = fromCloses(LADDER);
    expect(momentumLadder.scan(synth, D, { fno: true })).toEqual(momentumLadder.scan(synth, D));
    const b = shipped.get("TCS")!;
    const fno = momentumLadder.scan(b, D, { fno: true });
    expect(fno).toEqual(momentumLadder.scan(b, D));
    expect(fno.some((s) => s.kind === "entry" && s.side === "short")).toBe(false);
    expect(fno.filter((s) => s.kind === "exit").every((s) => s.side === "short")).toBe(true);
  });

  it("too few bars give nothing", () => {
    const b = fromCloses(LADDER);
    expect(momentumLadder.scan(b.slice(0, 21), D)).toEqual([]);
    expect(momentumLadder.scan(b.slice(0, 22), D)).toHaveLength(1);
  });
});
