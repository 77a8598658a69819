import type { Paise } from "../money.js";
import { istDate, type IstDate } from "../time/ist.js";

/**
 * NSE's cash-market tick when no instrument master row says otherwise:
 * ₹0.05, and ₹0.01 for stocks priced under ₹250 from 10 June 2024 (NSE circular
 * on tick size by price band).
 */
export function defaultEquityTick(price: Paise, on: IstDate): Paise {
  return on >= "2024-06-10" && price < 25_000 ? 1 : 5;
}

/** The tick a signal's prices sit on: the index moves in 5 paise; stocks follow NSE's price bands. */
export function tickFor(symbol: string, price: Paise, time: Date): Paise {
  return symbol === "BANKNIFTY" ? 5 : defaultEquityTick(price, istDate(time));
}
