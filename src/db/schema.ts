/**
 * Tables, not trading rules. Money columns are integer paise (bigint), quantities
 * integers, times timestamptz in UTC. One schema serves PostgreSQL and PGlite.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const paise = (name: string) => bigint(name, { mode: "number" });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const instruments = pgTable(
  "instruments",
  {
    token: text("token").primaryKey(),
    symbol: text("symbol").notNull(),
    name: text("name").notNull(),
    exchange: text("exchange").notNull(),
    instrumentType: text("instrument_type").notNull().default(""),
    expiry: date("expiry", { mode: "string" }),
    strikePaise: paise("strike_paise"),
    lotSize: integer("lot_size").notNull().default(1),
    tickPaise: integer("tick_paise").notNull().default(5),
  },
  (t) => [uniqueIndex("instruments_exchange_symbol").on(t.exchange, t.symbol)],
);

export const candles = pgTable(
  "candles",
  {
    symbol: text("symbol").notNull(),
    timeframe: text("timeframe").notNull(),
    time: ts("time").notNull(),
    open: paise("open").notNull(),
    high: paise("high").notNull(),
    low: paise("low").notNull(),
    close: paise("close").notNull(),
    volume: bigint("volume", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.symbol, t.timeframe, t.time] })],
);

/** proposed → approved | rejected | expired | refused | skipped → ordered → filled | failed */
export const signals = pgTable(
  "signals",
  {
    id: text("id").primaryKey(),
    strategy: text("strategy").notNull(),
    symbol: text("symbol").notNull(),
    timeframe: text("timeframe").notNull(),
    barTime: ts("bar_time").notNull(),
    side: text("side").notNull(),
    kind: text("kind").notNull().default("entry"),
    /** Pyramid unit (0 base, 1.. adds); null for single-unit strategies. */
    unit: integer("unit"),
    entry: paise("entry").notNull(),
    stop: paise("stop"),
    targets: jsonb("targets").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
    strength: integer("strength").notNull().default(50),
    conditions: jsonb("conditions").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    qty: integer("qty").notNull().default(0),
    sizing: jsonb("sizing").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    /** What the intelligence layer said (sentiment and its articles, regime, allocation); null when it was off. */
    intelligence: jsonb("intelligence").$type<Record<string, unknown>>(),
    status: text("status").notNull(),
    statusReason: text("status_reason"),
    decidedBy: text("decided_by"),
    decidedAt: ts("decided_at"),
    createdAt: ts("created_at").notNull(),
    expiresAt: ts("expires_at"),
    positionId: bigint("position_id", { mode: "number" }),
  },
  (t) => [index("signals_status").on(t.status), index("signals_symbol").on(t.symbol)],
);

export const positions = pgTable(
  "positions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    symbol: text("symbol").notNull(),
    strategy: text("strategy").notNull(),
    side: text("side").notNull(),
    status: text("status").notNull(),
    qty: integer("qty").notNull(),
    /** Σ price × qty of what is still held: exact, where an average would round. */
    costBasis: paise("cost_basis").notNull(),
    /** Entry charges not yet allocated to a closed trade. */
    openCharges: paise("open_charges").notNull().default(0),
    initialStop: paise("initial_stop"),
    stop: paise("stop"),
    targets: jsonb("targets").$type<number[]>().notNull().default(sql`'[]'::jsonb`),
    lastPrice: paise("last_price"),
    realized: paise("realized").notNull().default(0),
    signalId: text("signal_id"),
    /** Pyramid unit of the strategy in this symbol; each unit has its own stop. */
    unit: integer("unit"),
    openedAt: ts("opened_at").notNull(),
    closedAt: ts("closed_at"),
    meta: jsonb("meta").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index("positions_status").on(t.status)],
);

/** new → submitted → partially_filled → filled | cancelled | rejected; unknown until reconciled. */
export const orders = pgTable(
  "orders",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    clientOrderId: text("client_order_id").notNull(),
    brokerOrderId: text("broker_order_id"),
    signalId: text("signal_id"),
    positionId: bigint("position_id", { mode: "number" }),
    symbol: text("symbol").notNull(),
    side: text("side").notNull(),
    qty: integer("qty").notNull(),
    orderType: text("order_type").notNull(),
    limitPrice: paise("limit_price"),
    purpose: text("purpose").notNull(),
    status: text("status").notNull(),
    filledQty: integer("filled_qty").notNull().default(0),
    avgFillPrice: paise("avg_fill_price"),
    reason: text("reason"),
    history: jsonb("history").$type<Array<{ status: string; at: string; note?: string }>>().notNull().default(sql`'[]'::jsonb`),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [uniqueIndex("orders_client_order_id").on(t.clientOrderId), index("orders_status").on(t.status)],
);

export const fills = pgTable(
  "fills",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    fillId: text("fill_id").notNull(),
    orderId: bigint("order_id", { mode: "number" }).notNull(),
    symbol: text("symbol").notNull(),
    side: text("side").notNull(),
    qty: integer("qty").notNull(),
    price: paise("price").notNull(),
    charges: paise("charges").notNull().default(0),
    time: ts("time").notNull(),
  },
  (t) => [uniqueIndex("fills_fill_id").on(t.fillId)],
);

