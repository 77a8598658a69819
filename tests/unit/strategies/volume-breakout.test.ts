import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ATR } from "technicalindicators";
import { describe, expect, it } from "vitest";
import type { Candle } from "../../../src/engine/market/candle.js";
import { loadShippedDaily, NIFTY50_DIR } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import type { SignalDraft } from "../../../src/engine/strategies/signal.js";
import { volumeBreakout as vb } from "../../../src/engine/strategies/volume-breakout.js";
import { addDays, fromIst, istDate, toIsoIst } from "../../../src/engine/time/ist.js";

const D = vb.defaults;
const daily = (sym: string): Candle[] => loadShippedDaily(NIFTY50_DIR, [sym]).candles;
const at = (sigs: SignalDraft[], date: string) => sigs.filter((s) => istDate(s.barTime) === date);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The CSV rows, read independently of the loader (rupees as written in the file). */
function csv(sym: string) {
  const lines = readFileSync(join(NIFTY50_DIR, `${sym}.csv`), "utf8").trim().split(/\r?\n/).slice(1);
  return lines.map((l) => {
    const f = l.split(",");
    return { date: f[0]!.slice(0, 10), open: Number(f[1]), high: Number(f[2]), low: Number(f[3]), close: Number(f[4]), volume: Number(f[5]) };
  });
}

/**
 * 25 quiet days (close ₹1000, high ₹1005, low ₹995, volume 1000), then a last day
 * as given (open ₹1000). ATR(14) of the quiet days is ₹10.
 */
function quiet(last: { close: number; high?: number; low?: number; volume: number }, tweak?: (bars: Candle[]) => void): Candle[] {
  const bars: Candle[] = [];
  let d = "2023-01-01";
  for (let i = 0; i < 25; i++) {
    d = addDays(d, 1);
    bars.push({ symbol: "SYN", timeframe: "1d", time: fromIst(d, "09:15"), open: 100_000, high: 100_500, low: 99_500, close: 100_000, volume: 1000 });
  }
  tweak?.(bars);
  d = addDays(d, 1);
  const high = last.high ?? Math.max(100_000, last.close) + 1000;
  const low = last.low ?? Math.min(100_000, last.close) - 200;
  bars.push({ symbol: "SYN", timeframe: "1d", time: fromIst(d, "09:15"), open: 100_000, high, low, close: last.close, volume: last.volume });
  return bars;
}

