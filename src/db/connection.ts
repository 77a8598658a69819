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
    const db = drizzle({ client, schema }) as unknown as Db;
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
