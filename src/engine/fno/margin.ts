/**
 * Margin of a synthetic future for the paper broker, until a broker reports
 * real margin.
 *
 * Only the SOLD leg of the pair is margined (the bought leg's premium is paid
 * in cash, not blocked as margin). An exchange blocks SPAN plus exposure
 * margin on a short option; for a sold at-the-money index option that comes
 * to roughly 10-15 % of its notional (spot × quantity), higher when volatility
 * is high. The model takes a settable percentage of that notional; 15 matches
 * banknifty-trend's marginPerUnitPct, so the strategy's margin budget and the
 * broker's margin check agree. The real figure also falls with hedges (the
 * bought leg offsets part of it) and rises near expiry; the model ignores both.
 */
import type { Paise } from "../money.js";

/** marginPct % of spot × qty (qty in units: lots × lot size), rounded up to the paisa. */
export function syntheticMargin(o: { spot: Paise; qty: number; marginPct: number }): Paise {
  const { spot, qty, marginPct } = o;
  if (!Number.isSafeInteger(spot) || spot <= 0) throw new RangeError(`syntheticMargin: spot must be a positive whole number of paise, got ${spot}`);
  if (!Number.isSafeInteger(qty) || qty <= 0) throw new RangeError(`syntheticMargin: qty must be a positive whole number of units, got ${qty}`);
  if (!Number.isFinite(marginPct) || marginPct <= 0 || marginPct > 100) {
    throw new RangeError(`syntheticMargin: marginPct must be a percentage above 0 and at most 100, got ${marginPct}`);
  }
  // As millionths of the notional (15 % → 150,000), so the product and the rounding up are exact integer maths.
  const millionths = Math.round(marginPct * 10_000);
  if (Math.abs(millionths - marginPct * 10_000) > 1e-6) throw new RangeError(`syntheticMargin: marginPct has more than 4 decimals: ${marginPct}`);
  const product = BigInt(spot) * BigInt(qty) * BigInt(millionths);
  const margin = (product + 999_999n) / 1_000_000n;
  if (margin > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`syntheticMargin: margin too large to hold exactly (spot ${spot} × qty ${qty})`);
  return Number(margin);
}
