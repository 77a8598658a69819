/**
 * The simulated exchange and broker account behind the SmartAPI stand-in:
 * instruments from the scrip master, last traded prices set by `tick`, an
 * order book matched against those prices, fills, cash, positions, holdings
 * and GTT rules.
 *
 * Two kinds of refusal, as at Angel One:
 * - A malformed request (unknown symbol, bad variety or product, a tag over 20
 *   characters, a quantity that is not a positive whole number) throws a
 *   StandInApiError: the API answers status false and nothing enters the book.
 * - A request the broker's risk checks or the exchange refuse (quantity not a
 *   whole number of lots, price off the tick, insufficient funds, a market order
 *   with no price, a stop on the wrong side of the LTP) is accepted with an
 *   order id and lands in the book as "rejected" with the reason in `text`.
 *
 * Matching: a MARKET order fills at once at the LTP. A LIMIT buy fills when the
 * LTP is at or below its price, at the LTP (a sell mirrors). A STOPLOSS_MARKET
 * sell triggers when the LTP falls to its trigger and fills at that LTP (a buy
 * mirrors); a STOPLOSS_LIMIT becomes a LIMIT order when triggered. Each fill
 * moves cash: buys pay, sells receive.
 *
 * Time: `now` is market time (settable; the wall clock until set). A tick with
 * a later `at` moves `now` forward. When `now` enters a new IST day, DAY orders
 * of earlier days still working are cancelled and the day's OHLC starts afresh.
 */
import { randomUUID } from "node:crypto";
import { EXCHANGES, type Instrument, InstrumentMaster, parseScripMaster } from "../../../src/engine/market/instruments.js";
import { formatRupees, type Paise } from "../../../src/engine/money.js";
import { istDate, type IstDate } from "../../../src/engine/time/ist.js";
import { CODES, StandInApiError } from "./api-error.js";
import { type GttCreateInput, type GttModifyInput, GttBook, type GttRuleState } from "./gtt.js";
import { dayPositions, type HoldingState, holdingsBefore, type PositionState, type Side, type StandInTrade } from "./portfolio.js";
import type { ScripRecord } from "./scrip-master.js";

export type { StandInTrade, PositionState, HoldingState, Side } from "./portfolio.js";
export type { GttRuleState } from "./gtt.js";

