/**
 * Repo's behaviour without a database, so the backtester runs the same desk at
 * memory speed. Each method mirrors its SQL: the same defaults, ORDER BY and
 * LIMIT, the same refusals (a fractional paisa, an empty required column, a
 * duplicate key), ids from sequences that, as in PostgreSQL, are never given
 * back, and transactions that undo every write when their function throws.
 *
 * Rows are kept as the schema types them and never changed in place: a write
 * puts a new row, so undoing it puts the old one back, and whatever leaves is a
 * copy, so no caller can reach inside through a returned object.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Candle, Timeframe } from "../engine/market/candle.js";
import type { OrderStatus, OrderView, PositionView, SignalStatus, SignalView, TradeView } from "../engine/views.js";
import type { DailyRow, NewOrder, NewPosition, NewSignal, NewTrade, NewWebhookSignal, StrategyDayView, TradeSummary, WebhookSignalView } from "./repo.js";
import type * as t from "./schema.js";
import type { Store } from "./store.js";

type CandleRow = typeof t.candles.$inferSelect;
type SettingRow = typeof t.settings.$inferSelect;
type SignalRow = typeof t.signals.$inferSelect;
type OrderRow = typeof t.orders.$inferSelect;
type FillRow = typeof t.fills.$inferSelect;
type PositionRow = typeof t.positions.$inferSelect;
type TradeRow = typeof t.trades.$inferSelect;
type DailyDbRow = typeof t.dailyPerformance.$inferSelect;
type StrategyDayRow = typeof t.strategyPerformance.$inferSelect;
type ChatRow = typeof t.chatMessages.$inferSelect;
type EventRow = typeof t.systemEvents.$inferSelect;

// ---- columns: the schema's types, nullability and defaults, enforced as PostgreSQL would ----

export type ColumnKind = "text" | "int4" | "int8" | "timestamptz" | "jsonb" | "date" | "boolean";

export interface MemoryColumn {
  readonly kind: ColumnKind;
  readonly notNull: boolean;
  /** bigserial: filled from the table's sequence when not given. */
  readonly serial?: true;
  /** The column DEFAULT, used when an insert leaves the value undefined. */
  readonly fallback?: () => unknown;
}

/** One entry per schema column, so a column added to schema.ts stops this file compiling until it is described. */
type Columns<R> = { readonly [K in keyof R]-?: MemoryColumn };

const must = (kind: ColumnKind, fallback?: () => unknown): MemoryColumn => (fallback ? { kind, notNull: true, fallback } : { kind, notNull: true });
const maybe = (kind: ColumnKind): MemoryColumn => ({ kind, notNull: false });
const SERIAL: MemoryColumn = { kind: "int8", notNull: true, serial: true };

/** The tables Repo touches, as this store enforces them (the contract test checks them against schema.ts). */
export const MEMORY_SCHEMA = {
  candles: {
    symbol: must("text"),
    timeframe: must("text"),
    time: must("timestamptz"),
    open: must("int8"),
    high: must("int8"),
    low: must("int8"),
    close: must("int8"),
    volume: must("int8", () => 0),
  } satisfies Columns<CandleRow>,
  settings: { key: must("text"), value: must("jsonb"), updatedAt: must("timestamptz"), updatedBy: maybe("text") } satisfies Columns<SettingRow>,
  signals: {
    id: must("text"),
    strategy: must("text"),
    symbol: must("text"),
    timeframe: must("text"),
    barTime: must("timestamptz"),
    side: must("text"),
    kind: must("text", () => "entry"),
    unit: maybe("int4"),
    entry: must("int8"),
    stop: maybe("int8"),
    targets: must("jsonb", () => []),
    strength: must("int4", () => 50),
    conditions: must("jsonb", () => ({})),
    qty: must("int4", () => 0),
    sizing: must("jsonb", () => ({})),
    intelligence: maybe("jsonb"),
    status: must("text"),
    statusReason: maybe("text"),
    decidedBy: maybe("text"),
    decidedAt: maybe("timestamptz"),
    createdAt: must("timestamptz"),
    expiresAt: maybe("timestamptz"),
    positionId: maybe("int8"),
  } satisfies Columns<SignalRow>,
  positions: {
    id: SERIAL,
    symbol: must("text"),
    strategy: must("text"),
    side: must("text"),
    status: must("text"),
    qty: must("int4"),
    costBasis: must("int8"),
    openCharges: must("int8", () => 0),
    initialStop: maybe("int8"),
    stop: maybe("int8"),
    targets: must("jsonb", () => []),
    lastPrice: maybe("int8"),
    realized: must("int8", () => 0),
    signalId: maybe("text"),
    unit: maybe("int4"),
    openedAt: must("timestamptz"),
    closedAt: maybe("timestamptz"),
    meta: must("jsonb", () => ({})),
  } satisfies Columns<PositionRow>,
  orders: {
    id: SERIAL,
    clientOrderId: must("text"),
    brokerOrderId: maybe("text"),
    signalId: maybe("text"),
    positionId: maybe("int8"),
    symbol: must("text"),
    side: must("text"),
    qty: must("int4"),
    orderType: must("text"),
    limitPrice: maybe("int8"),
    purpose: must("text"),
    status: must("text"),
    filledQty: must("int4", () => 0),
    avgFillPrice: maybe("int8"),
    reason: maybe("text"),
    history: must("jsonb", () => []),
    createdAt: must("timestamptz"),
    updatedAt: must("timestamptz"),
  } satisfies Columns<OrderRow>,
  fills: {
    id: SERIAL,
    fillId: must("text"),
    orderId: must("int8"),
    symbol: must("text"),
    side: must("text"),
    qty: must("int4"),
    price: must("int8"),
    charges: must("int8", () => 0),
    time: must("timestamptz"),
  } satisfies Columns<FillRow>,
  trades: {
    id: SERIAL,
    positionId: must("int8"),
    symbol: must("text"),
    strategy: must("text"),
    side: must("text"),
    qty: must("int4"),
    entryTime: must("timestamptz"),
    entryPrice: must("int8"),
    exitTime: must("timestamptz"),
    exitPrice: must("int8"),
    gross: must("int8"),
    charges: must("int8"),
    net: must("int8"),
    rBp: maybe("int4"),
    exitReason: must("text"),
  } satisfies Columns<TradeRow>,
  dailyPerformance: {
    date: must("date"),
    startingEquity: must("int8"),
    endingEquity: must("int8"),
    realized: must("int8"),
    unrealized: must("int8"),
    charges: must("int8"),
    trades: must("int4"),
    wins: must("int4"),
  } satisfies Columns<DailyDbRow>,
  strategyPerformance: {
    strategy: must("text"),
    date: must("date"),
    trades: must("int4"),
    wins: must("int4"),
    net: must("int8"),
    rBp: must("int4", () => 0),
  } satisfies Columns<StrategyDayRow>,
  chatMessages: { ref: must("text"), chatId: must("int8"), messageId: must("int4"), createdAt: must("timestamptz") } satisfies Columns<ChatRow>,
  systemEvents: {
    id: SERIAL,
    at: must("timestamptz"),
    kind: must("text"),
    actor: maybe("text"),
    message: must("text"),
    detail: must("jsonb", () => ({})),
    acknowledged: must("boolean", () => false),
  } satisfies Columns<EventRow>,
} as const;

