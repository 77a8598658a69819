import { describe, expect, it } from "vitest";
import { armBreaker, describe as describeBreaker, onEquity, parseBreaker, reset, tripLevel, type BreakerState } from "../../../src/engine/risk/breaker.js";
import { fromIst } from "../../../src/engine/time/ist.js";

const RS = 100; // paise per rupee
const at = (time: string, day = "2025-01-03") => fromIst(day, time);
/** Armed on 3 Jan 2025 with ₹4,00,000: 3% is ₹12,000, so it trips at ₹3,88,000. */
const start = (): BreakerState => armBreaker("2025-01-03", 400_000 * RS);

describe("breaker: tripping at 3% of the day's start", () => {
  it("trips at exactly 3.00% down", () => {
    const r = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS });
    expect(r.tripped).toBe(true);
    expect(r.state).toEqual({
      tripped: true,
      trippedAt: "2025-01-03T11:02:00+05:30",
      reason: "equity ₹3,88,000.00 is 3.00% (₹12,000.00) below the day's start of ₹4,00,000.00, at or past the MAX_DAILY_LOSS_PCT limit of 3%",
      day: "2025-01-03",
      dayStartEquity: 400_000 * RS,
    });
  });

  it("does not trip at 2.99% down, nor one paisa above the trip level", () => {
    // ₹4,00,000 × 2.99% = ₹11,960.
    expect(onEquity(start(), { now: at("11:02"), equity: 388_040 * RS }).tripped).toBe(false);
    const r = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS + 1 });
    expect(r.tripped).toBe(false);
    expect(r.state.tripped).toBe(false);
  });

  it("trips on a deeper loss too, and reports it as it is", () => {
    const r = onEquity(start(), { now: at("14:45"), equity: 380_000 * RS });
    expect(r.tripped).toBe(true);
    expect(r.state.reason).toBe("equity ₹3,80,000.00 is 5.00% (₹20,000.00) below the day's start of ₹4,00,000.00, at or past the MAX_DAILY_LOSS_PCT limit of 3%");
  });

  it("follows the setting: 2.5% of ₹4,00,000 is ₹10,000", () => {
    expect(onEquity(start(), { now: at("10:00"), equity: 390_000 * RS + 1, maxDailyLossPct: 2.5 }).tripped).toBe(false);
    expect(onEquity(start(), { now: at("10:00"), equity: 390_000 * RS, maxDailyLossPct: 2.5 }).tripped).toBe(true);
  });

  it("compares exactly when the trip level falls between paise", () => {
    // ₹1,000.01 × 97% = 97,000.97 paise: 97,000 trips, 97,001 does not.
    const s = armBreaker("2025-01-03", 100_001);
    expect(tripLevel(100_001)).toBe(97_000);
    expect(onEquity(s, { now: at("10:00"), equity: 97_001 }).tripped).toBe(false);
    expect(onEquity(s, { now: at("10:00"), equity: 97_000 }).tripped).toBe(true);
  });

  it("reports `tripped` only on the mark that trips it, and ignores later marks", () => {
    const first = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS });
    const later = onEquity(first.state, { now: at("11:30"), equity: 370_000 * RS });
    expect(later.tripped).toBe(false);
    expect(later.state).toEqual(first.state);
    // A recovery does not untrip it either.
    expect(onEquity(first.state, { now: at("15:00"), equity: 410_000 * RS }).state.tripped).toBe(true);
  });
});

describe("breaker: days", () => {
  it("a day's first mark becomes its baseline; the loss is measured from there", () => {
    // Day 1 closes at ₹3,90,000 (−2.5%, no trip). Day 2 starts there: 3% is ₹11,700, trip at ₹3,78,300.
    const d1 = onEquity(start(), { now: at("15:30"), equity: 390_000 * RS });
    expect(d1.state.tripped).toBe(false);
    const d2 = onEquity(d1.state, { now: at("09:15", "2025-01-06"), equity: 390_000 * RS });
    expect(d2.state).toEqual({ tripped: false, day: "2025-01-06", dayStartEquity: 390_000 * RS });
    expect(onEquity(d2.state, { now: at("10:00", "2025-01-06"), equity: 378_300 * RS + 1 }).tripped).toBe(false);
    expect(onEquity(d2.state, { now: at("10:00", "2025-01-06"), equity: 378_300 * RS }).tripped).toBe(true);
  });

  it("takes the IST day from `now`: 00:30 IST is already the next day", () => {
    const s = onEquity(start(), { now: at("00:30", "2025-01-04"), equity: 395_000 * RS }).state;
    expect(s.day).toBe("2025-01-04");
    expect(s.dayStartEquity).toBe(395_000 * RS);
  });

  it("a tripped breaker stays tripped on the next day, baseline untouched", () => {
    const tripped = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS }).state;
    const next = onEquity(tripped, { now: at("09:15", "2025-01-06"), equity: 395_000 * RS });
    expect(next.tripped).toBe(false);
    expect(next.state).toEqual(tripped);
    expect(next.state.day).toBe("2025-01-03");
  });
});

