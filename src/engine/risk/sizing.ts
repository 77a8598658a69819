import type { Paise } from "../money.js";

export interface SizingInput {
  capital: Paise;
  riskPct: number;
  entry: Paise;
  stop: Paise;
  /** Cash the broker would let us spend now. */
  available: Paise;
  lotSize?: number;
}

export type Sizing =
  | { ok: true; qty: number; riskAmount: Paise; inputs: Record<string, number> }
  | { ok: false; reason: string; inputs: Record<string, number> };

/**
 * qty = floor(capital × risk% / (entry − stop)), in whole lots, then capped by the
 * cash available. Below one lot (or one share) the signal is refused with the reason.
 */
export function sizePosition(s: SizingInput): Sizing {
  const lot = s.lotSize ?? 1;
  const perUnitRisk = s.entry - s.stop;
  // Exact: risk % as whole hundredths of a basis point, multiplied in BigInt, so
  // ₹5,00,000 × 2.3% is ₹11,500.00 and not a paisa less through float noise.
  const budget = Number((BigInt(s.capital) * BigInt(Math.round(s.riskPct * 10_000))) / 1_000_000n);
  const inputs: Record<string, number> = {
    capital: s.capital,
    riskPct: s.riskPct,
    riskBudget: budget,
    entry: s.entry,
    stop: s.stop,
    perUnitRisk,
    available: s.available,
    lotSize: lot,
  };
  if (perUnitRisk <= 0) return { ok: false, reason: "the stop is not below the entry", inputs };
  const byRisk = Math.floor(budget / perUnitRisk / lot) * lot;
  const byCash = Math.floor(Math.max(0, s.available) / s.entry / lot) * lot;
  const qty = Math.min(byRisk, byCash);
  inputs.qtyByRisk = byRisk;
  inputs.qtyByCash = byCash;
  if (qty < lot) {
    const unit = lot > 1 ? "one lot" : "one share";
    const why = byRisk < lot ? `the risk budget buys less than ${unit}` : `the available cash buys less than ${unit}`;
    return { ok: false, reason: why, inputs };
  }
  return { ok: true, qty, riskAmount: qty * perUnitRisk, inputs };
}
