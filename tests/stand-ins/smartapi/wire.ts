/**
 * SmartAPI's wire formats: the envelopes, how request fields arrive (numbers
 * or numeric strings), and the rows of the order book, trade book, positions,
 * holdings and GTT lists with each field typed as the real API types it:
 * order book prices are numbers while its quantities are strings; the trade
 * book and positions carry strings throughout; holdings carry numbers.
 */
import type { Instrument } from "../../../src/engine/market/instruments.js";
import { type Paise, toPaise } from "../../../src/engine/money.js";
import { IST_OFFSET_MS } from "../../../src/engine/time/ist.js";
import { CODES, StandInApiError } from "./api-error.js";
import type { GttRuleState } from "./gtt.js";
import type { DayQuote, HoldingState, PositionState, StandInOrder, StandInTrade } from "./market.js";

export type Json = Record<string, unknown>;

export function ok(data: unknown): Json {
  return { status: true, message: "SUCCESS", errorcode: "", data };
}

export function fail(errorcode: string, message: string): Json {
  return { status: false, message, errorcode, data: null };
}

/** Session and key failures come in a different shape (success/errorCode) from other errors. */
export function authFail(errorCode: string, message: string): Json {
  return { success: false, message, errorCode, data: "" };
}

// ───────────────────────────── request fields ─────────────────────────────

export function str(body: Json, field: string, required = true): string | undefined {
  const v = body[field];
  if (v === undefined || v === null || v === "") {
    if (required) throw new StandInApiError(CODES.invalidField, `Invalid ${field}: missing`);
    return undefined;
  }
  if (typeof v !== "string" && typeof v !== "number") throw new StandInApiError(CODES.invalidField, `Invalid ${field}`);
  return String(v);
}

/** A whole number sent as a number or a numeric string. */
export function int(body: Json, field: string, required = true, code: string = CODES.invalidField): number | undefined {
  const s = str(body, field, required);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s.trim())) throw new StandInApiError(code, `Invalid ${field}`);
  return Number(s);
}

/**
 * Rupees sent as a number or a numeric string, to paise. A value finer than a
 * paisa comes back fractional, so the tick check refuses it rather than it
 * being rounded onto the tick.
 */
export function paise(body: Json, field: string, required = true, code: string = CODES.invalidField): Paise | undefined {
  const s = str(body, field, required);
  if (s === undefined) return undefined;
  const t = s.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) throw new StandInApiError(code, `Invalid ${field}`);
  const [, frac = ""] = t.split(".");
  if (frac.replace(/0+$/, "").length > 2) return Number(t) * 100;
  return toPaise(t);
}

// ───────────────────────────── values ─────────────────────────────

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function istParts(d: Date): { y: string; mo: number; dd: string; time: string } {
  const iso = new Date(d.getTime() + IST_OFFSET_MS).toISOString();
  return { y: iso.slice(0, 4), mo: Number(iso.slice(5, 7)), dd: iso.slice(8, 10), time: iso.slice(11, 19) };
}

/** "21-Nov-2026 10:15:01" in IST, as updatetime and exchtime read. */
export function angelDateTime(d: Date): string {
  const p = istParts(d);
  return `${p.dd}-${MONTHS[p.mo - 1]}-${p.y} ${p.time}`;
}

/** "10:15:01" in IST: the trade book's filltime has no date. */
export function angelTime(d: Date): string {
  return istParts(d).time;
}

/** "2026-11-21T04:45:01Z": GTT dates are UTC ISO without milliseconds. */
export function isoUtc(d: Date): string {
  return d.toISOString().slice(0, 19) + "Z";
}

/** Paise (possibly fractional, as an average) to rupees rounded to 2 decimals. */
export function rupees(p: number): number {
  return Math.round(p) / 100;
}