export const trades = pgTable(
  "trades",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    positionId: bigint("position_id", { mode: "number" }).notNull(),
    symbol: text("symbol").notNull(),
    strategy: text("strategy").notNull(),
    side: text("side").notNull(),
    qty: integer("qty").notNull(),
    entryTime: ts("entry_time").notNull(),
    entryPrice: paise("entry_price").notNull(),
    exitTime: ts("exit_time").notNull(),
    exitPrice: paise("exit_price").notNull(),
    gross: paise("gross").notNull(),
    charges: paise("charges").notNull(),
    net: paise("net").notNull(),
    /** R multiple ×10000 (basis points of R), kept integral so it sums exactly. */
    rBp: integer("r_bp"),
    exitReason: text("exit_reason").notNull(),
  },
  (t) => [index("trades_exit_time").on(t.exitTime)],
);

export const dailyPerformance = pgTable("daily_performance", {
  date: date("date", { mode: "string" }).primaryKey(),
  startingEquity: paise("starting_equity").notNull(),
  endingEquity: paise("ending_equity").notNull(),
  realized: paise("realized").notNull(),
  unrealized: paise("unrealized").notNull(),
  charges: paise("charges").notNull(),
  trades: integer("trades").notNull(),
  wins: integer("wins").notNull(),
});

export const strategyPerformance = pgTable(
  "strategy_performance",
  {
    strategy: text("strategy").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    trades: integer("trades").notNull(),
    wins: integer("wins").notNull(),
    net: paise("net").notNull(),
    rBp: integer("r_bp").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.strategy, t.date] })],
);

/** Small durable state: auto-accept per strategy, breaker, halted flag, replay cursor. */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: ts("updated_at").notNull(),
  updatedBy: text("updated_by"),
});

/** Which chat message shows which signal, so it can be edited in place after a restart. */
export const chatMessages = pgTable(
  "chat_messages",
  {
    ref: text("ref").notNull(),
    chatId: bigint("chat_id", { mode: "number" }).notNull(),
    messageId: integer("message_id").notNull(),
    createdAt: ts("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ref, t.chatId, t.messageId] })],
);

/** The audit log. */
export const systemEvents = pgTable(
  "system_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: ts("at").notNull(),
    kind: text("kind").notNull(),
    actor: text("actor"),
    message: text("message").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    acknowledged: boolean("acknowledged").notNull().default(false),
  },
  (t) => [index("system_events_kind").on(t.kind)],
);

/**
 * TradingView webhook signals, one row per (symbol, signal type, time): the
 * unique index is the duplicate check, and the id is the order of arrival.
 * The payload is the body as sent, without its secret. What the desk made of
 * it is the signal `signal_id` (none yet: the desk never got it).
 */
export const webhookSignals = pgTable(
  "webhook_signals",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    symbol: text("symbol").notNull(),
    signalType: text("signal_type").notNull(),
    signalTime: ts("signal_time").notNull(),
    signalId: text("signal_id").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    receivedAt: ts("received_at").notNull(),
  },
  (t) => [uniqueIndex("webhook_signals_symbol_type_time").on(t.symbol, t.signalType, t.signalTime)],
);

/**
 * News articles, stored once: `url_hash` is the SHA-256 of the normalised URL
 * (of the title for an article without one), `title_hash` of the normalised
 * title; either matching means the same article. `symbols` are the symbols or
 * keywords it was filed under (MARKET: every symbol).
 */
export const newsArticles = pgTable(
  "news_articles",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    urlHash: text("url_hash").notNull(),
    titleHash: text("title_hash").notNull(),
    url: text("url"),
    title: text("title").notNull(),
    summary: text("summary").notNull().default(""),
    symbols: jsonb("symbols").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    source: text("source").notNull(),
    publishedAt: ts("published_at").notNull(),
    fetchedAt: ts("fetched_at").notNull(),
  },
  (t) => [uniqueIndex("news_articles_url_hash").on(t.urlHash), uniqueIndex("news_articles_title_hash").on(t.titleHash), index("news_articles_published").on(t.publishedAt)],
);

/**
 * The model's reading of one article (the cache: an article is scored once).
 * outcome `scored` holds the model's answer; `fallback` a neutral score with the
 * reason the model's answer could not be used.
 */
export const articleSentiments = pgTable("article_sentiments", {
  articleId: bigint("article_id", { mode: "number" })
    .primaryKey()
    .references(() => newsArticles.id),
  outcome: text("outcome").notNull(),
  score: doublePrecision("score").notNull(),
  confidence: doublePrecision("confidence").notNull(),
  reasoning: text("reasoning").notNull().default(""),
  topics: jsonb("topics").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  fallbackReason: text("fallback_reason"),
  model: text("model").notNull(),
  tokens: integer("tokens").notNull().default(0),
  scoredAt: ts("scored_at").notNull(),
});

/** Tokens the sentiment model used per IST day, against LLM_DAILY_TOKEN_BUDGET. */
export const llmUsage = pgTable("llm_usage", {
  date: date("date", { mode: "string" }).primaryKey(),
  requests: integer("requests").notNull().default(0),
  promptTokens: integer("prompt_tokens").notNull().default(0),
  completionTokens: integer("completion_tokens").notNull().default(0),
  fallbacks: integer("fallbacks").notNull().default(0),
});
