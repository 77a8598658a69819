import type { Store } from "../../db/store.js";
import type { Paise } from "../money.js";
import type { OrderView, PositionView, TradeView } from "../views.js";

/** Charges for one fill (one side of a trade), in paise. */
export type FillCharges = (fill: { side: "buy" | "sell"; value: Paise; time: Date; symbol?: string }) => Paise;

export interface FillResult {
  position: PositionView;
  opened: boolean;
  trade?: TradeView;
}

/** `part` of `whole` allocated to `take` of `of` units, exact in aggregate: the remainder stays with what is left. */
function allocate(whole: Paise, take: number, of: number): Paise {
  return take === of ? whole : Math.round((whole * take) / of);
}

/**
 * Fills → positions → ledger. Every rupee is in integer paise; a partial exit
 * takes its share of cost and entry charges, and the last exit takes the rest,
 * so closed trades plus what is still open always add up to the paisa.
 */
export class Portfolio {
  constructor(private readonly charges: FillCharges) {}

  chargesFor(order: Pick<OrderView, "side" | "symbol">, fill: { qty: number; price: Paise; time: Date }): Paise {
    return this.charges({ side: order.side, value: fill.qty * fill.price, time: fill.time, symbol: order.symbol });
  }

  /** Books a fill whose charges were priced by chargesFor. */
  async applyFill(
    repo: Store,
    order: OrderView,
    fill: { qty: number; price: Paise; time: Date },
    ctx: { strategy: string; stop: Paise | null; targets: Paise[]; exitReason: string; unit?: number | null },
    charges: Paise,
  ): Promise<FillResult> {
    const value = fill.qty * fill.price;
    if (order.purpose === "entry") {
      const existing = order.positionId ? await repo.position(order.positionId) : undefined;
      if (existing && existing.status === "open") {
        const position = await repo.updatePosition(existing.id, {
          qty: existing.qty + fill.qty,
          costBasis: existing.costBasis + value,
          openCharges: existing.openCharges + charges,
        });
        return { position, opened: false };
      }
      const position = await repo.insertPosition({
        symbol: order.symbol,
        strategy: ctx.strategy,
        side: order.side === "buy" ? "long" : "short",
        qty: fill.qty,
        costBasis: value,
        openCharges: charges,
        initialStop: ctx.stop,
        stop: ctx.stop,
        targets: ctx.targets,
        lastPrice: fill.price,
        signalId: order.signalId,
        unit: ctx.unit ?? null,
        openedAt: fill.time,
      });
      return { position, opened: true };
    }
    // An exit or a stop: reduce the position and book a trade.
    const pos = order.positionId ? await repo.position(order.positionId) : undefined;
    if (!pos || pos.status !== "open") throw new Error(`fill for order ${order.clientOrderId}: position ${order.positionId} is not open`);
    const qty = Math.min(fill.qty, pos.qty);
    const closedCost = allocate(pos.costBasis, qty, pos.qty);
    const entryCharges = allocate(pos.openCharges, qty, pos.qty);
    const exitValue = qty * fill.price;
    const gross = pos.side === "long" ? exitValue - closedCost : closedCost - exitValue;
    const tradeCharges = entryCharges + charges;
    const net = gross - tradeCharges;
    const entryPrice = Math.round(closedCost / qty);
    const riskPerUnit = pos.initialStop !== null ? Math.abs(entryPrice - pos.initialStop) : 0;
    const trade = await repo.insertTrade({
      positionId: pos.id,
      symbol: pos.symbol,
      strategy: pos.strategy,
      side: pos.side,
      qty,
      entryTime: pos.openedAt,
      entryPrice,
      exitTime: fill.time,
      exitPrice: fill.price,
      gross,
      charges: tradeCharges,
      net,
      r: riskPerUnit > 0 ? Math.round((net / (riskPerUnit * qty)) * 10_000) / 10_000 : null,
      exitReason: ctx.exitReason,
    });
    const left = pos.qty - qty;
    const position = await repo.updatePosition(pos.id, {
      qty: left,
      costBasis: pos.costBasis - closedCost,
      openCharges: pos.openCharges - entryCharges,
      realized: pos.realized + net,
      lastPrice: fill.price,
      ...(left === 0 ? { status: "closed" as const, closedAt: fill.time } : {}),
    });
    return { position, opened: false, trade };
  }
}
