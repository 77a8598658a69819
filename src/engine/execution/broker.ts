import type { Candle, Timeframe } from "../market/candle.js";
import type { Paise } from "../money.js";

/** How long the position may be held: cash delivery, same-day intraday, or F&O carried overnight. */
export type Product = "DELIVERY" | "INTRADAY" | "CARRYFORWARD";

export interface OrderRequest {
  /** Our id; sent to the broker as the order tag (at most 20 characters at SmartAPI). */
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  /** "stop" is a stop-loss market order (SL-M): `price` is its trigger. */
  type: "market" | "limit" | "stop";
  /** Limit price, or the trigger of a stop. */
  price?: Paise;
  /** Default DELIVERY for cash, CARRYFORWARD for F&O (the adapter decides by the instrument). */
  product?: Product;
  /** Market time the order was placed: a simulated broker never fills it on a bar that opened before (a day replayed after a restart). */
  since?: Date;
}

export interface BrokerFill {
  fillId: string;
  clientOrderId: string;
  brokerOrderId: string;
  qty: number;
  price: Paise;
  time: Date;
}

export interface Funds {
  /** Cash available to trade. */
  cash: Paise;
  /** Margin already blocked by open orders and positions, when the broker says. */
  used?: Paise;
}

export interface Profile {
  clientCode: string;
  name: string;
  /** Exchanges the account may trade on (NSE, NFO, ...). */
  exchanges: string[];
}

export interface Quote {
  symbol: string;
  ltp: Paise;
  open: Paise;
  high: Paise;
  low: Paise;
  /** The previous session's close. */
  close: Paise;
  at: Date;
}

/** The broker's own view of an order. */
export type BrokerOrderStatus = "open" | "trigger_pending" | "partially_filled" | "filled" | "cancelled" | "rejected";

export interface BrokerOrder {
  brokerOrderId: string;
  /** The order tag we sent: our client order id (`.N` suffix for a piece of a split order), or null for an order placed elsewhere (the broker's app). */
  tag: string | null;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  filledQty: number;
  avgPrice: Paise | null;
  type: "market" | "limit" | "stop";
  price?: Paise;
  product: Product;
  status: BrokerOrderStatus;
  /** The broker's words for a rejection or cancellation. */
  reason?: string;
  updatedAt: Date;
}

/** One execution (trade book row). */
export interface BrokerTrade {
  fillId: string;
  brokerOrderId: string;
  tag: string | null;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  price: Paise;
  time: Date;
}

export interface BrokerPosition {
  symbol: string;
  product: Product;
  /** Signed: positive long, negative short. */
  netQty: number;
  avgPrice: Paise;
}

export interface Holding {
  symbol: string;
  qty: number;
  avgPrice: Paise;
}

/** A GTT (good-till-triggered) rule kept at the broker: when the LTP crosses `trigger`, a limit order at `limit` goes out. */
export interface GttRule {
  id: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  trigger: Paise;
  limit: Paise;
  product: Product;
  status: "active" | "triggered" | "cancelled";
}

export type GttRequest = Omit<GttRule, "id" | "status">;

export interface OrderChange {
  qty?: number;
  /** New limit price, or the new trigger of a stop. */
  price?: Paise;
}

/**
 * Why a broker call failed, in the terms the order manager needs:
 * - rejected: the broker answered and refused; nothing was placed or changed.
 * - ambiguous: no usable answer (timeout, dropped connection, 5xx): the order
 *   may exist. Only looking it up by its tag can tell; never resend blindly.
 * - unavailable: the call was refused before it reached the order system
 *   (rate limit, no session): nothing happened, a later retry is safe.
 */
export type BrokerErrorKind = "rejected" | "ambiguous" | "unavailable";

export class BrokerError extends Error {
  constructor(
    readonly kind: BrokerErrorKind,
    message: string,
    /** The broker's error code (AB1007, AG8001, ...) when it gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "BrokerError";
  }
}

/**
 * The broker port. Paper and live adapters sit behind it; nothing outside
 * execution/ knows which one runs.
 */
export interface Broker {
  readonly name: string;
  /**
   * True for a broker that lives in this process (paper): an order it never
   * acknowledged cannot exist anywhere, so re-placing it after a crash is safe.
   * A real broker must be reconciled instead, or the order could be doubled.
   */
  readonly inProcess?: boolean;
  /** True when orders move real money. */
  readonly live?: boolean;

  /** Logs in (or checks the session); throws a BrokerError naming what failed. */
  connect(): Promise<void>;
  /** Logs out and stops timers; the process can exit afterwards. */
  close(): Promise<void>;
  profile(): Promise<Profile>;
  funds(): Promise<Funds>;
  quotes(symbols: readonly string[]): Promise<Quote[]>;
  candles(symbol: string, timeframe: Timeframe, from: Date, to: Date): Promise<Candle[]>;

  placeOrder(req: OrderRequest): Promise<{ brokerOrderId: string }>;
  modifyOrder(brokerOrderId: string, change: OrderChange): Promise<void>;
  cancelOrder(brokerOrderId: string): Promise<void>;
  orderBook(): Promise<BrokerOrder[]>;
  tradeBook(): Promise<BrokerTrade[]>;
  positions(): Promise<BrokerPosition[]>;
  holdings(): Promise<Holding[]>;

  createGtt(rule: GttRequest): Promise<{ id: string }>;
  modifyGtt(id: string, rule: GttRequest): Promise<void>;
  cancelGtt(id: string): Promise<void>;
  listGtt(): Promise<GttRule[]>;

  /** After a restart: take back an order the books say is working. */
  adopt(order: OrderRequest & { brokerOrderId: string }): void;
  /** Fills arrive through this listener (awaited, in order). */
  onFill(listener: (fill: BrokerFill) => Promise<void>): void;
  /** A bar closed: a simulated broker matches its working orders against it; a live one ignores it. */
  onBar(candle: Candle): Promise<void>;
  /** A live price: a simulated broker on a live feed matches its working orders against it; a live one ignores it. */
  onTick?(symbol: string, price: Paise, at: Date): Promise<void>;
  /** Asks the broker for fills now (a live adapter reads its trade book); a simulated one has nothing to ask. */
  pollFills?(): Promise<void>;
}

/** The tag a piece of an order split at the freeze quantity carries: `D…` → `D….2`. */
export function pieceTag(clientOrderId: string, piece: number): string {
  return `${clientOrderId}.${piece}`;
}

/** The client order id behind a tag (a split order's pieces share it). */
export function clientIdOfTag(tag: string): string {
  const dot = tag.indexOf(".");
  return dot < 0 ? tag : tag.slice(0, dot);
}