describe("volume-breakout on real data", () => {
  it("INFY 2021-05-27: close above the prior 20-day high on 2.9× volume, checked from the CSV", () => {
    const rows = csv("INFY");
    const i = rows.findIndex((r) => r.date === "2021-05-27");
    const prior = rows.slice(i - 20, i);
    const hi = Math.max(...prior.map((r) => r.high));
    const lo = Math.min(...prior.map((r) => r.low));
    const avgVol = mean(prior.map((r) => r.volume));
    // The prior high is yesterday's ₹1400; today's own high ₹1416.25 is not in the window.
    expect(hi).toBe(1400);
    expect(rows[i - 1]!.high).toBe(1400);
    expect(rows[i]!.high).toBe(1416.25);
    expect(rows[i]!.close).toBe(1402.25);
    expect(lo).toBe(1311.3);
    expect(rows[i]!.volume / avgVol).toBeCloseTo(2.9205, 4);
    const libAtr = ATR.calculate({ period: 14, high: rows.map((r) => r.high), low: rows.map((r) => r.low), close: rows.map((r) => r.close) });
    const a = libAtr[i - 14]!; // TA-Lib seeding, ~1e-4 off here; harmless at the tick
    expect(a).toBeCloseTo(23.8971, 2);
    // Stop = max(₹1311.30, ₹1402.25 − 2 × ₹23.8971 = ₹1354.4558) → ₹1354.45; R = ₹47.80; target + ₹95.60.
    const stop = Math.floor(Math.max(lo * 100, 140_225 - 2 * a * 100) / 5) * 5;
    expect(stop).toBe(135_445);

    const [s, ...rest] = at(vb.scan(daily("INFY"), D), "2021-05-27");
    expect(rest).toEqual([]);
    expect(toIsoIst(s!.barTime)).toBe("2021-05-27T09:15:00+05:30");
    expect(s).toMatchObject({
      strategy: "volume-breakout",
      symbol: "INFY",
      timeframe: "1d",
      side: "long",
      kind: "entry",
      entry: 140_225,
      stop: 135_445,
      targets: [149_785],
      strength: 73, // round(2.9205 × 25)
    });
    expect(s!.conditions).toMatchObject({ close: 1402.25, priorHigh: 1400, priorLow: 1311.3, volume: 15_365_391, volumeRatio: 2.9205 });
    expect(s!.conditions.avgVolume).toBe(Math.round(avgVol));
    expect(s!.conditions.atr).toBeCloseTo(23.8971, 4);
  });

  it("INFY 2022-04-18: close under the prior 20-day low on 4.8× volume → exit on cash, short on F&O", () => {
    const rows = csv("INFY");
    const i = rows.findIndex((r) => r.date === "2022-04-18");
    const prior = rows.slice(i - 20, i);
    expect(Math.min(...prior.map((r) => r.low))).toBe(1727.75);
    expect(Math.max(...prior.map((r) => r.high))).toBe(1923.3);
    expect(rows[i]!.close).toBe(1621.4);
    expect(rows[i]!.volume / mean(prior.map((r) => r.volume))).toBeCloseTo(4.7738, 4);
    const bars = daily("INFY");
    const [x] = at(vb.scan(bars, D), "2022-04-18");
    expect(x).toMatchObject({ side: "short", kind: "exit", entry: 162_140, stop: null, targets: [], strength: 100 });
    expect(x!.note).toContain("20-day low");
    const [s] = at(vb.scan(bars, D, { fno: true }), "2022-04-18");
    // Stop = min(₹1923.30, ₹1621.40 + 2 × ₹47.0344 = ₹1715.4688) up to ₹1715.50; R = ₹94.10; target − ₹188.20.
    expect(s).toMatchObject({ side: "short", kind: "entry", entry: 162_140, stop: 171_550, targets: [143_320], strength: 100 });
  });

  it("every RELIANCE signal is a real 20-day break on ≥ 2× the prior 20-day volume, and every such day signals", () => {
    const rows = csv("RELIANCE");
    const sigs = vb.scan(daily("RELIANCE"), D, { fno: true });
    const byDate = new Map(sigs.map((s) => [istDate(s.barTime), s]));
    let n = 0;
    for (let i = 20; i < rows.length; i++) {
      const prior = rows.slice(i - 20, i);
      const ratio = rows[i]!.volume / mean(prior.map((r) => r.volume));
      const up = ratio >= 2 && rows[i]!.close > Math.max(...prior.map((r) => r.high));
      const down = ratio >= 2 && rows[i]!.close < Math.min(...prior.map((r) => r.low));
      expect(byDate.get(rows[i]!.date)?.side, rows[i]!.date).toBe(up ? "long" : down ? "short" : undefined);
      if (up || down) n++;
    }
    expect(n).toBe(sigs.length);
    expect(n).toBeGreaterThan(5);
  });
});

