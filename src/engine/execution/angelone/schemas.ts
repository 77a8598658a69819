/**
 * Shapes of the `data` field of SmartAPI's success answers. Angel sends
 * numbers as JSON numbers in some fields and as strings in others (and has
 * changed this over time), so numeric fields accept both. An empty book comes
 * back as `data: null`, read as an empty list.
 */
import { z } from "zod";

/** A number, or a string holding one ("12.50"). */
export const num = z.union([z.number().finite(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, "not a number")]).transform(Number);
/** An id Angel may send as a string or a number. */
const id = z.union([z.string().min(1), z.number()]).transform(String);
const text = z.string().nullish().transform((s) => s ?? "");
const optNum = num.nullish();

const listOf = <T extends z.ZodType>(row: T) => z.array(row).nullish().transform((rows) => rows ?? []);

export const LoginData = z.object({
  jwtToken: z.string().min(1),
  refreshToken: z.string().min(1),
  feedToken: z.string().nullish(),
});
export type LoginData = z.infer<typeof LoginData>;

export const OrderPlaced = z.object({ orderid: id, uniqueorderid: z.string().nullish(), script: z.string().nullish() });
export type OrderPlaced = z.infer<typeof OrderPlaced>;

/** modifyOrder / cancelOrder: Angel echoes the order id; nothing else is needed. */
export const OrderChanged = z.unknown();

export const OrderRow = z.object({
  orderid: id,
  uniqueorderid: z.string().nullish(),
  variety: text,
  ordertype: text,
  producttype: text,
  duration: text,
  transactiontype: z.string(),
  exchange: z.string(),
  tradingsymbol: z.string(),
  symboltoken: id,
  quantity: num,
  filledshares: optNum,
  unfilledshares: optNum,
  price: optNum,
  triggerprice: optNum,
  averageprice: optNum,
  status: text,
  orderstatus: text,
  text: text,
  ordertag: text,
  updatetime: text,
  exchtime: text,
});
export type OrderRow = z.infer<typeof OrderRow>;
export const OrderBook = listOf(OrderRow);

export const TradeRow = z.object({
  orderid: id,
  fillid: id,
  exchange: z.string(),
  tradingsymbol: z.string(),
  symboltoken: id.nullish(),
  transactiontype: z.string(),
  producttype: text,
  fillprice: num,
  fillsize: num,
  filltime: text,
  ordertag: text,
});
export type TradeRow = z.infer<typeof TradeRow>;
export const TradeBook = listOf(TradeRow);

export const PositionRow = z.object({
  exchange: z.string(),
  tradingsymbol: z.string(),
  symboltoken: id.nullish(),
  producttype: text,
  netqty: num,
  avgnetprice: optNum,
  netprice: optNum,
  buyavgprice: optNum,
  sellavgprice: optNum,
});
export type PositionRow = z.infer<typeof PositionRow>;
export const Positions = listOf(PositionRow);

export const HoldingRow = z.object({
  tradingsymbol: z.string(),
  exchange: z.string(),
  symboltoken: id.nullish(),
  quantity: num,
  t1quantity: optNum,
  averageprice: num,
});
export type HoldingRow = z.infer<typeof HoldingRow>;
export const Holdings = listOf(HoldingRow);

export const Rms = z.object({
  net: num,
  availablecash: optNum,
  utiliseddebits: optNum,
});
export type Rms = z.infer<typeof Rms>;

export const ProfileData = z.object({
  clientcode: z.string(),
  name: text,
  /** An array, or a string such as "[NSE, BSE, NFO]". */
  exchanges: z.union([z.array(z.string()), z.string()]).nullish(),
});
export type ProfileData = z.infer<typeof ProfileData>;

export const QuoteRow = z.object({
  exchange: z.string(),
  tradingSymbol: z.string().nullish(),
  symbolToken: id,
  ltp: num,
  open: optNum,
  high: optNum,
  low: optNum,
  close: optNum,
});
export type QuoteRow = z.infer<typeof QuoteRow>;
export const QuoteData = z.object({
  fetched: listOf(QuoteRow),
  unfetched: z.array(z.unknown()).nullish(),
});

/** [time, open, high, low, close, volume], prices in rupees. */
export const CandleRow = z.tuple([z.string(), num, num, num, num, num]);
export const CandleData = listOf(CandleRow);

export const GttCreated = z.object({ id });

export const GttRow = z.object({
  id,
  tradingsymbol: z.string(),
  symboltoken: id,
  exchange: z.string(),
  producttype: text,
  transactiontype: text,
  price: num,
  qty: num,
  triggerprice: num,
  status: text,
});
export type GttRow = z.infer<typeof GttRow>;
export const GttList = listOf(GttRow);
