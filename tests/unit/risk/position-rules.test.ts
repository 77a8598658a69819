import { describe, expect, it } from "vitest";
import {
  DEFAULT_MANAGEMENT,
  bookQty,
  managePosition,
  type Action,
  type ManagedPosition,
  type PriceUpdate,
} from "../../../src/engine/risk/position-rules.js";

const RS = 100; // paise per rupee
const AT = new Date("2025-04-15T05:30:00Z"); // 11:00 IST; the rules do not depend on the time

/** Long 100 shares at ₹1,000.00, tick 5 paise, initial stop ₹950.00. */
const LONG: ManagedPosition = { side: "long", qty: 100, originalQty: 100, avgEntry: 1_000 * RS, stop: 950 * RS, lotSize: 1, tick: 5 };
const SHORT: ManagedPosition = { ...LONG, side: "short", stop: 1_050 * RS };

function px(ltp: number, atr: number | null = null): PriceUpdate {
  return { ltp, atr, at: AT };
}

/** What a caller does with the actions: move the stop, reduce the quantity. */
function apply(pos: ManagedPosition, actions: Action[]): ManagedPosition {
  let next = { ...pos };
  for (const a of actions) {
    if (a.kind === "move_stop") next = { ...next, stop: a.to };
    if (a.kind === "partial_exit") next = { ...next, qty: next.qty - a.qty };
  }
  return next;
}

/** Short summary of actions for exact comparison. */
function brief(actions: Action[]): string[] {
  return actions.map((a) =>
    a.kind === "move_stop" ? `${a.rule}:stop→${a.to}` : a.kind === "partial_exit" ? `${a.rule}:book ${a.qty}` : a.kind === "exit" ? `${a.rule}:exit` : `${a.rule}:${a.level}`,
  );
}

