/**
 * The books of a desk as plain comparable rows (no serial ids, no wall-clock
 * times), and the same replay as `dalal start` plays, run straight through in
 * this process: the reference an interrupted run must end up equal to.
 */
import { asc } from "drizzle-orm";
import { migrateDatabase, openDatabase, type Database, type Db } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import * as schema from "../../src/db/schema.js";
import type { Store } from "../../src/db/store.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import type { CrashPoint } from "../../src/engine/execution/order-manager.js";
import { paperBroker } from "../../src/engine/execution/paper-setup.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadBankNifty75m, loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";

export interface Books {
  signals: string[];
  orders: string[];
  fills: string[];
  positions: string[];
  trades: string[];
  /** The audit trail: kind and message of each event (actor included). */
  events: string[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : "-");

/** Every row that matters, as sorted lines; what differs between two runs of the same replay (ids, wall-clock times) left out. */
export async function books(db: Db): Promise<Books> {
  const orders = await db.select().from(schema.orders).orderBy(asc(schema.orders.id));
  const clientIdOf = new Map(orders.map((o) => [o.id, o.clientOrderId]));
  const positions = await db.select().from(schema.positions).orderBy(asc(schema.positions.id));
  const positionKey = new Map(positions.map((p) => [p.id, `${p.symbol}@${iso(p.openedAt)}`]));
  const sorted = (xs: string[]) => xs.sort();
  return {
    signals: sorted((await db.select().from(schema.signals)).map((s) => `${s.id} ${s.status} ${s.qty} by ${s.decidedBy ?? "-"}`)),
    orders: sorted(orders.map((o) => `${o.clientOrderId} ${o.signalId ?? "-"} ${o.side} ${o.qty} ${o.symbol} ${o.purpose} ${o.status} filled ${o.filledQty} at ${o.avgFillPrice ?? "-"}`)),
    fills: sorted((await db.select().from(schema.fills)).map((f) => `${f.fillId} ${clientIdOf.get(f.orderId)} ${f.side} ${f.qty} ${f.symbol} at ${f.price} charges ${f.charges} ${iso(f.time)}`)),
    positions: sorted(positions.map((p) => `${positionKey.get(p.id)} ${p.strategy} ${p.side} ${p.status} qty ${p.qty} cost ${p.costBasis} closed ${iso(p.closedAt)}`)),
    trades: sorted(
      (await db.select().from(schema.trades)).map(
        (t) => `${positionKey.get(t.positionId)} ${t.symbol} ${t.qty} ${iso(t.entryTime)} ${t.entryPrice} → ${iso(t.exitTime)} ${t.exitPrice} net ${t.net} ${t.exitReason}`,
      ),
    ),
    events: sorted((await db.select().from(schema.systemEvents)).map((e) => `${e.kind} by ${e.actor ?? "-"}: ${e.message}`)),
  };
}

/**
 * A new process's desk as `dalal start` builds it with ENABLED_STRATEGIES=sma-cross
 * and AUTO_ACCEPT_STRATEGIES=sma-cross (the default capital, risk and slippage):
 * its own clock (starting at zero) and paper broker, on `repo`, with the replay
 * of [from, to] prepared (resuming where the books say it stopped).
 */
export async function replayDesk(repo: Store, from: string, to: string, crashPoint?: (p: CrashPoint) => void): Promise<{ desk: Desk; feed: ReplayFeed }> {
  const clock = new ManualClock();
  const holder: { desk: Desk | null } = { desk: null };
  const desk = new Desk({
    repo,
    broker: paperBroker("seed", (symbol) => holder.desk?.series.bars(symbol, "1d") ?? []),
    marketClock: clock,
    wallClock: clock,
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [smaCross],
    autoAccept: ["sma-cross"],
    charges: deliveryFillCharges,
    mode: "paper",
    ...(crashPoint ? { crashPoint } : {}),
  });
  holder.desk = desk;
  await desk.init();
  const feed = new ReplayFeed(repo, desk, { from, to, paceMs: 0 });
  await feed.prepare();
  return { desk, feed };
}

/** Plays every day left. */
export async function playToEnd(feed: ReplayFeed): Promise<void> {
  while (await feed.step()) {
    /* every day */
  }
}

/** A migrated in-memory database holding the shipped bars (daily, and Bank Nifty's 75-minute ones unless told not to). */
export async function seededMemoryDatabase(opts: { bankNifty?: boolean } = {}): Promise<{ database: Database; repo: Repo }> {
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  await repo.upsertCandles(loadShippedDaily().candles);
  if (opts.bankNifty !== false) await repo.upsertCandles(loadBankNifty75m().candles);
  return { database, repo };
}

/** The same replay, never interrupted, on an in-memory database. */
export async function straightReplay(from: string, to: string): Promise<Books> {
  const { database, repo } = await seededMemoryDatabase();
  try {
    const { desk, feed } = await replayDesk(repo, from, to);
    await playToEnd(feed);
    await desk.idle();
    return await books(database.db);
  } finally {
    await database.close();
  }
}
