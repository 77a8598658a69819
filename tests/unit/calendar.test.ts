import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NseCalendar, loadNseCalendar } from "../../src/engine/market/calendar.js";
import { addDays, fromIst, weekday } from "../../src/engine/time/ist.js";

const cal = loadNseCalendar();
const at = (date: string, time: string): Date => fromIst(date, time);

describe("holiday data", () => {
  it("covers 2020-2026", () => {
    expect(cal.coverage()).toEqual({ from: "2020-01-01", to: "2026-12-31" });
  });

  it("has NSE's weekday holiday count for each year", () => {
    // Muhurat days (regular session closed) are counted as holidays.
    const counts = Object.fromEntries(
      [2020, 2021, 2022, 2023, 2024, 2025, 2026].map((y) => [y, cal.holidays(y).filter((h) => !h.weekend).length]),
    );
    expect(counts).toEqual({ 2020: 12, 2021: 14, 2022: 13, 2023: 15, 2024: 17, 2025: 14, 2026: 16 });
  });

  it("strips the weekend marker from descriptions", () => {
    expect(cal.holiday("2023-11-12")).toBe("Diwali Laxmi Pujan");
    expect(cal.holidays(2025).find((h) => h.date === "2025-01-26")).toEqual({
      date: "2025-01-26",
      description: "Republic Day",
      weekend: true,
    });
  });

  it("closes on Republic Day every year it falls on a weekday", () => {
    for (const y of [2021, 2022, 2023, 2024, 2026]) expect(cal.isTradingDay(`${y}-01-26`)).toBe(false);
  });

  it("knows the 2023 Bakri Id move (28 June traded, 29 June closed)", () => {
    expect(cal.isTradingDay("2023-06-28")).toBe(true);
    expect(cal.isTradingDay("2023-06-29")).toBe(false);
  });

  it("knows the unscheduled closures", () => {
    expect(cal.holiday("2024-01-22")).toMatch(/Ram temple/);
    expect(cal.holiday("2024-05-20")).toMatch(/Elections/);
    expect(cal.holiday("2024-11-20")).toMatch(/Elections/);
    expect(cal.holiday("2026-01-15")).toMatch(/Municipal/);
  });

  // Every weekday without a daily bar in the shipped NIFTY 50 data is a
  // holiday, and every day with bars has a session: an independent check of
  // the lists against what the exchange actually did.
  it("matches the days with bars in the shipped daily data (2020-10 to 2025-09)", () => {
    const dir = fileURLToPath(new URL("../../data/nifty50_daily/", import.meta.url));
    const barDays = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".csv"))) {
      for (const line of readFileSync(join(dir, f), "utf8").split("\n").slice(1)) {
        if (line) barDays.add(line.slice(0, 10));
      }
    }
    const mismatches: string[] = [];
    for (let d = "2020-10-01"; d <= "2025-09-30"; d = addDays(d, 1)) {
      if (barDays.has(d) !== cal.hasSession(d)) mismatches.push(d);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("sessions", () => {
  it("regular day is 09:15-15:30 IST with a 09:00-09:08 pre-open", () => {
    const s = cal.session("2024-03-26");
    expect(s?.kind).toBe("regular");
    expect(s?.open).toEqual(at("2024-03-26", "09:15"));
    expect(s?.close).toEqual(at("2024-03-26", "15:30"));
    expect(s?.preOpen).toEqual({ open: at("2024-03-26", "09:00"), close: at("2024-03-26", "09:08") });
    expect(cal.session("2024-03-25")).toBeNull(); // Holi
    expect(cal.session("2024-03-23")).toBeNull(); // Saturday
  });

  it("open <= t < close", () => {
    expect(cal.isMarketOpen(at("2024-03-26", "09:14:59"))).toBe(false);
    expect(cal.isMarketOpen(at("2024-03-26", "09:15"))).toBe(true);
    expect(cal.isMarketOpen(at("2024-03-26", "15:29:59"))).toBe(true);
    expect(cal.isMarketOpen(at("2024-03-26", "15:30"))).toBe(false);
    expect(cal.isMarketOpen(at("2024-03-25", "11:00"))).toBe(false);
  });

  it("Diwali 2024: a holiday for the regular session, Muhurat 18:00-19:00", () => {
    expect(cal.isTradingDay("2024-11-01")).toBe(false);
    expect(cal.hasSession("2024-11-01")).toBe(true);
    const s = cal.session("2024-11-01");
    expect(s?.kind).toBe("special");
    expect(s?.open).toEqual(at("2024-11-01", "18:00"));
    expect(s?.close).toEqual(at("2024-11-01", "19:00"));
    expect(cal.isMarketOpen(at("2024-11-01", "10:00"))).toBe(false);
    expect(cal.isMarketOpen(at("2024-11-01", "18:30"))).toBe(true);
    expect(cal.marketStatus(at("2024-11-01", "10:00"))).toEqual({
      open: false,
      reason: "closed: holiday (Diwali Laxmi Pujan)",
      nextOpen: at("2024-11-01", "18:00"),
    });
    expect(cal.marketStatus(at("2024-11-01", "18:30")).reason).toBe(
      "open until 19:00 IST (special session: Muhurat trading (Diwali Laxmi Pujan))",
    );
  });

  it("Muhurat sessions of each year", () => {
    const muhurat: Array<[string, string, string]> = [
      ["2021-11-04", "18:15", "19:15"],
      ["2022-10-24", "18:15", "19:15"],
      ["2023-11-12", "18:15", "19:15"],
      ["2024-11-01", "18:00", "19:00"],
      ["2025-10-21", "13:45", "14:45"],
    ];
    for (const [d, o, c] of muhurat) {
      expect(cal.isTradingDay(d)).toBe(false);
      expect(cal.session(d)).toMatchObject({ kind: "special", open: at(d, o), close: at(d, c) });
    }
    // Diwali Balipratipada follows and is closed.
    for (const d of ["2021-11-05", "2022-10-26", "2023-11-14", "2025-10-22", "2026-11-10"]) {
      expect(cal.hasSession(d)).toBe(false);
    }
  });

  it("weekend sessions count as sessions, not trading days", () => {
    expect(cal.isTradingDay("2024-01-20")).toBe(false);
    expect(cal.session("2024-01-20")).toMatchObject({ kind: "special", open: at("2024-01-20", "09:15"), close: at("2024-01-20", "15:30") });
    expect(cal.isMarketOpen(at("2025-02-01", "12:00"))).toBe(true); // Budget Saturday
    expect(cal.isMarketOpen(at("2026-02-01", "12:00"))).toBe(true); // Budget Sunday
    expect(cal.nextTradingDay("2024-01-19")).toBe("2024-01-23"); // skips Saturday session and 22 Jan
  });

  it("two-window DR-drill Saturday", () => {
    const s = cal.session("2024-03-02");
    expect(s?.segments).toEqual([
      { open: at("2024-03-02", "09:15"), close: at("2024-03-02", "10:00") },
      { open: at("2024-03-02", "11:30"), close: at("2024-03-02", "12:30") },
    ]);
    expect(cal.isMarketOpen(at("2024-03-02", "10:30"))).toBe(false);
    expect(cal.marketStatus(at("2024-03-02", "10:30"))).toEqual({
      open: false,
      reason: "closed: between sessions",
      nextOpen: at("2024-03-02", "11:30"),
    });
  });

  it("2021-02-24 outage: halted 11:40, reopened 15:45-17:00", () => {
    expect(cal.isTradingDay("2021-02-24")).toBe(true);
    expect(cal.isMarketOpen(at("2021-02-24", "11:00"))).toBe(true);
    expect(cal.isMarketOpen(at("2021-02-24", "12:00"))).toBe(false);
    expect(cal.isMarketOpen(at("2021-02-24", "16:30"))).toBe(true);
    expect(cal.isMarketOpen(at("2021-02-24", "17:00"))).toBe(false);
  });
});

describe("day arithmetic", () => {
  it("next/previous trading day across Holi and Good Friday 2024", () => {
    // 25 Mar (Mon) Holi, 29 Mar (Fri) Good Friday.
    expect(cal.nextTradingDay("2024-03-22")).toBe("2024-03-26");
    expect(cal.previousTradingDay("2024-03-26")).toBe("2024-03-22");
    expect(cal.nextTradingDay("2024-03-28")).toBe("2024-04-01");
    expect(cal.previousTradingDay("2024-04-01")).toBe("2024-03-28");
    // Strictly after/before, also from a non-trading day.
    expect(cal.nextTradingDay("2024-03-23")).toBe("2024-03-26");
    expect(cal.previousTradingDay("2024-03-29")).toBe("2024-03-28");
  });

  it("Mahavir Jayanti, Good Friday and Ambedkar Jayanti 2023", () => {
    expect(cal.nextTradingDay("2023-04-03")).toBe("2023-04-05"); // 4 Apr closed
    expect(cal.nextTradingDay("2023-04-06")).toBe("2023-04-10"); // 7 Apr closed
    expect(cal.nextTradingDay("2023-04-13")).toBe("2023-04-17"); // 14 Apr closed
  });

  it("addTradingDays and tradingDaysBetween agree", () => {
    expect(cal.addTradingDays("2024-03-22", 3)).toBe("2024-03-28");
    expect(cal.addTradingDays("2024-03-22", 4)).toBe("2024-04-01");
    expect(cal.addTradingDays("2024-04-01", -2)).toBe("2024-03-27");
    expect(cal.addTradingDays("2024-03-23", 0)).toBe("2024-03-23");
    expect(cal.tradingDaysBetween("2024-03-22", "2024-04-01")).toBe(4);
    expect(cal.tradingDaysBetween("2024-04-01", "2024-03-22")).toBe(-4);
    expect(cal.tradingDaysBetween("2024-03-22", "2024-03-22")).toBe(0);
    for (const n of [1, 5, 17, 250]) {
      expect(cal.tradingDaysBetween("2023-01-02", cal.addTradingDays("2023-01-02", n))).toBe(n);
    }
  });

  it("counts a year's trading days", () => {
    // 2024: 262 weekdays less 17 weekday holidays.
    expect(cal.tradingDaysBetween("2023-12-31", "2024-12-31")).toBe(245);
  });
});

describe("status and next open", () => {
  it("reasons", () => {
    expect(cal.marketStatus(at("2024-03-26", "10:00"))).toEqual({ open: true, reason: "open until 15:30 IST" });
    expect(cal.marketStatus(at("2024-03-26", "08:00"))).toEqual({
      open: false,
      reason: "closed: before the open",
      nextOpen: at("2024-03-26", "09:15"),
    });
    expect(cal.marketStatus(at("2024-03-28", "15:30"))).toEqual({
      open: false,
      reason: "closed: after the close",
      nextOpen: at("2024-04-01", "09:15"),
    });
    expect(cal.marketStatus(at("2024-03-23", "12:00"))).toEqual({
      open: false,
      reason: "closed: weekend",
      nextOpen: at("2024-03-26", "09:15"),
    });
    expect(cal.marketStatus(at("2024-03-25", "12:00")).reason).toBe("closed: holiday (Holi)");
    // A listed holiday on a Sunday with no session reads as weekend.
    expect(cal.marketStatus(at("2024-04-14", "12:00")).reason).toBe("closed: weekend");
  });

  it("nextOpen is at or after t", () => {
    expect(cal.nextOpen(at("2024-03-26", "09:15"))).toEqual(at("2024-03-26", "09:15"));
    expect(cal.nextOpen(at("2024-03-26", "09:15:01"))).toEqual(at("2024-03-27", "09:15"));
    // Friday evening before the 2024-01-20 Saturday session.
    expect(cal.nextOpen(at("2024-01-19", "16:00"))).toEqual(at("2024-01-20", "09:15"));
    // Late in the evening UTC already belongs to the next IST day.
    expect(cal.nextOpen(new Date("2024-03-28T20:00:00Z"))).toEqual(at("2024-04-01", "09:15")); // 01:30 IST on Good Friday
  });
});

describe("coverage", () => {
  it("throws a RangeError naming the date and the covered years", () => {
    expect(() => cal.isTradingDay("2027-01-04")).toThrow(RangeError);
    expect(() => cal.isTradingDay("2027-01-04")).toThrow(/2027-01-04.*2020-2026/);
    expect(() => cal.isTradingDay("2019-12-31")).toThrow(/2019-12-31/);
    expect(() => cal.nextTradingDay("2026-12-31")).toThrow(RangeError);
    expect(() => cal.previousTradingDay("2020-01-01")).toThrow(RangeError);
    expect(cal.previousTradingDay("2021-01-01")).toBe("2020-12-31");
    expect(() => cal.isMarketOpen(at("2027-01-04", "10:00"))).toThrow(RangeError);
    expect(() => cal.nextOpen(at("2026-12-31", "16:00"))).toThrow(RangeError);
  });

  it("allowUncovered answers weekday-only outside the data", () => {
    const loose = loadNseCalendar(undefined, { allowUncovered: true });
    expect(loose.isTradingDay("2027-01-04")).toBe(true);
    expect(loose.isTradingDay("2027-01-02")).toBe(false);
    expect(loose.isTradingDay("2024-03-25")).toBe(false); // covered years still use the lists
    expect(loose.nextTradingDay("2026-12-31")).toBe("2027-01-01");
  });

  it("rejects malformed dates", () => {
    expect(() => cal.isTradingDay("2024-02-30")).toThrow(/not a date/);
  });
});

describe("NseCalendar built directly", () => {
  const small = new NseCalendar({
    holidays: ["2030-01-01", { date: "2030-01-03", description: "Test Day" }],
    specialSessions: [{ date: "2030-01-05", open: "10:00", close: "11:00", description: "Test session" }],
  });

  it("covers the holidays' years by default", () => {
    expect(small.coverage()).toEqual({ from: "2030-01-01", to: "2030-12-31" });
    expect(small.nextTradingDay("2030-01-01")).toBe("2030-01-02");
    expect(small.nextTradingDay("2030-01-02")).toBe("2030-01-04");
    expect(small.holiday("2030-01-03")).toBe("Test Day");
    expect(small.session("2030-01-05")?.kind).toBe("special");
    expect(weekday("2030-01-05")).toBe(6);
  });

  it("rejects bad input", () => {
    expect(() => new NseCalendar({ holidays: ["2030-01-01", "2030-01-01"] })).toThrow(/twice/);
    expect(
      () =>
        new NseCalendar({
          holidays: ["2030-01-01"],
          specialSessions: [{ date: "2030-01-05", open: "11:00", close: "10:00", description: "x" }],
        }),
    ).toThrow(RangeError);
  });
});
