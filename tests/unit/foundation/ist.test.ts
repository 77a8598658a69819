import { describe, expect, it } from "vitest";
import {
  IST_OFFSET_MS,
  addDays,
  formatIst,
  fromIst,
  isIstDate,
  istDate,
  istMinuteOfDay,
  istTime,
  toIsoIst,
  weekday,
} from "../../../src/engine/time/ist.js";

const utc = (iso: string) => new Date(iso);

describe("the IST offset", () => {
  it("is a fixed five and a half hours", () => {
    expect(IST_OFFSET_MS).toBe(5.5 * 60 * 60 * 1000);
  });
});

describe("istDate", () => {
  it("is the same calendar day until 18:30 UTC, the next day from 18:30 UTC", () => {
    expect(istDate(utc("2025-01-01T18:29:59Z"))).toBe("2025-01-01"); // 23:59:59 IST
    expect(istDate(utc("2025-01-01T18:29:59.999Z"))).toBe("2025-01-01");
    expect(istDate(utc("2025-01-01T18:30:00Z"))).toBe("2025-01-02"); // 00:00 IST
    expect(istDate(utc("2025-01-01T00:00:00Z"))).toBe("2025-01-01"); // 05:30 IST
  });

  it("crosses the year boundary at 18:30 UTC on 31 December", () => {
    expect(istDate(utc("2024-12-31T18:29:59Z"))).toBe("2024-12-31");
    expect(istDate(utc("2024-12-31T18:30:00Z"))).toBe("2025-01-01");
  });

  it("accepts epoch milliseconds as well as Dates", () => {
    const t = utc("2025-01-01T18:30:00Z");
    expect(istDate(t.getTime())).toBe("2025-01-02");
  });

  it("reaches the leap day", () => {
    expect(istDate(utc("2024-02-28T18:30:00Z"))).toBe("2024-02-29");
    expect(istDate(utc("2024-02-29T18:30:00Z"))).toBe("2024-03-01");
  });
});

describe("istTime and istMinuteOfDay", () => {
  it("reads the IST wall clock", () => {
    expect(istTime(utc("2025-01-03T03:45:00Z"))).toBe("09:15");
    expect(istTime(utc("2025-01-03T10:00:00Z"))).toBe("15:30");
    expect(istTime(utc("2025-01-01T18:29:59Z"))).toBe("23:59");
    expect(istTime(utc("2025-01-01T18:30:00Z"))).toBe("00:00");
    expect(istTime(utc("2025-01-03T03:45:00Z").getTime())).toBe("09:15");
  });

  it("counts minutes since IST midnight", () => {
    expect(istMinuteOfDay(utc("2025-01-03T03:45:00Z"))).toBe(9 * 60 + 15);
    expect(istMinuteOfDay(utc("2025-01-03T10:00:00Z"))).toBe(15 * 60 + 30);
    expect(istMinuteOfDay(utc("2025-01-01T18:30:00Z"))).toBe(0);
    expect(istMinuteOfDay(utc("2025-01-01T18:29:59Z"))).toBe(1439);
    expect(istMinuteOfDay(utc("2025-01-03T03:45:59.999Z"))).toBe(555);
  });

  it("works before 1970 (negative epoch milliseconds)", () => {
    expect(istMinuteOfDay(utc("1969-12-31T18:30:00Z"))).toBe(0);
    expect(istMinuteOfDay(utc("1969-12-31T18:29:00Z"))).toBe(1439);
    expect(istMinuteOfDay(utc("1969-06-15T03:45:00Z"))).toBe(555);
  });
});

describe("fromIst", () => {
  it("turns an IST wall time into the UTC instant", () => {
    expect(fromIst("2025-01-03", "09:15").toISOString()).toBe("2025-01-03T03:45:00.000Z");
    expect(fromIst("2025-01-03", "15:30").toISOString()).toBe("2025-01-03T10:00:00.000Z");
    expect(fromIst("2025-01-03", "09:15:30").toISOString()).toBe("2025-01-03T03:45:30.000Z");
  });

  it("defaults to IST midnight, which is the previous UTC day", () => {
    expect(fromIst("2025-01-01").toISOString()).toBe("2024-12-31T18:30:00.000Z");
    expect(fromIst("2024-03-01").toISOString()).toBe("2024-02-29T18:30:00.000Z");
  });

  it("round-trips with istDate / istTime / istMinuteOfDay for every quarter hour of several days", () => {
    for (const d of ["2024-02-29", "2024-12-31", "2025-01-01", "2025-03-31", "2025-06-30"]) {
      for (let m = 0; m < 1440; m += 15) {
        const hhmm = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
        const t = fromIst(d, hhmm);
        expect(istDate(t)).toBe(d);
        expect(istTime(t)).toBe(hhmm);
        expect(istMinuteOfDay(t)).toBe(m);
      }
    }
  });

  it("rejects dates that do not exist and malformed times", () => {
    expect(() => fromIst("2025-02-30", "09:15")).toThrow(RangeError);
    expect(() => fromIst("2025-13-01")).toThrow(RangeError);
    expect(() => fromIst("03-01-2025")).toThrow(RangeError);
    expect(() => fromIst("2025-01-03", "9:15")).toThrow(RangeError);
    expect(() => fromIst("2025-01-03", "09h15")).toThrow(RangeError);
    expect(() => fromIst("2025-01-03", "")).toThrow(RangeError);
  });

  // A wall time out of range silently rolls over (09:75 → 10:15, 25:00 → next day 01:00)
  // although dates out of range are refused.
  it("rejects wall times out of range (minute 75, hour 25)", () => {
    expect(() => fromIst("2025-01-03", "09:75")).toThrow(RangeError);
    expect(() => fromIst("2025-01-03", "25:00")).toThrow(RangeError);
  });
});

