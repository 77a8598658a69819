import type { Paise } from "../money.js";
import type { OrderStatus } from "../views.js";

/**
 * The legal moves of an order. `unknown` means we asked the broker and got no
 * usable answer: only reconciliation (looking the order up by its tag) moves it
 * on. A terminal order may still take a late fill report (a fill that crossed
 * the cancel), so cancelled → cancelled records the quantity without reopening it.
 */
const LEGAL: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ["submitted", "partially_filled", "filled", "rejected", "cancelled", "unknown"],
  submitted: ["partially_filled", "filled", "cancelled", "rejected", "unknown"],
  partially_filled: ["partially_filled", "filled", "cancelled", "unknown"],
  unknown: ["submitted", "partially_filled", "filled", "cancelled", "rejected"],
  filled: [],
  cancelled: ["cancelled"],
  rejected: [],
};

export const WORKING_STATUSES: readonly OrderStatus[] = ["submitted", "partially_filled"];
/** Orders whose fate the broker may still hold: they are looked up at every reconciliation. */
export const OPEN_STATUSES: readonly OrderStatus[] = ["new", "unknown", "submitted", "partially_filled"];

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return LEGAL[from].includes(to);
}

export class IllegalOrderTransition extends Error {
  constructor(
    readonly clientOrderId: string,
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order ${clientOrderId} cannot go from ${from} to ${to}`);
    this.name = "IllegalOrderTransition";
  }
}

export function assertMove(clientOrderId: string, from: OrderStatus, to: OrderStatus): void {
  if (!canMove(from, to)) throw new IllegalOrderTransition(clientOrderId, from, to);
}

/** The status a fill leaves: filled when all is done; a cancelled order keeps its word. */
export function statusAfterFill(from: OrderStatus, filledQty: number, qty: number): OrderStatus {
  if (from === "cancelled") return "cancelled";
  return filledQty >= qty ? "filled" : "partially_filled";
}

/**
 * Whether the last price has already gone through a stop's trigger: a sell stop
 * at or above it, a buy stop at or below. The exchange refuses such a stop order.
 */
export function pastStop(side: "buy" | "sell", trigger: Paise, ltp: Paise | undefined): boolean {
  return ltp !== undefined && (side === "sell" ? ltp <= trigger : ltp >= trigger);
}