type TableName = keyof typeof MEMORY_SCHEMA;

interface Described<R> {
  readonly name: string;
  readonly list: ReadonlyArray<{ readonly key: keyof R & string; readonly col: MemoryColumn; readonly where: string }>;
  readonly byKey: ReadonlyMap<string, { readonly col: MemoryColumn; readonly where: string }>;
}

function describeTable<R>(name: TableName, cols: Columns<R>): Described<R> {
  const list = (Object.keys(cols) as Array<keyof R & string>).map((key) => ({ key, col: cols[key], where: `${name}.${key}` }));
  return { name, list, byKey: new Map(list.map((c) => [c.key as string, c])) };
}

const SETTINGS = describeTable<SettingRow>("settings", MEMORY_SCHEMA.settings);
const SIGNALS = describeTable<SignalRow>("signals", MEMORY_SCHEMA.signals);
const POSITIONS = describeTable<PositionRow>("positions", MEMORY_SCHEMA.positions);
const ORDERS = describeTable<OrderRow>("orders", MEMORY_SCHEMA.orders);
const FILLS = describeTable<FillRow>("fills", MEMORY_SCHEMA.fills);
const TRADES = describeTable<TradeRow>("trades", MEMORY_SCHEMA.trades);
const DAILY = describeTable<DailyDbRow>("dailyPerformance", MEMORY_SCHEMA.dailyPerformance);
const STRATEGY_DAYS = describeTable<StrategyDayRow>("strategyPerformance", MEMORY_SCHEMA.strategyPerformance);
const CHAT = describeTable<ChatRow>("chatMessages", MEMORY_SCHEMA.chatMessages);
const EVENTS = describeTable<EventRow>("systemEvents", MEMORY_SCHEMA.systemEvents);

const INT4_MAX = 2 ** 31 - 1;
/** 2^63: int8's bound, and below 1e21, where JavaScript would print an exponent PostgreSQL refuses. */
const INT8_BOUND = 2 ** 63;

const show = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : v instanceof Date ? `Date(${v.getTime()})` : String(v));

/** Checks and copies one non-null value into a column, refusing what PostgreSQL would refuse. */
function bind(where: string, kind: ColumnKind, v: unknown): unknown {
  switch (kind) {
    case "text":
      if (typeof v !== "string") throw new TypeError(`${where} takes text, got ${show(v)}`);
      if (v.includes("\0")) throw new TypeError(`${where} cannot hold a NUL character (PostgreSQL text refuses it)`);
      return v;
    case "int4":
      if (typeof v === "number" && Number.isInteger(v) && v >= -INT4_MAX - 1 && v <= INT4_MAX) return v;
      throw new RangeError(`${where} takes a whole number within 32 bits, got ${show(v)}`);
    case "int8":
      if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < INT8_BOUND) return v;
      throw new RangeError(`${where} takes a whole number (integer paise or a count), got ${show(v)}`);
    case "timestamptz":
      return copyInstant(where, v);
    case "jsonb":
      return toJsonb(where, v);
    case "date":
      return pgDate(where, v);
    case "boolean":
      if (typeof v !== "boolean") throw new TypeError(`${where} takes true or false, got ${show(v)}`);
      return v;
  }
}

function copyInstant(where: string, v: unknown): Date {
  // drizzle calls toISOString(), which throws exactly this for an invalid Date.
  if (!(v instanceof Date)) throw new TypeError(`${where} takes a Date, got ${show(v)}`);
  const ms = v.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`Invalid time value (${where})`);
  return new Date(ms);
}

/** A `date` column: YYYY-MM-DD, normalised the way PostgreSQL prints it (2025-1-5 → 2025-01-05). */
function pgDate(where: string, v: unknown): string {
  const m = typeof v === "string" ? /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(v) : null;
  if (!m) throw new TypeError(`${where} takes a date like 2025-01-31, got ${show(v)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) throw new RangeError(`${where}: ${v} is not a calendar date`);
  return `${m[1]}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * A value as jsonb gives it back: through JSON (undefined fields dropped, Dates
 * as ISO strings, NaN as null) and with object keys in jsonb's order, shorter
 * keys first then bytewise, so code that walks keys sees what it would live.
 */
function toJsonb(where: string, v: unknown): unknown {
  if (Array.isArray(v)) {
    // Fast path for the common price lists (targets): finite numbers only, -0 printed as 0.
    const out: number[] = [];
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x !== "number" || !Number.isFinite(x)) break;
      out.push(x === 0 ? 0 : x);
    }
    if (out.length === v.length) return out;
  }
  const text = JSON.stringify(v);
  if (text === undefined) return null;
  if (text.includes("\\u0000")) throw new TypeError(`${where} cannot hold a NUL character (jsonb refuses \\u0000)`);
  return jsonbOrder(JSON.parse(text));
}

function jsonbOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(jsonbOrder);
  if (v === null || typeof v !== "object") return v;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src).sort(jsonbKeyOrder)) out[k] = jsonbOrder(src[k]);
  return out;
}

const NON_ASCII = /[\u0080-\uffff]/;

function jsonbKeyOrder(a: string, b: string): number {
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const ba = Buffer.from(a, "utf8");
  const bb = Buffer.from(b, "utf8");
  return ba.length - bb.length || Buffer.compare(ba, bb);
}

/** A deep copy of a stored JSON value (plain arrays, objects and primitives only). */
function copyJson<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = copyJson((v as Record<string, unknown>)[k]);
  return out as T;
}

const dateOrNull = (d: Date | null): Date | null => (d === null ? null : new Date(d.getTime()));