describe("a long from ₹1,000.00 walked up through every profit rule and out on the trail", () => {
  it("follows the seed's ladder step by step", () => {
    let pos = LONG;
    const fired: string[] = [];
    const step = (u: PriceUpdate) => {
      const r = managePosition(pos, u, fired);
      pos = apply(pos, r.actions);
      fired.push(...r.fired);
      return r;
    };

    // +2.99%: nothing yet.
    expect(step(px(102_990)).actions).toEqual([]);

    // +3.00% exactly (₹1,030.00): stop to breakeven ₹1,000.00.
    let r = step(px(1_030 * RS));
    expect(r.fired).toEqual(["be3"]);
    expect(r.actions).toEqual([
      { kind: "move_stop", to: 1_000 * RS, rule: "be3", reason: "up 3.00% (₹1,030.00 vs entry ₹1,000.00), past +3%: breakeven: stop ₹1,000.00 (was ₹950.00)" },
    ]);

    // +6% (₹1,060.00): book 25 of 100; trail 3% below ₹1,060.00 = ₹1,028.20.
    r = step(px(1_060 * RS));
    expect(r.fired).toEqual(["book6"]);
    expect(brief(r.actions)).toEqual(["book6:book 25", "book6:stop→102820"]);
    expect(r.actions[0]!.reason).toBe(
      "up 6.00% (₹1,060.00 vs entry ₹1,000.00), past +6%: book 25 shares at market (25% of the original 100 shares); 75 shares left to trail",
    );
    expect(r.actions[1]!.reason).toBe("trailing 3% below ₹1,060.00: stop ₹1,028.20 (was ₹1,000.00)");
    expect(pos.qty).toBe(75);

    // The percent trail follows later highs: ₹1,080.00 × 97% = ₹1,047.60.
    r = step(px(1_080 * RS));
    expect(r.fired).toEqual([]);
    expect(brief(r.actions)).toEqual(["book6:stop→104760"]);
    // ...and a dip that stays above the stop does not lower it.
    expect(step(px(1_050 * RS)).actions).toEqual([]);
    expect(pos.stop).toBe(104_760);

    // +10% (₹1,100.00): book 50 (50% of the original 100), 25 left; trail to ₹1,067.00.
    r = step(px(1_100 * RS));
    expect(r.fired).toEqual(["book10"]);
    expect(brief(r.actions)).toEqual(["book10:book 50", "book10:stop→106700"]);
    expect(pos.qty).toBe(25);

    // +15% (₹1,150.00) with ATR ₹20: the ATR trail takes over, ₹1,150 − 2 × ₹20 = ₹1,110.00.
    r = step(px(1_150 * RS, 20 * RS));
    expect(r.fired).toEqual(["trail15"]);
    expect(r.actions).toEqual([
      { kind: "move_stop", to: 1_110 * RS, rule: "trail15", reason: "trailing 2 × ATR ₹20.00 below ₹1,150.00: stop ₹1,110.00 (was ₹1,067.00)" },
    ]);

    // Every later update trails at 2 × ATR: ₹1,170 − ₹44 = ₹1,126.00 (not the 3% trail's ₹1,134.90).
    r = step(px(1_170 * RS, 22 * RS));
    expect(brief(r.actions)).toEqual(["trail15:stop→112600"]);

    // Pullback to ₹1,126.00 touches the trail: exit all 25.
    r = step(px(1_126 * RS, 22 * RS));
    expect(r.fired).toEqual(["stop"]);
    expect(r.actions).toEqual([
      { kind: "exit", rule: "stop", reason: "stop hit: ₹1,126.00 is at or below the stop ₹1,126.00; exit all 25 shares at market" },
    ]);
    expect(fired).toEqual(["be3", "book6", "book10", "trail15", "stop"]);

    // The exit is on its way: any further update (even lower) does nothing more.
    expect(managePosition(pos, px(1_000 * RS, 22 * RS), fired)).toEqual({ actions: [], fired: [] });
  });

  it("a restart replays the same update with the persisted fired list: no rule fires twice", () => {
    const first = managePosition(LONG, px(1_060 * RS), []);
    expect(first.fired).toEqual(["be3", "book6"]);
    // Same position state (the caller had not yet applied anything) and the same fired list.
    const again = managePosition(LONG, px(1_060 * RS), first.fired);
    expect(again.fired).toEqual([]);
    // No second booking; only the trail, which any update re-evaluates, still applies to the old stop.
    expect(brief(again.actions)).toEqual(["book6:stop→102820"]);
    // After the caller applied the first result, replaying is a no-op.
    const applied = apply(LONG, first.actions);
    expect(managePosition(applied, px(1_060 * RS), first.fired)).toEqual({ actions: [], fired: [] });
  });

  it("+15% without an ATR: trail15 waits and the 3% trail keeps working; it fires once an ATR arrives", () => {
    const pos: ManagedPosition = { ...LONG, qty: 25, stop: 106_700 };
    const fired = ["be3", "book6", "book10"];
    const r = managePosition(pos, px(1_150 * RS, null), fired);
    expect(r.fired).toEqual([]);
    // ₹1,150.00 × 97% = ₹1,115.50.
    expect(brief(r.actions)).toEqual(["book10:stop→111550"]);
    // An ATR of 0 is no usable ATR either.
    expect(managePosition(pos, px(1_150 * RS, 0), fired).fired).toEqual([]);

    // Next update has ATR ₹20: trail15 fires, but ₹1,110.00 is looser than ₹1,115.50, so the stop stays.
    const r2 = managePosition({ ...pos, stop: 111_550 }, px(1_150 * RS, 20 * RS), fired);
    expect(r2.fired).toEqual(["trail15"]);
    expect(r2.actions).toEqual([]);
  });
});

