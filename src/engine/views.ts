import type { Timeframe } from "./market/candle.js";
import type { Paise } from "./money.js";
import type { Side, SignalKind } from "./strategies/signal.js";

/** An alert is stored as "alerted" (once per id) and never decided. */
export type SignalStatus = "alerted" | "proposed" | "approved" | "rejected" | "expired" | "refused" | "skipped" | "ordered" | "filled" | "failed";

export interface SignalView {
  id: string;
  strategy: string;
  symbol: string;
  timeframe: Timeframe;
  barTime: Date;
  side: Side;
  kind: SignalKind;
  unit: number | null;
  entry: Paise;
  stop: Paise | null;
  targets: Paise[];
  strength: number;
  conditions: Record<string, unknown>;
  qty: number;
  sizing: Record<string, unknown>;
  /** The intelligence layer's inputs (sentiment, regime, allocation); null when it was off. */
  intelligence: Record<string, unknown> | null;
  status: SignalStatus;
  statusReason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  createdAt: Date;
  expiresAt: Date | null;
  positionId: number | null;
}

export type OrderStatus = "new" | "submitted" | "partially_filled" | "filled" | "cancelled" | "rejected" | "unknown";

export interface OrderView {
  id: number;
  clientOrderId: string;
  brokerOrderId: string | null;
  signalId: string | null;
  positionId: number | null;
  symbol: string;
  side: "buy" | "sell";
  qty: number;
  orderType: "market" | "limit" | "stop";
  /** Limit price, or the trigger of a stop order. */
  limitPrice: Paise | null;
  purpose: "entry" | "exit" | "stop";
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: Paise | null;
  reason: string | null;
  /** Market time the order was written (placed). */
  placedAt: Date;
  /** Market time of its last change of status. */
  updatedAt: Date;
}

export interface PositionView {
  id: number;
  symbol: string;
  strategy: string;
  side: Side;
  status: "open" | "closed";
  qty: number;
  costBasis: Paise;
  openCharges: Paise;
  initialStop: Paise | null;
  stop: Paise | null;
  targets: Paise[];
  lastPrice: Paise | null;
  realized: Paise;
  signalId: string | null;
  /** Pyramid unit; null for single-unit strategies. */
  unit: number | null;
  openedAt: Date;
  closedAt: Date | null;
}

export interface TradeView {
  id: number;
  positionId: number;
  symbol: string;
  strategy: string;
  side: Side;
  qty: number;
  entryTime: Date;
  entryPrice: Paise;
  exitTime: Date;
  exitPrice: Paise;
  gross: Paise;
  charges: Paise;
  net: Paise;
  /** R multiple (net P&L over the initial risk), or null without a stop. */
  r: number | null;
  exitReason: string;
}

/** Average entry price to the paisa (display; the books keep the exact cost basis). */
export function averagePrice(p: Pick<PositionView, "costBasis" | "qty">): Paise {
  return p.qty > 0 ? Math.round(p.costBasis / p.qty) : 0;
}

/** Unrealized P&L at the last price, before exit charges. */
export function unrealized(p: Pick<PositionView, "costBasis" | "qty" | "lastPrice" | "side">): Paise {
  if (p.lastPrice === null || p.qty === 0) return 0;
  const value = p.lastPrice * p.qty;
  return p.side === "long" ? value - p.costBasis : p.costBasis - value;
}