/** Text order of the C collation (PGlite's): by code unit, which is byte order for the BMP. */
const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A row for INSERT: type checks first, then defaults and the sequence, then NOT NULL, as PostgreSQL orders them. */
function insertRow<R>(table: Described<R>, input: object, nextId?: () => number): R {
  const src = input as Record<string, unknown>;
  const cols = table.list;
  const bound: unknown[] = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const v = src[cols[i]!.key];
    bound[i] = v === undefined || v === null ? v : bind(cols[i]!.where, cols[i]!.col.kind, v);
  }
  const row: Record<string, unknown> = {};
  for (let i = 0; i < cols.length; i++) {
    const { key, col } = cols[i]!;
    const v = bound[i];
    row[key] = v !== undefined ? v : col.serial ? nextId!() : col.fallback ? col.fallback() : null;
  }
  for (const { key, col, where } of cols) if (col.notNull && row[key] === null) throw new TypeError(`${where} is required but was empty (null)`);
  return row as R;
}

type Assignments = ReadonlyArray<readonly [key: string, value: unknown, col: MemoryColumn, where: string]>;

/** drizzle's .set(): undefined values are skipped, nothing left is an error, keys that are not columns are ignored. */
function assignments<R>(table: Described<R>, set: object): Assignments {
  const out: Array<readonly [string, unknown, MemoryColumn, string]> = [];
  let given = 0;
  for (const [key, v] of Object.entries(set)) {
    if (v === undefined) continue;
    given++;
    const c = table.byKey.get(key);
    if (c) out.push([key, v === null ? null : bind(c.where, c.col.kind, v), c.col, c.where]);
  }
  if (given === 0) throw new Error("No values to set");
  if (out.length === 0) throw new Error(`update of ${table.name} names none of its columns: ${Object.keys(set).join(", ")}`);
  return out;
}

function assign<R>(row: R, set: Assignments): R {
  const next = { ...row } as Record<string, unknown>;
  for (const [key, v, col, where] of set) {
    if (v === null && col.notNull) throw new TypeError(`${where} is required but was set to null`);
    // A bound value is already a private copy, but the same assignments may be applied twice.
    next[key] = v instanceof Date ? new Date(v.getTime()) : copyJson(v);
  }
  return next as R;
}

/** A bigint parameter in a WHERE clause: PostgreSQL refuses a fraction there too. */
function idParam(what: string, id: unknown): number {
  if (typeof id === "number" && Number.isInteger(id) && Math.abs(id) < INT8_BOUND) return id;
  throw new RangeError(`${what} id must be a whole number, got ${show(id)}`);
}

/** drizzle's .limit(n): a negative n (or NaN) is dropped, so no limit; a fraction PostgreSQL refuses. */
function sqlLimit(n: unknown): number {
  if (typeof n !== "number" || !(n >= 0)) return Infinity;
  if (!Number.isInteger(n)) throw new RangeError(`a limit must be a whole number, got ${n}`);
  return n;
}

// ---- tables: rows by key, with indexes kept in step on every write and undo ----

interface Rec<R> {
  readonly row: R;
  /** Write order: the heap order PostgreSQL returns when a query has no ORDER BY. */
  readonly seq: number;
}

interface Index<K, R> {
  add(key: K, rec: Rec<R>): void;
  remove(key: K, rec: Rec<R>): void;
}

/** Rows grouped by one column (status, timeframe, kind, ref): reads touch one group, not the table. */
class Group<K, R> implements Index<K, R> {
  private readonly groups = new Map<string, Map<K, Rec<R>>>();
  /** Per group, its rows sorted for a reader; dropped on any write to the group. */
  private readonly sorted = new Map<string, Rec<R>[]>();
  constructor(private readonly of: (row: R) => string) {}
  add(key: K, rec: Rec<R>): void {
    const g = this.of(rec.row);
    let m = this.groups.get(g);
    if (!m) this.groups.set(g, (m = new Map()));
    m.set(key, rec);
    this.sorted.delete(g);
  }
  remove(key: K, rec: Rec<R>): void {
    const g = this.of(rec.row);
    this.groups.get(g)?.delete(key);
    this.sorted.delete(g);
  }
  size(g: string): number {
    return this.groups.get(g)?.size ?? 0;
  }
  in(g: string): Iterable<Rec<R>> {
    return this.groups.get(g)?.values() ?? [];
  }
  /** The group in `order`, cached until the group changes. */
  inOrder(g: string, order: (a: Rec<R>, b: Rec<R>) => number): readonly Rec<R>[] {
    let s = this.sorted.get(g);
    if (!s) this.sorted.set(g, (s = [...this.in(g)].sort(order)));
    return s;
  }
}

/** A UNIQUE index: which key holds a value. */
class Unique<K, R> implements Index<K, R> {
  private readonly keys = new Map<string, K>();
  constructor(private readonly of: (row: R) => string) {}
  add(key: K, rec: Rec<R>): void {
    this.keys.set(this.of(rec.row), key);
  }
  remove(key: K, rec: Rec<R>): void {
    const v = this.of(rec.row);
    if (this.keys.get(v) === key) this.keys.delete(v);
  }
  get(value: string): K | undefined {
    return this.keys.get(value);
  }
}

/** A running exact sum of a paise column (BigInt, as PostgreSQL's numeric sum). */
class Sum<K, R> implements Index<K, R> {
  total = 0n;
  constructor(private readonly of: (row: R) => number) {}
  add(_key: K, rec: Rec<R>): void {
    this.total += BigInt(this.of(rec.row));
  }
  remove(_key: K, rec: Rec<R>): void {
    this.total -= BigInt(this.of(rec.row));
  }
}

/** The undo log of the running transaction (null outside one) and the write counter. */
class Journal {
  undo: Array<() => void> | null = null;
  private seq = 0;
  next(): number {
    return ++this.seq;
  }
  rollbackTo(mark: number): void {
    const u = this.undo!;
    while (u.length > mark) u.pop()!();
  }
}

class Table<K, R> {
  readonly rows = new Map<K, Rec<R>>();
  constructor(
    private readonly journal: Journal,
    private readonly indexes: ReadonlyArray<Index<K, R>> = [],
  ) {}
  get(key: K): R | undefined {
    return this.rows.get(key)?.row;
  }
  has(key: K): boolean {
    return this.rows.has(key);
  }
  /** Puts (or, with undefined, removes) a row, remembering the old one for a rollback. */
  put(key: K, row: R | undefined): void {
    const before = this.rows.get(key);
    this.journal.undo?.push(() => this.place(key, before));
    this.place(key, row === undefined ? undefined : { row, seq: this.journal.next() });
  }
  private place(key: K, rec: Rec<R> | undefined): void {
    const old = this.rows.get(key);
    if (old) for (const ix of this.indexes) ix.remove(key, old);
    if (rec) {
      this.rows.set(key, rec);
      for (const ix of this.indexes) ix.add(key, rec);
    } else this.rows.delete(key);
  }
}