describe("loss rules", () => {
  const noStop: ManagedPosition = { ...LONG, stop: null };

  it("−3% is a caution alert, once; −2.99% is nothing", () => {
    expect(managePosition(noStop, px(97_001), []).actions).toEqual([]);
    const r = managePosition(noStop, px(970 * RS), []);
    expect(r.fired).toEqual(["caution3"]);
    expect(r.actions).toEqual([
      { kind: "alert", level: "caution", rule: "caution3", reason: "caution: down 3.00% (₹970.00 vs entry ₹1,000.00); watch closely, exit at −6%" },
    ]);
    // Deeper, or back and down again: no second alert.
    expect(managePosition(noStop, px(955 * RS), ["caution3"]).actions).toEqual([]);
    expect(managePosition(noStop, px(1_010 * RS), ["caution3"]).actions).toEqual([]);
    expect(managePosition(noStop, px(968 * RS), ["caution3"]).actions).toEqual([]);
  });

  it("−6% exits all at market, once", () => {
    expect(managePosition(noStop, px(94_001), ["caution3"]).actions).toEqual([]);
    const r = managePosition(noStop, px(940 * RS), ["caution3"]);
    expect(r.fired).toEqual(["exit6"]);
    expect(r.actions).toEqual([
      { kind: "exit", rule: "exit6", reason: "down 6.00% (₹940.00 vs entry ₹1,000.00), past the 6% loss limit; exit all 100 shares at market" },
    ]);
    expect(managePosition(noStop, px(930 * RS), ["caution3", "exit6"]).actions).toEqual([]);
  });

  it("a gap straight to −7% exits without the caution alert first", () => {
    const r = managePosition(noStop, px(930 * RS), []);
    expect(r.fired).toEqual(["exit6"]);
    expect(brief(r.actions)).toEqual(["exit6:exit"]);
  });

  it("a stop hit wins over −6%: one exit, labelled as the stop", () => {
    const r = managePosition(LONG, px(940 * RS), []);
    expect(r.fired).toEqual(["stop"]);
    expect(r.actions).toEqual([
      { kind: "exit", rule: "stop", reason: "stop hit: ₹940.00 is at or below the stop ₹950.00; exit all 100 shares at market" },
    ]);
  });

  it("the stop at ₹950.00 is hit at ₹950.00 exactly, not at ₹950.05", () => {
    expect(managePosition(LONG, px(95_005), []).fired).toEqual(["caution3"]);
    expect(managePosition(LONG, px(95_000), []).fired).toEqual(["stop"]);
  });
});

describe("several thresholds crossed on one update", () => {
  it("a gap from +2% to +11% fires be3, book6, book10 in order, booking 25 then 50 of 100", () => {
    const r = managePosition(LONG, px(1_110 * RS), []);
    expect(r.fired).toEqual(["be3", "book6", "book10"]);
    // ₹1,110.00 × 97% = ₹1,076.70.
    expect(brief(r.actions)).toEqual(["be3:stop→100000", "book6:book 25", "book10:book 50", "book10:stop→107670"]);
    expect(r.actions[2]!.reason).toContain("25 shares left to trail");
  });

  it("a gap to +16% with an ATR fires all four; the ATR trail (not the 3% trail) sets the stop", () => {
    const r = managePosition(LONG, px(1_160 * RS, 20 * RS), []);
    expect(r.fired).toEqual(["be3", "book6", "book10", "trail15"]);
    expect(brief(r.actions)).toEqual(["be3:stop→100000", "book6:book 25", "book10:book 50", "trail15:stop→112000"]);
  });

  it("bookings never exceed what is held: 50% of the original capped when only 40 of 100 are left", () => {
    const pos: ManagedPosition = { ...LONG, qty: 40, stop: 100_000 };
    const r = managePosition(pos, px(1_100 * RS), ["be3", "book6"]);
    // 50 wanted, 40 held, one share must stay to trail → 39.
    expect(brief(r.actions)).toEqual(["book10:book 39", "book10:stop→106700"]);
  });
});

