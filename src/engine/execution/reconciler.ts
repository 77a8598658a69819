import type { Store } from "../../db/store.js";
import type { Clock } from "../clock.js";
import { clientOrderId } from "../ids.js";
import { formatRupees, type Paise } from "../money.js";
import { istDate } from "../time/ist.js";
import type { OrderView, PositionView } from "../views.js";
import { BrokerError, clientIdOfTag, type Broker, type BrokerOrder, type BrokerPosition, type BrokerTrade, type Holding } from "./broker.js";
import type { OrderManager } from "./order-manager.js";
import { OPEN_STATUSES } from "./order-state.js";

export type DifferenceKind =
  | "fill_missed"
  | "order_found"
  | "order_placed"
  | "order_closed"
  | "order_expired"
  | "order_missing"
  | "outside_order"
  | "position_closed_at_broker"
  | "position_extra_at_broker"
  | "position_pending";

export interface Difference {
  kind: DifferenceKind;
  text: string;
  symbol?: string;
  clientOrderId?: string;
}

export interface ReconcileReport {
  reason: string;
  at: Date;
  /** False when the broker could not be read: nothing was changed. */
  ok: boolean;
  error?: string;
  differences: Difference[];
  checked: { orders: number; trades: number; symbols: number };
}

export interface ReconcilerHooks {
  /** An order the broker refused after all (the desk fails its signal). */
  rejected(order: OrderView, reason: string): Promise<void>;
}

export interface ReconcilerOptions {
  repo: Store;
  broker: Broker;
  orders: OrderManager;
  /** Market time. */
  clock: Clock;
  hooks: ReconcilerHooks;
  /** How long an order left unknown must be absent from the broker's book before it is placed again. */
  unknownGraceMs?: number;
}

const TERMINAL = new Set(["filled", "cancelled", "rejected"]);

/**
 * Makes our books equal the broker's. Orders are matched by their tag (our client
 * order id), so an order whose answer was lost is found rather than sent twice;
 * fills we missed are booked through the order manager (idempotent by fill id);
 * a position changed outside Dalal (closed by hand in the broker's app) is closed
 * in our books at the broker's price. Every difference is recorded as an event
 * and returned for the admin chat.
 */
export class Reconciler {
  private readonly graceMs: number;

  constructor(private readonly d: ReconcilerOptions) {
    this.graceMs = d.unknownGraceMs ?? 30_000;
  }

  async run(reason: string): Promise<ReconcileReport> {
    const at = this.d.clock.now();
    const report: ReconcileReport = { reason, at, ok: true, differences: [], checked: { orders: 0, trades: 0, symbols: 0 } };
    let before: BrokerPosition[], book: BrokerOrder[], trades: BrokerTrade[], holdings: Holding[], after: BrokerPosition[];
    try {
      // Positions read on both sides of the books: if they moved meanwhile, positions wait for the next pass.
      before = await this.d.broker.positions();
      holdings = await this.d.broker.holdings();
      book = await this.d.broker.orderBook();
      trades = await this.d.broker.tradeBook();
      after = await this.d.broker.positions();
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      return { ...report, ok: false, error: err.message };
    }
    report.checked = { orders: book.length, trades: trades.length, symbols: new Set(after.map((p) => p.symbol)).size };
    const diff = (d: Difference) => report.differences.push(d);

    await this.bookMissedFills(trades, diff);
    await this.settleOrders(book, at, diff);
    await this.outsideOrders(book, diff);
    if (samePositions(before, after)) await this.comparePositions(after, holdings, trades, book, at, diff);
    else diff({ kind: "position_pending", text: "The broker's positions moved during the check: they are compared on the next pass." });

    for (const x of report.differences) {
      await this.d.repo.event("reconcile", x.text, at, "reconciler", { kind: x.kind, ...(x.symbol ? { symbol: x.symbol } : {}), ...(x.clientOrderId ? { clientOrderId: x.clientOrderId } : {}) });
    }
    return report;
  }

