import type { Candle } from "../market/candle.js";
import { defaultEquityTick } from "../market/tick.js";
import { roundToTick, type Paise } from "../money.js";
import { istDate } from "../time/ist.js";
import type { Broker, BrokerFill, OrderRequest } from "./broker.js";
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
  private readonly working = new Map<string, Working>();
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
    return { brokerOrderId };
  }

  async cancelOrder(brokerOrderId: string): Promise<void> {
    this.working.delete(brokerOrderId);
  }

  adopt(order: OrderRequest & { brokerOrderId: string }): void {
    // The port does not say whether an adopted stop had triggered; it waits for its trigger again.
    this.working.set(order.brokerOrderId, { ...order, placedAt: ++this.seq, filledQty: 0, triggered: false, ...(order.since ? { sinceMs: order.since.getTime() } : {}) });
  }

  onFill(listener: (f: BrokerFill) => Promise<void>): void {
    this.listener = listener;
  }

  workingOrders(): readonly Working[] {
    return [...this.working.values()].map((o) => ({ ...o }));
  }

  async onBar(c: Candle): Promise<void> {
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
