/**
 * The databases a data-layer test runs on: embedded PGlite always, and real
 * PostgreSQL when TEST_DATABASE_URL is set (CI sets it). Each PostgreSQL run
 * gets a fresh database of its own, dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";

export interface TestDatabase {
  name: "pglite" | "postgres";
  open(): Promise<Database & { drop(): Promise<void> }>;
}

function withDatabase(url: string, dbName: string): string {
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return u.toString();
}

export function testDatabases(): TestDatabase[] {
  const list: TestDatabase[] = [
    {
      name: "pglite",
      async open() {
        const d = await openDatabase({ memory: true });
        await migrateDatabase(d);
        return { ...d, drop: () => d.close() };
      },
    },
  ];
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    list.push({
      name: "postgres",
      async open() {
        const dbName = `dalal_test_${randomBytes(6).toString("hex")}`;
        const admin = postgres(url, { max: 1, onnotice: () => {} });
        await admin.unsafe(`create database ${dbName}`);
        await admin.end();
        const d = await openDatabase({ url: withDatabase(url, dbName) });
        await migrateDatabase(d);
        return {
          ...d,
          drop: async () => {
            await d.close();
            const a = postgres(url, { max: 1, onnotice: () => {} });
            await a.unsafe(`drop database if exists ${dbName} with (force)`);
            await a.end();
          },
        };
      },
    });
  }
  return list;
}

/** A fresh PostgreSQL database URL (for whole-process tests), or undefined without TEST_DATABASE_URL. */
export async function freshPostgresUrl(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return undefined;
  const dbName = `dalal_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  await admin.end();
  return {
    url: withDatabase(url, dbName),
    drop: async () => {
      const a = postgres(url, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${dbName} with (force)`);
      await a.end();
    },
  };
}