describe("a short, mirrored", () => {
  it("walks down through the ladder and out on the ATR trail", () => {
    let pos = SHORT;
    const fired: string[] = [];
    const step = (u: PriceUpdate) => {
      const r = managePosition(pos, u, fired);
      pos = apply(pos, r.actions);
      fired.push(...r.fired);
      return r;
    };
    // −3% in price is +3% for a short: stop down to ₹1,000.00.
    expect(brief(step(px(970 * RS)).actions)).toEqual(["be3:stop→100000"]);
    // ₹940.00 × 103% = ₹968.20.
    expect(brief(step(px(940 * RS)).actions)).toEqual(["book6:book 25", "book6:stop→96820"]);
    // ₹900.00 × 103% = ₹927.00.
    expect(brief(step(px(900 * RS)).actions)).toEqual(["book10:book 50", "book10:stop→92700"]);
    // ₹850.00 + 2 × ₹20 = ₹890.00.
    const r = step(px(850 * RS, 20 * RS));
    expect(r.actions).toEqual([
      { kind: "move_stop", to: 890 * RS, rule: "trail15", reason: "trailing 2 × ATR ₹20.00 above ₹850.00: stop ₹890.00 (was ₹927.00)" },
    ]);
    // A rally away from the short does not raise the stop...
    expect(step(px(880 * RS, 20 * RS)).actions).toEqual([]);
    // ...and ₹890.00 hits it.
    const out = step(px(890 * RS, 20 * RS));
    expect(out.actions[0]!.reason).toBe("stop hit: ₹890.00 is at or above the stop ₹890.00; exit all 25 shares at market");
    expect(fired).toEqual(["be3", "book6", "book10", "trail15", "stop"]);
  });

  it("losses are price rises: caution at ₹1,030.00, exit at ₹1,060.00", () => {
    const pos: ManagedPosition = { ...SHORT, stop: null };
    expect(managePosition(pos, px(1_030 * RS), []).fired).toEqual(["caution3"]);
    expect(managePosition(pos, px(1_060 * RS), ["caution3"]).fired).toEqual(["exit6"]);
  });
});

describe("rounding stops to the tick, never looser than the rule", () => {
  it("breakeven off the tick: ₹1,000.03 → long stop ₹1,000.05, short stop ₹1,000.00", () => {
    const entry = 100_003;
    const long = managePosition({ ...LONG, avgEntry: entry }, px(1_040 * RS), []);
    expect(brief(long.actions)).toEqual(["be3:stop→100005"]);
    const short = managePosition({ ...SHORT, avgEntry: entry }, px(960 * RS), []);
    expect(brief(short.actions)).toEqual(["be3:stop→100000"]);
  });

  it("percent trail: ₹1,060.10 × 97% = ₹1,028.297 → ₹1,028.30 for a long; × 103% = ₹1,091.903 → ₹1,091.90 for a short", () => {
    const long = managePosition({ ...LONG, stop: 100_000 }, px(106_010), ["be3", "book6"]);
    expect(brief(long.actions)).toEqual(["book6:stop→102830"]);
    // A short from ₹1,130.00, so ₹1,060.10 is +6.2% in its favour.
    const short = managePosition({ ...SHORT, avgEntry: 113_000, stop: 110_000 }, px(106_010), ["be3", "book6"]);
    expect(brief(short.actions)).toEqual(["book6:stop→109190"]);
  });

  it("ATR trail with a fractional ATR: ₹1,150 − 2 × 19.997 = ₹1,110.006 → ₹1,110.05", () => {
    const r = managePosition({ ...LONG, stop: 100_000 }, px(115_000, 1_999.7), ["be3", "book6", "book10", "trail15"]);
    expect(brief(r.actions)).toEqual(["trail15:stop→111005"]);
  });

  it("a tiny ATR that would round onto the ltp keeps the stop one tick inside the market", () => {
    // ₹1,150.00 − 2 × 1 paisa = ₹1,149.98 → up to the tick = ₹1,150.00 = ltp → ₹1,149.95 instead.
    const r = managePosition({ ...LONG, stop: 100_000 }, px(115_000, 1), ["be3", "book6", "book10", "trail15"]);
    expect(brief(r.actions)).toEqual(["trail15:stop→114995"]);
  });

  it("a stop already tighter than breakeven is left alone (be3 still fires, silently)", () => {
    const r = managePosition({ ...LONG, stop: 101_000 }, px(1_035 * RS), []);
    expect(r.fired).toEqual(["be3"]);
    expect(r.actions).toEqual([]);
  });

  it("no stop at all: breakeven sets the first one", () => {
    const r = managePosition({ ...LONG, stop: null }, px(1_030 * RS), []);
    expect(r.actions[0]!.reason).toBe("up 3.00% (₹1,030.00 vs entry ₹1,000.00), past +3%: breakeven: stop ₹1,000.00 (no stop before)");
  });
});