export const VARIETIES = ["NORMAL", "STOPLOSS", "AMO", "ROBO"] as const;
export const ORDER_TYPES = ["MARKET", "LIMIT", "STOPLOSS_LIMIT", "STOPLOSS_MARKET"] as const;
export const PRODUCT_TYPES = ["DELIVERY", "INTRADAY", "CARRYFORWARD", "MARGIN"] as const;
export const DURATIONS = ["DAY", "IOC"] as const;
export type Variety = (typeof VARIETIES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type ProductType = (typeof PRODUCT_TYPES)[number];
export type Duration = (typeof DURATIONS)[number];
export type OrderStatus = "open" | "trigger pending" | "complete" | "cancelled" | "rejected";

/** WebSocket V2 exchange type of each segment (nse_cm 1, nse_fo 2, ...). */
export const EXCHANGE_TYPE: Record<string, number> = { NSE: 1, NFO: 2, BSE: 3, BFO: 4, MCX: 5, NCDEX: 7, CDS: 13 };

export interface StandInOrder {
  orderid: string;
  uniqueorderid: string;
  /** "" when the order carries no tag (placed in the broker's app). */
  ordertag: string;
  variety: Variety;
  ordertype: OrderType;
  producttype: ProductType;
  duration: Duration;
  transactiontype: Side;
  instrument: Instrument;
  quantity: number;
  /** Limit price (0 for MARKET and STOPLOSS_MARKET). */
  price: Paise;
  /** 0 unless a stop-loss order. */
  triggerprice: Paise;
  filledshares: number;
  /** Sum of price × quantity over the fills, for the average. */
  filledvalue: number;
  status: OrderStatus;
  /** Why it was rejected or cancelled by the system; "" otherwise. */
  text: string;
  placedAt: Date;
  updatedAt: Date;
  /** When it reached the exchange; null when rejected before. */
  exchangeAt: Date | null;
  exchangeorderid: string;
  /** Set when a GTT rule sent it. */
  gttRuleId?: string;
  /** Placed by the trader in the broker's own app. */
  byHand?: boolean;
}

export interface PlaceOrderInput {
  variety: string;
  tradingsymbol?: string;
  symboltoken: string;
  exchange: string;
  transactiontype: string;
  ordertype: string;
  producttype: string;
  duration?: string;
  price?: Paise;
  triggerprice?: Paise;
  quantity: number;
  ordertag?: string;
}

export interface ModifyOrderInput {
  orderid: string;
  variety: string;
  ordertype?: string;
  price?: Paise;
  triggerprice?: Paise;
  quantity?: number;
}

export interface MarketTick {
  /** The instrument's trading symbol as in the master ("RELIANCE-EQ", "NIFTY28OCT25FUT", "Nifty Bank"). */
  symbol: string;
  token: string;
  /** 1 nse_cm, 2 nse_fo, ... as the WebSocket V2 packets carry it. */
  exchangeType: number;
  price: Paise;
  at: Date;
  /** Counts up by one per tick across all instruments. */
  seq: number;
  volume?: number;
}

export type TickListener = (tick: MarketTick) => void;

/** The day's figures for one instrument (what a FULL quote shows). */
export interface DayQuote {
  instrument: Instrument;
  ltp: Paise;
  open: Paise;
  high: Paise;
  low: Paise;
  /** The previous session's last price, when known. */
  close: Paise | undefined;
  volume: number;
  lastQty: number;
  /** Sum of price × volume over the day's ticks, for the average price. */
  turnover: number;
  at: Date;
}

export interface StandInMarketOptions {
  records: readonly ScripRecord[];
  cash: Paise;
  /** Asked once per MARKET order: the share to fill now, or null for all (Faults.takePartial). */
  takePartial?: () => number | null;
}

const WORKING: ReadonlySet<OrderStatus> = new Set(["open", "trigger pending"]);

export class StandInMarket {
  readonly master: InstrumentMaster;
  /** Cash in the account, paise; fills move it. */
  cash: Paise;
  private currentNow: Date | null = null;
  private day: IstDate | null = null;
  private readonly orderList: StandInOrder[] = [];
  private readonly tradeList: StandInTrade[] = [];
  private readonly seededHoldings: HoldingState[] = [];
  private readonly quotes = new Map<string, DayQuote>();
  private readonly listeners = new Set<TickListener>();
  private readonly gtt: GttBook;
  private readonly takePartial: () => number | null;
  private seq = 0;
  private orderSeq = 0;
  private fillSeq = 0;

  constructor(opts: StandInMarketOptions) {
    const parsed = parseScripMaster(opts.records);
    if (parsed.skipped.length > 0) throw new Error(`scrip master rows skipped: ${JSON.stringify(parsed.skipped)}`);
    this.master = new InstrumentMaster(parsed.instruments);
    this.cash = opts.cash;
    this.takePartial = opts.takePartial ?? (() => null);
    this.gtt = new GttBook({ instrument: (t) => this.master.byToken(t), ltp: (t) => this.quotes.get(t)?.ltp, now: () => this.now });
  }

  /** Market time; the wall clock until set. */
  get now(): Date {
    return this.currentNow ?? new Date();
  }

  set now(t: Date) {
    this.currentNow = new Date(t.getTime());
    // Set back to an earlier day (a test starting over): that day's books show, nothing rolls.
    if (this.day !== null && istDate(t) < this.day) this.day = istDate(t);
    this.roll();
  }

  // ───────────────────────────── instruments and prices ─────────────────────────────

  /** By token, trading symbol ("RELIANCE-EQ"), NSE equity name ("RELIANCE") or index name ("BANKNIFTY", "Nifty Bank"). */
  instrument(ref: string): Instrument | undefined {
    const byToken = this.master.byToken(ref);
    if (byToken) return byToken;
    for (const ex of EXCHANGES) {
      const i = this.master.bySymbol(ex, ref);
      if (i) return i;
    }
    return this.master.equity(ref) ?? this.master.index(ref);
  }

  private need(ref: string): Instrument {
    const i = this.instrument(ref);
    if (!i) throw new RangeError(`unknown instrument: ${ref}`);
    return i;
  }

  ltp(ref: string): Paise | undefined {
    const i = this.instrument(ref);
    return i ? this.quotes.get(i.token)?.ltp : undefined;
  }

  quote(ref: string): DayQuote | undefined {
    const i = this.instrument(ref);
    const q = i ? this.quotes.get(i.token) : undefined;
    return q ? { ...q } : undefined;
  }

  /** Instruments on `exchange` whose trading symbol contains `text` (any case). */
  searchScrip(exchange: string, text: string): Instrument[] {
    const wanted = text.toUpperCase();
    return this.master.instruments.filter((i) => i.exchange === exchange && i.symbol.toUpperCase().includes(wanted));
  }

  on(event: "tick", fn: TickListener): void {
    if (event !== "tick") throw new RangeError(`unknown event: ${String(event)}`);
    this.listeners.add(fn);
  }

  off(event: "tick", fn: TickListener): void {
    if (event !== "tick") throw new RangeError(`unknown event: ${String(event)}`);
    this.listeners.delete(fn);
  }

  /**
   * A trade at `price`: sets the LTP, fills or triggers working orders and GTT
   * rules on the instrument, then tells the tick listeners.
   */
  tick(ref: string, price: Paise, at?: Date, volume = 0): MarketTick {
    const inst = this.need(ref);
    if (!Number.isInteger(price) || price <= 0) throw new RangeError(`price must be a positive whole number of paise: ${price}`);
    if (at && at.getTime() > this.now.getTime()) this.currentNow = new Date(at.getTime());
    this.roll();
    const when = at ?? this.now;
    const q = this.quotes.get(inst.token);
    if (!q) {
      this.quotes.set(inst.token, { instrument: inst, ltp: price, open: price, high: price, low: price, close: undefined, volume, lastQty: volume, turnover: price * volume, at: when });
    } else {
      if (q.open === 0) q.open = price;
      q.ltp = price;
      q.high = Math.max(q.high || price, price);
      q.low = q.low === 0 ? price : Math.min(q.low, price);
      q.volume += volume;
      q.lastQty = volume;
      q.turnover += price * volume;
      q.at = when;
    }

    for (const o of this.orderList.filter((x) => x.instrument.token === inst.token && WORKING.has(x.status))) this.matchOnTick(o, price, when);
    for (const rule of this.gtt.fire(inst.token, price, when)) {
      const order = this.place(
        { variety: "NORMAL", symboltoken: inst.token, exchange: inst.exchange, transactiontype: rule.transactiontype, ordertype: "LIMIT", producttype: rule.producttype, duration: "DAY", price: rule.price, quantity: rule.qty },
        { gttRuleId: rule.id },
      );
      rule.orderid = order.orderid;
    }

    this.seq += 1;
    const tick: MarketTick = { symbol: inst.symbol, token: inst.token, exchangeType: EXCHANGE_TYPE[inst.exchange] ?? 0, price, at: when, seq: this.seq, ...(volume ? { volume } : {}) };
    for (const fn of this.listeners) fn(tick);
    return tick;
  }

  // ───────────────────────────── orders ─────────────────────────────

  /** Places an order; throws StandInApiError for a malformed one, returns it "rejected" when a check refuses it. */
  placeOrder(input: PlaceOrderInput): StandInOrder {
    return { ...this.place(input, {}) };
  }

  modifyOrder(input: ModifyOrderInput): StandInOrder {
    this.roll();
    const o = this.working(input.orderid, input.variety);
    const ordertype = input.ordertype === undefined ? o.ordertype : this.oneOf(ORDER_TYPES, input.ordertype, "Order Type");
    if ((ordertype.startsWith("STOPLOSS") ? "STOPLOSS" : "NORMAL") !== (o.variety === "STOPLOSS" ? "STOPLOSS" : "NORMAL")) {
      throw new StandInApiError(CODES.invalidVariety, "Invalid Order Variety");
    }
    const quantity = input.quantity ?? o.quantity;
    this.checkQuantity(quantity);
    if (quantity <= o.filledshares) throw new StandInApiError(CODES.invalidField, `Quantity must exceed the filled quantity (${o.filledshares})`);
    const next: StandInOrder = {
      ...o,
      ordertype,
      quantity,
      price: ordertype === "MARKET" || ordertype === "STOPLOSS_MARKET" ? 0 : (input.price ?? o.price),
      triggerprice: ordertype.startsWith("STOPLOSS") ? (input.triggerprice ?? o.triggerprice) : 0,
    };
    const reason = this.refusal(next, o);
    if (reason) throw new StandInApiError(CODES.invalidField, reason);
    Object.assign(o, next, { updatedAt: this.now });
    const ltp = this.quotes.get(o.instrument.token)?.ltp;
    if (ltp !== undefined) this.matchOnTick(o, ltp, this.now);
    return { ...o };
  }

  cancelOrder(orderid: string, variety: string): StandInOrder {
    this.roll();
    const o = this.working(orderid, variety);
    o.status = "cancelled";
    o.updatedAt = this.now;
    return { ...o };
  }

  /** Every order ever placed, oldest first (the wire order book shows only the day's). */
  orders(): StandInOrder[] {
    return this.orderList.map((o) => ({ ...o }));
  }

  /** The day's orders, as the order book lists them. */
  orderBook(): StandInOrder[] {
    this.roll();
    return this.orderList.filter((o) => istDate(o.placedAt) === this.day).map((o) => ({ ...o }));
  }

  order(id: string): StandInOrder | undefined {
    const o = this.orderList.find((x) => x.orderid === id || x.uniqueorderid === id);
    return o ? { ...o } : undefined;
  }

  /** Every fill, oldest first. */
  trades(): StandInTrade[] {
    return this.tradeList.map((t) => ({ ...t }));
  }

  /** The day's fills, as the trade book lists them. */
  tradeBook(): StandInTrade[] {
    this.roll();
    return this.tradeList.filter((t) => istDate(t.at) === this.day).map((t) => ({ ...t }));
  }

  positions(): PositionState[] {
    this.roll();
    return dayPositions(this.tradeList, this.day!);
  }

  holdings(): HoldingState[] {
    this.roll();
    return holdingsBefore(this.tradeList, this.seededHoldings, this.day!);
  }

  /** Puts shares in the demat account, as if bought on an earlier day. */
  addHolding(ref: string, quantity: number, averagePrice: Paise): void {
    this.seededHoldings.push({ instrument: this.need(ref), quantity, averageprice: averagePrice });
  }

  /** Cash blocked by working DELIVERY buy orders (but `except`), paise. */
  blockedCash(except?: StandInOrder): Paise {
    let sum = 0;
    for (const o of this.orderList) {
      if (o !== except && WORKING.has(o.status) && o.transactiontype === "BUY" && o.producttype === "DELIVERY") sum += (o.quantity - o.filledshares) * this.referencePrice(o);
    }
    return sum;
  }

  /**
   * The trader closes a position in the broker's own app: a MARKET order the
   * other way, without a tag. Closes the day's positions in the instrument, or
   * else sells its holding. Throws when there is nothing to close.
   */
  closePositionByHand(ref: string): StandInOrder[] {
    const inst = this.need(ref);
    const open = this.positions().filter((p) => p.instrument.token === inst.token && p.netqty !== 0);
    const legs: Array<{ side: Side; qty: number; product: string }> = open.map((p) => ({ side: p.netqty > 0 ? "SELL" : "BUY", qty: Math.abs(p.netqty), product: p.producttype }));
    if (legs.length === 0) {
      const h = this.holdings().find((x) => x.instrument.token === inst.token);
      if (h) legs.push({ side: "SELL", qty: h.quantity, product: "DELIVERY" });
    }
    if (legs.length === 0) throw new Error(`no open position or holding in ${inst.symbol}`);
    return legs.map((l) => ({
      ...this.place(
        { variety: "NORMAL", symboltoken: inst.token, exchange: inst.exchange, transactiontype: l.side, ordertype: "MARKET", producttype: l.product, duration: "DAY", quantity: l.qty },
        { byHand: true },
      ),
    }));
  }

  // ───────────────────────────── GTT ─────────────────────────────

  createGtt(input: GttCreateInput): GttRuleState {
    this.roll();
    return { ...this.gtt.create(input) };
  }

  modifyGtt(input: GttModifyInput): GttRuleState {
    this.roll();
    return { ...this.gtt.modify(input) };
  }

  cancelGtt(id: string, symboltoken?: string): GttRuleState {
    this.roll();
    return { ...this.gtt.cancel(id, symboltoken) };
  }

  gttRule(id: string): GttRuleState | undefined {
    const r = this.gtt.get(id);
    return r ? { ...r } : undefined;
  }

  gttRules(): GttRuleState[] {
    return this.gtt.list().map((r) => ({ ...r }));
  }

  // ───────────────────────────── internals ─────────────────────────────

  private place(input: PlaceOrderInput, origin: { byHand?: boolean; gttRuleId?: string }): StandInOrder {
    this.roll();
    const variety = this.oneOf(VARIETIES, input.variety, "Order Variety", CODES.invalidVariety);
    if (variety === "ROBO") throw new StandInApiError(CODES.roboBlocked, "ROBO order is block");
    const inst = this.master.byToken(input.symboltoken);
    if (!inst || inst.exchange !== input.exchange || (input.tradingsymbol !== undefined && input.tradingsymbol !== inst.symbol)) {
      throw new StandInApiError(CODES.symbolNotFound, "Symbol Not Found");
    }
    if (inst.kind === "index") throw new StandInApiError(CODES.invalidField, "An index is not tradable");
    const transactiontype = this.oneOf(["BUY", "SELL"] as const, input.transactiontype, "Transaction Type");
    const ordertype = this.oneOf(ORDER_TYPES, input.ordertype, "Order Type");
    const producttype = this.oneOf(PRODUCT_TYPES, input.producttype, "Product Type", CODES.invalidProduct);
    const duration = this.oneOf(DURATIONS, input.duration ?? "DAY", "Duration");
    if ((variety === "STOPLOSS") !== ordertype.startsWith("STOPLOSS")) throw new StandInApiError(CODES.invalidVariety, "Invalid Order Variety");
    const ordertag = input.ordertag ?? "";
    if (ordertag.length > 20) throw new StandInApiError(CODES.orderTagTooLong, "ordertag length should be less than 20 characters");
    this.checkQuantity(input.quantity);
    const needsPrice = ordertype === "LIMIT" || ordertype === "STOPLOSS_LIMIT";
    const needsTrigger = ordertype.startsWith("STOPLOSS");
    if (needsPrice && !(input.price !== undefined && input.price > 0)) throw new StandInApiError(CODES.invalidField, "Invalid Price");
    if (needsTrigger && !(input.triggerprice !== undefined && input.triggerprice > 0)) throw new StandInApiError(CODES.invalidField, "Invalid Trigger Price");

    const now = this.now;
    this.orderSeq += 1;
    const order: StandInOrder = {
      orderid: `${istDate(now).slice(2).replaceAll("-", "")}${String(this.orderSeq).padStart(9, "0")}`,
      uniqueorderid: randomUUID(),
      ordertag,
      variety,
      ordertype,
      producttype,
      duration,
      transactiontype,
      instrument: inst,
      quantity: input.quantity,
      price: needsPrice ? input.price! : 0,
      triggerprice: needsTrigger ? input.triggerprice! : 0,
      filledshares: 0,
      filledvalue: 0,
      status: "open",
      text: "",
      placedAt: now,
      updatedAt: now,
      exchangeAt: null,
      exchangeorderid: "",
      ...(origin.gttRuleId ? { gttRuleId: origin.gttRuleId } : {}),
      ...(origin.byHand ? { byHand: true } : {}),
    };
    this.orderList.push(order);

    const reason = this.refusal(order, null);
    if (reason) {
      order.status = "rejected";
      order.text = reason;
      return order;
    }
    order.exchangeAt = now;
    order.exchangeorderid = `1100000${String(this.orderSeq).padStart(9, "0")}`;
    if (needsTrigger) order.status = "trigger pending";

    const quote = this.quotes.get(inst.token);
    const ltp = quote?.ltp;
    // Before the day's first trade a market order meets the opening price, not yesterday's close: it waits for the open.
    if (ordertype === "MARKET" && ltp !== undefined && quote!.open !== 0) {
      const ratio = this.takePartial();
      const lot = inst.lotSize;
      const part = ratio === null ? order.quantity : Math.max(lot, Math.floor((order.quantity * ratio) / lot) * lot);
      this.fill(order, Math.min(part, order.quantity), ltp, now);
    } else if (ltp !== undefined && ordertype !== "MARKET") {
      this.matchOnTick(order, ltp, now);
    }
    if (duration === "IOC" && WORKING.has(order.status)) {
      order.status = "cancelled";
      order.text = "IOC order cancelled: not filled at once";
    }
    return order;
  }

  /** Why the broker or the exchange refuses the order as it stands, or null. `before` is the order being modified. */
  private refusal(o: StandInOrder, before: StandInOrder | null): string | null {
    const inst = o.instrument;
    if (o.quantity % inst.lotSize !== 0) return `Order quantity ${o.quantity} is not a multiple of the lot size ${inst.lotSize}`;
    if (o.price % inst.tick !== 0 || o.triggerprice % inst.tick !== 0) return `The order price is not a multiple of the tick size (${formatRupees(inst.tick)})`;
    const ltp = this.quotes.get(inst.token)?.ltp;
    if (o.ordertype === "MARKET" && ltp === undefined) return "No price available for a MARKET order: no trade yet in this instrument";
    // A stop is checked against the LTP until it triggers: when placed, and when modified while still pending.
    const untriggered = before ? before.status === "trigger pending" : true;
    if (o.ordertype.startsWith("STOPLOSS") && untriggered) {
      const sell = o.transactiontype === "SELL";
      if (ltp !== undefined && (sell ? o.triggerprice >= ltp : o.triggerprice <= ltp)) {
        return `Trigger price for a stop-loss ${sell ? "sell" : "buy"} order must be ${sell ? "below" : "above"} the last traded price`;
      }
      if (o.ordertype === "STOPLOSS_LIMIT" && (sell ? o.price > o.triggerprice : o.price < o.triggerprice)) {
        return `Limit price of a stop-loss ${sell ? "sell" : "buy"} order must be at or ${sell ? "below" : "above"} its trigger price`;
      }
    }
    if (o.transactiontype === "BUY" && o.producttype === "DELIVERY") {
      const required = (o.quantity - o.filledshares) * this.referencePrice(o);
      const available = this.cash - this.blockedCash(before ?? o);
      if (required > available) {
        return `Your order has been rejected due to Insufficient Funds. Available funds - Rs. ${formatRupees(Math.max(0, available)).slice(1)} . You require Rs. ${formatRupees(required).slice(1)} funds to execute this order.`;
      }
    }
    return null;
  }

  /** The price cash is blocked at: the limit, the trigger of a stop-market, the LTP of a market order. */
  private referencePrice(o: StandInOrder): Paise {
    if (o.ordertype === "LIMIT" || o.ordertype === "STOPLOSS_LIMIT") return o.price;
    if (o.ordertype === "STOPLOSS_MARKET") return o.triggerprice;
    return this.quotes.get(o.instrument.token)?.ltp ?? 0;
  }

  private matchOnTick(o: StandInOrder, price: Paise, at: Date): void {
    const sell = o.transactiontype === "SELL";
    if (o.status === "trigger pending") {
      if (!(sell ? price <= o.triggerprice : price >= o.triggerprice)) return;
      if (o.ordertype === "STOPLOSS_MARKET") {
        this.fill(o, o.quantity - o.filledshares, price, at);
        return;
      }
      o.status = "open";
      o.updatedAt = at;
    }
    if (o.status !== "open") return;
    if (o.ordertype === "MARKET" || (sell ? price >= o.price : price <= o.price)) this.fill(o, o.quantity - o.filledshares, price, at);
  }

  private fill(o: StandInOrder, qty: number, price: Paise, at: Date): void {
    if (qty <= 0) return;
    o.filledshares += qty;
    o.filledvalue += qty * price;
    o.status = o.filledshares === o.quantity ? "complete" : "open";
    o.updatedAt = at;
    this.fillSeq += 1;
    this.tradeList.push({
      fillid: String(50_000_000 + this.fillSeq),
      orderid: o.orderid,
      ordertag: o.ordertag,
      instrument: o.instrument,
      transactiontype: o.transactiontype,
      producttype: o.producttype,
      quantity: qty,
      price,
      at,
    });
    this.cash += (o.transactiontype === "BUY" ? -1 : 1) * qty * price;
  }

  private working(orderid: string, variety: string): StandInOrder {
    const o = this.orderList.find((x) => x.orderid === orderid);
    if (!o) throw new StandInApiError(CODES.orderNotFound, "Order not found");
    if (variety !== o.variety) throw new StandInApiError(CODES.invalidVariety, "Invalid Order Variety");
    if (!WORKING.has(o.status)) throw new StandInApiError(CODES.invalidField, `Order is ${o.status} and can no longer be changed`);
    return o;
  }

  private checkQuantity(q: number): void {
    if (!Number.isSafeInteger(q) || q <= 0) throw new StandInApiError(CODES.invalidField, "Invalid Quantity: must be a positive whole number");
  }

  private oneOf<T extends string>(allowed: readonly T[], value: string, what: string, code: string = CODES.invalidField): T {
    if (!(allowed as readonly string[]).includes(value)) throw new StandInApiError(code, `Invalid ${what}`);
    return value as T;
  }

  /** Entering a new IST day: earlier DAY orders still working are cancelled; the day's OHLC restarts from the last price. */
  private roll(): void {
    const today = istDate(this.now);
    if (this.day !== null && today <= this.day) return;
    if (this.day !== null) {
      for (const o of this.orderList) {
        if (WORKING.has(o.status) && istDate(o.placedAt) < today) {
          o.status = "cancelled";
          o.text = "Cancelled at the end of the trading day";
          o.updatedAt = this.now;
        }
      }
      for (const q of this.quotes.values()) {
        q.close = q.ltp;
        q.open = 0;
        q.high = 0;
        q.low = 0;
        q.volume = 0;
        q.lastQty = 0;
        q.turnover = 0;
      }
    }
    this.day = today;
  }
}
