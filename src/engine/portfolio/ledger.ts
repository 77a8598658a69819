import type { Store } from "../../db/store.js";
import type { Paise } from "../money.js";
import { unrealized, type OrderStatus, type PositionView } from "../views.js";

export interface LedgerSnapshot {
  capital: Paise;
  /** Net of every charge, all closed trades. */
  realized: Paise;
  openCost: Paise;
  /** Entry charges paid on what is still open. */
  openCharges: Paise;
  unrealized: Paise;
  /** Cash not tied up in positions or working entry orders. */
  cash: Paise;
  equity: Paise;
  reserved: Paise;
}

/** Orders whose unfilled quantity still holds cash back. */
const WORKING: OrderStatus[] = ["new", "submitted", "partially_filled", "unknown"];

/**
 * The books in one place: equity = capital + realized − open entry charges + unrealized;
 * cash = capital + realized − open cost − open entry charges − cash reserved for entries in flight.
 */
export async function ledger(repo: Store, capital: Paise, open?: PositionView[]): Promise<LedgerSnapshot> {
  const positions = open ?? (await repo.openPositions());
  // One query where the store can sum in place: reading each working order's signal in turn costs a query per order on every approval.
  const { realized, reserved } = repo.bookTotals ? await repo.bookTotals(WORKING) : await bookTotalsRowByRow(repo);
  let openCost = 0;
  let openCharges = 0;
  let unreal = 0;
  for (const p of positions) {
    openCost += p.costBasis;
    openCharges += p.openCharges;
    unreal += unrealized(p);
  }
  return {
    capital,
    realized,
    openCost,
    openCharges,
    unrealized: unreal,
    cash: capital + realized - openCost - openCharges - reserved,
    equity: capital + realized - openCharges + unreal,
    reserved,
  };
}

/** The same sums from the store's plain reads (a store without bookTotals). */
async function bookTotalsRowByRow(repo: Store): Promise<{ realized: Paise; reserved: Paise }> {
  const realized = await repo.realizedTotal();
  let reserved = 0;
  for (const o of await repo.ordersByStatus(WORKING)) {
    if (o.purpose !== "entry") continue;
    const s = o.signalId ? await repo.signal(o.signalId) : undefined;
    reserved += (o.qty - o.filledQty) * (o.limitPrice ?? s?.entry ?? 0);
  }
  return { realized, reserved };
}