describe("lot sizes and small positions", () => {
  it("F&O lot 30, 90 held: 25% = 22.5 is under a lot, so one lot (30) is booked; 50% = 45 → one lot; one lot trails", () => {
    const fo: ManagedPosition = { ...LONG, qty: 90, originalQty: 90, lotSize: 30 };
    const r6 = managePosition(fo, px(1_060 * RS), []);
    expect(brief(r6.actions)).toEqual(["be3:stop→100000", "book6:book 30", "book6:stop→102820"]);
    expect(r6.actions[1]!.reason).toBe(
      "up 6.00% (₹1,060.00 vs entry ₹1,000.00), past +6%: book 30 (1 lot of 30) at market (25% of the original 90 (3 lots of 30)); 60 (2 lots of 30) left to trail",
    );
    const after6 = apply(fo, r6.actions);
    const r10 = managePosition(after6, px(1_100 * RS), r6.fired);
    expect(brief(r10.actions)).toEqual(["book10:book 30", "book10:stop→106700"]);
    expect(apply(after6, r10.actions).qty).toBe(30);
  });

  it("lot 25, 4 lots: books exactly 25 then 50, one lot left", () => {
    expect(bookQty(100, 25, 100, 25)).toBe(25);
    expect(bookQty(100, 50, 75, 25)).toBe(50);
  });

  it("a single lot (or a single share) cannot be split: nothing is booked, the stop still trails, an info alert says why", () => {
    const one: ManagedPosition = { ...LONG, qty: 30, originalQty: 30, lotSize: 30, stop: 100_000 };
    const r = managePosition(one, px(1_060 * RS), ["be3"]);
    expect(r.fired).toEqual(["book6"]);
    expect(r.actions).toEqual([
      { kind: "alert", level: "info", rule: "book6", reason: "up 6.00% (₹1,060.00 vs entry ₹1,000.00), past +6%: 30 (1 lot of 30) cannot be split, nothing booked; the stop trails instead" },
      { kind: "move_stop", to: 102_820, rule: "book6", reason: "trailing 3% below ₹1,060.00: stop ₹1,028.20 (was ₹1,000.00)" },
    ]);
    const share: ManagedPosition = { ...LONG, qty: 1, originalQty: 1 };
    expect(brief(managePosition(share, px(1_110 * RS), []).actions)).toEqual(["be3:stop→100000", "book6:info", "book10:info", "book10:stop→107670"]);
  });

  it("two shares: +6% books one (at least one unit), +10% has nothing left to split", () => {
    const two: ManagedPosition = { ...LONG, qty: 2, originalQty: 2 };
    expect(brief(managePosition(two, px(1_110 * RS), []).actions)).toEqual(["be3:stop→100000", "book6:book 1", "book10:info", "book10:stop→107670"]);
  });

  it("odd percentages do not lose a share to float noise: 29% of 100 is 29", () => {
    expect(bookQty(100, 29, 100, 1)).toBe(29);
  });
});