const bySeq = <R>(a: Rec<R>, b: Rec<R>): number => a.seq - b.seq;
const candleKey = (c: { symbol: string; timeframe: string; time: Date }): string => `${c.symbol}\0${c.timeframe}\0${c.time.getTime()}`;
const chatKey = (c: { ref: string; chatId: number; messageId: number }): string => `${c.ref}\0${c.chatId}\0${c.messageId}`;
const strategyDayKey = (r: { strategy: string; date: string }): string => `${r.strategy}\0${r.date}`;

/** Everything one MemoryStore and its transaction handles share. */
class Core {
  readonly journal = new Journal();
  /** Last value each bigserial handed out. Never rolled back: PostgreSQL sequences are not transactional. */
  readonly sequences = { positions: 0, orders: 0, fills: 0, trades: 0, systemEvents: 0 };

  readonly candlesByTimeframe = new Group<string, CandleRow>((r) => r.timeframe);
  readonly candles = new Table<string, CandleRow>(this.journal, [this.candlesByTimeframe]);
  readonly settings = new Table<string, SettingRow>(this.journal);
  readonly signalsByStatus = new Group<string, SignalRow>((r) => r.status);
  readonly signals = new Table<string, SignalRow>(this.journal, [this.signalsByStatus]);
  readonly ordersByStatus = new Group<number, OrderRow>((r) => r.status);
  readonly ordersByClientId = new Unique<number, OrderRow>((r) => r.clientOrderId);
  readonly orders = new Table<number, OrderRow>(this.journal, [this.ordersByStatus, this.ordersByClientId]);
  readonly fillsByFillId = new Unique<number, FillRow>((r) => r.fillId);
  readonly fillCharges = new Sum<number, FillRow>((r) => r.charges);
  readonly fills = new Table<number, FillRow>(this.journal, [this.fillsByFillId, this.fillCharges]);
  readonly positionsByStatus = new Group<number, PositionRow>((r) => r.status);
  readonly positions = new Table<number, PositionRow>(this.journal, [this.positionsByStatus]);
  readonly tradeNet = new Sum<number, TradeRow>((r) => r.net);
  readonly trades = new Table<number, TradeRow>(this.journal, [this.tradeNet]);
  readonly daily = new Table<string, DailyDbRow>(this.journal);
  readonly strategyDays = new Table<string, StrategyDayRow>(this.journal);
  readonly chatByRef = new Group<string, ChatRow>((r) => r.ref);
  readonly chat = new Table<string, ChatRow>(this.journal, [this.chatByRef]);
  readonly eventsByKind = new Group<number, EventRow>((r) => r.kind);
  readonly events = new Table<number, EventRow>(this.journal, [this.eventsByKind]);

  /** Settles when every transaction queued so far has finished. */
  queue: Promise<void> = Promise.resolve();
  /** Transactions queued or running. */
  pending = 0;

  nextId(table: keyof Core["sequences"]): () => number {
    return () => ++this.sequences[table];
  }
}

/** A transaction in progress; `open` turns false when it commits or rolls back. */
interface Scope {
  readonly core: Core;
  open: boolean;
}

/** Which transaction the running code is inside, to refuse the outer store there instead of hanging. */
const inside = new AsyncLocalStorage<Scope>();

// ---- views: what each Repo method returns, key for key, as fresh copies ----

const signalView = (r: SignalRow): SignalView => ({
  id: r.id,
  strategy: r.strategy,
  symbol: r.symbol,
  timeframe: r.timeframe as SignalView["timeframe"],
  barTime: new Date(r.barTime.getTime()),
  side: r.side as SignalView["side"],
  kind: r.kind as SignalView["kind"],
  unit: r.unit,
  entry: r.entry,
  stop: r.stop,
  targets: copyJson(r.targets),
  strength: r.strength,
  conditions: copyJson(r.conditions),
  qty: r.qty,
  sizing: copyJson(r.sizing),
  intelligence: r.intelligence === null ? null : copyJson(r.intelligence),
  status: r.status as SignalStatus,
  statusReason: r.statusReason,
  decidedBy: r.decidedBy,
  decidedAt: dateOrNull(r.decidedAt),
  createdAt: new Date(r.createdAt.getTime()),
  expiresAt: dateOrNull(r.expiresAt),
  positionId: r.positionId,
});

const orderView = (r: OrderRow): OrderView => ({
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
  placedAt: new Date(r.createdAt.getTime()),
  updatedAt: new Date(r.updatedAt.getTime()),
});

const positionView = (r: PositionRow): PositionView => ({
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
  targets: copyJson(r.targets),
  lastPrice: r.lastPrice,
  unit: r.unit,
  realized: r.realized,
  signalId: r.signalId,
  openedAt: new Date(r.openedAt.getTime()),
  closedAt: dateOrNull(r.closedAt),
});

const tradeView = (r: TradeRow): TradeView => ({
  id: r.id,
  positionId: r.positionId,
  symbol: r.symbol,
  strategy: r.strategy,
  side: r.side as TradeView["side"],
  qty: r.qty,
  entryTime: new Date(r.entryTime.getTime()),
  entryPrice: r.entryPrice,
  exitTime: new Date(r.exitTime.getTime()),
  exitPrice: r.exitPrice,
  gross: r.gross,
  charges: r.charges,
  net: r.net,
  r: r.rBp === null ? null : r.rBp / 10_000,
  exitReason: r.exitReason,
});

const candleView = (r: CandleRow): Candle => ({
  symbol: r.symbol,
  timeframe: r.timeframe as Timeframe,
  time: new Date(r.time.getTime()),
  open: r.open,
  high: r.high,
  low: r.low,
  close: r.close,
  volume: r.volume,
});

const dailyView = (r: DailyDbRow): DailyRow => ({ ...r });
const eventView = (r: EventRow): EventRow => ({ ...r, at: new Date(r.at.getTime()), detail: copyJson(r.detail) });

/** Every table's rows (copies) in primary-key order: for tests and a backtest's post-mortem. */
export interface MemoryTables {
  candles: CandleRow[];
  settings: SettingRow[];
  signals: SignalRow[];
  orders: OrderRow[];
  fills: FillRow[];
  positions: PositionRow[];
  trades: TradeRow[];
  dailyPerformance: DailyDbRow[];
  strategyPerformance: StrategyDayRow[];
  chatMessages: ChatRow[];
  systemEvents: EventRow[];
}

