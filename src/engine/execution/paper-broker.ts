import type { Candle, Timeframe } from "../market/candle.js";
import { defaultEquityTick } from "../market/tick.js";
import { roundToTick, type Paise } from "../money.js";
import { istDate } from "../time/ist.js";
import { BrokerError, type Broker, type BrokerFill, type BrokerOrder, type BrokerPosition, type BrokerTrade, type Funds, type GttRequest, type GttRule, type Holding, type OrderChange, type OrderRequest, type Profile, type Quote } from "./broker.js";
import { applySlippage, liquidityCategory, roundAdverse, slippageBps, slippageModelProblem, type LiquidityCategory, type SlippageModel } from "./slippage.js";

/** A working order: `qty` is what is still open; `filledQty` what this broker has filled of it. */
export type Working = OrderRequest & { brokerOrderId: string; placedAt: number; filledQty: number; triggered: boolean; sinceMs?: number };

export interface PaperBrokerOptions {
  /** Slippage on every fill; "none" (default) fills at the bar's price, only put on the tick. */
  slippage?: SlippageModel | "none";
  /** Our fills in one bar may take at most this % of the bar's volume (shared by all our orders on it); unset: whole fills. */
  partialFillMaxPctOfBarVolume?: number;
  /** India VIX at an instant (known before it); null when unknown. */
  vix?: (t: Date) => number | null;
  /** 20-day average daily volume in shares, from bars before `t` (no look-ahead); null when unknown. */
  adv?: (symbol: string, t: Date) => number | null;
  /** The price step; default NSE cash: ₹0.05, ₹0.01 under ₹250 from 2024-06-10. */
  tick?: (symbol: string, price: Paise, t: Date) => Paise;
  /** Liquidity category from an instrument table; when absent or null it is judged from ADV value traded. */
  category?: (symbol: string) => LiquidityCategory | null;
  /** Partial fills round down to whole lots when this knows the lot; otherwise whole shares. */
  lotSize?: (symbol: string) => number | null;
  /** Cash the paper account reports as funds (the desk's ledger); default none. */
  cash?: () => Paise;
  /** Historical candles for `candles()` (the feed's store); default none. */
  history?: (symbol: string, timeframe: Timeframe, from: Date, to: Date) => Candle[] | Promise<Candle[]>;
}

const defaultTick = (_symbol: string, price: Paise, t: Date): Paise => defaultEquityTick(price, istDate(t));

/**
 * Simulated fills on the feed's prices.
 * - Market: the open of the next bar of its symbol.
 * - Limit: a buy fills when the bar's low reaches the limit, at min(open, limit)
 *   (at the open when it opens through the limit); a sell mirrors it. Never
 *   worse than the limit, slippage included. Unfilled limits stay working.
 * - Sell stop: triggers when the bar trades at or below it and fills there, or
 *   at the open when the bar gaps through; once triggered it is a market order.
 * Every price then takes slippage against the trader and lands on the tick,
 * rounded against the trader. Same bars and orders give the same fills.
 */
export class PaperBroker implements Broker {
  readonly name = "paper";
  readonly inProcess = true;
  readonly live = false;
  private readonly working = new Map<string, Working>();
  /** Every order since start, as the broker would list it (the books of record are the database's). */
  private readonly book = new Map<string, BrokerOrder>();
  private readonly trades: BrokerTrade[] = [];
  private readonly last = new Map<string, { price: Paise; at: Date; open: Paise; high: Paise; low: Paise }>();
  private readonly gtts = new Map<string, GttRule>();
  private gttSeq = 0;
  private listener: (f: BrokerFill) => Promise<void> = async () => {};
  private seq = 0;
  private readonly model: SlippageModel | null;
  /** Participation cap in hundredths of a percent, so the per-bar share budget is integer maths. */
  private readonly capHundredthsPct: number | null;
  private readonly tick: (symbol: string, price: Paise, t: Date) => Paise;

