/**
 * Positions and holdings derived from fills, the way SmartAPI splits them:
 * positions hold the day's fills per instrument and product (closed ones
 * included) plus what CARRYFORWARD/MARGIN fills of earlier days left open;
 * DELIVERY fills of earlier days settle into holdings. INTRADAY fills of an
 * earlier day are gone (the broker squares them off at the close).
 */
import type { Instrument } from "../../../src/engine/market/instruments.js";
import type { Paise } from "../../../src/engine/money.js";
import { istDate, type IstDate } from "../../../src/engine/time/ist.js";

export type Side = "BUY" | "SELL";

export interface StandInTrade {
  fillid: string;
  orderid: string;
  /** The order's tag ("" for none); the wire trade book does not carry it. */
  ordertag: string;
  instrument: Instrument;
  transactiontype: Side;
  producttype: string;
  quantity: number;
  price: Paise;
  at: Date;
}

export interface PositionState {
  instrument: Instrument;
  producttype: string;
  /** The day's fills. Amounts are sums of price × quantity, paise. */
  buyqty: number;
  sellqty: number;
  buyamount: number;
  sellamount: number;
  /** Carried from earlier days (one side only), at average cost. */
  cfbuyqty: number;
  cfsellqty: number;
  cfbuyamount: number;
  cfsellamount: number;
  /** Signed, carried and the day's together: positive long, negative short. */
  netqty: number;
}

export interface HoldingState {
  instrument: Instrument;
  quantity: number;
  /** Average cost, paise (may carry a fraction of a paisa). */
  averageprice: number;
}

const CARRIED = new Set(["CARRYFORWARD", "MARGIN"]);

/** Net quantity and average cost after a fill; a fill that flips the side starts a new average. */
function addFill(book: { qty: number; avg: number }, signedQty: number, price: Paise): void {
  const next = book.qty + signedQty;
  if (book.qty === 0 || Math.sign(book.qty) === Math.sign(signedQty)) {
    book.avg = (book.avg * Math.abs(book.qty) + price * Math.abs(signedQty)) / Math.abs(next);
  } else if (Math.sign(next) !== Math.sign(book.qty)) {
    book.avg = next === 0 ? 0 : price;
  }
  book.qty = next;
}

function byTime(a: StandInTrade, b: StandInTrade): number {
  return a.at.getTime() - b.at.getTime();
}

export function dayPositions(trades: readonly StandInTrade[], day: IstDate): PositionState[] {
  const byKey = new Map<string, PositionState>();
  const get = (t: StandInTrade): PositionState => {
    const key = `${t.instrument.token}:${t.producttype}`;
    let p = byKey.get(key);
    if (!p) {
      p = { instrument: t.instrument, producttype: t.producttype, buyqty: 0, sellqty: 0, buyamount: 0, sellamount: 0, cfbuyqty: 0, cfsellqty: 0, cfbuyamount: 0, cfsellamount: 0, netqty: 0 };
      byKey.set(key, p);
    }
    return p;
  };

  const carried = new Map<string, { trade: StandInTrade; qty: number; avg: number }>();
  for (const t of [...trades].sort(byTime)) {
    if (!CARRIED.has(t.producttype) || istDate(t.at) >= day) continue;
    const key = `${t.instrument.token}:${t.producttype}`;
    const c = carried.get(key) ?? { trade: t, qty: 0, avg: 0 };
    addFill(c, t.transactiontype === "BUY" ? t.quantity : -t.quantity, t.price);
    carried.set(key, c);
  }
  for (const c of carried.values()) {
    if (c.qty === 0) continue;
    const p = get(c.trade);
    if (c.qty > 0) {
      p.cfbuyqty = c.qty;
      p.cfbuyamount = c.avg * c.qty;
    } else {
      p.cfsellqty = -c.qty;
      p.cfsellamount = c.avg * -c.qty;
    }
  }

  for (const t of trades) {
    if (istDate(t.at) !== day) continue;
    const p = get(t);
    if (t.transactiontype === "BUY") {
      p.buyqty += t.quantity;
      p.buyamount += t.quantity * t.price;
    } else {
      p.sellqty += t.quantity;
      p.sellamount += t.quantity * t.price;
    }
  }
  for (const p of byKey.values()) p.netqty = p.cfbuyqty - p.cfsellqty + p.buyqty - p.sellqty;
  return [...byKey.values()];
}

/** Holdings: seeded ones plus DELIVERY fills before `day`, at average cost (a sale keeps the average). */
export function holdingsBefore(trades: readonly StandInTrade[], seeded: readonly HoldingState[], day: IstDate): HoldingState[] {
  const byToken = new Map<string, HoldingState>();
  for (const h of seeded) byToken.set(h.instrument.token, { ...h });
  const earlier = trades.filter((t) => t.producttype === "DELIVERY" && istDate(t.at) < day).sort(byTime);
  for (const t of earlier) {
    const h = byToken.get(t.instrument.token) ?? { instrument: t.instrument, quantity: 0, averageprice: 0 };
    if (t.transactiontype === "BUY") {
      h.averageprice = (h.averageprice * h.quantity + t.price * t.quantity) / (h.quantity + t.quantity);
      h.quantity += t.quantity;
    } else {
      h.quantity -= t.quantity;
      if (h.quantity <= 0) h.averageprice = 0;
    }
    byToken.set(t.instrument.token, h);
  }
  return [...byToken.values()].filter((h) => h.quantity > 0);
}
