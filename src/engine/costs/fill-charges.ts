import type { FillCharges } from "../portfolio/portfolio.js";
import { istDate } from "../time/ist.js";
import { computeCharges } from "./charges.js";

/** Equity-delivery charges for one fill (one side): what the paper ledger books. */
export const deliveryFillCharges: FillCharges = ({ side, value, time }) =>
  computeCharges({ segment: "equity-delivery", buyValue: side === "buy" ? value : 0, sellValue: side === "sell" ? value : 0, on: istDate(time) }).total;

/** Both sides at one price: the estimate shown on a signal card. */
export function roundTripEstimate(charges: FillCharges, qty: number, price: number, time: Date): number {
  const value = qty * price;
  return charges({ side: "buy", value, time }) + charges({ side: "sell", value, time });
}
