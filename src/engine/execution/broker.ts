import type { Candle } from "../market/candle.js";
import type { Paise } from "../money.js";

export interface OrderRequest {
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  type: "market" | "limit" | "stop";
  /** Limit price, or the trigger of a stop. */
  price?: Paise;
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
  cash: Paise;
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
  placeOrder(req: OrderRequest): Promise<{ brokerOrderId: string }>;
  cancelOrder(brokerOrderId: string): Promise<void>;
  /** After a restart: take back an order the books say is working. */
  adopt(order: OrderRequest & { brokerOrderId: string }): void;
  /** Fills arrive through this listener (awaited, in order). */
  onFill(listener: (fill: BrokerFill) => Promise<void>): void;
  /** A bar closed: a simulated broker matches its working orders against it; a live one ignores it. */
  onBar(candle: Candle): Promise<void>;
}