  /** Trades under our tags that the books do not hold yet. */
  private async bookMissedFills(trades: readonly BrokerTrade[], diff: (d: Difference) => void): Promise<void> {
    for (const t of [...trades].sort((a, b) => a.time.getTime() - b.time.getTime())) {
      if (!t.tag) continue;
      const id = clientIdOfTag(t.tag);
      const order = await this.d.repo.orderByClientId(id);
      if (!order) continue;
      const fresh = await this.d.orders.bookFill({ fillId: t.fillId, clientOrderId: id, brokerOrderId: t.brokerOrderId, qty: t.qty, price: t.price, time: t.time });
      if (fresh) diff({ kind: "fill_missed", symbol: t.symbol, clientOrderId: id, text: `Booked a fill we had missed: ${t.side} ${t.qty} ${t.symbol} at ${formatRupees(t.price)} (order ${id}).` });
    }
  }

  private async settleOrders(book: readonly BrokerOrder[], at: Date, diff: (d: Difference) => void): Promise<void> {
    const byClient = new Map<string, BrokerOrder[]>();
    for (const b of book) {
      if (!b.tag) continue;
      const id = clientIdOfTag(b.tag);
      byClient.set(id, [...(byClient.get(id) ?? []), b]);
    }
    for (const o of await this.d.repo.ordersByStatus([...OPEN_STATUSES])) {
      if (this.d.orders.isInFlight(o.clientOrderId)) continue;
      const pieces = byClient.get(o.clientOrderId);
      if (pieces) await this.settleFound(o, pieces, diff);
      else await this.settleAbsent(o, at, diff);
    }
  }

  private async settleFound(o: OrderView, pieces: BrokerOrder[], diff: (d: Difference) => void): Promise<void> {
    const brokerOrderId = pieces.map((p) => p.brokerOrderId).join(",");
    const done = pieces.every((p) => TERMINAL.has(p.status));
    const filled = pieces.reduce((n, p) => n + p.filledQty, 0);
    const what = `${o.side} ${o.qty} ${o.symbol} (order ${o.clientOrderId})`;
    if (o.status === "new" || o.status === "unknown") {
      const found = await this.d.orders.settle(o, filled > 0 ? o.status : "submitted", { brokerOrderId }, "found at the broker by its tag");
      diff({ kind: "order_found", symbol: o.symbol, clientOrderId: o.clientOrderId, text: `Found at the broker by its tag: ${what}, ${o.status === "new" ? "sent before a restart" : "whose answer was lost"}. It was not sent again.` });
      o = found;
    }
    if (!done) {
      if (o.brokerOrderId === null) o = await this.d.orders.settle(o, o.status, { brokerOrderId }, "broker id from the book");
      this.d.broker.adopt({ clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId ?? brokerOrderId, symbol: o.symbol, side: o.side, qty: o.qty - o.filledQty, type: o.orderType, ...(o.limitPrice !== null ? { price: o.limitPrice } : {}), since: o.placedAt });
      return;
    }
    // Everything at the broker is finished; fills were booked above, so what is left is a cancel or a rejection.
    const current = (await this.d.repo.orderByClientId(o.clientOrderId))!;
    if (TERMINAL.has(current.status)) return;
    const rejected = pieces.every((p) => p.status === "rejected");
    const reason = pieces.map((p) => p.reason).find((r) => r) ?? (rejected ? "rejected by the broker" : "cancelled at the broker");
    if (rejected && current.filledQty === 0) {
      const r = await this.d.orders.settle(current, "rejected", { reason, brokerOrderId }, "rejected at the broker");
      await this.d.hooks.rejected(r, reason);
    } else {
      await this.d.orders.settle(current, "cancelled", { reason, brokerOrderId }, "cancelled at the broker");
    }
    diff({ kind: "order_closed", symbol: o.symbol, clientOrderId: o.clientOrderId, text: `The broker ${rejected ? "rejected" : "cancelled"} ${what}${current.filledQty > 0 ? ` after ${current.filledQty} filled` : ""}: ${reason}.` });
  }

