import type { FillCharges } from "../portfolio/portfolio.js";
import { istDate } from "../time/ist.js";
import { parseOptionSymbol } from "../fno/option-contract.js";
import { computeCharges } from "./charges.js";

/**
 * Charges for one fill (one side), as the paper ledger books them: equity
 * delivery for a share, the options rate card on the premium for an option leg
 * (its symbol says which).
 */
export const deliveryFillCharges: FillCharges = ({ side, value, time, symbol }) =>
  computeCharges({
    segment: symbol !== undefined && parseOptionSymbol(symbol) ? "options" : "equity-delivery",
    buyValue: side === "buy" ? value : 0,
    sellValue: side === "sell" ? value : 0,
    on: istDate(time),
  }).total;

/** Both sides at one price: the estimate shown on a signal card. */
export function roundTripEstimate(charges: FillCharges, qty: number, price: number, time: Date): number {
  const value = qty * price;
  return charges({ side: "buy", value, time }) + charges({ side: "sell", value, time });
}
