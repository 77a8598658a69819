import { describe, expect, it } from "vitest";
import { loadNseCalendar } from "../../../src/engine/market/calendar.js";
import { monthlyExpiry } from "../../../src/engine/market/expiry.js";
import { heldExpiry, ROLLOVER_AT, rolloverDay, rolloversBetween } from "../../../src/engine/fno/rollover-calendar.js";
import { weekday } from "../../../src/engine/time/ist.js";

const cal = loadNseCalendar();

describe("rolloverDay", () => {
  it("counts trading days back from the expiry, skipping holidays", () => {
    expect(rolloverDay("2021-01-28", 5, cal)).toBe("2021-01-20"); // 26 Jan Republic Day skipped
    expect(rolloverDay("2021-01-28", 3, cal)).toBe("2021-01-22");
    expect(rolloverDay("2022-12-29", 5, cal)).toBe("2022-12-22");
    expect(rolloverDay("2024-03-27", 5, cal)).toBe("2024-03-19"); // 25 Mar Holi skipped
    expect(rolloverDay("2024-04-24", 5, cal)).toBe("2024-04-16"); // 17 Apr Ram Navami skipped
    expect(rolloverDay("2022-12-29", 0, cal)).toBe("2022-12-29");
  });

  it("refuses a non-trading expiry and a bad day count", () => {
    expect(() => rolloverDay("2023-03-30", 5, cal)).toThrow(/2023-03-30 is not a trading day/); // Ram Navami
    expect(() => rolloverDay("2022-12-29", -1, cal)).toThrow(/days before expiry/);
    expect(() => rolloverDay("2022-12-29", 2.5, cal)).toThrow(/days before expiry/);
    expect(() => rolloverDay("2022-12-29", 16, cal)).toThrow(/days before expiry/);
    expect(() => rolloverDay("29-12-2022", 5, cal)).toThrow(/not a date/);
  });

  it("rolls at 15:00 IST", () => {
    expect(ROLLOVER_AT).toBe("15:00");
  });
});

describe("heldExpiry", () => {
  it("takes this month's expiry before its rollover day, the next from that day on", () => {
    expect(heldExpiry("BANKNIFTY", "2022-12-01", 5, cal)).toBe("2022-12-29");
    expect(heldExpiry("BANKNIFTY", "2022-12-21", 5, cal)).toBe("2022-12-29"); // the day before the roll
    expect(heldExpiry("BANKNIFTY", "2022-12-22", 5, cal)).toBe("2023-01-25"); // the rollover day
    expect(heldExpiry("BANKNIFTY", "2022-12-29", 5, cal)).toBe("2023-01-25"); // expiry day itself
    expect(heldExpiry("BANKNIFTY", "2022-12-30", 5, cal)).toBe("2023-01-25"); // after the expiry
    expect(heldExpiry("BANKNIFTY", "2022-12-24", 5, cal)).toBe("2023-01-25"); // a Saturday after the roll
  });

  it("uses the holiday-moved expiries of 2023", () => {
    // 26 Jan 2023 (Republic Day), 30 Mar (Ram Navami) and 29 Jun (Bakri Id) moved the Thursday expiry to Wednesday.
    expect(heldExpiry("BANKNIFTY", "2023-01-02", 5, cal)).toBe("2023-01-25");
    expect(heldExpiry("BANKNIFTY", "2023-01-17", 5, cal)).toBe("2023-01-25");
    expect(heldExpiry("BANKNIFTY", "2023-01-18", 5, cal)).toBe("2023-02-23");
    expect(heldExpiry("BANKNIFTY", "2023-03-21", 5, cal)).toBe("2023-03-29");
    expect(heldExpiry("BANKNIFTY", "2023-03-22", 5, cal)).toBe("2023-04-27");
    expect(heldExpiry("BANKNIFTY", "2023-06-20", 5, cal)).toBe("2023-06-28");
    expect(heldExpiry("BANKNIFTY", "2023-06-21", 5, cal)).toBe("2023-07-27");
  });

  it("follows the March 2024 switch to Wednesday and the 2025 changes", () => {
    expect(heldExpiry("BANKNIFTY", "2024-02-21", 5, cal)).toBe("2024-02-29"); // last Thursday monthly
    expect(heldExpiry("BANKNIFTY", "2024-02-22", 5, cal)).toBe("2024-03-27"); // first Wednesday monthly
    expect(heldExpiry("BANKNIFTY", "2024-03-19", 5, cal)).toBe("2024-04-24");
    expect(heldExpiry("BANKNIFTY", "2024-12-17", 5, cal)).toBe("2025-01-30"); // Dec 2024 expired Tue 24th (25th Christmas); Thursday again
    expect(heldExpiry("BANKNIFTY", "2025-08-28", 5, cal)).toBe("2025-09-30"); // Tuesday from September 2025
  });

  it("takes a shorter notice", () => {
    expect(heldExpiry("BANKNIFTY", "2022-12-23", 3, cal)).toBe("2022-12-29");
    expect(heldExpiry("BANKNIFTY", "2022-12-26", 3, cal)).toBe("2023-01-25");
  });
});

