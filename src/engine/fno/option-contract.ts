/**
 * Index and stock option contracts and their Angel One trading symbols.
 *
 * Angel One's tradingsymbol for an NFO option is name + expiry as DDMMMYY +
 * strike in rupees + CE/PE: "BANKNIFTY25NOV2556800CE" is BANKNIFTY, expiring
 * 25 Nov 2025, strike ₹56,800, call (see data/instruments/scrip_master_sample.json).
 * A future is name + DDMMMYY + "FUT" ("BANKNIFTY25NOV25FUT").
 *
 * Only whole-rupee strikes are handled: every index strike is one, and a
 * fractional stock strike's spelling in the master is not confirmed here, so
 * building one throws and parsing one answers null rather than guessing.
 */
import { toRupees, type Paise } from "../money.js";
import type { OptionType } from "../market/instruments.js";
import { isIstDate, type IstDate } from "../time/ist.js";

export type { OptionType } from "../market/instruments.js";

export interface OptionContract {
  underlying: string;
  expiry: IstDate;
  strike: Paise;
  type: OptionType;
  symbol: string;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;
const MONTH_ALT = MONTHS.join("|");
// The name is matched lazily so a name ending in digits ("NIFTYNXT50") still works: the month anchors the date.
const OPTION_RE = new RegExp(`^([A-Z][A-Z0-9&-]*?)(\\d{2})(${MONTH_ALT})(\\d{2})([1-9]\\d*)(CE|PE)$`);
const FUTURE_RE = new RegExp(`^([A-Z][A-Z0-9&-]*?)(\\d{2})(${MONTH_ALT})(\\d{2})FUT$`);
const NAME_RE = /^[A-Z][A-Z0-9&-]*$/;

/** The Angel One tradingsymbol of an option. Throws a RangeError for a bad name, date, strike or type. */
export function optionSymbol(underlying: string, expiry: IstDate, strike: Paise, type: OptionType): string {
  if (!NAME_RE.test(underlying)) throw new RangeError(`optionSymbol: underlying must be an upper-case F&O name like BANKNIFTY, got ${JSON.stringify(underlying)}`);
  if (!isIstDate(expiry)) throw new RangeError(`optionSymbol: expiry is not a date (YYYY-MM-DD): ${expiry}`);
  const year = Number(expiry.slice(0, 4));
  if (year < 2000 || year > 2099) throw new RangeError(`optionSymbol: expiry year ${year} does not fit the two-digit year of the symbol`);
  if (!Number.isSafeInteger(strike) || strike <= 0) throw new RangeError(`optionSymbol: strike must be a positive whole number of paise, got ${strike}`);
  if (strike % 100 !== 0) throw new RangeError(`optionSymbol: strike must be whole rupees, got ₹${toRupees(strike)}`);
  if (type !== "CE" && type !== "PE") throw new RangeError(`optionSymbol: type must be CE or PE, got ${JSON.stringify(type)}`);
  const month = MONTHS[Number(expiry.slice(5, 7)) - 1]!;
  return `${underlying}${expiry.slice(8, 10)}${month}${expiry.slice(2, 4)}${strike / 100}${type}`;
}

/** The contract behind an option tradingsymbol; null for anything else (an equity, an index, a future, a date that does not exist). */
export function parseOptionSymbol(symbol: string): OptionContract | null {
  const m = OPTION_RE.exec(symbol);
  if (!m) return null;
  const [, underlying, dd, mon, yy, rupees, type] = m as unknown as [string, string, string, string, string, string, OptionType];
  const expiry = fromDdMmmYy(dd, mon, yy);
  if (expiry === null) return null;
  const strike = Number(rupees) * 100;
  if (!Number.isSafeInteger(strike)) return null;
  return { underlying, expiry, strike, type, symbol };
}

/** The underlying's name of an option or future symbol; any other symbol is its own underlying ("SBIN" → "SBIN"). */
export function underlyingOf(symbol: string): string {
  const option = parseOptionSymbol(symbol);
  if (option) return option.underlying;
  const future = FUTURE_RE.exec(symbol);
  if (future && fromDdMmmYy(future[2]!, future[3]!, future[4]!) !== null) return future[1]!;
  return symbol;
}

/** "25","NOV","25" → "2025-11-25"; null when that day does not exist. */
function fromDdMmmYy(dd: string, mon: string, yy: string): IstDate | null {
  const month = MONTHS.indexOf(mon as (typeof MONTHS)[number]) + 1;
  const date = `20${yy}-${String(month).padStart(2, "0")}-${dd}`;
  return month > 0 && isIstDate(date) ? date : null;
}

/** A contract from its parts, with its symbol. */
export function optionContract(underlying: string, expiry: IstDate, strike: Paise, type: OptionType): OptionContract {
  return { underlying, expiry, strike, type, symbol: optionSymbol(underlying, expiry, strike, type) };
}