describe("toIsoIst and formatIst", () => {
  it("writes ISO 8601 with the +05:30 offset", () => {
    expect(toIsoIst(fromIst("2025-01-03", "09:15"))).toBe("2025-01-03T09:15:00+05:30");
    expect(toIsoIst(utc("2025-01-01T18:30:00Z"))).toBe("2025-01-02T00:00:00+05:30");
    expect(toIsoIst(utc("2025-01-01T18:29:59Z").getTime())).toBe("2025-01-01T23:59:59+05:30");
  });

  it("parses back to the same instant (to the second)", () => {
    for (const iso of ["2025-01-03T03:45:00Z", "2024-12-31T18:30:00Z", "2024-02-29T23:59:59Z"]) {
      const t = utc(iso);
      expect(new Date(toIsoIst(t)).getTime()).toBe(t.getTime());
    }
  });

  it("formats for people in IST", () => {
    expect(formatIst(fromIst("2025-01-03", "09:15"))).toBe("03 Jan 2025 09:15 IST");
    expect(formatIst(fromIst("2025-01-03", "09:15"), false)).toBe("03 Jan 2025");
    expect(formatIst(utc("2025-01-01T18:30:00Z").getTime())).toBe("02 Jan 2025 00:00 IST");
  });
});

describe("addDays", () => {
  it.each([
    ["2025-01-31", 1, "2025-02-01"],
    ["2024-12-31", 1, "2025-01-01"],
    ["2025-01-01", -1, "2024-12-31"],
    ["2024-02-28", 1, "2024-02-29"],
    ["2024-02-29", 1, "2024-03-01"],
    ["2023-02-28", 1, "2023-03-01"],
    ["2024-03-01", -1, "2024-02-29"],
    ["2025-03-01", -1, "2025-02-28"],
    ["2025-01-01", 365, "2026-01-01"],
    ["2024-01-01", 366, "2025-01-01"],
    ["2025-01-15", 0, "2025-01-15"],
    ["2025-04-30", 31, "2025-05-31"],
  ] as const)("%s %+d days → %s", (d, n, want) => {
    expect(addDays(d, n)).toBe(want);
  });

  it("is undone by the opposite shift", () => {
    for (let n = -800; n <= 800; n += 37) expect(addDays(addDays("2024-02-29", n), -n)).toBe("2024-02-29");
  });

  it("rejects a date that does not exist", () => {
    expect(() => addDays("2025-02-30", 1)).toThrow(RangeError);
  });
});

describe("weekday", () => {
  it("numbers days from Sunday = 0", () => {
    expect(weekday("2025-01-05")).toBe(0); // Sunday
    expect(weekday("2025-01-06")).toBe(1); // Monday
    expect(weekday("2025-01-03")).toBe(5); // Friday
    expect(weekday("2025-01-04")).toBe(6); // Saturday
    expect(weekday("2024-02-29")).toBe(4); // Thursday
    expect(weekday("2020-10-01")).toBe(4); // Thursday: first shipped bar
  });

  it("steps by one every day across month and year ends", () => {
    let d = "2024-12-25";
    for (let i = 0; i < 120; i++) {
      const next = addDays(d, 1);
      expect(weekday(next)).toBe((weekday(d) + 1) % 7);
      d = next;
    }
  });
});

describe("isIstDate", () => {
  it.each(["2024-02-29", "2025-01-01", "2025-12-31", "2020-10-01"])("accepts %s", (s) => {
    expect(isIstDate(s)).toBe(true);
  });

  it.each(["2025-02-29", "2025-02-30", "2025-13-01", "2025-00-10", "2025-04-31", "2025-1-01", "2025-01-1", "2025-01-01T00:00", "", "20250101", " 2025-01-01"])(
    "rejects %j",
    (s) => {
      expect(isIstDate(s)).toBe(false);
    },
  );
});
