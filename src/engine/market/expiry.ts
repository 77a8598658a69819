/**
 * Monthly F&O expiry dates on NSE.
 *
 * The instrument master is the authority: when it lists expiries, the one in
 * the month wins. Otherwise the NSE rule in force for that contract month
 * applies, rolled back to the previous trading day when the rule's day is a
 * holiday (every NSE circular below states that roll-back).
 *
 * Rules, by contract month (checked against NSE circulars as reported in the
 * press, and against the expiries NSE actually ran):
 * - NIFTY and stock F&O: last Thursday up to August 2025.
 * - BANKNIFTY: last Thursday up to February 2024; last Wednesday March to
 *   December 2024 (circular of 2023-12-29: effective trade date 2024-03-01,
 *   first Wednesday monthly 2024-03-27, February 2024 unchanged at the 29th);
 *   last Thursday again January to August 2025 (circular of 2024-11-29,
 *   effective 2025-01-01). The Friday expiry announced in June 2023 was
 *   withdrawn before taking effect.
 * - FINNIFTY: derivatives from 2021-01-11, last Thursday; last Tuesday from
 *   the October 2021 contracts (circular effective EOD 2021-10-14, existing
 *   contracts realigned); last Thursday January to August 2025 (same
 *   2024-11-29 circular).
 * - Everything: last Tuesday for contracts expiring on or after 2025-09-01
 *   (SEBI circular of 2025-05-26, NSE circular 103/2025 of 2025-06-17).
 *   NSE's March 2025 plan for Monday expiries was deferred and never applied.
 */
import { isIstDate, weekday, type IstDate } from "../time/ist.js";
import type { NseCalendar } from "./calendar.js";

export type ExpiryUnderlying = "NIFTY" | "BANKNIFTY" | "FINNIFTY" | "STOCK";

const TUE = 2;
const WED = 3;
const THU = 4;

/** Contract months as year * 12 + (month - 1), so ranges compare simply. */
const ym = (year: number, month: number): number => year * 12 + (month - 1);
const TUESDAY_FOR_ALL_FROM = ym(2025, 9);

/** The weekday of the NSE rule for that underlying and contract month. */
export function ruleWeekday(underlying: ExpiryUnderlying, year: number, month: number): number {
  const k = ym(year, month);
  if (k >= TUESDAY_FOR_ALL_FROM) return TUE;
  switch (underlying) {
    case "NIFTY":
    case "STOCK":
      return THU;
    case "BANKNIFTY":
      return k >= ym(2024, 3) && k <= ym(2024, 12) ? WED : THU;
    case "FINNIFTY":
      if (k < ym(2021, 1)) throw new RangeError(`FINNIFTY derivatives start in January 2021; no contract for ${year}-${pad(month)}`);
      return k >= ym(2021, 10) && k <= ym(2024, 12) ? TUE : THU;
  }
}

/**
 * The monthly expiry of a contract month. A master list (which may also hold
 * weekly expiries) wins: the latest of its dates in the month is the monthly.
 */
export function monthlyExpiry(
  underlying: ExpiryUnderlying,
  year: number,
  month: number,
  calendar: NseCalendar,
  fromMaster?: ReadonlyArray<IstDate>,
): IstDate {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(`monthlyExpiry: bad contract month ${year}-${month}`);
  }
  const prefix = `${year}-${pad(month)}-`;
  if (fromMaster && fromMaster.length > 0) {
    const inMonth = fromMaster.filter((d) => {
      if (!isIstDate(d)) throw new RangeError(`monthlyExpiry: master expiry is not a date: ${d}`);
      return d.startsWith(prefix);
    });
    if (inMonth.length > 0) return inMonth.reduce((a, b) => (a > b ? a : b));
  }
  const nominal = lastWeekdayOfMonth(year, month, ruleWeekday(underlying, year, month));
  return calendar.isTradingDay(nominal) ? nominal : calendar.previousTradingDay(nominal);
}

/** The first monthly expiry on or after the date. */
export function nextMonthlyExpiry(
  underlying: ExpiryUnderlying,
  afterDate: IstDate,
  calendar: NseCalendar,
  fromMaster?: ReadonlyArray<IstDate>,
): IstDate {
  if (!isIstDate(afterDate)) throw new RangeError(`not a date (YYYY-MM-DD): ${afterDate}`);
  let [year, month] = [Number(afterDate.slice(0, 4)), Number(afterDate.slice(5, 7))];
  // A holiday roll-back never leaves the month, so this month or the next one has it.
  for (let i = 0; i < 2; i++) {
    const e = monthlyExpiry(underlying, year, month, calendar, fromMaster);
    if (e >= afterDate) return e;
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  throw new Error(`no monthly expiry found after ${afterDate}`);
}

/** The monthly expiry after the next one (the "next month" contract). */
export function followingMonthlyExpiry(
  underlying: ExpiryUnderlying,
  afterDate: IstDate,
  calendar: NseCalendar,
  fromMaster?: ReadonlyArray<IstDate>,
): IstDate {
  const next = nextMonthlyExpiry(underlying, afterDate, calendar, fromMaster);
  const [y, m] = [Number(next.slice(0, 4)), Number(next.slice(5, 7))];
  const [year, month] = m === 12 ? [y + 1, 1] : [y, m + 1];
  return monthlyExpiry(underlying, year, month, calendar, fromMaster);
}

/** The last given weekday (0 = Sunday) of a month, as a date. */
export function lastWeekdayOfMonth(year: number, month: number, dow: number): IstDate {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const last = `${year}-${pad(month)}-${pad(lastDay)}`;
  const back = (weekday(last) - dow + 7) % 7;
  return `${year}-${pad(month)}-${pad(lastDay - back)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
