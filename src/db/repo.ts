/**
 * Reads and writes rows. It knows tables and their shapes, not trading rules:
 * the engine decides, the repo stores.
 */
import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, max, type SQL, sql } from "drizzle-orm";
import type { Candle, Timeframe } from "../engine/market/candle.js";
import type { OrderStatus, OrderView, PositionView, SignalStatus, SignalView, TradeView } from "../engine/views.js";
import type { Db } from "./connection.js";
import * as t from "./schema.js";

type SignalRow = typeof t.signals.$inferSelect;
type OrderRow = typeof t.orders.$inferSelect;
type PositionRow = typeof t.positions.$inferSelect;
type TradeRow = typeof t.trades.$inferSelect;

/** A Postgres array literal, so both drivers send one text parameter per column. */
function pgArray(values: ReadonlyArray<string | number>): string {
  return `{${values.map((v) => (typeof v === "number" ? String(v) : `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(",")}}`;
}

/**
 * The defined fields of `values` as placeholders of the same names, `prefix`ed;
 * undefined ones are left out, as a plain query leaves them out. Typed as SQL:
 * a placeholder in `set` or `values` is bound to its column, so the column's
 * encoding (JSON, timestamps) still applies when it is filled.
 */
function slots<T extends Record<string, unknown>>(values: T, prefix = ""): { [K in keyof T]: SQL } {
  const out: Record<string, SQL> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = sql.placeholder(prefix + k) as unknown as SQL;
  return out as { [K in keyof T]: SQL };
}

/** The values for slots(values, prefix). */
function filled(values: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[prefix + k] = v;
  return out;
}

/** A key naming which fields are set, for statements whose shape depends on it. */
const shape = (values: Record<string, unknown>) =>
  Object.keys(values)
    .filter((k) => values[k] !== undefined)
    .join(",");

const toSignal = (r: SignalRow): SignalView => ({
  ...r,
  timeframe: r.timeframe as SignalView["timeframe"],
  side: r.side as SignalView["side"],
  kind: r.kind as SignalView["kind"],
  status: r.status as SignalStatus,
});
const toOrder = (r: OrderRow): OrderView => ({
  id: r.id,
  clientOrderId: r.clientOrderId,
  brokerOrderId: r.brokerOrderId,
  signalId: r.signalId,
  positionId: r.positionId,
  symbol: r.symbol,
  side: r.side as OrderView["side"],
  qty: r.qty,
  orderType: r.orderType as OrderView["orderType"],
  limitPrice: r.limitPrice,
  purpose: r.purpose as OrderView["purpose"],
  status: r.status as OrderStatus,
  filledQty: r.filledQty,
  avgFillPrice: r.avgFillPrice,
  reason: r.reason,
  placedAt: r.createdAt,
  updatedAt: r.updatedAt,
});
const toPosition = (r: PositionRow): PositionView => ({
  id: r.id,
  symbol: r.symbol,
  strategy: r.strategy,
  side: r.side as PositionView["side"],
  status: r.status as PositionView["status"],
  qty: r.qty,
  costBasis: r.costBasis,
  openCharges: r.openCharges,
  initialStop: r.initialStop,
  stop: r.stop,
  targets: r.targets,
  lastPrice: r.lastPrice,
  unit: r.unit,
  realized: r.realized,
  signalId: r.signalId,
  openedAt: r.openedAt,
  closedAt: r.closedAt,
});
const toTrade = (r: TradeRow): TradeView => ({
  id: r.id,
  positionId: r.positionId,
  symbol: r.symbol,
  strategy: r.strategy,
  side: r.side as TradeView["side"],
  qty: r.qty,
  entryTime: r.entryTime,
  entryPrice: r.entryPrice,
  exitTime: r.exitTime,
  exitPrice: r.exitPrice,
  gross: r.gross,
  charges: r.charges,
  net: r.net,
  r: r.rBp === null ? null : r.rBp / 10_000,
  exitReason: r.exitReason,
});

export type NewSignal = Omit<SignalView, "decidedBy" | "decidedAt" | "positionId" | "statusReason" | "unit" | "intelligence"> &
  Partial<Pick<SignalView, "statusReason" | "decidedBy" | "decidedAt" | "positionId" | "unit" | "intelligence">>;
export type NewOrder = Omit<OrderView, "id" | "brokerOrderId" | "filledQty" | "avgFillPrice" | "reason" | "status" | "placedAt" | "updatedAt"> & { at: Date };
export type NewPosition = Omit<PositionView, "id" | "closedAt" | "realized" | "status" | "unit"> & { unit?: number | null };
export type NewTrade = Omit<TradeView, "id">;
export type StrategyDayView = typeof t.strategyPerformance.$inferSelect;

export interface TradeSummary {
  strategy: string;
  trades: number;
  wins: number;
  net: number;
  charges: number;
  /** Σ R over the trades that have one, and how many do. */
  rSum: number;
  rCount: number;
  /** Σ and Σ² of net ÷ entry value per trade. */
  retSum: number;
  retSq: number;
}

export interface DailyRow {
  date: string;
  startingEquity: number;
  endingEquity: number;
  realized: number;
  unrealized: number;
  charges: number;
  trades: number;
  wins: number;
}

export class Repo {
  constructor(readonly db: Db) {}

  /**
   * Statements of the order path, built once per handle and shape: building a
   * query costs about as much as the embedded database takes to run it.
   */
  private readonly statements = new Map<string, unknown>();

  private statement<Q>(key: string, build: () => Q): Q {
    let q = this.statements.get(key) as Q | undefined;
    if (q === undefined) {
      q = build();
      this.statements.set(key, q);
    }
    return q;
  }

  /** Runs fn in one transaction with a repo bound to it. */
  tx<T>(fn: (repo: Repo) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new Repo(tx as unknown as Db)));
  }

  // ---- candles ----
  /** Bulk upsert: one statement per chunk, columns passed as arrays (unnest), on both drivers. */
  async upsertCandles(list: readonly Candle[]): Promise<void> {
    const CHUNK = 20_000;
    for (let i = 0; i < list.length; i += CHUNK) {
      const rows = list.slice(i, i + CHUNK);
      const col = <T>(f: (c: Candle) => T) => rows.map(f);
      await this.db.execute(sql`
        insert into candles (symbol, timeframe, time, open, high, low, close, volume)
        select * from unnest(
          ${pgArray(col((c) => c.symbol))}::text[], ${pgArray(col((c) => c.timeframe))}::text[],
          ${pgArray(col((c) => c.time.toISOString()))}::timestamptz[], ${pgArray(col((c) => c.open))}::bigint[],
          ${pgArray(col((c) => c.high))}::bigint[], ${pgArray(col((c) => c.low))}::bigint[],
          ${pgArray(col((c) => c.close))}::bigint[], ${pgArray(col((c) => c.volume))}::bigint[])
        on conflict (symbol, timeframe, time) do update set
          open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`);
    }
  }

  async countCandles(timeframe: Timeframe): Promise<number> {
    const [r] = await this.db.select({ n: sql<number>`count(*)::int` }).from(t.candles).where(eq(t.candles.timeframe, timeframe));
    return r?.n ?? 0;
  }

  async loadCandles(timeframe: Timeframe): Promise<Candle[]> {
    const rows = await this.db
      .select()
      .from(t.candles)
      .where(eq(t.candles.timeframe, timeframe))
      .orderBy(asc(t.candles.time), asc(t.candles.symbol));
    return rows.map((r) => ({ ...r, timeframe: r.timeframe as Timeframe }));
  }

  // ---- settings ----
  async getSetting<T>(key: string): Promise<T | undefined> {
    const [r] = await this.db.select().from(t.settings).where(eq(t.settings.key, key));
    return r ? (r.value as T) : undefined;
  }

  async setSetting(key: string, value: unknown, at: Date, by: string | null = null): Promise<void> {
    await this.db
      .insert(t.settings)
      .values({ key, value, updatedAt: at, updatedBy: by })
      .onConflictDoUpdate({ target: t.settings.key, set: { value, updatedAt: at, updatedBy: by } });
  }

  // ---- signals ----
  /** Inserts once; false when the id exists already (a replayed bar). */
  async insertSignal(s: NewSignal): Promise<boolean> {
    const r = await this.db
      .insert(t.signals)
      .values({ ...s, statusReason: s.statusReason ?? null, unit: s.unit ?? null, intelligence: s.intelligence ?? null })
      .onConflictDoNothing()
      .returning({ id: t.signals.id });
    return r.length > 0;
  }

  async signal(id: string): Promise<SignalView | undefined> {
    const q = this.statement("signal", () => this.db.select().from(t.signals).where(eq(t.signals.id, sql.placeholder("id"))).prepare("signal"));
    const [r] = await q.execute({ id });
    return r ? toSignal(r) : undefined;
  }

  async signalsByStatus(statuses: SignalStatus[], limit = 200): Promise<SignalView[]> {
    const rows = await this.db
      .select()
      .from(t.signals)
      .where(inArray(t.signals.status, statuses))
      .orderBy(asc(t.signals.createdAt), asc(t.signals.id))
      .limit(limit);
    return rows.map(toSignal);
  }

  /** Every signal of a strategy in a symbol, in bar order (the theoretical track of a strategy is rebuilt from them). */
  async signalsOf(strategy: string, symbol: string): Promise<SignalView[]> {
    const rows = await this.db
      .select()
      .from(t.signals)
      .where(and(eq(t.signals.strategy, strategy), eq(t.signals.symbol, symbol)))
      .orderBy(asc(t.signals.barTime), asc(t.signals.createdAt), asc(t.signals.id));
    return rows.map(toSignal);
  }

  async signalsDueToExpire(now: Date): Promise<SignalView[]> {
    const rows = await this.db
      .select()
      .from(t.signals)
      .where(and(eq(t.signals.status, "proposed"), lte(t.signals.expiresAt, now)));
    return rows.map(toSignal);
  }

  /**
   * Moves a signal only if it is in one of `from`: the guard that makes a double
   * press or a press after expiry a no-op. Returns the updated row, or undefined.
   */
  async transitionSignal(
    id: string,
    from: SignalStatus[],
    to: SignalStatus,
    fields: Partial<Pick<SignalView, "statusReason" | "decidedBy" | "decidedAt" | "positionId" | "qty" | "sizing">> = {},
  ): Promise<SignalView | undefined> {
    const set = { status: to, ...fields };
    const key = `transitionSignal:${from.join("|")}:${shape(set)}`;
    const q = this.statement(key, () =>
      this.db
        .update(t.signals)
        .set(slots(set, "set_"))
        .where(and(eq(t.signals.id, sql.placeholder("id")), inArray(t.signals.status, from)))
        .returning()
        .prepare(key),
    );
    const [r] = await q.execute({ ...filled(set, "set_"), id });
    return r ? toSignal(r) : undefined;
  }

  // ---- orders ----
  /** Writes the intent before the broker hears of it; an existing client id returns the existing order. */
  async insertOrder(o: NewOrder): Promise<{ order: OrderView; created: boolean }> {
    const { at, ...rest } = o;
    const row = { ...rest, status: "new", history: [{ status: "new", at: at.toISOString() }], createdAt: at, updatedAt: at };
    const key = `insertOrder:${shape(row)}`;
    const q = this.statement(key, () =>
      this.db
        .insert(t.orders)
        .values(slots(row))
        .onConflictDoNothing()
        .returning()
        .prepare(key),
    );
    const inserted = await q.execute(filled(row));
    if (inserted[0]) return { order: toOrder(inserted[0]), created: true };
    const existing = await this.orderByClientId(o.clientOrderId);
    if (!existing) throw new Error(`order ${o.clientOrderId} neither inserted nor found`);
    return { order: existing, created: false };
  }

  async orderByClientId(id: string): Promise<OrderView | undefined> {
    const q = this.statement("orderByClientId", () => this.db.select().from(t.orders).where(eq(t.orders.clientOrderId, sql.placeholder("id"))).prepare("orderByClientId"));
    const [r] = await q.execute({ id });
    return r ? toOrder(r) : undefined;
  }

  async ordersByStatus(statuses: OrderStatus[]): Promise<OrderView[]> {
    const rows = await this.db.select().from(t.orders).where(inArray(t.orders.status, statuses)).orderBy(asc(t.orders.id));
    return rows.map(toOrder);
  }

  async updateOrder(
    id: number,
    status: OrderStatus,
    at: Date,
    fields: Partial<Pick<OrderView, "brokerOrderId" | "filledQty" | "avgFillPrice" | "reason" | "qty" | "limitPrice">> = {},
    note?: string,
  ): Promise<OrderView> {
    const entry = JSON.stringify([{ status, at: at.toISOString(), ...(note ? { note } : {}) }]);
    const set = { status, updatedAt: at, ...fields };
    const key = `updateOrder:${shape(set)}`;
    const q = this.statement(key, () =>
      this.db
        .update(t.orders)
        .set({ ...slots(set, "set_"), history: sql`${t.orders.history} || ${sql.placeholder("entry")}::jsonb` })
        .where(eq(t.orders.id, sql.placeholder("id")))
        .returning()
        .prepare(key),
    );
    const [r] = await q.execute({ ...filled(set, "set_"), entry, id });
    if (!r) throw new Error(`order ${id} not found`);
    return toOrder(r);
  }

  // ---- fills ----
  async insertFill(f: { fillId: string; orderId: number; symbol: string; side: string; qty: number; price: number; charges: number; time: Date }): Promise<boolean> {
    const r = await this.db.insert(t.fills).values(f).onConflictDoNothing().returning({ id: t.fills.id });
    return r.length > 0;
  }

  async sumFillCharges(): Promise<number> {
    const [r] = await this.db.select({ n: sql<string>`coalesce(sum(${t.fills.charges}),0)` }).from(t.fills);
    return Number(r?.n ?? 0);
  }

  // ---- positions ----
  async insertPosition(p: NewPosition): Promise<PositionView> {
    const [r] = await this.db
      .insert(t.positions)
      .values({ ...p, status: "open" })
      .returning();
    return toPosition(r!);
  }

  async position(id: number): Promise<PositionView | undefined> {
    const [r] = await this.db.select().from(t.positions).where(eq(t.positions.id, id));
    return r ? toPosition(r) : undefined;
  }

  async openPositions(): Promise<PositionView[]> {
    const q = this.statement("openPositions", () =>
      this.db.select().from(t.positions).where(eq(t.positions.status, "open")).orderBy(asc(t.positions.openedAt), asc(t.positions.id)).prepare("openPositions"),
    );
    const rows = await q.execute();
    return rows.map(toPosition);
  }

  async updatePosition(id: number, fields: Partial<Omit<PositionView, "id">>): Promise<PositionView> {
    const [r] = await this.db.update(t.positions).set(fields).where(eq(t.positions.id, id)).returning();
    if (!r) throw new Error(`position ${id} not found`);
    return toPosition(r);
  }

  async markPrices(prices: ReadonlyMap<string, number>): Promise<void> {
    for (const p of await this.openPositions()) {
      const ltp = prices.get(p.symbol);
      if (ltp !== undefined && ltp !== p.lastPrice) await this.db.update(t.positions).set({ lastPrice: ltp }).where(eq(t.positions.id, p.id));
    }
  }

  // ---- trades ----
  async insertTrade(tr: NewTrade): Promise<TradeView> {
    const { r, ...rest } = tr;
    const [row] = await this.db
      .insert(t.trades)
      .values({ ...rest, rBp: r === null ? null : Math.round(r * 10_000) })
      .returning();
    return toTrade(row!);
  }

  async trades(opts: { from?: Date; to?: Date; limit?: number } = {}): Promise<TradeView[]> {
    const conds = [];
    if (opts.from) conds.push(gte(t.trades.exitTime, opts.from));
    if (opts.to) conds.push(lte(t.trades.exitTime, opts.to));
    const q = this.db
      .select()
      .from(t.trades)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(t.trades.exitTime), desc(t.trades.id));
    const rows = opts.limit ? await q.limit(opts.limit) : await q;
    return rows.map(toTrade);
  }

  /**
   * Closed trades per strategy, summed in the database (a chat reply must not read
   * every trade): count, wins, net and charges, the R multiples, and the per-trade
   * return (net over entry value) and its square, for a Sharpe ratio. Exit time in [from, to].
   */
  async tradeSummary(opts: { from?: Date; to?: Date } = {}): Promise<TradeSummary[]> {
    const conds = [opts.from ? gte(t.trades.exitTime, opts.from) : undefined, opts.to ? lte(t.trades.exitTime, opts.to) : undefined].filter((c) => c !== undefined);
    const ret = sql`(${t.trades.net}::float8 / greatest(1, ${t.trades.entryPrice}::float8 * ${t.trades.qty}))`;
    const rows = await this.db
      .select({
        strategy: t.trades.strategy,
        trades: sql<string>`count(*)`,
        wins: sql<string>`count(*) filter (where ${t.trades.net} > 0)`,
        net: sql<string>`coalesce(sum(${t.trades.net}),0)`,
        charges: sql<string>`coalesce(sum(${t.trades.charges}),0)`,
        rSum: sql<string>`coalesce(sum(${t.trades.rBp}),0)`,
        rCount: sql<string>`count(${t.trades.rBp})`,
        retSum: sql<string>`coalesce(sum(${ret}),0)`,
        retSq: sql<string>`coalesce(sum(${ret} * ${ret}),0)`,
      })
      .from(t.trades)
      .where(conds.length ? and(...conds) : undefined)
      .groupBy(t.trades.strategy)
      .orderBy(asc(t.trades.strategy));
    return rows.map((r) => ({
      strategy: r.strategy,
      trades: Number(r.trades),
      wins: Number(r.wins),
      net: Number(r.net),
      charges: Number(r.charges),
      rSum: Number(r.rSum) / 10_000,
      rCount: Number(r.rCount),
      retSum: Number(r.retSum),
      retSq: Number(r.retSq),
    }));
  }

  /**
   * The ledger's two sums in one statement: realized net of every closed trade,
   * and the cash held back by entry orders in `working` statuses (unfilled
   * quantity × limit price, else the signal's entry price, else 0).
   */
  async bookTotals(working: OrderStatus[]): Promise<{ realized: number; reserved: number }> {
    const key = `bookTotals:${working.join("|")}`;
    const q = this.statement(key, () =>
      this.db
        .select({
          realized: sql<string>`(select coalesce(sum(${t.trades.net}),0) from ${t.trades})`,
          reserved: sql<string>`coalesce(sum((${t.orders.qty} - ${t.orders.filledQty}) * coalesce(${t.orders.limitPrice}, ${t.signals.entry}, 0)),0)`,
        })
        .from(t.orders)
        .leftJoin(t.signals, eq(t.signals.id, t.orders.signalId))
        .where(and(inArray(t.orders.status, working), eq(t.orders.purpose, "entry")))
        .prepare(key),
    );
    const [r] = await q.execute();
    return { realized: Number(r?.realized ?? 0), reserved: Number(r?.reserved ?? 0) };
  }

  async realizedTotal(): Promise<number> {
    const [r] = await this.db.select({ n: sql<string>`coalesce(sum(${t.trades.net}),0)` }).from(t.trades);
    return Number(r?.n ?? 0);
  }

  // ---- performance ----
  async upsertDaily(d: DailyRow): Promise<void> {
    await this.db
      .insert(t.dailyPerformance)
      .values(d)
      .onConflictDoUpdate({ target: t.dailyPerformance.date, set: { ...d } });
  }

  async dailyBefore(date: string): Promise<DailyRow | undefined> {
    const [r] = await this.db
      .select()
      .from(t.dailyPerformance)
      .where(sql`${t.dailyPerformance.date} < ${date}`)
      .orderBy(desc(t.dailyPerformance.date))
      .limit(1);
    return r;
  }

  async daily(date: string): Promise<DailyRow | undefined> {
    const [r] = await this.db.select().from(t.dailyPerformance).where(eq(t.dailyPerformance.date, date));
    return r;
  }

  async upsertStrategyDay(row: { strategy: string; date: string; trades: number; wins: number; net: number; rBp: number }): Promise<void> {
    await this.db
      .insert(t.strategyPerformance)
      .values(row)
      .onConflictDoUpdate({ target: [t.strategyPerformance.strategy, t.strategyPerformance.date], set: { ...row } });
  }

  /** The per-strategy day rows with from ≤ date ≤ to (IST dates), oldest first. */
  async strategyDays(from: string, to: string): Promise<StrategyDayView[]> {
    return this.db
      .select()
      .from(t.strategyPerformance)
      .where(and(gte(t.strategyPerformance.date, from), lte(t.strategyPerformance.date, to)))
      .orderBy(asc(t.strategyPerformance.date), asc(t.strategyPerformance.strategy));
  }

  /** Closed trades per strategy up to and including an IST date, from the day rows. */
  async strategyTradeCounts(to: string): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ strategy: t.strategyPerformance.strategy, trades: sql<string>`sum(${t.strategyPerformance.trades})` })
      .from(t.strategyPerformance)
      .where(lte(t.strategyPerformance.date, to))
      .groupBy(t.strategyPerformance.strategy);
    return new Map(rows.map((r) => [r.strategy, Number(r.trades)]));
  }

  // ---- audit and chat ----
  async event(kind: string, message: string, at: Date, actor: string | null = null, detail: Record<string, unknown> = {}): Promise<void> {
    const q = this.statement("event", () =>
      this.db.insert(t.systemEvents).values(slots({ kind, message, at, actor, detail })).prepare("event"),
    );
    await q.execute({ kind, message, at, actor, detail });
  }

  async events(kind?: string, limit = 100) {
    return this.db
      .select()
      .from(t.systemEvents)
      .where(kind ? eq(t.systemEvents.kind, kind) : undefined)
      .orderBy(desc(t.systemEvents.id))
      .limit(limit);
  }

  async saveChatMessage(ref: string, chatId: number, messageId: number, at: Date): Promise<void> {
    await this.db
      .insert(t.chatMessages)
      .values({ ref, chatId, messageId, createdAt: at })
      .onConflictDoNothing();
  }

  async chatMessages(ref: string): Promise<Array<{ chatId: number; messageId: number }>> {
    return this.db.select({ chatId: t.chatMessages.chatId, messageId: t.chatMessages.messageId }).from(t.chatMessages).where(eq(t.chatMessages.ref, ref));
  }

  // ---- TradingView webhook intake ----
  /**
   * Records a webhook signal once. Null when its (symbol, signal type, time) is
   * recorded already: the unique index decides, in the same statement, so two
   * racing copies can never both get a row.
   */
  async insertWebhookSignal(w: NewWebhookSignal): Promise<WebhookSignalView | null> {
    const q = this.statement("insertWebhookSignal", () =>
      this.db.insert(t.webhookSignals).values(slots(w)).onConflictDoNothing().returning().prepare("insertWebhookSignal"),
    );
    const [r] = await q.execute(filled(w));
    return r ?? null;
  }

  /**
   * Records several webhook signals in one statement, in the order given (their
   * ids follow it). For each, its row, or null when it was recorded already
   * (before, or earlier in the list).
   */
  async insertWebhookSignals(list: readonly NewWebhookSignal[]): Promise<Array<WebhookSignalView | null>> {
    if (list.length === 0) return [];
    const rows = await this.db.insert(t.webhookSignals).values(list.map((w) => ({ ...w }))).onConflictDoNothing().returning();
    const byId = new Map(rows.map((r) => [r.signalId, r]));
    return list.map((w) => {
      const r = byId.get(w.signalId);
      byId.delete(w.signalId);
      return r ?? null;
    });
  }

  async webhookSignal(symbol: string, signalType: string, signalTime: Date): Promise<WebhookSignalView | undefined> {
    const q = this.statement("webhookSignal", () =>
      this.db
        .select()
        .from(t.webhookSignals)
        .where(and(eq(t.webhookSignals.symbol, sql.placeholder("symbol")), eq(t.webhookSignals.signalType, sql.placeholder("signalType")), eq(t.webhookSignals.signalTime, sql.placeholder("signalTime"))))
        .prepare("webhookSignal"),
    );
    // A placeholder in a WHERE is bound as given, not through the column's mapping: postgres.js takes no Date there.
    const [r] = await q.execute({ symbol, signalType, signalTime: signalTime.toISOString() });
    return r;
  }

  /** Webhook signals in the order they arrived, from the first after `afterId`. */
  async webhookSignals(opts: { afterId?: number; limit?: number } = {}): Promise<WebhookSignalView[]> {
    return this.db
      .select()
      .from(t.webhookSignals)
      .where(opts.afterId !== undefined ? gt(t.webhookSignals.id, opts.afterId) : undefined)
      .orderBy(asc(t.webhookSignals.id))
      .limit(opts.limit ?? 1000);
  }

  /** Webhook signals after `afterId` the desk never got (no signal of theirs), in arrival order: cut short by a stop or a crash. */
  async webhookSignalsNotTaken(afterId = 0, limit = 1000): Promise<WebhookSignalView[]> {
    const rows = await this.db
      .select({ w: t.webhookSignals })
      .from(t.webhookSignals)
      .leftJoin(t.signals, eq(t.signals.id, t.webhookSignals.signalId))
      .where(and(gt(t.webhookSignals.id, afterId), isNull(t.signals.id)))
      .orderBy(asc(t.webhookSignals.id))
      .limit(limit);
    return rows.map((r) => r.w);
  }

  /** The highest pyramid unit among a strategy's entry signals in a symbol still proposed, approved or ordered; null when none. */
  async highestPendingUnit(strategy: string, symbol: string): Promise<number | null> {
    const q = this.statement("highestPendingUnit", () =>
      this.db
        .select({ u: max(t.signals.unit) })
        .from(t.signals)
        .where(
          and(
            inArray(t.signals.status, ["proposed", "approved", "ordered"]),
            eq(t.signals.kind, "entry"),
            eq(t.signals.strategy, sql.placeholder("strategy")),
            eq(t.signals.symbol, sql.placeholder("symbol")),
          ),
        )
        .prepare("highestPendingUnit"),
    );
    const [r] = await q.execute({ strategy, symbol });
    return r?.u ?? null;
  }
}

export type WebhookSignalView = typeof t.webhookSignals.$inferSelect;
export type NewWebhookSignal = Omit<WebhookSignalView, "id">;