describe("volume-breakout on constructed bars", () => {
  it("fires on exactly 2× volume (average of the 20 days before; with today it would be 1.90×)", () => {
    const [s, ...rest] = vb.scan(quiet({ close: 102_000, volume: 2000 }), D);
    expect(rest).toEqual([]);
    // ATR = (13 × ₹10 + TR ₹32)/14 = ₹11.5714; stop = max(₹995, ₹1020 − ₹23.1429) = ₹996.857 → ₹996.85.
    expect(s).toMatchObject({ side: "long", kind: "entry", entry: 102_000, stop: 99_685, targets: [106_630], strength: 50 });
    expect(s!.conditions.volumeRatio).toBe(2);
    expect(s!.conditions.avgVolume).toBe(1000);
  });

  it("near misses: 1.999× volume; close equal to the prior high", () => {
    expect(vb.scan(quiet({ close: 102_000, volume: 1999 }), D)).toEqual([]);
    expect(vb.scan(quiet({ close: 100_500, volume: 5000 }), D)).toEqual([]);
    expect(vb.scan(quiet({ close: 100_505, volume: 5000 }), D).length).toBe(1);
    // volumeMultiple is honoured
    expect(vb.scan(quiet({ close: 102_000, volume: 2500 }), vb.params.parse({ volumeMultiple: 3 }))).toEqual([]);
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }), vb.params.parse({ volumeMultiple: 3 })).length).toBe(1);
  });

  it("the window is the 20 days before today: a high 20 days back blocks, 21 days back does not", () => {
    const spike = (k: number) => (bars: Candle[]) => {
      bars[k] = { ...bars[k]!, high: 104_000 };
    };
    // Today is bar 25: bars 5..24 are the window.
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, spike(5)), D)).toEqual([]);
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, spike(4)), D).length).toBe(1);
    // lookback 21 reaches bar 4
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, spike(4)), vb.params.parse({ lookback: 21 }))).toEqual([]);
  });

  it("volumePeriod and atrPeriod are honoured", () => {
    // The last 5 quiet days traded 2000: the 5-day average is 2000 (3000 is 1.5×), the 20-day one 1250 (2.4×).
    const busy = (bars: Candle[]) => {
      for (let k = 20; k < 25; k++) bars[k] = { ...bars[k]!, volume: 2000 };
    };
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, busy), D)[0]!.conditions.volumeRatio).toBe(2.4);
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, busy), vb.params.parse({ volumePeriod: 5 }))).toEqual([]);
    // ATR(5) = (4 × ₹10 + ₹32)/5 = ₹14.40: ₹1020 − ₹28.80 = ₹991.20 is below the prior low, so the stop is ₹995.
    const [s] = vb.scan(quiet({ close: 102_000, volume: 3000 }), vb.params.parse({ atrPeriod: 5 }));
    expect(s).toMatchObject({ stop: 99_500, targets: [107_000] });
    expect(s!.conditions.atr).toBe(14.4);
  });

  it("stop: the 20-day low when it is tighter than the ATR stop", () => {
    const [s] = vb.scan(quiet({ close: 102_000, volume: 3000 }), vb.params.parse({ stopAtr: 5 }));
    // ₹1020 − 5 × ₹11.5714 = ₹962.14 is below the prior low ₹995: the stop is ₹995.
    expect(s).toMatchObject({ entry: 102_000, stop: 99_500, targets: [107_000], strength: 75 });
  });

  it("downside: exit on cash; short on F&O with the lower of the prior high and entry + 2 ATR", () => {
    const bars = quiet({ close: 98_500, volume: 4000, high: 100_100, low: 98_400 });
    expect(vb.scan(bars, D)).toMatchObject([{ side: "short", kind: "exit", entry: 98_500, stop: null, targets: [], strength: 100 }]);
    const [s] = vb.scan(bars, D, { fno: true });
    // TR = ₹1001 − ₹984 = ₹17; ATR = (13 × ₹10 + ₹17)/14 = ₹10.50; ₹985 + ₹21 = ₹1006 vs prior high ₹1005 → ₹1005.
    expect(s).toMatchObject({ side: "short", kind: "entry", entry: 98_500, stop: 100_500, targets: [94_500] });
    const [t] = vb.scan(bars, vb.params.parse({ stopAtr: 1 }), { fno: true });
    // One ATR: ₹985 + ₹10.50 = ₹995.50 is tighter than the prior high; R = ₹10.50, target ₹985 − ₹21.
    expect(t).toMatchObject({ stop: 99_550, targets: [96_400] });
    const [u] = vb.scan(bars, vb.params.parse({ stopAtr: 0.9 }), { fno: true });
    // ₹985 + ₹9.45 = ₹994.45 on the tick; 0.95 ATR: ₹994.975 → up to ₹995.00.
    expect(u!.stop).toBe(99_445);
    expect(vb.scan(bars, vb.params.parse({ stopAtr: 0.95 }), { fno: true })[0]!.stop).toBe(99_500);
  });

  it("tick: 1 paisa for a stock under ₹250 after 10 June 2024, 5 paise for BANKNIFTY", () => {
    // The quiet series at a tenth of the price, 600 days later (August 2024).
    const shift = 600 * 86_400_000;
    const tenth = (sym: string) =>
      quiet({ close: 102_000, volume: 3000 }).map((b) => ({
        ...b,
        symbol: sym,
        time: new Date(b.time.getTime() + shift),
        open: b.open / 10,
        high: b.high / 10,
        low: b.low / 10,
        close: b.close / 10,
      }));
    // ATR = ₹1.157; ₹102 − ₹2.314 = ₹99.686 → ₹99.68 (1 paisa) or ₹99.65 (5 paise).
    expect(vb.scan(tenth("SOMESTOCK"), D)).toMatchObject([{ entry: 10_200, stop: 9968, targets: [10_664] }]);
    expect(vb.scan(tenth("BANKNIFTY"), D)).toMatchObject([{ entry: 10_200, stop: 9965, targets: [10_670] }]);
  });

  it("no yardstick, no signal: zero-volume history, or fewer than 20 prior days", () => {
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }, (b) => b.forEach((x, k) => (b[k] = { ...x, volume: 0 }))), D)).toEqual([]);
    expect(vb.scan(quiet({ close: 102_000, volume: 3000 }).slice(6), D)).toEqual([]);
  });
});

