import { describe, expect, it } from "vitest";
import type { Candle } from "../../../src/engine/market/candle.js";
import { loadShippedDaily, shippedSymbols } from "../../../src/engine/market/shipped-data.js";
import { defaultEquityTick } from "../../../src/engine/market/tick.js";
import { signalId, type SignalDraft } from "../../../src/engine/strategies/signal.js";
import { smaCross, type SmaCrossParams } from "../../../src/engine/strategies/sma-cross.js";
import { addDays, fromIst } from "../../../src/engine/time/ist.js";

const P: SmaCrossParams = { fast: 3, slow: 5, stopLookback: 3, targetR: 2 };

type Row = [open: number, high: number, low: number, close: number];

/** Daily bars (paise) opening 09:15 IST on consecutive days from `start`. */
function bars(rows: readonly Row[], start = "2024-01-01", symbol = "TEST"): Candle[] {
  return rows.map(([open, high, low, close], i) => ({
    symbol,
    timeframe: "1d",
    time: fromIst(addDays(start, i), "09:15"),
    open,
    high,
    low,
    close,
    volume: 1000,
  }));
}

/** Bars whose OHLC all sit one rupee around the close. */
const fromCloses = (closes: readonly number[], start = "2024-01-01") => bars(closes.map((c) => [c, c + 100, c - 100, c]), start);

/** Walks bars one at a time, as the desk does, collecting every signal. */
function walk(all: readonly Candle[], p: SmaCrossParams): Array<SignalDraft & { at: number }> {
  const out: Array<SignalDraft & { at: number }> = [];
  for (let i = 0; i < all.length; i++) for (const s of smaCross.evaluate(all.slice(0, i + 1), p)) out.push({ ...s, at: i });
  return out;
}

/*
 * Closes ₹110, 108, 106, 104, 102, 120.
 * Bar 4: fast SMA(3) = (106+104+102)/3 = 104, slow SMA(5) = (110+108+106+104+102)/5 = 106 → fast below.
 * Bar 5: fast = (104+102+120)/3 = 108.6667, slow = (108+106+104+102+120)/5 = 108 → fast above: a cross up.
 * Lows of the last three bars: 103.07, 101.23, 101.88 → 101.23. Bar 2's low (100.50) is outside the lookback.
 */
const CROSS_UP: Row[] = [
  [11050, 11100, 10950, 11000],
  [10990, 11000, 10780, 10800],
  [10790, 10810, 10050, 10600],
  [10590, 10620, 10307, 10400],
  [10380, 10410, 10123, 10200],
  [10210, 12050, 10188, 12000],
];

