import { describe, expect, it } from "vitest";
import { loadNseCalendar } from "../../src/engine/market/calendar.js";
import {
  followingMonthlyExpiry,
  lastWeekdayOfMonth,
  monthlyExpiry,
  nextMonthlyExpiry,
  ruleWeekday,
  type ExpiryUnderlying,
} from "../../src/engine/market/expiry.js";

const cal = loadNseCalendar();
const expiry = (u: ExpiryUnderlying, y: number, m: number): string => monthlyExpiry(u, y, m, cal);

describe("monthlyExpiry: expiries NSE actually ran", () => {
  it("BANKNIFTY through its rule changes", () => {
    expect(expiry("BANKNIFTY", 2022, 1)).toBe("2022-01-27"); // Thursday
    expect(expiry("BANKNIFTY", 2022, 12)).toBe("2022-12-29"); // Thursday
    expect(expiry("BANKNIFTY", 2024, 2)).toBe("2024-02-29"); // last Thursday expiry before the switch
    expect(expiry("BANKNIFTY", 2024, 3)).toBe("2024-03-27"); // first Wednesday monthly
    expect(expiry("BANKNIFTY", 2024, 4)).toBe("2024-04-24");
    expect(expiry("BANKNIFTY", 2024, 5)).toBe("2024-05-29");
    expect(expiry("BANKNIFTY", 2024, 6)).toBe("2024-06-26");
    expect(expiry("BANKNIFTY", 2024, 12)).toBe("2024-12-24"); // Wednesday 25 Dec is Christmas
    expect(expiry("BANKNIFTY", 2025, 1)).toBe("2025-01-30"); // Thursday again
    expect(expiry("BANKNIFTY", 2025, 8)).toBe("2025-08-28");
    expect(expiry("BANKNIFTY", 2025, 9)).toBe("2025-09-30"); // Tuesday for everything
    expect(expiry("BANKNIFTY", 2025, 10)).toBe("2025-10-28");
  });

  it("NIFTY, with holiday roll-backs", () => {
    expect(expiry("NIFTY", 2023, 3)).toBe("2023-03-29"); // 30 Mar Ram Navami
    expect(expiry("NIFTY", 2023, 6)).toBe("2023-06-28"); // 29 Jun Bakri Id (moved holiday)
    expect(expiry("NIFTY", 2021, 11)).toBe("2021-11-25");
    expect(expiry("NIFTY", 2024, 8)).toBe("2024-08-29");
    expect(expiry("NIFTY", 2025, 8)).toBe("2025-08-28"); // last Thursday expiry
    expect(expiry("NIFTY", 2025, 9)).toBe("2025-09-30"); // first last-Tuesday expiry
    expect(expiry("NIFTY", 2025, 12)).toBe("2025-12-30");
    expect(expiry("NIFTY", 2026, 3)).toBe("2026-03-30"); // 31 Mar Mahavir Jayanti
    expect(expiry("NIFTY", 2026, 11)).toBe("2026-11-23"); // 24 Nov Guru Nanak Jayanti
  });

  it("FINNIFTY", () => {
    expect(expiry("FINNIFTY", 2021, 3)).toBe("2021-03-25"); // launched with Thursday expiries
    expect(expiry("FINNIFTY", 2021, 10)).toBe("2021-10-26"); // Tuesday from October 2021
    expect(expiry("FINNIFTY", 2024, 1)).toBe("2024-01-30");
    expect(expiry("FINNIFTY", 2024, 12)).toBe("2024-12-31");
    expect(expiry("FINNIFTY", 2025, 1)).toBe("2025-01-30"); // Thursday from January 2025
    expect(expiry("FINNIFTY", 2025, 9)).toBe("2025-09-30");
    expect(() => expiry("FINNIFTY", 2020, 12)).toThrow(RangeError);
  });

  it("stock F&O follows NIFTY's day", () => {
    expect(expiry("STOCK", 2024, 3)).toBe("2024-03-28");
    expect(expiry("STOCK", 2025, 10)).toBe("2025-10-28");
  });

  it("rule weekdays", () => {
    expect(ruleWeekday("BANKNIFTY", 2024, 2)).toBe(4);
    expect(ruleWeekday("BANKNIFTY", 2024, 3)).toBe(3);
    expect(ruleWeekday("BANKNIFTY", 2025, 1)).toBe(4);
    expect(ruleWeekday("NIFTY", 2025, 9)).toBe(2);
  });
});

describe("instrument master wins", () => {
  it("uses the latest master date in the month", () => {
    // Weekly expiries in the list must not be mistaken for the monthly.
    const master = ["2025-10-07", "2025-10-14", "2025-10-20", "2025-11-25"];
    expect(monthlyExpiry("NIFTY", 2025, 10, cal, master)).toBe("2025-10-20");
    expect(monthlyExpiry("NIFTY", 2025, 12, cal, master)).toBe("2025-12-30"); // none in the month: rule
  });

  it("rejects a malformed master date", () => {
    expect(() => monthlyExpiry("NIFTY", 2025, 10, cal, ["2025-10-32"])).toThrow(RangeError);
  });
});

describe("next and following expiry", () => {
  it("next is on or after the date", () => {
    expect(nextMonthlyExpiry("NIFTY", "2023-03-29", cal)).toBe("2023-03-29");
    expect(nextMonthlyExpiry("NIFTY", "2023-03-30", cal)).toBe("2023-04-27");
    expect(nextMonthlyExpiry("BANKNIFTY", "2024-12-25", cal)).toBe("2025-01-30");
    expect(nextMonthlyExpiry("NIFTY", "2025-08-29", cal)).toBe("2025-09-30");
  });

  it("following is the month after", () => {
    expect(followingMonthlyExpiry("NIFTY", "2023-03-29", cal)).toBe("2023-04-27");
    expect(followingMonthlyExpiry("BANKNIFTY", "2024-02-01", cal)).toBe("2024-03-27");
    expect(followingMonthlyExpiry("NIFTY", "2025-12-31", cal)).toBe("2026-02-24");
  });

  it("refuses to guess beyond the holiday data", () => {
    expect(() => nextMonthlyExpiry("NIFTY", "2026-12-30", cal)).toThrow(RangeError);
  });
});

describe("lastWeekdayOfMonth", () => {
  it("works across month lengths", () => {
    expect(lastWeekdayOfMonth(2024, 2, 4)).toBe("2024-02-29");
    expect(lastWeekdayOfMonth(2025, 9, 2)).toBe("2025-09-30");
    expect(lastWeekdayOfMonth(2025, 2, 2)).toBe("2025-02-25");
  });
});