  constructor(private readonly opts: PaperBrokerOptions = {}) {
    const s = opts.slippage ?? "none";
    if (s !== "none") {
      const problem = slippageModelProblem(s);
      if (problem) throw new RangeError(problem);
    }
    this.model = s === "none" ? null : s;
    const pct = opts.partialFillMaxPctOfBarVolume;
    if (pct !== undefined && !(Number.isFinite(pct) && pct > 0 && pct <= 100)) {
      throw new RangeError(`partial fills: the share of a bar's volume must be above 0% and at most 100%, got ${pct}`);
    }
    this.capHundredthsPct = pct === undefined ? null : Math.max(1, Math.round(pct * 100));
    this.tick = opts.tick ?? defaultTick;
  }

  async placeOrder(req: OrderRequest): Promise<{ brokerOrderId: string }> {
    if (!Number.isInteger(req.qty) || req.qty <= 0) throw new Error(`quantity must be a positive whole number, got ${req.qty}`);
    if (req.type === "stop" && req.side !== "sell") throw new Error("paper stops protect longs: sell stops only");
    if (req.type !== "market" && !(Number.isInteger(req.price) && req.price! > 0)) throw new Error(`a ${req.type} order needs a price in whole paise`);
    const brokerOrderId = `P-${req.clientOrderId}`;
    if (this.working.has(brokerOrderId)) throw new Error(`order ${req.clientOrderId} is already working`);
    this.working.set(brokerOrderId, { ...req, brokerOrderId, placedAt: ++this.seq, filledQty: 0, triggered: false, ...(req.since ? { sinceMs: req.since.getTime() } : {}) });
    this.record(req, brokerOrderId);
    return { brokerOrderId };
  }

  async modifyOrder(brokerOrderId: string, change: OrderChange): Promise<void> {
    const o = this.working.get(brokerOrderId);
    if (!o) throw new BrokerError("rejected", `order ${brokerOrderId} is not working`);
    if (change.qty !== undefined) {
      if (!Number.isInteger(change.qty) || change.qty <= o.filledQty) throw new Error(`new quantity must be a whole number above the ${o.filledQty} already filled, got ${change.qty}`);
      o.qty = change.qty - o.filledQty;
    }
    if (change.price !== undefined) {
      if (o.type === "market") throw new Error("a market order has no price to change");
      if (!(Number.isInteger(change.price) && change.price > 0)) throw new Error(`price must be whole paise above zero, got ${change.price}`);
      o.price = change.price;
    }
    const b = this.book.get(brokerOrderId);
    if (b) Object.assign(b, { qty: o.qty + o.filledQty, ...(o.price !== undefined ? { price: o.price } : {}) });
  }

  async cancelOrder(brokerOrderId: string): Promise<void> {
    this.working.delete(brokerOrderId);
    const b = this.book.get(brokerOrderId);
    if (b && (b.status === "open" || b.status === "trigger_pending" || b.status === "partially_filled")) b.status = "cancelled";
  }