const copyRow = <R>(r: R): R => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r as object)) out[k] = v instanceof Date ? new Date(v.getTime()) : copyJson(v);
  return out as R;
};

/**
 * Repo in memory. Transactions run one at a time, and a call on the store itself
 * waits for those already queued, as on PGlite; inside a transaction, use the
 * store its function receives (the outer store there would wait for itself, so
 * it is refused with an error instead).
 */
export class MemoryStore implements Store {
  private core: Core;
  /** Set on a transaction's handle; undefined on the store itself. */
  private scope: Scope | undefined;

  constructor() {
    this.core = new Core();
    this.scope = undefined;
  }

  private static handle(scope: Scope): MemoryStore {
    const h = Object.create(MemoryStore.prototype) as MemoryStore;
    h.core = scope.core;
    h.scope = scope;
    return h;
  }

  /** Where every call starts: a handle must still be live; the store itself waits for queued transactions. */
  private gate(): Promise<void> | undefined {
    if (this.scope) {
      if (!this.scope.open) throw new Error("this transaction has already finished: use the store outside tx(), not the one its function was given");
      return undefined;
    }
    if (this.core.pending === 0) return undefined;
    const here = inside.getStore();
    if (here?.open && here.core === this.core) {
      throw new Error("the outer store was used inside its own transaction: use the store tx() passes to its function (on a database this call would wait for itself forever)");
    }
    return this.core.queue;
  }