  private async settleAbsent(o: OrderView, at: Date, diff: (d: Difference) => void): Promise<void> {
    const what = `${o.side} ${o.qty} ${o.symbol} (order ${o.clientOrderId})`;
    if (o.status === "unknown" && istDate(o.updatedAt) < istDate(at)) {
      // Yesterday's book and trades are gone: whether it filled then cannot be read, so it is never sent again.
      await this.d.orders.settle(o, "cancelled", { reason: "unconfirmed when its day ended" }, "not in the broker's book the next day: not sent again");
      diff({ kind: "order_missing", symbol: o.symbol, clientOrderId: o.clientOrderId, text: `${what} was never confirmed before its day ended and is not in today's book: closed in our books, not sent again. Check the positions at the broker.` });
      return;
    }
    // Queued for the open (the market is closed): the open sends it.
    if ((o.status === "new" || o.status === "unknown") && this.d.orders.closedReason()) return;
    if (o.status === "new" || (o.status === "unknown" && at.getTime() - o.updatedAt.getTime() >= this.graceMs)) {
      // The broker's book is the authority: the order is not there, so sending it cannot double it.
      const placed = await this.d.orders.place(o, at, o.status === "new" ? "not at the broker: placed" : "not at the broker after its lost answer: placed under the same tag");
      const done = placed.status !== "new" && placed.status !== "unknown";
      diff({
        kind: "order_placed",
        symbol: o.symbol,
        clientOrderId: o.clientOrderId,
        text: done ? `Not at the broker: ${what} was placed now (${placed.status}).` : `Not at the broker: ${what} could not be placed yet (no answer); tried again on the next pass.`,
      });
      return;
    }
    if (o.status === "unknown") return; // still within the grace: the broker may yet show it
    if (istDate(o.placedAt) < istDate(at)) {
      // Day orders end with their session; the desk places a protective stop again after the pass.
      await this.d.orders.settle(o, "cancelled", { reason: "expired at the end of its day" }, "not in the broker's book the next day");
      diff({ kind: "order_expired", symbol: o.symbol, clientOrderId: o.clientOrderId, text: `${what} expired at the broker at the end of its day.` });
      return;
    }
    diff({ kind: "order_missing", symbol: o.symbol, clientOrderId: o.clientOrderId, text: `${what} is working in our books but missing from the broker's book: left as it is, check the broker.` });
  }

  private async outsideOrders(book: readonly BrokerOrder[], diff: (d: Difference) => void): Promise<void> {
    const seen = new Set((await this.d.repo.getSetting<string[]>("reconcile:outside")) ?? []);
    const fresh: BrokerOrder[] = [];
    for (const b of book) if (!seen.has(b.brokerOrderId) && !(await this.isOurs(b.tag))) fresh.push(b);
    for (const b of fresh) {
      diff({ kind: "outside_order", symbol: b.symbol, text: `An order placed outside Dalal: ${b.side} ${b.qty} ${b.symbol} (${b.status}, broker id ${b.brokerOrderId}).` });
      seen.add(b.brokerOrderId);
    }
    if (fresh.length) await this.d.repo.setSetting("reconcile:outside", [...seen].slice(-500), this.d.clock.now(), "reconciler");
  }

  private async comparePositions(
    positions: readonly BrokerPosition[],
    holdings: readonly Holding[],
    trades: readonly BrokerTrade[],
    book: readonly BrokerOrder[],
    at: Date,
    diff: (d: Difference) => void,
  ): Promise<void> {
    const broker = new Map<string, number>();
    for (const p of positions) broker.set(p.symbol, (broker.get(p.symbol) ?? 0) + p.netQty);
    for (const h of holdings) broker.set(h.symbol, (broker.get(h.symbol) ?? 0) + h.qty);
    const open = await this.d.repo.openPositions();
    const ours = new Map<string, PositionView[]>();
    for (const p of open) ours.set(p.symbol, [...(ours.get(p.symbol) ?? []), p]);
    // A symbol with an order still unsettled is explained by that order, not by a hand in the broker's app.
    const unsettled = new Set((await this.d.repo.ordersByStatus(["new", "unknown"])).map((o) => o.symbol));

    for (const symbol of [...new Set([...broker.keys(), ...ours.keys()])].sort()) {
      const mine = ours.get(symbol) ?? [];
      const ourNet = mine.reduce((n, p) => n + (p.side === "long" ? p.qty : -p.qty), 0);
      const theirs = broker.get(symbol) ?? 0;
      if (ourNet === theirs) continue;
      if (unsettled.has(symbol)) {
        diff({ kind: "position_pending", symbol, text: `${symbol}: we hold ${ourNet}, the broker ${theirs}, with an order still unsettled: compared again on the next pass.` });
        continue;
      }
      const shrunk = ourNet !== 0 && Math.sign(theirs) !== -Math.sign(ourNet) && Math.abs(theirs) < Math.abs(ourNet);
      if (!shrunk) {
        diff({ kind: "position_extra_at_broker", symbol, text: `${symbol}: the broker holds ${theirs}, our books ${ourNet}. Dalal does not trade what it did not open: left alone.` });
        continue;
      }
      await this.closeAtBroker(symbol, mine, Math.abs(ourNet) - Math.abs(theirs), trades, book, at, diff);
    }
  }

