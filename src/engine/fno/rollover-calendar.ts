/**
 * When synthetic futures roll to the next month: a set number of trading days
 * before the monthly expiry, at 15:00 IST (ROLLOVER_DAYS_BEFORE_EXPIRY,
 * default 5). Expiry dates come from expiry.ts, which knows the rule changes
 * (Bank Nifty: Thursday to February 2024, Wednesday March to December 2024,
 * Thursday again in 2025, Tuesday from September 2025) and holiday roll-backs.
 */
import type { NseCalendar } from "../market/calendar.js";
import { nextMonthlyExpiry, type ExpiryUnderlying } from "../market/expiry.js";
import { addDays, isIstDate, type IstDate } from "../time/ist.js";

/** IST wall time of the roll: late enough to be the day's view, early enough to work both legs before 15:30. */
export const ROLLOVER_AT = "15:00";

/** The trading day `daysBefore` trading days before the expiry (0: the expiry day itself). */
export function rolloverDay(expiry: IstDate, daysBefore: number, calendar: NseCalendar): IstDate {
  checkDays(daysBefore);
  if (!isIstDate(expiry)) throw new RangeError(`rolloverDay: expiry is not a date (YYYY-MM-DD): ${expiry}`);
  if (!calendar.isTradingDay(expiry)) throw new RangeError(`rolloverDay: expiry ${expiry} is not a trading day`);
  return calendar.addTradingDays(expiry, -daysBefore);
}

/**
 * The monthly expiry a NEW position opened on `date` takes: this month's
 * monthly while `date` is before its rollover day; from the rollover day on
 * (the day's roll at 15:00 moves every open position anyway), and after the
 * expiry, the next monthly.
 */
export function heldExpiry(underlying: ExpiryUnderlying, date: IstDate, daysBefore: number, calendar: NseCalendar): IstDate {
  checkDays(daysBefore);
  if (!isIstDate(date)) throw new RangeError(`heldExpiry: not a date (YYYY-MM-DD): ${date}`);
  let expiry = nextMonthlyExpiry(underlying, date, calendar);
  while (date >= rolloverDay(expiry, daysBefore, calendar)) expiry = nextMonthlyExpiry(underlying, addDays(expiry, 1), calendar);
  return expiry;
}

/**
 * Every roll whose day lies in [from, to] (both included), oldest first: the
 * expiry rolled out of and the day it is rolled.
 */
export function rolloversBetween(
  underlying: ExpiryUnderlying,
  from: IstDate,
  to: IstDate,
  daysBefore: number,
  calendar: NseCalendar,
): Array<{ expiry: IstDate; day: IstDate }> {
  checkDays(daysBefore);
  if (!isIstDate(from)) throw new RangeError(`rolloversBetween: from is not a date (YYYY-MM-DD): ${from}`);
  if (!isIstDate(to)) throw new RangeError(`rolloversBetween: to is not a date (YYYY-MM-DD): ${to}`);
  if (to < from) throw new RangeError(`rolloversBetween: to ${to} is before from ${from}`);
  const out: Array<{ expiry: IstDate; day: IstDate }> = [];
  // A roll day never falls after its expiry, so no expiry before `from` has one in range.
  for (let expiry = nextMonthlyExpiry(underlying, from, calendar); ; expiry = nextMonthlyExpiry(underlying, addDays(expiry, 1), calendar)) {
    const day = rolloverDay(expiry, daysBefore, calendar);
    if (day > to) return out;
    if (day >= from) out.push({ expiry, day });
  }
}

function checkDays(daysBefore: number): void {
  // Beyond about 15 trading days the roll day would fall before the previous month's expiry.
  if (!Number.isInteger(daysBefore) || daysBefore < 0 || daysBefore > 15) {
    throw new RangeError(`rollover: days before expiry must be a whole number of trading days from 0 to 15, got ${daysBefore}`);
  }
}
