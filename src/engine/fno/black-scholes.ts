/**
 * Black-Scholes price of a European option on a non-dividend-paying
 * underlying. Plain numbers (rupees, years, fractions) because the model is
 * continuous; callers round to the tick.
 *
 * NSE index options are European, so the formula's exercise style matches.
 */
import type { OptionType } from "./option-contract.js";

export interface BsInput {
  type: OptionType;
  /** Underlying price, rupees. */
  spot: number;
  /** Strike, rupees. */
  strike: number;
  /** Time to expiry in years; 0 or less means at or after expiry. */
  years: number;
  /** Annualised volatility as a fraction (0.15 for 15 %). */
  vol: number;
  /** Continuously compounded risk-free rate as a fraction (0.065 for 6.5 %). */
  rate: number;
}

/**
 * Standard normal CDF by Hart's double-precision algorithm 5666 as given by
 * G. West, "Better approximations to cumulative normal functions" (2005):
 * absolute error about 1e-15, far inside the 1e-7 a price to the paisa needs.
 */
export function normCdf(x: number): number {
  if (Number.isNaN(x)) throw new RangeError("normCdf: x is NaN");
  const a = Math.abs(x);
  let tail: number;
  if (a > 37) {
    tail = 0;
  } else {
    const e = Math.exp((-a * a) / 2);
    if (a < 7.07106781186547) {
      let n = 3.52624965998911e-2 * a + 0.700383064443688;
      n = n * a + 6.37396220353165;
      n = n * a + 33.912866078383;
      n = n * a + 112.079291497871;
      n = n * a + 221.213596169931;
      n = n * a + 220.206867912376;
      let d = 8.83883476483184e-2 * a + 1.75566716318264;
      d = d * a + 16.064177579207;
      d = d * a + 86.7807322029461;
      d = d * a + 296.564248779674;
      d = d * a + 637.333633378831;
      d = d * a + 793.826512519948;
      d = d * a + 440.413735824752;
      tail = (e * n) / d;
    } else {
      let d = a + 0.65;
      d = a + 4 / d;
      d = a + 3 / d;
      d = a + 2 / d;
      d = a + 1 / d;
      tail = e / d / 2.506628274631;
    }
  }
  return x > 0 ? 1 - tail : tail;
}

/**
 * Option price in rupees. At or after expiry (years ≤ 0) the intrinsic value;
 * with zero volatility the discounted forward's intrinsic value, the limit of
 * the formula. Throws a RangeError naming a bad input.
 */
export function bsPrice(o: BsInput): number {
  if (o.type !== "CE" && o.type !== "PE") throw new RangeError(`bsPrice: type must be CE or PE, got ${JSON.stringify(o.type)}`);
  positive("spot", o.spot);
  positive("strike", o.strike);
  if (!Number.isFinite(o.years)) throw new RangeError(`bsPrice: years must be a finite number, got ${o.years}`);
  if (!Number.isFinite(o.vol) || o.vol < 0) throw new RangeError(`bsPrice: vol must be a fraction ≥ 0, got ${o.vol}`);
  if (!Number.isFinite(o.rate)) throw new RangeError(`bsPrice: rate must be a finite number, got ${o.rate}`);

  const { spot: s, strike: k, years: t, vol, rate } = o;
  const call = o.type === "CE";
  if (t <= 0) return Math.max(call ? s - k : k - s, 0);
  const discounted = k * Math.exp(-rate * t);
  if (vol === 0) return Math.max(call ? s - discounted : discounted - s, 0);

  const sd = vol * Math.sqrt(t);
  const d1 = (Math.log(s / k) + (rate + (vol * vol) / 2) * t) / sd;
  const d2 = d1 - sd;
  // Far out of the money the difference of two near-equal terms can dip a hair below zero.
  return call
    ? Math.max(s * normCdf(d1) - discounted * normCdf(d2), 0)
    : Math.max(discounted * normCdf(-d2) - s * normCdf(-d1), 0);
}

function positive(name: string, v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`bsPrice: ${name} must be a positive number of rupees, got ${v}`);
}