describe("property: over random price paths, stops never loosen and rules fire once", () => {
  /** mulberry32: small, seeded, reproducible. */
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("400 paths × up to 150 updates, long and short, lots 1/25/30/75", () => {
    const rand = rng(20250415);
    let moves = 0;
    let exits = 0;
    let bookings = 0;
    for (let path = 0; path < 400; path++) {
      const side = rand() < 0.5 ? "long" : "short";
      const lotSize = [1, 25, 30, 75][Math.floor(rand() * 4)]!;
      const lots = 1 + Math.floor(rand() * 8);
      const entry = 5 * Math.round((20_000 + rand() * 400_000) / 5);
      const initialStop = rand() < 0.2 ? null : side === "long" ? entry - 5 * Math.round((entry * 0.05) / 5) : entry + 5 * Math.round((entry * 0.05) / 5);
      let pos: ManagedPosition = { side, qty: lots * lotSize, originalQty: lots * lotSize, avgEntry: entry, stop: initialStop, lotSize, tick: 5 };
      const fired: string[] = [];
      let ltp = entry;
      // Drift toward profit on most paths so the profit rules get exercised.
      const drift = (side === "long" ? 1 : -1) * (rand() * 0.012 - 0.002);
      for (let i = 0; i < 150; i++) {
        const gap = rand() < 0.05 ? (rand() - 0.5) * 0.2 : 0;
        ltp = Math.max(5, Math.round(ltp * (1 + drift + (rand() - 0.5) * 0.03 + gap)));
        const atr = rand() < 0.15 ? null : ltp * (0.005 + rand() * 0.03);
        const r = managePosition(pos, px(ltp, atr), fired);

        // Each rule id at most once over the whole path.
        for (const id of r.fired) expect(fired).not.toContain(id);
        let stop = pos.stop;
        let qty = pos.qty;
        for (const a of r.actions) {
          if (a.kind === "move_stop") {
            moves++;
            if (stop !== null) expect(side === "long" ? a.to > stop : a.to < stop).toBe(true);
            expect(side === "long" ? a.to < ltp : a.to > ltp).toBe(true);
            expect(a.to % 5).toBe(0);
            stop = a.to;
          } else if (a.kind === "partial_exit") {
            bookings++;
            expect(a.qty).toBeGreaterThan(0);
            expect(a.qty % lotSize).toBe(0);
            qty -= a.qty;
            expect(qty).toBeGreaterThanOrEqual(lotSize);
          } else if (a.kind === "exit") {
            exits++;
            expect(r.actions).toHaveLength(1);
          }
        }
        pos = apply(pos, r.actions);
        fired.push(...r.fired);
        // Restart: the same update again, state applied, same fired list → nothing.
        expect(managePosition(pos, px(ltp, atr), fired)).toEqual({ actions: [], fired: [] });
        if (fired.includes("stop") || fired.includes("exit6")) break;
      }
      expect(new Set(fired).size).toBe(fired.length);
    }
    // The paths really exercised the rules (guards against a vacuous pass).
    expect(moves).toBeGreaterThan(500);
    expect(exits).toBeGreaterThan(100);
    expect(bookings).toBeGreaterThan(100);
  });
});

describe("bad input is refused with a message naming what is wrong", () => {
  it("rejects impossible positions and prices", () => {
    expect(() => managePosition({ ...LONG, tick: 0 }, px(100_000), [])).toThrow("tick must be a positive whole number of paise, got 0");
    expect(() => managePosition({ ...LONG, qty: 120 }, px(100_000), [])).toThrow("original quantity (100) must be a whole number no smaller than the quantity held (120)");
    expect(() => managePosition({ ...LONG, qty: 45, originalQty: 90, lotSize: 30 }, px(100_000), [])).toThrow("quantities must be whole lots of 30: held 45, original 90");
    expect(() => managePosition(LONG, px(1_000.5), [])).toThrow("last traded price must be a positive whole number of paise, got 1000.5");
    expect(() => managePosition(LONG, px(100_000, -1), [])).toThrow("ATR must be a non-negative number of paise or null, got -1");
    expect(() => managePosition({ ...LONG, qty: 0 }, px(100_000), [])).toThrow("quantity held must be a positive whole number, got 0");
  });

  it("rejects settings out of order", () => {
    expect(() => managePosition(LONG, px(100_000), [], { firstBookAtPct: 12 })).toThrow(
      "profit thresholds must rise: breakeven 3%, first booking 12%, second booking 10%, ATR trail 15%",
    );
    expect(() => managePosition(LONG, px(100_000), [], { cautionAtPct: 7 })).toThrow("the caution level (7%) must come before the loss exit (6%)");
  });

  it("settings override the defaults: breakeven at +2%", () => {
    expect(DEFAULT_MANAGEMENT.breakevenAtPct).toBe(3);
    expect(managePosition(LONG, px(1_020 * RS), [], { breakevenAtPct: 2 }).fired).toEqual(["be3"]);
  });
});