  async tx<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    const core = this.core;
    const journal = core.journal;
    if (this.scope) {
      await this.gate();
      // Nested: a savepoint, undone alone if fn throws.
      const mark = journal.undo!.length;
      try {
        return await fn(this);
      } catch (e) {
        journal.rollbackTo(mark);
        throw e;
      }
    }
    const here = inside.getStore();
    if (here?.open && here.core === core) {
      throw new Error("tx() was called on the outer store inside its own transaction: call tx() on the store the transaction passed in (on a database this would wait for itself forever)");
    }
    const before = core.queue;
    let release!: () => void;
    core.queue = new Promise<void>((r) => (release = r));
    core.pending++;
    try {
      await before;
      const scope: Scope = { core, open: true };
      journal.undo = [];
      try {
        return await inside.run(scope, () => fn(MemoryStore.handle(scope)));
      } catch (e) {
        journal.rollbackTo(0);
        throw e;
      } finally {
        scope.open = false;
        journal.undo = null;
      }
    } finally {
      core.pending--;
      release();
    }
  }

  // ---- candles ----
  async upsertCandles(list: readonly Candle[]): Promise<void> {
    await this.gate();
    // Repo sends chunks of 20,000 as one statement each: a chunk lands whole or not at all.
    const CHUNK = 20_000;
    for (let i = 0; i < list.length; i += CHUNK) {
      const chunk = list.slice(i, i + CHUNK);
      const rows = new Map<string, CandleRow>();
      for (const c of chunk) {
        const row = bindCandle(c);
        const key = candleKey(row);
        if (rows.has(key)) {
          throw new Error(`ON CONFLICT DO UPDATE command cannot affect row a second time: ${row.symbol} ${row.timeframe} ${row.time.toISOString()} appears twice in one batch of candles`);
        }
        rows.set(key, row);
      }
      for (const [key, row] of rows) this.core.candles.put(key, row);
    }
  }

  async countCandles(timeframe: Timeframe): Promise<number> {
    await this.gate();
    return this.core.candlesByTimeframe.size(timeframe);
  }

  async loadCandles(timeframe: Timeframe): Promise<Candle[]> {
    await this.gate();
    return this.core.candlesByTimeframe
      .inOrder(timeframe, (a, b) => a.row.time.getTime() - b.row.time.getTime() || textOrder(a.row.symbol, b.row.symbol))
      .map((r) => candleView(r.row));
  }

  // ---- settings ----
  async getSetting<T>(key: string): Promise<T | undefined> {
    await this.gate();
    const r = this.core.settings.get(key);
    return r ? (copyJson(r.value) as T) : undefined;
  }

  async setSetting(key: string, value: unknown, at: Date, by: string | null = null): Promise<void> {
    await this.gate();
    const set = assignments(SETTINGS, { value, updatedAt: at, updatedBy: by });
    const row = insertRow(SETTINGS, { key, value, updatedAt: at, updatedBy: by });
    const old = this.core.settings.get(row.key);
    this.core.settings.put(row.key, old ? assign(old, set) : row);
  }

  // ---- signals ----
  async insertSignal(s: NewSignal): Promise<boolean> {
    await this.gate();
    const row = insertRow(SIGNALS, { ...s, statusReason: s.statusReason ?? null, unit: s.unit ?? null, intelligence: s.intelligence ?? null });
    if (this.core.signals.has(row.id)) return false;
    this.core.signals.put(row.id, row);
    return true;
  }

  async signal(id: string): Promise<SignalView | undefined> {
    await this.gate();
    const r = this.core.signals.get(id);
    return r ? signalView(r) : undefined;
  }

  async signalsByStatus(statuses: SignalStatus[], limit = 200): Promise<SignalView[]> {
    await this.gate();
    const n = sqlLimit(limit);
    const found: Rec<SignalRow>[] = [];
    for (const s of new Set(statuses)) for (const rec of this.core.signalsByStatus.in(s)) found.push(rec);
    found.sort((a, b) => a.row.createdAt.getTime() - b.row.createdAt.getTime() || textOrder(a.row.id, b.row.id));
    return found.slice(0, n).map((r) => signalView(r.row));
  }

  async signalsOf(strategy: string, symbol: string): Promise<SignalView[]> {
    await this.gate();
    const found = [...this.core.signals.rows.values()].map((r) => r.row).filter((r) => r.strategy === strategy && r.symbol === symbol);
    found.sort((a, b) => a.barTime.getTime() - b.barTime.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || textOrder(a.id, b.id));
    return found.map((r) => signalView(r));
  }

  /** No ORDER BY in Repo: rows come in write order, as PostgreSQL's heap gives them. */
  async signalsDueToExpire(now: Date): Promise<SignalView[]> {
    await this.gate();
    const cutoff = copyInstant("signalsDueToExpire(now)", now).getTime();
    const due: Rec<SignalRow>[] = [];
    for (const rec of this.core.signalsByStatus.in("proposed")) if (rec.row.expiresAt !== null && rec.row.expiresAt.getTime() <= cutoff) due.push(rec);
    return due.sort(bySeq).map((r) => signalView(r.row));
  }

  async transitionSignal(
    id: string,
    from: SignalStatus[],
    to: SignalStatus,
    fields: Partial<Pick<SignalView, "statusReason" | "decidedBy" | "decidedAt" | "positionId" | "qty" | "sizing">> = {},
  ): Promise<SignalView | undefined> {
    await this.gate();
    const set = assignments(SIGNALS, { status: to, ...fields });
    const old = this.core.signals.get(id);
    if (!old || !from.includes(old.status as SignalStatus)) return undefined;
    const row = assign(old, set);
    this.rekey(this.core.signals, "signals.id", id, row.id, row);
    return signalView(row);
  }

  // ---- orders ----
  async insertOrder(o: NewOrder): Promise<{ order: OrderView; created: boolean }> {
    await this.gate();
    const { at, ...rest } = o;
    const row = insertRow(ORDERS, { ...rest, status: "new", history: [{ status: "new", at: at.toISOString() }], createdAt: at, updatedAt: at }, this.core.nextId("orders"));
    if (!this.core.orders.has(row.id) && this.core.ordersByClientId.get(row.clientOrderId) === undefined) {
      this.core.orders.put(row.id, row);
      return { order: orderView(row), created: true };
    }
    const existing = this.orderRow(o.clientOrderId);
    if (!existing) throw new Error(`order ${o.clientOrderId} neither inserted nor found`);
    return { order: orderView(existing), created: false };
  }

  async orderByClientId(id: string): Promise<OrderView | undefined> {
    await this.gate();
    const r = this.orderRow(id);
    return r ? orderView(r) : undefined;
  }

  private orderRow(clientOrderId: string): OrderRow | undefined {
    const id = this.core.ordersByClientId.get(clientOrderId);
    return id === undefined ? undefined : this.core.orders.get(id);
  }

  async ordersByStatus(statuses: OrderStatus[]): Promise<OrderView[]> {
    await this.gate();
    const found: OrderRow[] = [];
    for (const s of new Set(statuses)) for (const rec of this.core.ordersByStatus.in(s)) found.push(rec.row);
    return found.sort((a, b) => a.id - b.id).map(orderView);
  }

  async updateOrder(
    id: number,
    status: OrderStatus,
    at: Date,
    fields: Partial<Pick<OrderView, "brokerOrderId" | "filledQty" | "avgFillPrice" | "reason" | "qty" | "limitPrice">> = {},
    note?: string,
  ): Promise<OrderView> {
    await this.gate();
    // Repo appends with `history || entry::jsonb`; a note goes in only when non-empty.
    const entry = toJsonb("orders.history", [{ status, at: at.toISOString(), ...(note ? { note } : {}) }]) as OrderRow["history"];
    const { history: _replacedBySql, ...rest } = { status, updatedAt: at, ...fields } as Record<string, unknown>;
    const set = assignments(ORDERS, rest);
    const old = this.core.orders.get(idParam("order", id));
    if (!old) throw new Error(`order ${id} not found`);
    const row = assign(old, set);
    // Stored rows are never changed in place, so the new row may share the old entries.
    row.history = [...old.history, ...entry];
    if (row.clientOrderId !== old.clientOrderId) {
      const holder = this.core.ordersByClientId.get(row.clientOrderId);
      if (holder !== undefined && holder !== old.id) throw new Error(`duplicate key: orders.clientOrderId ${row.clientOrderId} exists already`);
    }
    this.rekey(this.core.orders, "orders.id", old.id, row.id, row);
    return orderView(row);
  }

  // ---- fills ----
  async insertFill(f: { fillId: string; orderId: number; symbol: string; side: string; qty: number; price: number; charges: number; time: Date }): Promise<boolean> {
    await this.gate();
    const row = insertRow(FILLS, f, this.core.nextId("fills"));
    if (this.core.fills.has(row.id) || this.core.fillsByFillId.get(row.fillId) !== undefined) return false;
    this.core.fills.put(row.id, row);
    return true;
  }

  async sumFillCharges(): Promise<number> {
    await this.gate();
    return Number(this.core.fillCharges.total);
  }

  // ---- positions ----
  async insertPosition(p: NewPosition): Promise<PositionView> {
    await this.gate();
    const row = insertRow(POSITIONS, { ...p, status: "open" }, this.core.nextId("positions"));
    if (this.core.positions.has(row.id)) throw new Error(`duplicate key: positions.id ${row.id} exists already`);
    this.core.positions.put(row.id, row);
    return positionView(row);
  }

  async position(id: number): Promise<PositionView | undefined> {
    await this.gate();
    const r = this.core.positions.get(idParam("position", id));
    return r ? positionView(r) : undefined;
  }

  async openPositions(): Promise<PositionView[]> {
    await this.gate();
    return this.openRows().map(positionView);
  }

  private openRows(): PositionRow[] {
    return this.core.positionsByStatus.inOrder("open", (a, b) => a.row.openedAt.getTime() - b.row.openedAt.getTime() || a.row.id - b.row.id).map((r) => r.row);
  }

  async updatePosition(id: number, fields: Partial<Omit<PositionView, "id">>): Promise<PositionView> {
    await this.gate();
    const set = assignments(POSITIONS, fields);
    const old = this.core.positions.get(idParam("position", id));
    if (!old) throw new Error(`position ${id} not found`);
    const row = assign(old, set);
    this.rekey(this.core.positions, "positions.id", old.id, row.id, row);
    return positionView(row);
  }

  async markPrices(prices: ReadonlyMap<string, number>): Promise<void> {
    await this.gate();
    for (const p of this.openRows()) {
      const ltp = prices.get(p.symbol);
      if (ltp !== undefined && ltp !== p.lastPrice) this.core.positions.put(p.id, assign(p, assignments(POSITIONS, { lastPrice: ltp })));
    }
  }

  // ---- trades ----
  async insertTrade(tr: NewTrade): Promise<TradeView> {
    await this.gate();
    const { r, ...rest } = tr;
    const row = insertRow(TRADES, { ...rest, rBp: r === null ? null : Math.round(r * 10_000) }, this.core.nextId("trades"));
    if (this.core.trades.has(row.id)) throw new Error(`duplicate key: trades.id ${row.id} exists already`);
    this.core.trades.put(row.id, row);
    return tradeView(row);
  }

  async trades(opts: { from?: Date; to?: Date; limit?: number } = {}): Promise<TradeView[]> {
    await this.gate();
    const from = opts.from ? copyInstant("trades({ from })", opts.from).getTime() : -Infinity;
    const to = opts.to ? copyInstant("trades({ to })", opts.to).getTime() : Infinity;
    const n = opts.limit ? sqlLimit(opts.limit) : Infinity;
    const found: TradeRow[] = [];
    for (const { row } of this.core.trades.rows.values()) {
      const exit = row.exitTime.getTime();
      if (exit >= from && exit <= to) found.push(row);
    }
    found.sort((a, b) => b.exitTime.getTime() - a.exitTime.getTime() || b.id - a.id);
    return found.slice(0, n).map(tradeView);
  }

  async tradeSummary(opts: { from?: Date; to?: Date } = {}): Promise<TradeSummary[]> {
    await this.gate();
    const from = opts.from ? copyInstant("tradeSummary({ from })", opts.from).getTime() : -Infinity;
    const to = opts.to ? copyInstant("tradeSummary({ to })", opts.to).getTime() : Infinity;
    const by = new Map<string, TradeSummary & { rBp: number }>();
    for (const { row } of this.core.trades.rows.values()) {
      const exit = row.exitTime.getTime();
      if (exit < from || exit > to) continue;
      let s = by.get(row.strategy);
      if (!s) by.set(row.strategy, (s = { strategy: row.strategy, trades: 0, wins: 0, net: 0, charges: 0, rSum: 0, rBp: 0, rCount: 0, retSum: 0, retSq: 0 }));
      const ret = row.net / Math.max(1, row.entryPrice * row.qty);
      s.trades++;
      if (row.net > 0) s.wins++;
      s.net += row.net;
      s.charges += row.charges;
      if (row.rBp !== null) {
        s.rBp += row.rBp;
        s.rCount++;
      }
      s.retSum += ret;
      s.retSq += ret * ret;
    }
    return [...by.values()]
      .sort((a, b) => (a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0))
      .map(({ rBp, ...rest }) => ({ ...rest, rSum: rBp / 10_000 }));
  }

  async realizedTotal(): Promise<number> {
    await this.gate();
    return Number(this.core.tradeNet.total);
  }

  // ---- performance ----
  async upsertDaily(d: DailyRow): Promise<void> {
    await this.gate();
    const set = assignments(DAILY, { ...d });
    const row = insertRow(DAILY, d);
    const old = this.core.daily.get(row.date);
    this.core.daily.put(row.date, old ? assign(old, set) : row);
  }

  async dailyBefore(date: string): Promise<DailyRow | undefined> {
    await this.gate();
    const before = pgDate("dailyBefore(date)", date);
    let best: DailyDbRow | undefined;
    for (const { row } of this.core.daily.rows.values()) if (row.date < before && (!best || row.date > best.date)) best = row;
    return best ? dailyView(best) : undefined;
  }

  async daily(date: string): Promise<DailyRow | undefined> {
    await this.gate();
    const r = this.core.daily.get(pgDate("daily(date)", date));
    return r ? dailyView(r) : undefined;
  }

  /** Replaces the day's row; a column left undefined keeps its stored value, as ON CONFLICT DO UPDATE does. */
  async upsertStrategyDay(row: { strategy: string; date: string; trades: number; wins: number; net: number; rBp: number }): Promise<void> {
    await this.gate();
    const set = assignments(STRATEGY_DAYS, { ...row });
    const fresh = insertRow(STRATEGY_DAYS, row);
    const key = strategyDayKey(fresh);
    const old = this.core.strategyDays.get(key);
    this.core.strategyDays.put(key, old ? assign(old, set) : fresh);
  }

  async strategyDays(from: string, to: string): Promise<StrategyDayView[]> {
    await this.gate();
    const lo = pgDate("strategyDays(from)", from);
    const hi = pgDate("strategyDays(to)", to);
    return [...this.core.strategyDays.rows.values()].map((x) => x.row)
      .filter((r) => r.date >= lo && r.date <= hi)
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0))
      .map((r) => ({ ...r }));
  }

  async strategyTradeCounts(to: string): Promise<Map<string, number>> {
    await this.gate();
    const hi = pgDate("strategyTradeCounts(to)", to);
    const out = new Map<string, number>();
    for (const { row: r } of this.core.strategyDays.rows.values()) if (r.date <= hi) out.set(r.strategy, (out.get(r.strategy) ?? 0) + r.trades);
    return out;
  }

  // ---- audit and chat ----
  async event(kind: string, message: string, at: Date, actor: string | null = null, detail: Record<string, unknown> = {}): Promise<void> {
    await this.gate();
    const row = insertRow(EVENTS, { kind, message, at, actor, detail }, this.core.nextId("systemEvents"));
    this.core.events.put(row.id, row);
  }

  async events(kind?: string, limit = 100): Promise<EventRow[]> {
    await this.gate();
    const n = sqlLimit(limit);
    const recs = kind ? [...this.core.eventsByKind.in(kind)] : [...this.core.events.rows.values()];
    return recs
      .sort((a, b) => b.row.id - a.row.id)
      .slice(0, n)
      .map((r) => eventView(r.row));
  }

  async saveChatMessage(ref: string, chatId: number, messageId: number, at: Date): Promise<void> {
    await this.gate();
    const row = insertRow(CHAT, { ref, chatId, messageId, createdAt: at });
    const key = chatKey(row);
    if (!this.core.chat.has(key)) this.core.chat.put(key, row);
  }

  /** No ORDER BY in Repo: messages come in the order they were saved. */
  async chatMessages(ref: string): Promise<Array<{ chatId: number; messageId: number }>> {
    await this.gate();
    return [...this.core.chatByRef.in(ref)].sort(bySeq).map(({ row }) => ({ chatId: row.chatId, messageId: row.messageId }));
  }

  // ---- beyond Repo: inspection ----
  /** Every table as rows (copies) in primary-key order, including columns Repo never reads back (order history, strategy days). */
  tables(): MemoryTables {
    const c = this.core;
    const all = <K, R>(table: Table<K, R>, order: (a: R, b: R) => number): R[] => [...table.rows.values()].map((r) => r.row).sort(order).map(copyRow);
    const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
    return {
      candles: all(c.candles, (a, b) => textOrder(a.symbol, b.symbol) || textOrder(a.timeframe, b.timeframe) || a.time.getTime() - b.time.getTime()),
      settings: all(c.settings, (a, b) => textOrder(a.key, b.key)),
      signals: all(c.signals, (a, b) => textOrder(a.id, b.id)),
      orders: all(c.orders, byId),
      fills: all(c.fills, byId),
      positions: all(c.positions, byId),
      trades: all(c.trades, byId),
      dailyPerformance: all(c.daily, (a, b) => textOrder(a.date, b.date)),
      strategyPerformance: all(c.strategyDays, (a, b) => textOrder(a.strategy, b.strategy) || textOrder(a.date, b.date)),
      chatMessages: all(c.chat, (a, b) => textOrder(a.ref, b.ref) || a.chatId - b.chatId || a.messageId - b.messageId),
      systemEvents: all(c.events, byId),
    };
  }

  /** An UPDATE that may change the primary key: refused if the new key is taken, as the index would. */
  private rekey<K, R>(table: Table<K, R>, what: string, oldKey: K, newKey: K, row: R): void {
    if (newKey !== oldKey) {
      if (table.has(newKey)) throw new Error(`duplicate key: ${what} ${String(newKey)} exists already`);
      table.put(oldKey, undefined);
    }
    table.put(newKey, row);
  }

  // ---- TradingView webhook intake ----
  async insertWebhookSignal(w: NewWebhookSignal): Promise<WebhookSignalView | null> {
    await this.gate();
    const state = webhookState(this.core);
    // As in PostgreSQL, the id is drawn before the unique index is consulted: a duplicate still uses one up.
    const row = insertRow(WEBHOOK_SIGNALS, w, () => ++state.sequence);
    if (state.byKey.get(webhookKey(row)) !== undefined) return null;
    state.table.put(row.id, row);
    return webhookView(row);
  }

  async insertWebhookSignals(list: readonly NewWebhookSignal[]): Promise<Array<WebhookSignalView | null>> {
    const out: Array<WebhookSignalView | null> = [];
    for (const w of list) out.push(await this.insertWebhookSignal(w));
    return out;
  }

  async webhookSignal(symbol: string, signalType: string, signalTime: Date): Promise<WebhookSignalView | undefined> {
    await this.gate();
    const state = webhookState(this.core);
    const key = webhookKey({ symbol, signalType, signalTime: copyInstant("webhookSignal(signalTime)", signalTime) });
    const id = state.byKey.get(key);
    const row = id === undefined ? undefined : state.table.get(id);
    return row ? webhookView(row) : undefined;
  }

  async webhookSignals(opts: { afterId?: number; limit?: number } = {}): Promise<WebhookSignalView[]> {
    await this.gate();
    const after = opts.afterId === undefined ? -Infinity : idParam("webhook signal", opts.afterId);
    return [...webhookState(this.core).table.rows.values()]
      .map((r) => r.row)
      .filter((r) => r.id > after)
      .sort((a, b) => a.id - b.id)
      .slice(0, sqlLimit(opts.limit ?? 1000))
      .map(webhookView);
  }

  async webhookSignalsNotTaken(afterId = 0, limit = 1000): Promise<WebhookSignalView[]> {
    await this.gate();
    const after = idParam("webhook signal", afterId);
    return [...webhookState(this.core).table.rows.values()]
      .map((r) => r.row)
      .filter((r) => r.id > after && !this.core.signals.has(r.signalId))
      .sort((a, b) => a.id - b.id)
      .slice(0, sqlLimit(limit))
      .map(webhookView);
  }

  async highestPendingUnit(strategy: string, symbol: string): Promise<number | null> {
    await this.gate();
    let top: number | null = null;
    for (const status of PENDING_ENTRY) {
      for (const { row } of this.core.signalsByStatus.in(status)) {
        if (row.kind === "entry" && row.strategy === strategy && row.symbol === symbol && row.unit !== null && (top === null || row.unit > top)) top = row.unit;
      }
    }
    return top;
  }

}