describe("volume-breakout contract", () => {
  it("scan equals evaluate bar by bar (causal), and `from` only hides reports", () => {
    const bars = daily("INFY");
    for (const fno of [false, true]) {
      const lo = 0;
      const hi = 420;
      const want = vb.scan(bars.slice(0, hi), D, { fno, from: lo });
      const got: SignalDraft[] = [];
      for (let i = lo; i < hi; i++) got.push(...vb.evaluate(bars.slice(0, i + 1), D, { fno }));
      expect(got).toEqual(want);
      expect(want.length).toBeGreaterThan(5);
      const all = vb.scan(bars, D, { fno });
      const t = bars[500]!.time.getTime();
      expect(vb.scan(bars, D, { fno, from: 500 })).toEqual(all.filter((s) => s.barTime.getTime() >= t));
    }
  });

  it("deterministic; ids unique and ≤ 40 chars; stops and targets integers on the tick", () => {
    for (const sym of ["INFY", "ONGC", "TATASTEEL"]) {
      const bars = daily(sym);
      const a = vb.scan(bars, D, { fno: true });
      expect(vb.scan(bars, D, { fno: true })).toEqual(a);
      expect(new Set(a.map((s) => s.id)).size).toBe(a.length);
      const closeAt = new Map(bars.map((b) => [b.time.getTime(), b.close]));
      for (const s of a) {
        expect(s.id.length).toBeLessThanOrEqual(40);
        expect(s.entry).toBe(closeAt.get(s.barTime.getTime()));
        // round(25 × ratio), capped; the ratio in conditions is rounded to 4 decimals.
        expect(Math.abs(s.strength - Math.min(100, (s.conditions.volumeRatio as number) * 25))).toBeLessThanOrEqual(0.5 + 25 * 5e-5);
        const tick = defaultEquityTick(s.entry, istDate(s.barTime));
        for (const p of [s.stop!, ...s.targets]) {
          expect(Number.isInteger(p)).toBe(true);
          expect(p % tick).toBe(0);
        }
        const r = Math.abs(s.entry - s.stop!);
        if (s.side === "long") expect(s.stop! < s.entry && s.targets[0]! >= s.entry + 2 * r).toBe(true);
        else expect(s.stop! > s.entry && s.targets[0]! <= s.entry - 2 * r).toBe(true);
      }
    }
  });

  it("params: documented defaults, validation naming the field, unknown keys rejected", () => {
    expect(vb.defaults).toEqual({ lookback: 20, volumeMultiple: 2, volumePeriod: 20, atrPeriod: 14, stopAtr: 2, targetR: 2 });
    expect(vb).toMatchObject({ name: "volume-breakout", timeframe: "1d", defaultUniverse: "nifty50", needsVolume: true });
    for (const [input, field] of [
      [{ lookback: 1 }, "lookback"],
      [{ volumeMultiple: 0 }, "volumeMultiple"],
      [{ volumePeriod: 2.5 }, "volumePeriod"],
      [{ atrPeriod: 0 }, "atrPeriod"],
      [{ stopAtr: -1 }, "stopAtr"],
      [{ targetR: 0 }, "targetR"],
      [{ period: 20 }, "period"],
    ] as const) {
      const r = vb.params.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error!.issues.some((i) => i.path.includes(field) || i.message.includes(field))).toBe(true);
    }
  });
});
