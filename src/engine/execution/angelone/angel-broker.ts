/**
 * The live broker on Angel One's SmartAPI, behind the broker port.
 *
 * - Orders carry our client order id as the ordertag (at most 20 characters,
 *   refused here before any call). An index F&O order above the exchange's
 *   freeze quantity goes out in pieces tagged `id.1`, `id.2`, ...; its broker
 *   order id is the pieces' ids joined by ",", and modify/cancel act on each.
 * - Fills come from the trade book (pollFills): each trade once, attributed by
 *   the tag of its order; trades of untagged orders are left to reconciliation.
 * - `live: false` marks "paper on Angel's prices": this class then serves
 *   prices and candles only (orders are simulated elsewhere).
 */
import type { Candle, Timeframe } from "../../market/candle.js";
import type { InstrumentMaster } from "../../market/instruments.js";
import { toPaise, type Paise } from "../../money.js";
import { istDate } from "../../time/ist.js";
import {
  BrokerError,
  clientIdOfTag,
  pieceTag,
  type Broker,
  type BrokerFill,
  type BrokerOrder,
  type BrokerPosition,
  type BrokerTrade,
  type Funds,
  type GttRequest,
  type GttRule,
  type Holding,
  type OrderChange,
  type OrderRequest,
  type Profile,
  type Quote,
} from "../broker.js";
import { toBrokerOrder, toBrokerPosition, toBrokerTrade, toHolding, orderTypeOf, productOf } from "./book-rows.js";
import { candleWindows, FETCH_INTERVAL, fetchRange, MAX_DAYS_PER_REQUEST, rowsToCandles, toTimeframe } from "./candles.js";
import { FreezeTable, splitAtFreeze } from "./freeze.js";
import { gttCreateParams, gttModifyParams, toGttRule } from "./gtt.js";
import { AngelInstruments, fetchScripMaster, scripMasterUrl, type AngelInstrument } from "./instruments.js";
import { checkRequest, checkTag, modifyParams, placeParams, productFor, rupees, varietyOf, type OrderShape } from "./order-params.js";
import { quoteBatches, toQuote } from "./quotes.js";
import { accountLimiter, type RateLimits } from "./rate-limits.js";
import { quietLog, SecretBox, type BrokerLog } from "./secrets.js";
import { AngelSession } from "./session.js";
import { DEFAULT_API_ROOT, SmartApiFacade } from "./smartapi-facade.js";

export interface AngelOneBrokerOptions {
  apiKey: string;
  clientCode: string;
  pin: string;
  totpSecret: string;
  /** Default Angel's; a loopback stand-in in tests. */
  apiRoot?: string;
  /** Default ANGEL_SCRIP_MASTER_URL, else Angel's public file. */
  scripMasterUrl?: string;
  /** Per request, default 7000 ms. */
  timeoutMs?: number;
  /** True when orders move real money. */
  live: boolean;
  now: () => Date;
  log?: BrokerLog;
  /** Replaces Angel's published limits per endpoint (tests). */
  rateLimits?: Partial<RateLimits>;
  /** An instrument list already at hand; skips the download. */
  instruments?: InstrumentMaster;
  /** Default data/freeze_quantities.csv. */
  freeze?: FreezeTable;
}

/** What we know of an order we placed or adopted. */
interface Tracked {
  clientOrderId: string;
  tag: string;
  /** All the broker ids of its order (one, or the pieces of a split order). */
  group: string[];
  /** Known for orders placed by this process; adopted ones are read from the order book when needed. */
  shape?: OrderShape;
}

/** Quotes in OHLC mode: LTP mode sends the last price only, and a quote carries the day's range and the previous close. */
const QUOTE_MODE = "OHLC";
/** The profile names segments as the WebSocket does (nse_cm, nse_fo, ...): ours are exchange names. */
const SEGMENTS: Record<string, string> = { NSE_CM: "NSE", NSE_FO: "NFO", BSE_CM: "BSE", BSE_FO: "BFO", MCX_FO: "MCX", CDE_FO: "CDS", NCX_FO: "NCDEX" };
const exchangeName = (s: string): string => {
  const u = s.trim().toUpperCase();
  return SEGMENTS[u] ?? u;
};
const KIND_RANK = { rejected: 0, unavailable: 1, ambiguous: 2 } as const;