describe("smaCross entry", () => {
  it("signals one long entry on a 3/5 cross up on the last bar (tick ₹0.05)", () => {
    const b = bars(CROSS_UP, "2024-01-01");
    const out = smaCross.evaluate(b, P);
    expect(out).toHaveLength(1);
    const s = out[0]!;
    expect(s.kind).toBe("entry");
    expect(s.side).toBe("long");
    expect(s.strategy).toBe("sma-cross");
    expect(s.symbol).toBe("TEST");
    expect(s.timeframe).toBe("1d");
    expect(s.barTime.getTime()).toBe(b[5]!.time.getTime());
    expect(s.entry).toBe(12000);
    // 101.23 rounded down to ₹0.05 → 101.20.
    expect(s.stop).toBe(10120);
    // risk 120.00 − 101.20 = 18.80; 2R = 37.60 → 157.60 (on the tick already).
    expect(s.targets).toEqual([15760]);
    expect(s.conditions).toEqual({ smaFast: 108.6667, smaSlow: 108, smaFastPrev: 104, smaSlowPrev: 106 });
    // spread (108.667 − 108) / 108 = 0.617% → 50 + 30.86 → 81.
    expect(s.strength).toBe(81);
  });

  it("uses the ₹0.01 tick for a stock under ₹250 from 10 June 2024", () => {
    const out = smaCross.evaluate(bars(CROSS_UP, "2025-06-02"), P);
    expect(out).toHaveLength(1);
    const s = out[0]!;
    expect(s.entry).toBe(12000);
    expect(s.stop).toBe(10123);
    // risk 18.77; 2R = 37.54 → 157.54.
    expect(s.targets).toEqual([15754]);
  });

  it("rounds the target up to the tick", () => {
    // risk 18.80 × 1.3 = 24.44 → 144.44 → up to ₹0.05 → 144.45.
    const out = smaCross.evaluate(bars(CROSS_UP, "2024-01-01"), { ...P, targetR: 1.3 });
    expect(out[0]!.targets).toEqual([14445]);
  });

  it("the stop lookback decides which lows count", () => {
    // With 4 bars, bar 2's low (100.50) is the lowest.
    const out = smaCross.evaluate(bars(CROSS_UP, "2024-01-01"), { ...P, stopLookback: 4 });
    expect(out[0]!.stop).toBe(10050);
  });

  it("stops and targets sit on the tick, stop below entry, target above", () => {
    const out = smaCross.evaluate(bars(CROSS_UP, "2024-01-01"), P);
    const s = out[0]!;
    const tick = defaultEquityTick(s.entry, "2024-01-06");
    expect(tick).toBe(5);
    expect(s.stop! % tick).toBe(0);
    expect(s.targets[0]! % tick).toBe(0);
    expect(s.stop!).toBeLessThan(s.entry);
    expect(s.targets[0]!).toBeGreaterThan(s.entry);
  });
});

describe("smaCross exit and no signal", () => {
  it("signals an exit on the cross down", () => {
    // Closes ₹100, 102, 104, 106, 108, 90: fast 106 > slow 104, then fast 101.33 < slow 102.
    const b = fromCloses([10000, 10200, 10400, 10600, 10800, 9000]);
    const out = smaCross.evaluate(b, P);
    expect(out).toHaveLength(1);
    const s = out[0]!;
    expect(s.kind).toBe("exit");
    expect(s.side).toBe("short");
    expect(s.entry).toBe(9000);
    expect(s.stop).toBeNull();
    expect(s.targets).toEqual([]);
    expect(s.conditions).toEqual({ smaFast: 101.3333, smaSlow: 102, smaFastPrev: 106, smaSlowPrev: 104 });
    expect(s.id).toBe(signalId("sma-cross", P, "TEST", "1d", b[5]!.time, "exit"));
    expect(s.id).not.toBe(signalId("sma-cross", P, "TEST", "1d", b[5]!.time));
  });

  it("says nothing while the fast SMA stays above", () => {
    expect(smaCross.evaluate(fromCloses([10000, 10100, 10200, 10300, 10400, 10500, 10600]), P)).toEqual([]);
  });

  it("says nothing while the fast SMA stays below", () => {
    expect(smaCross.evaluate(fromCloses([10600, 10500, 10400, 10300, 10200, 10100, 10000]), P)).toEqual([]);
  });

  it("says nothing on a flat market", () => {
    expect(smaCross.evaluate(fromCloses([10000, 10000, 10000, 10000, 10000, 10000]), P)).toEqual([]);
  });

  it("gives [] with fewer bars than slow + 1", () => {
    const b = bars(CROSS_UP);
    expect(smaCross.evaluate(b.slice(1), P)).toEqual([]); // 5 bars, the same cross on the last
    expect(smaCross.evaluate([], P)).toEqual([]);
    expect(smaCross.evaluate(b, P)).toHaveLength(1); // exactly slow + 1 is enough
  });

  it("looks only at the last bar: a cross two bars back gives nothing now", () => {
    const b = bars([...CROSS_UP, [12000, 12600, 11900, 12500]]);
    expect(smaCross.evaluate(b, P)).toEqual([]);
  });
});

