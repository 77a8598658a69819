/**
 * One drizzle database over either driver: postgres.js when a URL is given,
 * embedded PGlite (on disk, or in memory) otherwise. Both speak the same schema.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.js";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Where the data lives, with any password masked. */
  where: string;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * `exclusive` (PostgreSQL): hold an advisory lock for the connection's life, so a
 * second Dalal on the same database is refused instead of trading twice.
 */
export type DatabaseTarget = { url: string; exclusive?: boolean } | { dataDir: string } | { memory: true };

/** "Dalal" in ASCII: the advisory lock key of a running desk. */
const DESK_LOCK_KEY = 0x44616c616c;

export class DatabaseInUseError extends Error {
  override name = "DatabaseInUseError";
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if ("url" in target) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    // Quiet NOTICEs ("relation already exists" from the migrator's own table).
    const client = postgres(target.url, { max: 5, onnotice: () => {}, connect_timeout: 10 });
    const db = drizzle({ client: ridesOutDrops(client), schema }) as unknown as Db;
    let unlock = async () => {};
    if (target.exclusive) {
      const held = await client.reserve();
      const [row] = await held`select pg_try_advisory_lock(${DESK_LOCK_KEY}) as ok`;
      if (!row?.ok) {
        held.release();
        await client.end({ timeout: 5 });
        throw new DatabaseInUseError(
          `Another Dalal is running on ${maskUrl(target.url)} (it holds the desk's advisory lock). Stop it first: two desks on one database would trade twice.`,
        );
      }
      unlock = async () => {
        await held`select pg_advisory_unlock(${DESK_LOCK_KEY})`.catch(() => {});
        held.release();
      };
    }
    return {
      db,
      kind: "postgres",
      where: maskUrl(target.url),
      close: async () => {
        await unlock();
        await client.end({ timeout: 5 });
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client;
  if ("dataDir" in target) {
    mkdirSync(target.dataDir, { recursive: true });
    client = new PGlite(target.dataDir);
  } else {
    client = new PGlite();
  }
  await client.waitReady;
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    where: "dataDir" in target ? target.dataDir : "memory",
    close: () => client.close(),
  };
}

/** How long a statement waits for the database to come back before its failure is thrown. */
export const RECONNECT_PATIENCE_MS = 60_000;

/** Failures that come before the server ran anything: the connection could not be made (or was refused at start-up). */
const NEVER_RAN = new Set([
  "ECONNREFUSED",
  "CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "55000", // database "…" is not currently accepting connections
  "57P01", // terminating connection due to administrator command: a running statement is rolled back
  "57P02", // crash shutdown
  "57P03", // the database system is starting up / shutting down
  "53300", // too many connections
  "08001",
  "08004",
]);
/** The connection went away with a statement sent: whether the server ran it is not known. */
const OUTCOME_UNKNOWN = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "08000", "08003", "08006"]);

const isRead = (query: string) => /^\s*(select|with\s[\s\S]*\)\s*select)\b/i.test(query);
/** An upsert that returns nothing: run twice, it stores the same row, and its caller learns nothing either way. */
const isPlainUpsert = (query: string) => /^\s*insert\s[\s\S]*\son conflict\s[\s\S]*\sdo update set\s/i.test(query) && !/\sreturning\s/i.test(query);

/**
 * The postgres.js client with its one-statement queries made to ride out a
 * dropped connection (a restart of the server, a network cut, a terminated
 * backend). postgres.js opens a new connection by itself; a statement that failed
 * because the connection went away is run again, with backoff, for up to
 * RECONNECT_PATIENCE_MS, when that is safe: a read, or an upsert returning
 * nothing, always; any other write only when it surely did not run (the
 * connection could not be made, or the server answered that it ended the
 * statement). Such a write cut off with its outcome unknown is not repeated (it
 * might be stored twice, or its caller misled): its error is thrown, as is any failure
 * after the patience runs out. Transactions are not repeated either: their
 * failure is thrown whole, with nothing of them stored.
 */
export function ridesOutDrops<C extends { unsafe: (...args: never[]) => unknown }>(client: C, patienceMs = RECONNECT_PATIENCE_MS): C {
  const unsafe = client.unsafe.bind(client) as unknown as (query: string, params?: unknown[], opts?: unknown) => PromiseLike<unknown> & { values(): PromiseLike<unknown> };
  const run = async (values: boolean, query: string, params?: unknown[], opts?: unknown): Promise<unknown> => {
    const started = Date.now();
    for (let delay = 50; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        const q = unsafe(query, params, opts);
        return await (values ? q.values() : q);
      } catch (err) {
        const code = String((err as { code?: unknown })?.code ?? "");
        const retry = NEVER_RAN.has(code) || (OUTCOME_UNKNOWN.has(code) && (isRead(query) || isPlainUpsert(query)));
        if (!retry || Date.now() - started + delay > patienceMs) throw err;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  };
  const lazy = (query: string, params?: unknown[], opts?: unknown) => ({
    values: () => run(true, query, params, opts),
    then: <A, B>(ok?: ((v: unknown) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null) => run(false, query, params, opts).then(ok, fail),
  });
  return new Proxy(client, { get: (target, prop, receiver) => (prop === "unsafe" ? lazy : Reflect.get(target, prop, receiver)) });
}

export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === "postgres") {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await migrate(database.db as any, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "***";
  }
}