export class AngelOneBroker implements Broker {
  readonly name = "angelone";
  readonly inProcess = false;
  readonly live: boolean;
  /** The session, for the market-data WebSocket (feed token, jwt, client code). */
  readonly session: AngelSession;
  private readonly api: SmartApiFacade;
  private readonly log: BrokerLog;
  private readonly now: () => Date;
  private readonly freeze: FreezeTable;
  private instrumentList: Promise<AngelInstruments> | null = null;
  private readonly tracked = new Map<string, Tracked>();
  /** Tags of orders seen in the order book, for trades (the trade book carries none). */
  private readonly bookTags = new Map<string, string | null>();
  private readonly seenFills = new Set<string>();
  private listener: (fill: BrokerFill) => Promise<void> = async () => {};

  constructor(private readonly opts: AngelOneBrokerOptions) {
    this.live = opts.live;
    this.now = opts.now;
    const secrets = new SecretBox();
    secrets.add(opts.apiKey, opts.pin, opts.totpSecret);
    this.log = secrets.wrap(opts.log ?? quietLog);
    const limiter = accountLimiter(`${opts.apiRoot ?? DEFAULT_API_ROOT} ${opts.clientCode}`, opts.rateLimits);
    this.api = new SmartApiFacade({ apiKey: opts.apiKey, apiRoot: opts.apiRoot, timeoutMs: opts.timeoutMs, limiter, log: opts.log, secrets });
    this.session = new AngelSession(this.api, { clientCode: opts.clientCode, pin: opts.pin, totpSecret: opts.totpSecret, now: opts.now, secrets, log: opts.log });
    this.freeze = opts.freeze ?? FreezeTable.load();
    if (opts.instruments) this.instrumentList = Promise.resolve(new AngelInstruments(opts.instruments));
  }

  async connect(): Promise<void> {
    await this.session.login();
    await this.instruments();
  }

  async close(): Promise<void> {
    await this.session.logout();
  }

  /** The instrument list (downloaded once). */
  instruments(): Promise<AngelInstruments> {
    if (!this.instrumentList) {
      const url = scripMasterUrl(this.opts.scripMasterUrl);
      this.instrumentList = fetchScripMaster(url).then(({ master, skipped }) => {
        this.log.info("angel one instrument list loaded", { instruments: master.size, skipped: skipped.length });
        return new AngelInstruments(master);
      });
      // A failed download is tried again on the next call.
      this.instrumentList.catch(() => {
        this.instrumentList = null;
      });
    }
    return this.instrumentList;
  }