  adopt(order: OrderRequest & { brokerOrderId: string }): void {
    // The port does not say whether an adopted stop had triggered; it waits for its trigger again.
    this.working.set(order.brokerOrderId, { ...order, placedAt: ++this.seq, filledQty: 0, triggered: false, ...(order.since ? { sinceMs: order.since.getTime() } : {}) });
    this.record(order, order.brokerOrderId);
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  async profile(): Promise<Profile> {
    return { clientCode: "PAPER", name: "Paper account", exchanges: ["NSE", "NFO"] };
  }

  async funds(): Promise<Funds> {
    return { cash: this.opts.cash?.() ?? 0 };
  }

  /** The last prices this broker has seen (bars and ticks); symbols it has not seen are left out. */
  async quotes(symbols: readonly string[]): Promise<Quote[]> {
    const out: Quote[] = [];
    for (const symbol of symbols) {
      const l = this.last.get(symbol);
      if (l) out.push({ symbol, ltp: l.price, open: l.open, high: l.high, low: l.low, close: l.price, at: l.at });
    }
    return out;
  }

  async candles(symbol: string, timeframe: Timeframe, from: Date, to: Date): Promise<Candle[]> {
    return [...((await this.opts.history?.(symbol, timeframe, from, to)) ?? [])];
  }

  async orderBook(): Promise<BrokerOrder[]> {
    return [...this.book.values()].map((o) => ({ ...o }));
  }

  async tradeBook(): Promise<BrokerTrade[]> {
    return this.trades.map((t) => ({ ...t }));
  }

  /** Net quantities of the fills since start (the paper books of record are the database's). */
  async positions(): Promise<BrokerPosition[]> {
    const net = new Map<string, { qty: number; cost: number; bought: number }>();
    for (const t of this.trades) {
      const n = net.get(t.symbol) ?? { qty: 0, cost: 0, bought: 0 };
      n.qty += t.side === "buy" ? t.qty : -t.qty;
      if (t.side === "buy") {
        n.cost += t.price * t.qty;
        n.bought += t.qty;
      }
      net.set(t.symbol, n);
    }
    return [...net.entries()]
      .filter(([, n]) => n.qty !== 0)
      .map(([symbol, n]) => ({ symbol, product: "DELIVERY" as const, netQty: n.qty, avgPrice: n.bought > 0 ? Math.round(n.cost / n.bought) : 0 }));
  }

  async holdings(): Promise<Holding[]> {
    return [];
  }

  async createGtt(rule: GttRequest): Promise<{ id: string }> {
    if (!(Number.isInteger(rule.qty) && rule.qty > 0)) throw new Error(`GTT quantity must be a positive whole number, got ${rule.qty}`);
    const id = `G${++this.gttSeq}`;
    this.gtts.set(id, { ...rule, id, status: "active" });
    return { id };
  }

  async modifyGtt(id: string, rule: GttRequest): Promise<void> {
    const g = this.gtts.get(id);
    if (!g || g.status !== "active") throw new Error(`GTT ${id} is not active`);
    this.gtts.set(id, { ...rule, id, status: "active" });
  }

  async cancelGtt(id: string): Promise<void> {
    const g = this.gtts.get(id);
    if (g && g.status === "active") g.status = "cancelled";
  }

  async listGtt(): Promise<GttRule[]> {
    return [...this.gtts.values()].map((g) => ({ ...g }));
  }

  /** A live price: market orders fill at it, limits and stops match it as a one-price bar. */
  async onTick(symbol: string, price: Paise, at: Date): Promise<void> {
    await this.onBar({ symbol, timeframe: "1m", time: at, open: price, high: price, low: price, close: price, volume: Number.MAX_SAFE_INTEGER });
  }

  private record(req: OrderRequest, brokerOrderId: string): void {
    this.book.set(brokerOrderId, {
      brokerOrderId,
      tag: req.clientOrderId,
      symbol: req.symbol,
      side: req.side,
      qty: req.qty,
      filledQty: 0,
      avgPrice: null,
      type: req.type,
      ...(req.price !== undefined ? { price: req.price } : {}),
      product: req.product ?? "DELIVERY",
      status: req.type === "stop" ? "trigger_pending" : "open",
      updatedAt: req.since ?? new Date(0),
    });
  }

  onFill(listener: (f: BrokerFill) => Promise<void>): void {
    this.listener = listener;
  }

  workingOrders(): readonly Working[] {
    return [...this.working.values()].map((o) => ({ ...o }));
  }

  async onBar(c: Candle): Promise<void> {
    const l = this.last.get(c.symbol);
    if (!l || l.at.getTime() <= c.time.getTime()) this.last.set(c.symbol, { price: c.close, at: c.time, open: c.open, high: c.high, low: c.low });
    await this.triggerGtts(c);
    const budget = { shares: this.capHundredthsPct === null ? Infinity : Math.floor((Math.max(0, Math.floor(c.volume)) * this.capHundredthsPct) / 10_000) };
    // Market orders (and stops triggered on an earlier bar) first: they fill at the open; the stops they cause are matched after.
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "market" || o.triggered, c)) {
      await this.fill(o, c, c.open, null, budget);
    }
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "limit", c)) {
      const p = o.price!;
      if (o.side === "buy" && c.low <= p) await this.fill(o, c, Math.min(p, c.open), p, budget);
      else if (o.side === "sell" && c.high >= p) await this.fill(o, c, Math.max(p, c.open), p, budget);
    }
    for (const o of this.bySymbol(c.symbol, (o) => o.type === "stop" && !o.triggered, c)) {
      const trigger = o.price!;
      if (c.low <= trigger) {
        o.triggered = true;
        await this.fill(o, c, Math.min(trigger, c.open), null, budget);
      }
    }
  }

  /** A GTT whose trigger the bar reached places its limit order (matched from the next bar on). */
  private async triggerGtts(c: Candle): Promise<void> {
    for (const g of this.gtts.values()) {
      if (g.status !== "active" || g.symbol !== c.symbol) continue;
      const hit = g.side === "sell" ? c.low <= g.trigger : c.high >= g.trigger;
      if (!hit) continue;
      g.status = "triggered";
      await this.placeOrder({ clientOrderId: `GTT-${g.id}`, symbol: g.symbol, side: g.side, qty: g.qty, type: "limit", price: g.limit, product: g.product, since: new Date(c.time.getTime() + 1) });
    }
  }

  /** Working orders of a symbol that may meet the bar: none placed after the bar opened (a replayed bar after a restart). */
  private bySymbol(symbol: string, pred: (o: Working) => boolean, bar?: Candle): Working[] {
    return [...this.working.values()]
      .filter((o) => o.symbol === symbol && pred(o) && (!bar || o.sinceMs === undefined || o.sinceMs <= bar.time.getTime()))
      .sort((a, b) => a.placedAt - b.placedAt);
  }

  /** Fills what the bar's volume allows of `o` at `base` moved by slippage; `limit` caps the price. */
  private async fill(o: Working, c: Candle, base: Paise, limit: Paise | null, budget: { shares: number }): Promise<void> {
    if (this.working.get(o.brokerOrderId) !== o) return; // cancelled (or replaced) by a listener meanwhile
    let qty = Math.min(o.qty, budget.shares);
    if (qty < o.qty) {
      const lot = this.opts.lotSize?.(o.symbol) ?? 1;
      qty = Number.isInteger(lot) && lot > 1 ? Math.floor(qty / lot) * lot : Math.floor(qty);
    }
    if (qty <= 0) return; // no volume left for us on this bar: the order keeps working
    budget.shares -= qty;

    const price = this.price(o, c, base, limit, qty);
    // One piece for the whole order keeps the plain "-1"; pieces are named by their bar, so a
    // replayed bar repeats its id and a restart (adopt) never reuses an id already booked.
    const whole = qty === o.qty && o.filledQty === 0;
    const fillId = whole ? `${o.brokerOrderId}-1` : `${o.brokerOrderId}-${c.timeframe}-${c.time.toISOString()}`;
    if (qty === o.qty) this.working.delete(o.brokerOrderId);
    else {
      o.qty -= qty;
      o.filledQty += qty;
    }
    const b = this.book.get(o.brokerOrderId);
    if (b) {
      b.avgPrice = Math.round(((b.avgPrice ?? 0) * b.filledQty + price * qty) / (b.filledQty + qty));
      b.filledQty += qty;
      b.status = b.filledQty >= b.qty ? "filled" : "partially_filled";
      b.updatedAt = c.time;
    }
    this.trades.push({ fillId, brokerOrderId: o.brokerOrderId, tag: o.clientOrderId, symbol: o.symbol, side: o.side, qty, price, time: c.time });
    await this.listener({ fillId, clientOrderId: o.clientOrderId, brokerOrderId: o.brokerOrderId, qty, price, time: c.time });
  }

  private price(o: Working, c: Candle, base: Paise, limit: Paise | null, qty: number): Paise {
    const t = c.time;
    let bps = 0;
    if (this.model) {
      const adv = this.opts.adv?.(o.symbol, t) ?? null;
      const category = this.opts.category?.(o.symbol) ?? liquidityCategory(o.symbol, adv, base, this.model);
      bps = slippageBps({ category, qty, adv, vix: this.opts.vix?.(t) ?? null }, this.model);
    }
    let p = applySlippage(base, o.side, bps, this.tick(o.symbol, base, t));
    // Slippage can carry a price across a tick band (₹249.99 → ₹250.10): put it on the step of where it landed.
    const landed = this.tick(o.symbol, p, t);
    if (p % landed !== 0) p = roundAdverse(p, o.side, landed);
    if (limit !== null) {
      // A limit is never filled worse than its price (an off-tick limit counts as the nearest tick inside it).
      const lt = this.tick(o.symbol, limit, t);
      p = o.side === "buy" ? Math.min(p, roundToTick(limit, lt, "down")) : Math.max(p, roundToTick(limit, lt, "up"));
    }
    return p;
  }
}