describe("smaCross determinism and ids", () => {
  it("same input → same signals and id", () => {
    const a = smaCross.evaluate(bars(CROSS_UP), P);
    const b = smaCross.evaluate(bars(CROSS_UP), { ...P });
    expect(b).toEqual(a);
    expect(a[0]!.id).toBe(b[0]!.id);
  });

  it("does not modify the bars it reads", () => {
    const b = bars(CROSS_UP);
    const copy = structuredClone(b);
    smaCross.evaluate(b, P);
    expect(b).toEqual(copy);
  });

  it("different params, symbol or bar → different id", () => {
    const id = smaCross.evaluate(bars(CROSS_UP), P)[0]!.id;
    expect(smaCross.evaluate(bars(CROSS_UP), { ...P, targetR: 3 })[0]!.id).not.toBe(id);
    expect(smaCross.evaluate(bars(CROSS_UP), { ...P, stopLookback: 4 })[0]!.id).not.toBe(id);
    expect(smaCross.evaluate(bars(CROSS_UP).map((c) => ({ ...c, symbol: "OTHER" })), P)[0]!.id).not.toBe(id);
    expect(smaCross.evaluate(bars(CROSS_UP, "2024-02-01"), P)[0]!.id).not.toBe(id);
  });

  it("ids are short, lower-case and start with the strategy", () => {
    const id = smaCross.evaluate(bars(CROSS_UP), P)[0]!.id;
    expect(id.length).toBeLessThanOrEqual(40);
    expect(id).toMatch(/^[a-z0-9-]+$/);
    expect(id).toMatch(/^sma-cross-[a-z2-7]{8}$/);
  });

  it("signalId stays within 40 characters for a long strategy name", () => {
    const id = signalId("a-very-long-strategy-name-that-goes-on-and-on", { x: 1 }, "M&M", "1d", new Date(0));
    expect(id.length).toBeLessThanOrEqual(40);
    expect(id).toMatch(/^[a-z0-9-]+$/);
  });

  it("signalId depends on every part", () => {
    const t = new Date("2025-01-03T03:45:00Z");
    const ids = new Set([
      signalId("s", P, "X", "1d", t),
      signalId("s2", P, "X", "1d", t),
      signalId("s", { ...P, fast: 4 }, "X", "1d", t),
      signalId("s", P, "Y", "1d", t),
      signalId("s", P, "X", "1w", t),
      signalId("s", P, "X", "1d", new Date(t.getTime() + 1000)),
      signalId("s", P, "X", "1d", t, "exit"),
    ]);
    expect(ids.size).toBe(7);
  });

  it("defaults parse and reject a fast SMA not shorter than the slow one", () => {
    expect(smaCross.defaults).toEqual({ fast: 20, slow: 50, stopLookback: 10, targetR: 2 });
    expect(smaCross.params.safeParse({ fast: 5, slow: 5 }).success).toBe(false);
    expect(smaCross.params.safeParse({ fast: 3, slow: 5, stopLookback: 3, targetR: 2 }).success).toBe(true);
  });
});

describe("smaCross walking bar by bar", () => {
  // Closes ₹100 ×5, 110, 90, 120:
  //  bar 5: fast 103.33 > slow 102 after equality → entry
  //  bar 6: fast (100+110+90)/3 = 100 = slow (100+100+100+110+90)/5 = 100 → no signal
  //  bar 7: fast 106.67 > slow 104 → a second entry with no exit between.
  // A touch is not a cross down, so it should not re-arm the entry.
  it("never gives two entries without an exit between (touch, then above again)", () => {
    const kinds = walk(fromCloses([10000, 10000, 10000, 10000, 10000, 11000, 9000, 12000]), P).map((s) => s.kind);
    for (let i = 1; i < kinds.length; i++) expect(`${kinds[i - 1]}→${kinds[i]}`).not.toBe("entry→entry");
  });

  it("alternates on a zig-zag series", () => {
    const closes: number[] = [];
    for (let i = 0; i < 120; i++) closes.push(10000 + Math.round(1500 * Math.sin(i / 4)) + (i % 3) * 7);
    const sigs = walk(fromCloses(closes), P);
    expect(sigs.length).toBeGreaterThan(6);
    for (let i = 1; i < sigs.length; i++) expect(sigs[i]!.kind).not.toBe(sigs[i - 1]!.kind);
  });
});