describe("breaker: survives a restart", () => {
  it("round-trips through JSON, still tripped, and stays so the next day", () => {
    const tripped = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS }).state;
    const stored = JSON.stringify(tripped);
    const loaded = parseBreaker(JSON.parse(stored));
    expect(loaded).toEqual(tripped);
    expect(parseBreaker(stored)).toEqual(tripped);
    const after = onEquity(loaded, { now: at("09:15", "2025-01-06"), equity: 400_000 * RS });
    expect(after.state.tripped).toBe(true);
    expect(after.state.trippedAt).toBe("2025-01-03T11:02:00+05:30");
  });

  it("names a bad stored field", () => {
    expect(() => parseBreaker({ tripped: "yes", day: "2025-01-03", dayStartEquity: 1 })).toThrow('breaker state: tripped: expected true or false, got "yes"');
    expect(() => parseBreaker({ tripped: false, day: "2025-02-30", dayStartEquity: 1 })).toThrow("breaker state: day: expected a date (YYYY-MM-DD)");
    expect(() => parseBreaker({ tripped: false, day: "2025-01-03", dayStartEquity: 1.5 })).toThrow("breaker state: dayStartEquity: expected whole paise, got 1.5");
    expect(() => parseBreaker({ tripped: true, day: "2025-01-03", dayStartEquity: 1, trippedAt: "soon" })).toThrow("breaker state: trippedAt: expected an ISO 8601 time");
    expect(() => parseBreaker(null)).toThrow("breaker state: expected an object");
  });
});

describe("breaker: admin reset", () => {
  it("clears the trip and restarts the day's baseline at current equity", () => {
    const tripped = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS }).state;
    const s = reset(tripped, { now: at("11:40"), by: "admin:42", equity: 387_000 * RS });
    expect(s).toEqual({ tripped: false, day: "2025-01-03", dayStartEquity: 387_000 * RS, resetAt: "2025-01-03T11:40:00+05:30", resetBy: "admin:42" });
    // The same equity no longer trips it; 3% below ₹3,87,000 (₹3,75,390) does.
    expect(onEquity(s, { now: at("11:41"), equity: 387_000 * RS }).tripped).toBe(false);
    expect(onEquity(s, { now: at("12:00"), equity: 375_390 * RS + 1 }).tripped).toBe(false);
    expect(onEquity(s, { now: at("12:00"), equity: 375_390 * RS }).tripped).toBe(true);
  });

  it("a reset on a later day takes that day", () => {
    const tripped = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS }).state;
    const s = reset(tripped, { now: at("09:00", "2025-01-06"), by: "admin", equity: 388_500 * RS });
    expect(s.day).toBe("2025-01-06");
    // No new baseline at the day's first mark: the reset set it.
    expect(onEquity(s, { now: at("09:15", "2025-01-06"), equity: 390_000 * RS }).state.dayStartEquity).toBe(388_500 * RS);
  });

  it("keeps the last reset on the record over later days", () => {
    const s = reset(start(), { now: at("11:40"), by: "admin", equity: 400_000 * RS });
    const next = onEquity(s, { now: at("09:15", "2025-01-06"), equity: 401_000 * RS }).state;
    expect(next).toEqual({ tripped: false, day: "2025-01-06", dayStartEquity: 401_000 * RS, resetAt: "2025-01-03T11:40:00+05:30", resetBy: "admin" });
  });
});

describe("breaker: describe", () => {
  it("says when it trips while armed", () => {
    expect(describeBreaker(start())).toBe("Daily-loss circuit breaker: armed. 2025-01-03 started at ₹4,00,000.00; it trips at ₹3,88,000.00 or below (a 3% loss).");
  });

  it("says when, why and who may reset when tripped", () => {
    const s = onEquity(start(), { now: at("11:02"), equity: 388_000 * RS }).state;
    expect(describeBreaker(s)).toBe(
      "Daily-loss circuit breaker: TRIPPED at 03 Jan 2025 11:02 IST: equity ₹3,88,000.00 is 3.00% (₹12,000.00) below the day's start of ₹4,00,000.00, " +
        "at or past the MAX_DAILY_LOSS_PCT limit of 3%. No new entries until the admin resets it; exits still go through.",
    );
  });

  it("mentions the last reset", () => {
    const s = reset(start(), { now: at("11:40"), by: "admin", equity: 390_000 * RS });
    expect(describeBreaker(s, 2)).toBe(
      "Daily-loss circuit breaker: armed. 2025-01-03 started at ₹3,90,000.00; it trips at ₹3,82,200.00 or below (a 2% loss). Last reset 03 Jan 2025 11:40 IST by admin.",
    );
  });
});

describe("breaker: bad input", () => {
  it("names a bad percent, equity or day", () => {
    expect(() => onEquity(start(), { now: at("10:00"), equity: 1, maxDailyLossPct: 0 })).toThrow("MAX_DAILY_LOSS_PCT: expected a percent above 0 and at most 100, got 0");
    expect(() => onEquity(start(), { now: at("10:00"), equity: 1.5 })).toThrow("breaker: equity must be whole paise, got 1.5");
    expect(() => armBreaker("3 Jan", 1)).toThrow('breaker: day must be a date (YYYY-MM-DD), got "3 Jan"');
  });
});