  async profile(): Promise<Profile> {
    const p = await this.session.run(() => this.api.profile());
    const ex = p.exchanges ?? [];
    const list = Array.isArray(ex) ? ex : ex.replace(/[[\]"]/g, "").split(",");
    const exchanges = [...new Set(list.map(exchangeName).filter((s) => s !== ""))];
    return { clientCode: p.clientcode, name: p.name, exchanges };
  }

  async funds(): Promise<Funds> {
    const r = await this.session.run(() => this.api.rms());
    const funds: Funds = { cash: toPaise(r.net) };
    if (r.utiliseddebits !== null && r.utiliseddebits !== undefined) funds.used = toPaise(r.utiliseddebits);
    return funds;
  }

  /** Quotes of known symbols (an unknown one is refused); one Angel has no price for is left out, with a warning. */
  async quotes(symbols: readonly string[]): Promise<Quote[]> {
    const list = await this.instruments();
    const wanted = symbols.map((s) => list.resolve(s));
    const bySlot = new Map(wanted.map((i) => [`${i.exchange}:${i.token}`, i.symbol]));
    const out: Quote[] = [];
    for (const batch of quoteBatches(wanted)) {
      const data = await this.session.run(() => this.api.quote(QUOTE_MODE, batch));
      const at = this.now();
      for (const row of data.fetched) {
        const symbol = bySlot.get(`${row.exchange}:${row.symbolToken}`);
        if (symbol) out.push(toQuote(row, symbol, at));
      }
      if (data.unfetched && data.unfetched.length > 0) this.log.warn("angel one did not quote some instruments", { unfetched: data.unfetched });
    }
    return out;
  }

  async candles(symbol: string, timeframe: Timeframe, from: Date, to: Date): Promise<Candle[]> {
    const inst = (await this.instruments()).resolve(symbol);
    const interval = FETCH_INTERVAL[timeframe];
    const range = fetchRange(timeframe, from, to);
    const bars: Candle[] = [];
    for (const w of candleWindows(range.from, range.to, MAX_DAYS_PER_REQUEST[interval])) {
      const rows = await this.session.run(() => this.api.candles({ exchange: inst.exchange, symboltoken: inst.token, interval, ...w }));
      const r = rowsToCandles(rows, inst.symbol, interval);
      if (r.skipped.length > 0) this.log.warn("angel one candles skipped", { symbol, skipped: r.skipped.slice(0, 5), count: r.skipped.length });
      bars.push(...r.candles);
    }
    return toTimeframe(bars, timeframe, from, to);
  }

  async placeOrder(req: OrderRequest): Promise<{ brokerOrderId: string }> {
    const inst = (await this.instruments()).resolve(req.symbol);
    checkRequest(req, inst);
    const pieces = this.pieces(req, inst);
    const tags = pieces.length === 1 ? [req.clientOrderId] : pieces.map((_, i) => pieceTag(req.clientOrderId, i + 1));
    for (const tag of tags) checkTag(tag, req.clientOrderId);

    const group: string[] = [];
    for (let i = 0; i < pieces.length; i++) {
      const params = placeParams(req, inst, pieces[i]!, tags[i]!);
      try {
        const placed = await this.session.run(() => this.api.placeOrder(params));
        group.push(placed.orderid);
        const shape: OrderShape = {
          variety: params.variety!,
          type: req.type,
          product: productFor(req, inst),
          qty: pieces[i]!,
          tradingsymbol: inst.tradingsymbol,
          token: inst.token,
          exchange: inst.exchange,
          side: req.side,
          tick: inst.tick,
          ...(req.price !== undefined ? { price: req.price } : {}),
        };
        this.tracked.set(placed.orderid, { clientOrderId: req.clientOrderId, tag: tags[i]!, group, shape });
        this.log.info("angel one order placed", { clientOrderId: req.clientOrderId, tag: tags[i], orderId: placed.orderid, qty: pieces[i] });
      } catch (err) {
        if (group.length === 0 || !(err instanceof BrokerError)) throw err;
        throw new BrokerError(
          "ambiguous",
          `order ${req.clientOrderId}: ${group.length} of ${pieces.length} pieces placed (${group.join(",")}), piece ${i + 1} failed: ${err.message}; look the pieces up by their tags`,
          err.code,
        );
      }
    }
    return { brokerOrderId: group.join(",") };
  }

  /** A bracket (ROBO) order: target and stop are distances from the price, in paise. */
  async placeBracket(req: OrderRequest & { type: "limit" }, legs: { squareoff: Paise; stoploss: Paise; trailingStoploss?: Paise }): Promise<{ brokerOrderId: string }> {
    const inst = (await this.instruments()).resolve(req.symbol);
    checkRequest(req, inst);
    checkTag(req.clientOrderId, req.clientOrderId);
    const params = {
      ...placeParams(req, inst, req.qty, req.clientOrderId),
      variety: "ROBO",
      producttype: "BO",
      squareoff: rupees(legs.squareoff),
      stoploss: rupees(legs.stoploss),
      ...(legs.trailingStoploss !== undefined ? { trailingStopLoss: rupees(legs.trailingStoploss) } : {}),
    };
    const placed = await this.session.run(() => this.api.placeOrder(params));
    this.tracked.set(placed.orderid, { clientOrderId: req.clientOrderId, tag: req.clientOrderId, group: [placed.orderid] });
    return { brokerOrderId: placed.orderid };
  }

  async modifyOrder(brokerOrderId: string, change: OrderChange): Promise<void> {
    const ids = brokerOrderId.split(",");
    if (ids.length > 1 && change.qty !== undefined) {
      throw new BrokerError("rejected", `order ${brokerOrderId} was split at the freeze quantity: its quantity cannot be changed piece by piece; cancel it and place it again`);
    }
    await this.eachPiece(ids, "modify", async (id) => {
      const shape = this.tracked.get(id)?.shape ?? (await this.shapeFromBook(id));
      await this.session.run(() => this.api.modifyOrder(modifyParams(id, shape, change)));
      const t = this.tracked.get(id);
      if (t?.shape) t.shape = { ...t.shape, ...(change.qty !== undefined ? { qty: change.qty } : {}), ...(change.price !== undefined ? { price: change.price } : {}) };
    });
  }

  async cancelOrder(brokerOrderId: string): Promise<void> {
    await this.eachPiece(brokerOrderId.split(","), "cancel", async (id) => {
      const variety = this.tracked.get(id)?.shape?.variety ?? (await this.shapeFromBook(id)).variety;
      await this.session.run(() => this.api.cancelOrder({ variety, orderid: id }));
    });
  }

  async orderBook(): Promise<BrokerOrder[]> {
    const [rows, list] = await Promise.all([this.session.run(() => this.api.orderBook()), this.instruments()]);
    const now = this.now();
    return rows.map((row) => {
      const o = toBrokerOrder(row, list, now);
      this.bookTags.set(o.brokerOrderId, o.tag);
      return o;
    });
  }

  async tradeBook(): Promise<BrokerTrade[]> {
    const [rows, list] = await Promise.all([this.session.run(() => this.api.tradeBook()), this.instruments()]);
    // The trade book carries no tags: an order we did not place ourselves is looked up in the order book.
    if (rows.some((r) => r.ordertag.trim() === "" && !this.tracked.has(r.orderid) && !this.bookTags.has(r.orderid))) await this.orderBook();
    const now = this.now();
    return rows.map((row) => toBrokerTrade(row, list, now, (id) => this.tracked.get(id)?.tag ?? this.bookTags.get(id) ?? null));
  }

  async positions(): Promise<BrokerPosition[]> {
    const [rows, list] = await Promise.all([this.session.run(() => this.api.positions()), this.instruments()]);
    // Angel lists the day's closed positions too (net 0): only open ones are positions.
    return rows.map((r) => toBrokerPosition(r, list)).filter((p) => p.netQty !== 0);
  }

  async holdings(): Promise<Holding[]> {
    const [rows, list] = await Promise.all([this.session.run(() => this.api.holdings()), this.instruments()]);
    return rows.map((r) => toHolding(r, list)).filter((h) => h.qty > 0);
  }

  async createGtt(rule: GttRequest): Promise<{ id: string }> {
    const inst = (await this.instruments()).resolve(rule.symbol);
    return this.session.run(() => this.api.gttCreate(gttCreateParams(rule, inst)));
  }

  async modifyGtt(id: string, rule: GttRequest): Promise<void> {
    const inst = (await this.instruments()).resolve(rule.symbol);
    await this.session.run(() => this.api.gttModify(gttModifyParams(id, rule, inst)));
  }

  async cancelGtt(id: string): Promise<void> {
    const rule = (await this.listGtt()).find((r) => r.id === id);
    if (!rule) throw new BrokerError("rejected", `GTT rule ${id} not found at Angel One`);
    const inst = (await this.instruments()).resolve(rule.symbol);
    await this.session.run(() => this.api.gttCancel({ id, symboltoken: inst.token, exchange: inst.exchange }));
  }

  async listGtt(): Promise<GttRule[]> {
    const list = await this.instruments();
    const count = 100;
    const out: GttRule[] = [];
    for (let page = 1; ; page++) {
      const rows = await this.session.run(() => this.api.gttList(page, count));
      out.push(...rows.map((r) => toGttRule(r, list)));
      if (rows.length < count) return out;
    }
  }

  adopt(order: OrderRequest & { brokerOrderId: string }): void {
    const group = order.brokerOrderId.split(",");
    group.forEach((id, i) => {
      if (!this.tracked.has(id)) this.tracked.set(id, { clientOrderId: order.clientOrderId, tag: group.length === 1 ? order.clientOrderId : pieceTag(order.clientOrderId, i + 1), group });
    });
  }

  onFill(listener: (fill: BrokerFill) => Promise<void>): void {
    this.listener = listener;
  }

  async onBar(): Promise<void> {}

  async onTick(): Promise<void> {}

  /** Reads the trade book and hands each trade not seen before to the fill listener, oldest first. */
  async pollFills(): Promise<void> {
    const trades = (await this.tradeBook()).sort((a, b) => a.time.getTime() - b.time.getTime());
    for (const t of trades) {
      if (this.seenFills.has(t.fillId)) continue;
      const tracked = this.tracked.get(t.brokerOrderId);
      const tag = t.tag ?? tracked?.tag ?? null;
      if (tag === null) continue;
      const fill: BrokerFill = {
        fillId: t.fillId,
        clientOrderId: clientIdOfTag(tag),
        brokerOrderId: tracked ? tracked.group.join(",") : t.brokerOrderId,
        qty: t.qty,
        price: t.price,
        time: t.time,
      };
      await this.listener(fill);
      this.seenFills.add(t.fillId);
    }
  }

  /** Pieces at the freeze quantity for index F&O with a known limit; otherwise the whole order. */
  private pieces(req: OrderRequest, inst: AngelInstrument): number[] {
    const kind = inst.instrument.kind;
    if (kind !== "future" && kind !== "option") return [req.qty];
    const limit = this.freeze.freezeQty(inst.instrument.name, istDate(this.now()));
    if (limit === undefined || req.qty <= limit) return [req.qty];
    try {
      return splitAtFreeze(req.qty, limit, inst.lot);
    } catch (err) {
      throw new BrokerError("rejected", `order ${req.clientOrderId}: ${(err as Error).message}`);
    }
  }

  private async shapeFromBook(id: string): Promise<OrderShape> {
    const rows = await this.session.run(() => this.api.orderBook());
    const row = rows.find((r) => r.orderid === id);
    if (!row) throw new BrokerError("rejected", `order ${id} is not in Angel One's order book`);
    const type = orderTypeOf(row.ordertype);
    const price = type === "stop" ? row.triggerprice : type === "limit" ? row.price : null;
    return {
      variety: row.variety || varietyOf(type),
      type,
      product: productOf(row.producttype) ?? (row.exchange === "NSE" || row.exchange === "BSE" ? "DELIVERY" : "CARRYFORWARD"),
      qty: row.quantity,
      ...(price !== null && price !== undefined && price > 0 ? { price: toPaise(price) } : {}),
      tradingsymbol: row.tradingsymbol,
      token: row.symboltoken,
      exchange: row.exchange,
    };
  }

  /** Does `act` on every piece; a failure on some pieces only is ambiguous (the order is then part-changed). */
  private async eachPiece(ids: string[], what: string, act: (id: string) => Promise<void>): Promise<void> {
    const failed: Array<{ id: string; err: BrokerError }> = [];
    for (const id of ids) {
      try {
        await act(id);
      } catch (err) {
        if (!(err instanceof BrokerError)) throw err;
        failed.push({ id, err });
      }
    }
    if (failed.length === 0) return;
    if (ids.length === 1) throw failed[0]!.err;
    const detail = failed.map((f) => `${f.id}: ${f.err.message}`).join("; ");
    if (failed.length < ids.length) {
      throw new BrokerError("ambiguous", `${what} ${ids.join(",")}: ${ids.length - failed.length} of ${ids.length} pieces done, the rest failed (${detail})`, failed[0]!.err.code);
    }
    const worst = failed.reduce((a, b) => (KIND_RANK[b.err.kind] > KIND_RANK[a.err.kind] ? b : a));
    throw new BrokerError(worst.err.kind, `${what} ${ids.join(",")}: every piece failed (${detail})`, worst.err.code);
  }
}
