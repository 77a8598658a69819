/**
 * Our order requests in SmartAPI's words: variety NORMAL for market and limit
 * orders, STOPLOSS + STOPLOSS_MARKET for a stop (its trigger from `price`),
 * prices in rupees with two decimals, quantities as strings.
 */
import { BrokerError, type OrderChange, type OrderRequest, type Product } from "../broker.js";
import { roundToTick, type Paise } from "../../money.js";
import { isDerivativeSegment, type AngelInstrument } from "./instruments.js";

/** SmartAPI's ordertag holds at most 20 characters (longer is refused, AB4008). */
export const MAX_TAG_LENGTH = 20;

/** 123456 paise → "1234.56", by integer arithmetic. */
export function rupees(p: Paise): string {
  if (!Number.isSafeInteger(p) || p < 0) throw new RangeError(`price must be a whole, non-negative number of paise, got ${p}`);
  return `${Math.floor(p / 100)}.${String(p % 100).padStart(2, "0")}`;
}

/**
 * A price put on the instrument's tick from the scrip master (NSE's price-band
 * ticks change, and Angel refuses an off-tick price), never to the trader's
 * cost: a sell stop moves up and a buy stop down (tighter, never looser); a buy
 * limit moves down and a sell limit up (never more aggressive).
 */
export function onInstrumentTick(price: Paise, tick: Paise, side: OrderRequest["side"]): Paise {
  if (!(tick > 1)) return price;
  // One rule serves both: a sell's price rounds up, a buy's down.
  return roundToTick(price, tick, side === "sell" ? "up" : "down");
}

export function productFor(req: Pick<OrderRequest, "product">, inst: AngelInstrument): Product {
  return req.product ?? (isDerivativeSegment(inst.exchange) ? "CARRYFORWARD" : "DELIVERY");
}

export type Variety = "NORMAL" | "STOPLOSS" | "ROBO";

export function varietyOf(type: OrderRequest["type"]): Variety {
  return type === "stop" ? "STOPLOSS" : "NORMAL";
}

const ORDER_TYPES = { market: "MARKET", limit: "LIMIT", stop: "STOPLOSS_MARKET" } as const;

/** Refuses, before any call, what Angel would refuse or we could not track. */
export function checkRequest(req: OrderRequest, inst: AngelInstrument): void {
  const who = `order ${req.clientOrderId} (${req.symbol})`;
  if (!Number.isSafeInteger(req.qty) || req.qty <= 0) throw new BrokerError("rejected", `${who}: quantity must be a positive whole number, got ${req.qty}`);
  if (inst.tick <= 0) throw new BrokerError("rejected", `${who}: ${inst.tradingsymbol} is an index, not tradable`);
  if (req.qty % inst.lot !== 0) throw new BrokerError("rejected", `${who}: quantity ${req.qty} is not a whole number of lots of ${inst.lot}`);
  if (req.type !== "market" && (req.price === undefined || !Number.isSafeInteger(req.price) || req.price <= 0)) {
    throw new BrokerError("rejected", `${who}: a ${req.type} order needs a price in whole paise`);
  }
}

/** The tag must fit SmartAPI's 20 characters; refused here rather than by Angel (AB4008). */
export function checkTag(tag: string, clientOrderId: string): void {
  if (tag.length > MAX_TAG_LENGTH) {
    throw new BrokerError("rejected", `order ${clientOrderId}: its tag "${tag}" is ${tag.length} characters; Angel One takes at most ${MAX_TAG_LENGTH}`);
  }
}

/** placeOrder parameters for one piece. */
export function placeParams(req: OrderRequest, inst: AngelInstrument, qty: number, tag: string): Record<string, string> {
  const p: Record<string, string> = {
    variety: varietyOf(req.type),
    tradingsymbol: inst.tradingsymbol,
    symboltoken: inst.token,
    transactiontype: req.side === "buy" ? "BUY" : "SELL",
    exchange: inst.exchange,
    ordertype: ORDER_TYPES[req.type],
    producttype: productFor(req, inst),
    duration: "DAY",
    price: req.type === "limit" ? rupees(onInstrumentTick(req.price!, inst.tick, req.side)) : "0",
    squareoff: "0",
    stoploss: "0",
    quantity: String(qty),
    ordertag: tag,
  };
  if (req.type === "stop") p.triggerprice = rupees(onInstrumentTick(req.price!, inst.tick, req.side));
  return p;
}

/** What modifyOrder needs to know of an order besides its id. */
export interface OrderShape {
  variety: string;
  type: OrderRequest["type"];
  product: Product;
  qty: number;
  price?: Paise;
  tradingsymbol: string;
  token: string;
  exchange: string;
  /** Known for orders placed by this process: a changed price is put on the instrument's tick. */
  side?: OrderRequest["side"];
  tick?: Paise;
}

/** modifyOrder parameters: the order as it should be after the change. */
export function modifyParams(orderId: string, shape: OrderShape, change: OrderChange): Record<string, string> {
  const wanted = change.price ?? shape.price;
  const price = wanted !== undefined && shape.side && shape.tick ? onInstrumentTick(wanted, shape.tick, shape.side) : wanted;
  const p: Record<string, string> = {
    variety: shape.variety,
    orderid: orderId,
    ordertype: ORDER_TYPES[shape.type],
    producttype: shape.product,
    duration: "DAY",
    price: shape.type === "limit" && price !== undefined ? rupees(price) : "0",
    quantity: String(change.qty ?? shape.qty),
    tradingsymbol: shape.tradingsymbol,
    symboltoken: shape.token,
    exchange: shape.exchange,
  };
  if (shape.type === "stop" && price !== undefined) p.triggerprice = rupees(price);
  return p;
}