export function rupeesStr(p: number): string {
  const r = Math.round(p);
  const sign = r < 0 ? "-" : "";
  const a = Math.abs(r);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

function strike(i: Instrument): number {
  return i.kind === "option" && i.strike !== null ? rupees(i.strike) : -1;
}

function masterExpiry(i: Instrument): string {
  if (!i.expiry) return "";
  const [y, m, d] = i.expiry.split("-");
  return `${d}${MONTHS[Number(m) - 1]!.toUpperCase()}${y}`;
}

function symbolGroup(i: Instrument): string {
  return i.kind === "equity" ? "EQ" : "XX";
}

// ───────────────────────────── rows ─────────────────────────────

export function orderRow(o: StandInOrder): Json {
  const i = o.instrument;
  const unfilled = o.quantity - o.filledshares;
  const cancelled = o.status === "cancelled" || o.status === "rejected" ? unfilled : 0;
  return {
    variety: o.variety,
    ordertype: o.ordertype,
    producttype: o.producttype,
    duration: o.duration,
    price: rupees(o.price),
    triggerprice: rupees(o.triggerprice),
    quantity: String(o.quantity),
    disclosedquantity: "0",
    squareoff: 0,
    stoploss: 0,
    trailingstoploss: 0,
    tradingsymbol: i.symbol,
    transactiontype: o.transactiontype,
    exchange: i.exchange,
    symboltoken: i.token,
    ordertag: o.ordertag,
    instrumenttype: i.instrumentType,
    strikeprice: strike(i),
    optiontype: i.optionType ?? "",
    expirydate: masterExpiry(i),
    lotsize: String(i.lotSize),
    cancelsize: String(cancelled),
    averageprice: o.filledshares > 0 ? rupees(o.filledvalue / o.filledshares) : 0,
    filledshares: String(o.filledshares),
    unfilledshares: String(unfilled),
    orderid: o.orderid,
    text: o.text,
    status: o.status,
    orderstatus: o.status,
    updatetime: angelDateTime(o.updatedAt),
    exchtime: o.exchangeAt ? angelDateTime(o.exchangeAt) : "",
    exchorderupdatetime: o.exchangeAt ? angelDateTime(o.updatedAt) : "",
    fillid: "",
    filltime: "",
    parentorderid: "",
    uniqueorderid: o.uniqueorderid,
    exchangeorderid: o.exchangeorderid,
  };
}

export function tradeRow(t: StandInTrade): Json {
  const i = t.instrument;
  return {
    exchange: i.exchange,
    producttype: t.producttype,
    tradingsymbol: i.symbol,
    instrumenttype: i.instrumentType,
    symbolgroup: symbolGroup(i),
    strikeprice: String(strike(i)),
    optiontype: i.optionType ?? "",
    expirydate: masterExpiry(i),
    marketlot: String(i.lotSize),
    precision: "2",
    multiplier: "-1",
    tradevalue: rupeesStr(t.price * t.quantity),
    transactiontype: t.transactiontype,
    fillprice: rupeesStr(t.price),
    fillsize: String(t.quantity),
    orderid: t.orderid,
    fillid: t.fillid,
    filltime: angelTime(t.at),
  };
}

export function positionRow(p: PositionState, q: DayQuote | undefined): Json {
  const i = p.instrument;
  const buyAvg = p.buyqty ? p.buyamount / p.buyqty : 0;
  const sellAvg = p.sellqty ? p.sellamount / p.sellqty : 0;
  const totalBuyQty = p.buyqty + p.cfbuyqty;
  const totalSellQty = p.sellqty + p.cfsellqty;
  const totalBuy = p.buyamount + p.cfbuyamount;
  const totalSell = p.sellamount + p.cfsellamount;
  // The net position's average: what was paid net of what was received, per share held.
  const netPrice = p.netqty !== 0 ? (totalBuy - totalSell) / p.netqty : 0;
  const ltp = q?.ltp ?? 0;
  const pnl = totalSell - totalBuy + p.netqty * ltp;
  return {
    exchange: i.exchange,
    symboltoken: i.token,
    producttype: p.producttype,
    tradingsymbol: i.symbol,
    symbolname: i.name,
    instrumenttype: i.instrumentType,
    priceden: "1.00",
    pricenum: "1.00",
    genden: "1.00",
    gennum: "1.00",
    precision: "2",
    multiplier: "-1",
    boardlotsize: "1",
    buyqty: String(p.buyqty),
    sellqty: String(p.sellqty),
    buyamount: rupeesStr(p.buyamount),
    sellamount: rupeesStr(p.sellamount),
    symbolgroup: symbolGroup(i),
    strikeprice: String(strike(i)),
    optiontype: i.optionType ?? "",
    expirydate: masterExpiry(i),
    lotsize: String(i.lotSize),
    cfbuyqty: String(p.cfbuyqty),
    cfsellqty: String(p.cfsellqty),
    cfbuyamount: rupeesStr(p.cfbuyamount),
    cfsellamount: rupeesStr(p.cfsellamount),
    buyavgprice: rupeesStr(buyAvg),
    sellavgprice: rupeesStr(sellAvg),
    avgnetprice: rupeesStr(netPrice),
    netvalue: rupeesStr(totalSell - totalBuy),
    netqty: String(p.netqty),
    totalbuyvalue: rupeesStr(totalBuy),
    totalsellvalue: rupeesStr(totalSell),
    cfbuyavgprice: rupeesStr(p.cfbuyqty ? p.cfbuyamount / p.cfbuyqty : 0),
    cfsellavgprice: rupeesStr(p.cfsellqty ? p.cfsellamount / p.cfsellqty : 0),
    totalbuyavgprice: rupeesStr(totalBuyQty ? totalBuy / totalBuyQty : 0),
    totalsellavgprice: rupeesStr(totalSellQty ? totalSell / totalSellQty : 0),
    netprice: rupeesStr(netPrice),
    ltp: rupeesStr(ltp),
    close: rupeesStr(q?.close ?? 0),
    pnl: rupeesStr(ltp ? pnl : 0),
  };
}

export function holdingRow(h: HoldingState, q: DayQuote | undefined): Json {
  const i = h.instrument;
  const ltp = q?.ltp ?? Math.round(h.averageprice);
  const pnl = (ltp - h.averageprice) * h.quantity;
  return {
    tradingsymbol: i.symbol,
    exchange: i.exchange,
    isin: "",
    t1quantity: 0,
    realisedquantity: h.quantity,
    quantity: h.quantity,
    authorisedquantity: 0,
    product: "DELIVERY",
    collateralquantity: null,
    collateraltype: null,
    haircut: 0,
    averageprice: rupees(h.averageprice),
    ltp: rupees(ltp),
    symboltoken: i.token,
    close: rupees(q?.close ?? ltp),
    profitandloss: rupees(pnl),
    pnlpercentage: h.averageprice ? Math.round(((ltp - h.averageprice) / h.averageprice) * 10_000) / 100 : 0,
  };
}

export function gttRow(r: GttRuleState, clientid: string): Json {
  const i = r.instrument;
  return {
    stoploss: 0,
    target: 0,
    id: r.id,
    status: r.status,
    createddate: isoUtc(r.createdAt),
    updateddate: isoUtc(r.updatedAt),
    expirydate: isoUtc(r.expiresAt),
    clientid,
    tradingsymbol: i.symbol,
    symboltoken: i.token,
    exchange: i.exchange,
    producttype: r.producttype,
    transactiontype: r.transactiontype,
    price: rupees(r.price),
    qty: r.qty,
    triggerprice: rupees(r.triggerprice),
    disclosedqty: r.disclosedqty,
  };
}

/** One `fetched` entry of a quote in LTP, OHLC or FULL mode. */
export function quoteRow(mode: "LTP" | "OHLC" | "FULL", q: DayQuote): Json {
  const i = q.instrument;
  const row: Json = { exchange: i.exchange, tradingSymbol: i.symbol, symbolToken: i.token, ltp: rupees(q.ltp) };
  if (mode === "LTP") return row;
  const close = q.close ?? q.open;
  Object.assign(row, { open: rupees(q.open), high: rupees(q.high), low: rupees(q.low), close: rupees(close) });
  if (mode === "OHLC") return row;
  const change = q.ltp - close;
  const empty = Array.from({ length: 5 }, () => ({ price: 0, quantity: 0, orders: 0 }));
  Object.assign(row, {
    lastTradeQty: q.lastQty,
    exchFeedTime: angelDateTime(q.at),
    exchTradeTime: angelDateTime(q.at),
    netChange: rupees(change),
    percentChange: close ? Math.round((change / close) * 10_000) / 100 : 0,
    avgPrice: q.volume ? rupees(q.turnover / q.volume) : rupees(q.ltp),
    tradeVolume: q.volume,
    opnInterest: 0,
    // NSE's widest cash-market band is 20%: enough for a stand-in.
    lowerCircuit: rupees(Math.round(close * 0.8)),
    upperCircuit: rupees(Math.round(close * 1.2)),
    totBuyQuan: 0,
    totSellQuan: 0,
    "52WeekLow": rupees(Math.min(q.low, close)),
    "52WeekHigh": rupees(Math.max(q.high, close)),
    depth: { buy: empty, sell: empty.map((x) => ({ ...x })) },
  });
  return row;
}