describe("rolloversBetween", () => {
  it("lists every roll of the Bank Nifty replay (2021-01 to 2023-01) on the real expiries", () => {
    const rolls = rolloversBetween("BANKNIFTY", "2021-01-01", "2023-01-31", 5, cal);
    expect(rolls).toHaveLength(25);
    expect(rolls[0]).toEqual({ expiry: "2021-01-28", day: "2021-01-20" });
    expect(rolls[rolls.length - 1]).toEqual({ expiry: "2023-01-25", day: "2023-01-18" });
    for (const r of rolls) {
      const [y, m] = [Number(r.expiry.slice(0, 4)), Number(r.expiry.slice(5, 7))];
      expect(r.expiry).toBe(monthlyExpiry("BANKNIFTY", y, m, cal));
      expect(cal.isTradingDay(r.day)).toBe(true);
      expect(cal.tradingDaysBetween(r.day, r.expiry)).toBe(5);
    }
    // Every expiry of 2021-2022 was a Thursday; January 2023's moved to Wednesday.
    expect(rolls.filter((r) => weekday(r.expiry) !== 4).map((r) => r.expiry)).toEqual(["2023-01-25"]);
  });

  it("includes both ends and only roll days in range", () => {
    expect(rolloversBetween("BANKNIFTY", "2022-12-22", "2022-12-22", 5, cal)).toEqual([{ expiry: "2022-12-29", day: "2022-12-22" }]);
    expect(rolloversBetween("BANKNIFTY", "2022-12-23", "2023-01-17", 5, cal)).toEqual([]);
    expect(rolloversBetween("BANKNIFTY", "2022-12-23", "2023-01-18", 5, cal)).toEqual([{ expiry: "2023-01-25", day: "2023-01-18" }]);
  });

  it("crosses the 2024 and 2025 rule changes", () => {
    expect(rolloversBetween("BANKNIFTY", "2024-02-01", "2024-04-30", 5, cal)).toEqual([
      { expiry: "2024-02-29", day: "2024-02-22" },
      { expiry: "2024-03-27", day: "2024-03-19" },
      { expiry: "2024-04-24", day: "2024-04-16" },
    ]);
    expect(rolloversBetween("BANKNIFTY", "2024-12-01", "2025-01-31", 3, cal)).toEqual([
      { expiry: "2024-12-24", day: "2024-12-19" },
      { expiry: "2025-01-30", day: "2025-01-27" },
    ]);
  });

  it("refuses a reversed range and bad dates", () => {
    expect(() => rolloversBetween("BANKNIFTY", "2023-01-31", "2021-01-01", 5, cal)).toThrow(/before from/);
    expect(() => rolloversBetween("BANKNIFTY", "2021-1-1", "2023-01-31", 5, cal)).toThrow(/from is not a date/);
    expect(() => rolloversBetween("BANKNIFTY", "2021-01-01", "2023-01-31", 7.5, cal)).toThrow(/days before expiry/);
  });
});
