/**
 * The webhook_signals methods on the database (PGlite, and PostgreSQL when
 * TEST_DATABASE_URL is set) and on the in-memory store: the same answers,
 * the duplicate check atomic under racing inserts, and the same columns.
 */
import { getTableColumns } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEMORY_WEBHOOK_SIGNALS, MemoryStore } from "../../../src/db/memory-store.js";
import { Repo } from "../../../src/db/repo.js";
import * as schema from "../../../src/db/schema.js";
import type { Store } from "../../../src/db/store.js";
import type { NewSignal } from "../../../src/db/repo.js";
import { testDatabases } from "../../helpers/databases.js";

const T = new Date("2025-01-02T04:45:00Z");
const webhook = (symbol: string, signalType = "BASE_ENTRY", at = T) => ({ symbol, signalType, signalTime: at, signalId: `tv-${symbol}-${signalType}`, payload: { symbol, price: 764.5, conditions: { doji: false } }, receivedAt: new Date("2026-01-05T04:00:00Z") });
const signal = (id: string, over: Partial<NewSignal>): NewSignal => ({
  id,
  strategy: "tradingview",
  symbol: "SBIN",
  timeframe: "75m",
  barTime: T,
  side: "long",
  kind: "entry",
  entry: 76_400,
  stop: 75_000,
  targets: [],
  strength: 50,
  conditions: {},
  qty: 10,
  sizing: {},
  status: "proposed",
  createdAt: T,
  expiresAt: null,
  ...over,
});

/** One scenario, its answers collected step by step. */
async function scenario(store: Store): Promise<unknown[]> {
  const out: unknown[] = [];
  const first = await store.insertWebhookSignal(webhook("SBIN"));
  out.push(first);
  out.push(await store.insertWebhookSignal({ ...webhook("SBIN"), signalId: "other", payload: {} })); // same key: null
  out.push(await store.insertWebhookSignal(webhook("SBIN", "EXIT")));
  out.push(await store.insertWebhookSignal(webhook("SBIN", "BASE_ENTRY", new Date(T.getTime() + 1))));
  // Racing copies: exactly one row.
  const race = await Promise.all(Array.from({ length: 6 }, () => store.insertWebhookSignal(webhook("INFY"))));
  out.push(race.filter((r) => r !== null).length);
  out.push(await store.webhookSignal("SBIN", "BASE_ENTRY", T));
  out.push(await store.webhookSignal("SBIN", "PYRAMID", T));
  out.push(await store.webhookSignals());
  out.push(await store.webhookSignals({ afterId: first!.id, limit: 2 }));
  // Units of entry signals still proposed, approved or ordered, per strategy and symbol.
  out.push(await store.highestPendingUnit("tradingview", "SBIN"));
  await store.insertSignal(signal("u0", { unit: 0, status: "filled" }));
  out.push(await store.highestPendingUnit("tradingview", "SBIN"));
  await store.insertSignal(signal("u3", { unit: 3, status: "ordered" }));
  await store.insertSignal(signal("u2", { unit: 2, status: "proposed" }));
  await store.insertSignal(signal("u7", { unit: 7, status: "refused" }));
  await store.insertSignal(signal("u8", { unit: 8, status: "approved", kind: "exit" }));
  await store.insertSignal(signal("u5", { unit: 5, status: "proposed", symbol: "INFY" }));
  await store.insertSignal(signal("u6", { unit: 6, status: "approved", strategy: "banknifty-trend" }));
  out.push(await store.highestPendingUnit("tradingview", "SBIN"));
  out.push(await store.highestPendingUnit("tradingview", "INFY"));
  // A transaction that fails leaves no row behind.
  await store.tx(async (s) => {
    await s.insertWebhookSignal(webhook("TCS"));
    throw new Error("undo");
  }).catch(() => {});
  out.push(await store.webhookSignal("TCS", "BASE_ENTRY", T));
  out.push(await store.insertWebhookSignal(webhook("TCS")).then((r) => r?.symbol));
  return out;
}

describe.each(testDatabases())("webhook signals on $name and in memory", (db) => {
  let opened: Awaited<ReturnType<typeof db.open>>;
  beforeAll(async () => {
    opened = await db.open();
  }, 60_000);
  afterAll(async () => {
    await opened?.drop();
  });

  it("answer the same, step by step", async () => {
    const fromDb = await scenario(new Repo(opened.db));
    const fromMemory = await scenario(new MemoryStore());
    expect(fromMemory).toStrictEqual(fromDb);
    // What a reader can check by hand.
    expect(fromDb[1]).toBeNull();
    expect(fromDb[4]).toBe(1);
    expect(fromDb.slice(9, 13)).toEqual([null, null, 3, 5]);
    expect((fromDb[7] as Array<{ id: number }>).map((r) => r.id)).toEqual([1, 3, 4, 5]);
    expect(fromDb.at(-2)).toBeUndefined();
    expect(fromDb.at(-1)).toBe("TCS");
  });
});

describe("the in-memory webhook_signals", () => {
  it("has schema.ts's columns: kind, NOT NULL, default", () => {
    const real = getTableColumns(schema.webhookSignals);
    expect(Object.keys(MEMORY_WEBHOOK_SIGNALS)).toEqual(Object.keys(real));
    const kinds: Record<string, string> = { PgText: "text", PgBigSerial53: "int8", PgTimestamp: "timestamptz", PgJsonb: "jsonb" };
    for (const [key, col] of Object.entries(real)) {
      const mine = MEMORY_WEBHOOK_SIGNALS[key as keyof typeof MEMORY_WEBHOOK_SIGNALS] as { kind: string; notNull: boolean; serial?: true };
      expect(mine.kind, key).toBe(kinds[col.columnType]);
      expect(mine.notNull, key).toBe(col.notNull);
      expect(Boolean(mine.serial), key).toBe(col.hasDefault);
    }
  });
});
