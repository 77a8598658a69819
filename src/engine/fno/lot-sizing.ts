/**
 * Whole lots for one synthetic-futures unit (seed 002): the unit may lose at
 * most riskPct of the strategy's own capital between entry and its stop.
 *
 *   lots = floor(capital × riskPct / ((entry − stop) × lot size))
 *
 * Exchanges trade whole lots only, so anything under one lot is refused with
 * the numbers that made it so, never rounded up into more risk than allowed.
 * Every unit (the base and each pyramid) is sized the same way at its own
 * entry and stop.
 */
import { formatRupees, type Paise } from "../money.js";

export interface LotSizingInput {
  /** The strategy's capital (BANKNIFTY_CAPITAL), not the whole account's. */
  capital: Paise;
  riskPct: number;
  side: "long" | "short";
  /** Signal price of the underlying. */
  entry: Paise;
  stop: Paise | null;
  lotSize: number;
}

export type LotSizing =
  | { ok: true; lots: number; qty: number; riskPerLot: Paise; budget: Paise }
  | { ok: false; reason: string; riskPerLot: Paise | null; budget: Paise };

export function sizeLots(i: LotSizingInput): LotSizing {
  if (!Number.isInteger(i.lotSize) || i.lotSize <= 0) throw new RangeError(`lot size must be a positive whole number, got ${i.lotSize}`);
  const budget = Math.floor((i.capital * i.riskPct) / 100);
  if (i.stop === null) return { ok: false, reason: "no stop: a synthetic unit is sized by the distance to its stop", riskPerLot: null, budget };
  const points = i.side === "long" ? i.entry - i.stop : i.stop - i.entry;
  if (points <= 0) return { ok: false, reason: `the stop ${formatRupees(i.stop)} is on the wrong side of the entry ${formatRupees(i.entry)}`, riskPerLot: null, budget };
  const riskPerLot = points * i.lotSize;
  const lots = Math.floor(budget / riskPerLot);
  if (lots < 1) {
    return {
      ok: false,
      reason: `size below one lot: one lot of ${i.lotSize} risks ${formatRupees(riskPerLot)} to the stop, over the ${formatRupees(budget)} budget (${i.riskPct}% of ${formatRupees(i.capital)})`,
      riskPerLot,
      budget,
    };
  }
  return { ok: true, lots, qty: lots * i.lotSize, riskPerLot, budget };
}
