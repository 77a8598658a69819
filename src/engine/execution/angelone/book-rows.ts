/**
 * Angel One's order book, trade book, positions and holdings rows in the
 * broker port's terms. Times are IST wall clock ("18-Jan-2024 10:35:03";
 * a trade's filltime may be the time of day only, meaning today).
 */
import type { BrokerOrder, BrokerOrderStatus, BrokerPosition, BrokerTrade, Holding, OrderRequest, Product } from "../broker.js";
import { toPaise, type Paise } from "../../money.js";
import { fromIst, isIstDate, istDate } from "../../time/ist.js";
import type { AngelInstruments } from "./instruments.js";
import type { HoldingRow, OrderRow, PositionRow, TradeRow } from "./schemas.js";

const MONTHS: Record<string, string> = { JAN: "01", FEB: "02", MAR: "03", APR: "04", MAY: "05", JUN: "06", JUL: "07", AUG: "08", SEP: "09", OCT: "10", NOV: "11", DEC: "12" };

/** An Angel timestamp (IST) as an instant, or null when unreadable. */
export function parseAngelTime(s: string, today: Date): Date | null {
  const t = s.trim();
  if (t === "") return null;
  if (/[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const d = new Date(t.replace(" ", "T"));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  let m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{2}:\d{2}(?::\d{2})?)$/.exec(t);
  if (m) {
    const date = `${m[3]}-${MONTHS[m[2]!.toUpperCase()] ?? "??"}-${m[1]!.padStart(2, "0")}`;
    return isIstDate(date) ? fromIst(date, m[4]!) : null;
  }
  m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(t);
  if (m) return isIstDate(m[1]!) ? fromIst(m[1]!, m[2]!) : null;
  m = /^(\d{2}:\d{2}(?::\d{2})?)$/.exec(t);
  if (m) return fromIst(istDate(today), m[1]!);
  return null;
}

const OPEN_STATUSES = new Set([
  "open",
  "open pending",
  "validation pending",
  "put order req received",
  "modify pending",
  "modify validation pending",
  "modified",
  "not modified",
  "cancel pending",
  "not cancelled",
  "after market order req received",
  "modify order req received",
  "cancel order req received",
]);

/** Angel's order status words → ours; unknown words read as open (still working) rather than done. */
export function orderStatus(row: Pick<OrderRow, "status" | "orderstatus" | "quantity" | "filledshares">): BrokerOrderStatus {
  const s = (row.status || row.orderstatus).trim().toLowerCase();
  const filled = row.filledshares ?? 0;
  if (s === "complete") return "filled";
  if (s === "rejected") return "rejected";
  if (s === "cancelled") return "cancelled";
  if (s === "trigger pending") return "trigger_pending";
  if (filled > 0 && filled < row.quantity) return "partially_filled";
  if (OPEN_STATUSES.has(s)) return "open";
  return "open";
}

export function productOf(producttype: string): Product | null {
  switch (producttype.toUpperCase()) {
    case "DELIVERY":
    case "CNC":
      return "DELIVERY";
    case "INTRADAY":
    case "MIS":
    case "BO":
    case "CO":
      return "INTRADAY";
    case "CARRYFORWARD":
    case "MARGIN":
    case "NRML":
      return "CARRYFORWARD";
    default:
      return null;
  }
}

function defaultProduct(exchange: string): Product {
  return exchange === "NSE" || exchange === "BSE" ? "DELIVERY" : "CARRYFORWARD";
}

export function orderTypeOf(ordertype: string): OrderRequest["type"] {
  const t = ordertype.toUpperCase();
  if (t === "LIMIT") return "limit";
  if (t.startsWith("STOPLOSS") || t === "SL" || t === "SL-M") return "stop";
  return "market";
}

const side = (transactiontype: string): "buy" | "sell" => (transactiontype.toUpperCase() === "SELL" ? "sell" : "buy");
const paise = (rupees: number | null | undefined): Paise | null => (rupees !== null && rupees !== undefined && rupees > 0 ? toPaise(rupees) : null);

export function toBrokerOrder(row: OrderRow, instruments: AngelInstruments, now: Date): BrokerOrder {
  const type = orderTypeOf(row.ordertype);
  const status = orderStatus(row);
  const price = type === "stop" ? paise(row.triggerprice) : type === "limit" ? paise(row.price) : null;
  const order: BrokerOrder = {
    brokerOrderId: row.orderid,
    tag: row.ordertag.trim() === "" ? null : row.ordertag.trim(),
    symbol: instruments.symbolOf(row.exchange, row.symboltoken, row.tradingsymbol),
    side: side(row.transactiontype),
    qty: row.quantity,
    filledQty: row.filledshares ?? 0,
    avgPrice: paise(row.averageprice),
    type,
    product: productOf(row.producttype) ?? defaultProduct(row.exchange),
    status,
    updatedAt: parseAngelTime(row.updatetime, now) ?? parseAngelTime(row.exchtime, now) ?? now,
  };
  if (price !== null) order.price = price;
  if ((status === "rejected" || status === "cancelled") && row.text.trim() !== "") order.reason = row.text.trim();
  return order;
}

/** A trade row; its tag comes from the row when Angel gives one, else from `tagOf` (the order behind it). */
export function toBrokerTrade(row: TradeRow, instruments: AngelInstruments, now: Date, tagOf: (orderId: string) => string | null): BrokerTrade {
  const tag = row.ordertag.trim() !== "" ? row.ordertag.trim() : tagOf(row.orderid);
  return {
    fillId: `${row.orderid}:${row.fillid}`,
    brokerOrderId: row.orderid,
    tag,
    symbol: instruments.symbolOf(row.exchange, row.symboltoken, row.tradingsymbol),
    side: side(row.transactiontype),
    qty: row.fillsize,
    price: toPaise(row.fillprice),
    time: parseAngelTime(row.filltime, now) ?? now,
  };
}

export function toBrokerPosition(row: PositionRow, instruments: AngelInstruments): BrokerPosition {
  const net = row.netqty;
  const avg = [row.avgnetprice, row.netprice, net >= 0 ? row.buyavgprice : row.sellavgprice].find((v) => v !== null && v !== undefined && v > 0);
  return {
    symbol: instruments.symbolOf(row.exchange, row.symboltoken, row.tradingsymbol),
    product: productOf(row.producttype) ?? defaultProduct(row.exchange),
    netQty: net,
    avgPrice: avg === undefined || avg === null ? 0 : toPaise(avg),
  };
}

/** The holding's `quantity` as Angel reports it (t1quantity is listed beside it, not added). */
export function toHolding(row: HoldingRow, instruments: AngelInstruments): Holding {
  return {
    symbol: instruments.symbolOf(row.exchange, row.symboltoken, row.tradingsymbol),
    qty: row.quantity,
    avgPrice: toPaise(row.averageprice),
  };
}