describe("smaCross on the shipped daily bars", () => {
  const all = loadShippedDaily();
  const bySymbol = new Map<string, Candle[]>();
  for (const c of all.candles) bySymbol.set(c.symbol, [...(bySymbol.get(c.symbol) ?? []), c]);

  const sma = (b: readonly Candle[], end: number, n: number) => {
    let s = 0;
    for (let i = end - n + 1; i <= end; i++) s += b[i]!.close;
    return s / n;
  };

  it("RELIANCE with default params: every entry is a real cross, stops below entries, entries and exits alternate", () => {
    const b = bySymbol.get("RELIANCE")!;
    expect(b.length).toBe(1241);
    const sigs = walk(b, smaCross.defaults);
    const entries = sigs.filter((s) => s.kind === "entry");
    expect(entries.length).toBeGreaterThan(5);
    expect(sigs.length - entries.length).toBeGreaterThan(5);
    for (const s of entries) {
      const c = s.conditions as Record<string, number>;
      expect(c.smaFast!, s.id).toBeGreaterThan(c.smaSlow!);
      expect(c.smaFastPrev!, s.id).toBeLessThanOrEqual(c.smaSlowPrev!);
      expect(s.stop!).toBeLessThan(s.entry);
      expect(s.targets[0]!).toBeGreaterThan(s.entry);
      expect(s.entry).toBe(b[s.at]!.close);
    }
    for (let i = 1; i < sigs.length; i++) expect(sigs[i]!.kind, `signal ${i} at bar ${sigs[i]!.at}`).not.toBe(sigs[i - 1]!.kind);
    expect(new Set(sigs.map((s) => s.id)).size).toBe(sigs.length);
  });

  it("all 50 symbols: every signal matches an independent SMA cross computation and alternates", () => {
    const { fast, slow, stopLookback } = smaCross.defaults;
    let total = 0;
    for (const sym of shippedSymbols()) {
      const b = bySymbol.get(sym)!;
      const sigs = walk(b, smaCross.defaults);
      total += sigs.length;
      const at = new Map(sigs.map((s) => [s.at, s]));
      for (let i = slow; i < b.length; i++) {
        const up = sma(b, i - 1, fast) <= sma(b, i - 1, slow) && sma(b, i, fast) > sma(b, i, slow);
        const down = sma(b, i - 1, fast) >= sma(b, i - 1, slow) && sma(b, i, fast) < sma(b, i, slow);
        const s = at.get(i);
        expect(s?.kind, `${sym} bar ${i}`).toBe(up ? "entry" : down ? "exit" : undefined);
        if (s?.kind === "entry") {
          const low = Math.min(...b.slice(i - stopLookback + 1, i + 1).map((c) => c.low));
          expect(s.stop!).toBeLessThanOrEqual(low);
          expect(s.stop!).toBeLessThan(s.entry);
          expect(s.strength).toBeGreaterThanOrEqual(1);
          expect(s.strength).toBeLessThanOrEqual(100);
        }
      }
      for (let i = 1; i < sigs.length; i++) expect(sigs[i]!.kind, `${sym} bar ${sigs[i]!.at}`).not.toBe(sigs[i - 1]!.kind);
    }
    expect(total).toBeGreaterThan(500);
  });
});

describe("defaultEquityTick", () => {
  it("is ₹0.05, and ₹0.01 under ₹250 from 10 June 2024", () => {
    expect(defaultEquityTick(24_999, "2024-06-10")).toBe(1);
    expect(defaultEquityTick(25_000, "2024-06-10")).toBe(5);
    expect(defaultEquityTick(24_999, "2024-06-09")).toBe(5);
    expect(defaultEquityTick(100, "2020-10-01")).toBe(5);
    expect(defaultEquityTick(500_000, "2025-01-01")).toBe(5);
  });
});