const CANDLE_COLUMNS = Object.entries(MEMORY_SCHEMA.candles) as Array<[keyof CandleRow, MemoryColumn]>;

/** One candle as Repo's bulk upsert binds it: every column given, none null. */
function bindCandle(c: Candle): CandleRow {
  const src = c as unknown as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const [key, col] of CANDLE_COLUMNS) {
    const v = src[key];
    if (v === undefined || v === null) throw new TypeError(`candles.${key} is required, got ${String(v)}`);
    row[key] = bind(`candles.${key}`, col.kind, v);
  }
  return row as CandleRow;
}

// ---- TradingView webhook intake: its table, kept beside the core's and undone with it ----

type WebhookSignalRow = typeof t.webhookSignals.$inferSelect;

/** webhook_signals as schema.ts has it. */
export const MEMORY_WEBHOOK_SIGNALS = {
  id: SERIAL,
  symbol: must("text"),
  signalType: must("text"),
  signalTime: must("timestamptz"),
  signalId: must("text"),
  payload: must("jsonb"),
  receivedAt: must("timestamptz"),
} as const satisfies Columns<WebhookSignalRow>;

const WEBHOOK_SIGNALS: Described<WebhookSignalRow> = (() => {
  const list = (Object.keys(MEMORY_WEBHOOK_SIGNALS) as Array<keyof WebhookSignalRow & string>).map((key) => ({ key, col: MEMORY_WEBHOOK_SIGNALS[key], where: `webhookSignals.${key}` }));
  return { name: "webhookSignals", list, byKey: new Map(list.map((c) => [c.key as string, c])) };
})();

