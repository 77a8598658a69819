/**
 * MODELLED option prices, for when no option prices are stored (the shipped
 * Bank Nifty history has the spot index only). Every price made here is a
 * model's, not a market's: reports built on it must say "modelled".
 *
 * The model:
 * - Black-Scholes (black-scholes.ts) on the SPOT index, European exercise
 *   (NSE index options are European), no dividends.
 * - Volatility: India VIX (india-vix.ts), the market's 30-day implied
 *   volatility of NIFTY 50 options, used for Bank Nifty too.
 * - Rate: settable, in percent, continuously compounded; default 6.5 %, the
 *   RBI repo rate from February 2023 to February 2025. Rates were lower in
 *   2021-2022 (repo 4 % until May 2022), where the default overstates carry:
 *   for a one-month ATM Bank Nifty synthetic, 2.5 points of rate move its
 *   modelled price by about K·0.025/12, some ₹80 a unit at 36,000.
 * - Time: calendar time to 15:30 IST on the expiry day over a 365-day year.
 * - Prices round to the ₹0.05 tick of index options and never go below one
 *   tick, the least an option can trade at.
 *
 * Known biases, so its numbers are read with care:
 * - No skew or smile: one volatility for every strike. At the money (the only
 *   strikes the synthetic futures use) this matters least.
 * - India VIX is NIFTY's volatility; Bank Nifty's implied volatility usually
 *   runs a few points higher, so modelled Bank Nifty premiums run low. In a
 *   synthetic (bought call, sold put at one strike) the volatility largely
 *   cancels: by put-call parity C − P = S − K·e^(−rT) whatever the volatility.
 * - Spot, not the future: the real legs are priced off the future, which
 *   trades at a premium of about the carry (already in the rate term) plus
 *   or minus a basis the model does not see.
 * - VIX is a daily close, so within a day the volatility is held fixed;
 *   intraday bars move the premium through spot and time only.
 */
import { roundToTick, type Paise } from "../money.js";
import { barClose, type Candle } from "../market/candle.js";
import { fromIst, isIstDate, type IstDate } from "../time/ist.js";
import { bsPrice } from "./black-scholes.js";
import type { OptionContract } from "./option-contract.js";

export const OPTION_TICK: Paise = 5;
export const DEFAULT_RATE_PCT = 6.5;
/** Expiry-day close of NSE index options. */
export const EXPIRY_TIME = "15:30";
const YEAR_MS = 365 * 86_400_000;

/**
 * The volume a modelled bar carries: Number.MAX_SAFE_INTEGER, the same
 * "unlimited" the paper broker gives its own one-price tick bars. The paper
 * broker caps fills at a share of bar volume, so 0 (no traded volume is
 * known) would leave every order unfilled; ATM Bank Nifty monthly options
 * trade lakhs of contracts a day, far beyond the desk's size, so whole fills
 * are the honest model. Do not sum these volumes (the total is not exact).
 */
export const MODELLED_VOLUME = Number.MAX_SAFE_INTEGER;

/** Calendar years from `at` to 15:30 IST on the expiry day (365-day years); 0 at or after it. */
export function yearsToExpiry(at: Date, expiry: IstDate): number {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new RangeError(`yearsToExpiry: at is not a valid instant: ${String(at)}`);
  if (!isIstDate(expiry)) throw new RangeError(`yearsToExpiry: expiry is not a date (YYYY-MM-DD): ${expiry}`);
  return Math.max(0, (fromIst(expiry, EXPIRY_TIME).getTime() - at.getTime()) / YEAR_MS);
}

/**
 * The model's premium of `c` with the underlying at `spot` at instant `at`:
 * Black-Scholes, rounded to the nearest ₹0.05 and at least ₹0.05.
 * volPct and ratePct are in percent (India VIX 15.3 → 15.3).
 */
export function modelPremium(c: OptionContract, spot: Paise, at: Date, volPct: number, ratePct: number): Paise {
  if (!Number.isSafeInteger(spot) || spot <= 0) throw new RangeError(`modelPremium: spot must be a positive whole number of paise, got ${spot}`);
  if (!Number.isSafeInteger(c.strike) || c.strike <= 0) throw new RangeError(`modelPremium: ${c.symbol}: strike must be a positive whole number of paise, got ${c.strike}`);
  if (!Number.isFinite(volPct) || volPct <= 0 || volPct > 500) throw new RangeError(`modelPremium: volPct must be a percentage above 0 (India VIX, e.g. 15.3), got ${volPct}`);
  if (!Number.isFinite(ratePct) || ratePct < -5 || ratePct > 50) throw new RangeError(`modelPremium: ratePct must be a percentage between -5 and 50, got ${ratePct}`);
  const rupees = bsPrice({
    type: c.type,
    spot: spot / 100,
    strike: c.strike / 100,
    years: yearsToExpiry(at, c.expiry),
    vol: volPct / 100,
    rate: ratePct / 100,
  });
  return Math.max(OPTION_TICK, roundToTick(rupees * 100, OPTION_TICK));
}

/**
 * A modelled bar for the option, in the underlying bar's time and timeframe:
 * - open: premium at the underlying's open, at the bar's start;
 * - close: premium at the underlying's close, at the bar's end (start + timeframe);
 * - high: premium at the spot extreme that favours the option (a call's at the
 *   spot high, a put's at the spot low) at the bar's start, when it has the
 *   most time value; low: at the other extreme at the bar's end. Both are then
 *   widened to contain open and close, so the bar is always a sound bar;
 * - volume: MODELLED_VOLUME (see there).
 * The underlying bar must be the contract's underlying and end no later than
 * the expiry's 15:30 close.
 */
export function modelOptionBar(underlying: Candle, c: OptionContract, volPct: number, ratePct: number): Candle {
  if (underlying.symbol !== c.underlying) {
    throw new RangeError(`modelOptionBar: bar of ${underlying.symbol} cannot price ${c.symbol} (underlying ${c.underlying})`);
  }
  const start = underlying.time;
  const end = barClose(underlying);
  const expiryClose = fromIst(c.expiry, EXPIRY_TIME);
  if (end.getTime() > expiryClose.getTime()) {
    throw new RangeError(`modelOptionBar: ${c.symbol} expired at ${c.expiry} ${EXPIRY_TIME} IST; the ${underlying.timeframe} bar ends ${end.toISOString()}`);
  }
  const price = (spot: Paise, at: Date): Paise => modelPremium(c, spot, at, volPct, ratePct);
  const open = price(underlying.open, start);
  const close = price(underlying.close, end);
  const [favourable, adverse] = c.type === "CE" ? [underlying.high, underlying.low] : [underlying.low, underlying.high];
  const high = Math.max(price(favourable, start), open, close);
  const low = Math.min(price(adverse, end), open, close);
  return { symbol: c.symbol, timeframe: underlying.timeframe, time: start, open, high, low, close, volume: MODELLED_VOLUME };
}
