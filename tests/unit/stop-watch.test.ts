import { describe, expect, it } from "vitest";
import { StopWatch, type StopHit } from "../../src/engine/market/stop-watch.js";

describe("StopWatch", () => {
  it("fires a long's stop when the price falls to it and its targets as the price rises, each once", () => {
    const w = new StopWatch();
    w.set("p1", { symbol: "SBIN", side: "long", stop: 79_000, targets: [83_000, 85_000] });
    expect(w.onTick("SBIN", 80_000)).toEqual([]);
    expect(w.onTick("SBIN", 82_999)).toEqual([]);
    expect(w.onTick("SBIN", 83_000)).toEqual([{ key: "p1", kind: "target", level: 83_000 }]); // touching counts
    expect(w.onTick("SBIN", 83_500)).toEqual([]); // once only
    expect(w.onTick("SBIN", 86_000)).toEqual([{ key: "p1", kind: "target", level: 85_000 }]);
    expect(w.onTick("SBIN", 78_000)).toEqual([{ key: "p1", kind: "stop", level: 79_000 }]);
    expect(w.onTick("SBIN", 70_000)).toEqual([]);
    expect(w.armed("p1")).toEqual([]);
  });

  it("mirrors it for a short: the stop above, the targets below", () => {
    const w = new StopWatch();
    w.set("s1", { symbol: "BANKNIFTY25OCTFUT", side: "short", stop: 5_500_000, targets: [5_300_000, 5_200_000] });
    expect(w.onTick("BANKNIFTY25OCTFUT", 5_400_000)).toEqual([]);
    // A gap down through both targets reports both, nearest first.
    expect(w.onTick("BANKNIFTY25OCTFUT", 5_150_000)).toEqual([
      { key: "s1", kind: "target", level: 5_300_000 },
      { key: "s1", kind: "target", level: 5_200_000 },
    ]);
    expect(w.onTick("BANKNIFTY25OCTFUT", 5_499_995)).toEqual([]);
    expect(w.onTick("BANKNIFTY25OCTFUT", 5_500_000)).toEqual([{ key: "s1", kind: "stop", level: 5_500_000 }]);
  });

  it("keeps symbols and positions apart, and reports every position a tick crosses", () => {
    const w = new StopWatch();
    w.set("a", { symbol: "INFY", side: "long", stop: 140_000, targets: [] });
    w.set("b", { symbol: "INFY", side: "long", stop: 145_000, targets: [160_000] });
    w.set("c", { symbol: "INFY", side: "short", stop: 155_000, targets: [138_000] });
    w.set("d", { symbol: "TCS", side: "long", stop: 145_000, targets: [] });
    expect(w.onTick("TCS", 150_000)).toEqual([]);
    expect(sortHits(w.onTick("INFY", 139_000))).toEqual([
      { key: "a", kind: "stop", level: 140_000 },
      { key: "b", kind: "stop", level: 145_000 },
    ]);
    expect(w.onTick("INFY", 156_000)).toEqual([{ key: "c", kind: "stop", level: 155_000 }]);
    // Levels are independent: c's target stays armed until the position is removed.
    expect(w.onTick("INFY", 137_000)).toEqual([{ key: "c", kind: "target", level: 138_000 }]);
    expect(w.onTick("TCS", 145_000)).toEqual([{ key: "d", kind: "stop", level: 145_000 }]);
  });

  it("re-arms on set, moves a stop (trailing), and forgets on remove", () => {
    const w = new StopWatch();
    w.set("p", { symbol: "SBIN", side: "long", stop: 79_000, targets: [83_000] });
    expect(w.onTick("SBIN", 83_100)).toEqual([{ key: "p", kind: "target", level: 83_000 }]);
    // Trail the stop to break-even: the old level is gone, the new one armed.
    w.set("p", { symbol: "SBIN", side: "long", stop: 81_000, targets: [] });
    expect(w.armed("p")).toEqual([{ key: "p", kind: "stop", level: 81_000 }]);
    expect(w.onTick("SBIN", 80_000)).toEqual([{ key: "p", kind: "stop", level: 81_000 }]);
    // Set again: reported again.
    w.set("p", { symbol: "SBIN", side: "long", stop: 81_000, targets: [] });
    expect(w.onTick("SBIN", 80_000)).toEqual([{ key: "p", kind: "stop", level: 81_000 }]);
    w.set("p", { symbol: "SBIN", side: "long", stop: 75_000, targets: [90_000] });
    w.remove("p");
    expect(w.onTick("SBIN", 1)).toEqual([]);
    expect(w.onTick("SBIN", 1_000_000)).toEqual([]);
    expect(w.size).toBe(0);
    w.remove("p"); // twice is harmless
  });

  it("removes a position whose levels all fired after another on the symbol went", () => {
    const w = new StopWatch();
    w.set("x", { symbol: "SBIN", side: "long", stop: 79_000, targets: [] });
    w.set("y", { symbol: "SBIN", side: "long", stop: 70_000, targets: [] });
    w.onTick("SBIN", 78_000);
    w.remove("y");
    w.remove("x");
    expect(w.size).toBe(0);
  });

  it("moves a position to another symbol when set with one", () => {
    const w = new StopWatch();
    w.set("p", { symbol: "NIFTY25OCT24400CE", side: "long", stop: 10_000, targets: [] });
    w.set("p", { symbol: "NIFTY25OCT24500CE", side: "long", stop: 9_000, targets: [] });
    expect(w.onTick("NIFTY25OCT24400CE", 5_000)).toEqual([]);
    expect(w.onTick("NIFTY25OCT24500CE", 5_000)).toEqual([{ key: "p", kind: "stop", level: 9_000 }]);
  });

  it("refuses levels that are not positive paise, and a stop on the wrong side of a target", () => {
    const w = new StopWatch();
    expect(() => w.set("p", { symbol: "SBIN", side: "long", stop: 79_000.5, targets: [] })).toThrow(/positive whole paise/);
    expect(() => w.set("p", { symbol: "SBIN", side: "long", stop: null, targets: [0] })).toThrow(/positive whole paise/);
    expect(() => w.set("p", { symbol: "SBIN", side: "long", stop: 84_000, targets: [83_000] })).toThrow(/below its targets/);
    expect(() => w.set("p", { symbol: "SBIN", side: "short", stop: 82_000, targets: [83_000] })).toThrow(/above its targets/);
    expect(w.size).toBe(0);
  });

  it("agrees with a plain scan of every level over a random walk", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const w = new StopWatch();
    type Ref = { key: string; symbol: string; side: "long" | "short"; levels: Array<{ kind: "stop" | "target"; level: number; fired: boolean }> };
    const ref: Ref[] = [];
    const symbols = ["A", "B", "C"];
    const price = new Map(symbols.map((s) => [s, 100_000]));
    for (let i = 0; i < 30; i++) {
      const symbol = symbols[i % 3]!;
      const side = rand() < 0.5 ? "long" : "short";
      const p = price.get(symbol)!;
      const d = 500 + Math.floor(rand() * 3_000);
      const stop = side === "long" ? p - d : p + d;
      const targets = [1, 2].map((k) => (side === "long" ? p + k * d : p - k * d));
      w.set(`k${i}`, { symbol, side, stop, targets });
      ref.push({ key: `k${i}`, symbol, side, levels: [{ kind: "stop", level: stop, fired: false }, ...targets.map((level) => ({ kind: "target" as const, level, fired: false }))] });
    }
    let fired = 0;
    for (let n = 0; n < 5_000; n++) {
      const symbol = symbols[Math.floor(rand() * 3)]!;
      const p = price.get(symbol)! + Math.round((rand() - 0.5) * 400);
      price.set(symbol, p);
      const expected: StopHit[] = [];
      for (const r of ref.filter((x) => x.symbol === symbol)) {
        for (const l of r.levels) {
          if (l.fired) continue;
          const fallsTo = (r.side === "long") === (l.kind === "stop");
          if (fallsTo ? p <= l.level : p >= l.level) {
            l.fired = true;
            expected.push({ key: r.key, kind: l.kind, level: l.level });
          }
        }
      }
      expect(sortHits(w.onTick(symbol, p))).toEqual(sortHits(expected));
      fired += expected.length;
    }
    // The walk reaches most levels, so the fast path and the crossing path are both exercised.
    expect(fired).toBeGreaterThan(45);
  });
});

function sortHits(h: readonly StopHit[]): StopHit[] {
  return [...h].sort((a, b) => (a.key + a.kind + a.level < b.key + b.kind + b.level ? -1 : 1));
}