/** As Repo.highestPendingUnit: entry signals that may still become a position. */
const PENDING_ENTRY: readonly SignalStatus[] = ["proposed", "approved", "ordered"];

interface WebhookState {
  table: Table<number, WebhookSignalRow>;
  byKey: Unique<number, WebhookSignalRow>;
  /** Never rolled back, as a PostgreSQL sequence. */
  sequence: number;
}

const webhookKey = (r: { symbol: string; signalType: string; signalTime: Date }): string => `${r.symbol}\0${r.signalType}\0${r.signalTime.getTime()}`;

const WEBHOOK_STATE = new WeakMap<Core, WebhookState>();

function webhookState(core: Core): WebhookState {
  let state = WEBHOOK_STATE.get(core);
  if (!state) {
    const byKey = new Unique<number, WebhookSignalRow>(webhookKey);
    state = { table: new Table<number, WebhookSignalRow>(core.journal, [byKey]), byKey, sequence: 0 };
    WEBHOOK_STATE.set(core, state);
  }
  return state;
}

const webhookView = (r: WebhookSignalRow): WebhookSignalView => ({
  ...r,
  signalTime: new Date(r.signalTime.getTime()),
  payload: copyJson(r.payload),
  receivedAt: new Date(r.receivedAt.getTime()),
});