  /** Closes `qty` of our positions in `symbol` that the broker no longer holds, newest unit first. */
  private async closeAtBroker(
    symbol: string,
    mine: PositionView[],
    qty: number,
    trades: readonly BrokerTrade[],
    book: readonly BrokerOrder[],
    at: Date,
    diff: (d: Difference) => void,
  ): Promise<void> {
    const side = mine[0]!.side === "long" ? "sell" : "buy";
    // The hand-placed trade gives the price and time; failing that, the broker's quote.
    const outside = new Set<string>();
    for (const b of book) if (!(await this.isOurs(b.tag))) outside.add(b.brokerOrderId);
    const hand = trades.filter((t) => t.symbol === symbol && t.side === side && (t.tag === null || outside.has(t.brokerOrderId))).sort((a, b) => b.time.getTime() - a.time.getTime())[0];
    let price: Paise | undefined = hand?.price;
    let source = hand ? `the trade made in the broker's app (${hand.fillId})` : "";
    if (price === undefined) {
      const q = await this.d.broker.quotes([symbol]).catch(() => []);
      price = q[0]?.ltp;
      source = "the broker's last price";
    }
    if (price === undefined) {
      diff({ kind: "position_pending", symbol, text: `${symbol}: the broker no longer holds ${qty} of ours, but no price is known to close it at: compared again on the next pass.` });
      return;
    }
    let left = qty;
    for (const p of [...mine].sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime())) {
      if (left <= 0) break;
      const take = Math.min(left, p.qty);
      left -= take;
      // Working orders of the position (its stop) would act on shares that are gone.
      for (const w of await this.d.repo.ordersByStatus(["submitted", "partially_filled"])) {
        if (w.positionId === p.id) await this.d.orders.cancel(w, "position closed at the broker");
      }
      const id = clientOrderId(p.id, "closed_at_broker", hand?.fillId ?? istDate(at));
      await this.d.repo.setSetting(`exitReason:${id}`, "closed_at_broker", at, "reconciler");
      const { order } = await this.d.repo.insertOrder({
        clientOrderId: id,
        signalId: null,
        positionId: p.id,
        symbol,
        side,
        qty: take,
        orderType: "market",
        limitPrice: null,
        purpose: "exit",
        at,
      });
      await this.d.orders.bookFill({ fillId: `X-${id}`, clientOrderId: order.clientOrderId, brokerOrderId: hand?.brokerOrderId ?? "outside", qty: take, price, time: hand?.time ?? at });
      diff({
        kind: "position_closed_at_broker",
        symbol,
        text: `${symbol}: ${take} of our ${p.side} (position ${p.id}) were closed outside Dalal; booked at ${formatRupees(price)} from ${source}.`,
      });
    }
  }

  private async isOurs(tag: string | null): Promise<boolean> {
    return tag !== null && (await this.d.repo.orderByClientId(clientIdOfTag(tag))) !== undefined;
  }
}

function samePositions(a: readonly BrokerPosition[], b: readonly BrokerPosition[]): boolean {
  const key = (xs: readonly BrokerPosition[]) =>
    xs
      .map((p) => `${p.symbol}|${p.product}|${p.netQty}`)
      .sort()
      .join(";");
  return key(a) === key(b);
}
