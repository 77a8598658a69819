/**
 * Reliability of live orders: a process running the real order flow against
 * the SmartAPI stand-in is killed with SIGKILL at each step in turn — right
 * after the intent is committed, when the broker has the request but has done
 * nothing, when the broker has accepted it but not answered, after the answer
 * but before it is recorded, when a fill arrives, after the fill is booked —
 * then started again. Each time the broker must hold exactly one order per
 * intent (none sent twice, none lost) and our books must equal its books.
 * Runs on PGlite (on disk, as `npm start` uses it) and, with TEST_DATABASE_URL,
 * on PostgreSQL.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import * as schema from "../../src/db/schema.js";
import { fromIst } from "../../src/engine/time/ist.js";
import { freshPostgresUrl } from "../helpers/databases.js";
import { ROOT } from "../helpers/process.js";
import { startSmartApiStandIn, type SmartApiStandIn } from "../stand-ins/smartapi/server.js";

const CHILD = fileURLToPath(new URL("./order-flow-child.ts", import.meta.url));
const TSX = import.meta.resolve("tsx");
const home = mkdtempSync(join(tmpdir(), "dalal-order-kill-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

type Kill = { at: string; how: "crash-point" | "stand-in"; path?: string; phase?: "received" | "accepted" };
const KILLS: Kill[] = [
  { at: "intent-committed", how: "crash-point" },
  { at: "placeOrder received", how: "stand-in", path: "placeOrder", phase: "received" },
  { at: "placeOrder accepted", how: "stand-in", path: "placeOrder", phase: "accepted" },
  { at: "broker-answered", how: "crash-point" },
  { at: "fill-received", how: "crash-point" },
  { at: "fill-booked", how: "crash-point" },
  { at: "cancelOrder accepted", how: "stand-in", path: "cancelOrder", phase: "accepted" },
];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

function runChild(env: Record<string, string>, standIn: SmartApiStandIn, kill?: Kill): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, CHILD], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    if (kill?.how === "stand-in") {
      let armed = true;
      // The broker sees the request; the process dies before it can hear anything back.
      standIn.on(kill.path!, kill.phase!, () => {
        if (!armed) return;
        armed = false;
        child.kill("SIGKILL");
      });
    }
    const guard = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, out });
    });
  });
}

async function scenario(kill: Kill, db: { env: Record<string, string>; open(): Promise<{ repo: Repo; rows(): Promise<Array<{ fillId: string; qty: number; price: number }>>; close(): Promise<void> }> }) {
  const standIn = await startSmartApiStandIn({ rateLimits: false });
  try {
    standIn.market.now = fromIst("2025-10-01", "10:00");
    standIn.market.tick("RELIANCE", 140_000);
    standIn.market.tick("SBIN", 80_000);
    const env = { ...db.env, STANDIN_URL: standIn.url, SCRIP_MASTER_URL: standIn.scripMasterUrl, ...(kill.how === "crash-point" ? { DALAL_CRASH_AT: kill.at } : {}) };
    const first = await runChild(env, standIn, kill);
    expect(first.signal, `the first run must die at ${kill.at}:\n${first.out}`).toBe("SIGKILL");
    if (kill.how === "crash-point") expect(first.out).toContain(`crash at ${kill.at}`);
    const { DALAL_CRASH_AT: _, ...calm } = env;
    const second = await runChild(calm, standIn);
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/^done/m);

    // One broker order per intent: nothing sent twice, nothing lost.
    const book = standIn.market.orderBook();
    const tags = book.map((o) => o.ordertag).sort();
    expect(tags).toEqual(["DKILLENTRYA00001", "DKILLENTRYB00001", "DKILLEXITA000001", "DKILLSTOPA000001"]);
    expect(book.find((o) => o.ordertag === "DKILLSTOPA000001")!.status).toBe("cancelled");

    // Our books equal the broker's: every trade booked once, the same positions.
    const { repo, rows, close } = await db.open();
    try {
      const trades = standIn.market.tradeBook();
      const fills = await rows();
      expect(fills.map((f) => `${f.qty}@${f.price}`).sort()).toEqual(trades.map((t) => `${t.quantity}@${t.price}`).sort());
      expect(fills).toHaveLength(3);
      const open = await repo.openPositions();
      expect(open.map((p) => `${p.symbol} ${p.qty}`)).toEqual(["SBIN 3"]);
      const theirs = standIn.market.positions().filter((p) => Number(p.netqty) !== 0);
      expect(theirs.map((p) => `${p.instrument.symbol} ${p.netqty}`)).toEqual(["SBIN-EQ 3"]);
      const orders = await repo.ordersByStatus(["new", "unknown", "submitted", "partially_filled"]);
      expect(orders).toEqual([]);
    } finally {
      await close();
    }
  } finally {
    await standIn.close();
  }
}

function pgliteDb(name: string) {
  const dir = join(home, name);
  return {
    env: { PGLITE_DIR: dir },
    async open() {
      const d = await openDatabase({ dataDir: dir });
      await migrateDatabase(d);
      return { repo: new Repo(d.db), rows: () => d.db.select().from(schema.fills), close: () => d.close() };
    },
  };
}

describe("SIGKILL at each step of the live order flow (PGlite on disk)", () => {
  for (const [i, kill] of KILLS.entries()) {
    it(`killed at ${kill.at}: restarted, nothing doubled or lost`, () => scenario(kill, pgliteDb(`pglite-${i}`)), 180_000);
  }
});

describe.skipIf(!process.env.TEST_DATABASE_URL)("SIGKILL at each step of the live order flow (PostgreSQL)", () => {
  for (const kill of KILLS) {
    it(`killed at ${kill.at}: restarted, nothing doubled or lost`, async () => {
      const fresh = (await freshPostgresUrl())!;
      try {
        await scenario(kill, {
          env: { DATABASE_URL: fresh.url },
          async open() {
            const d = await openDatabase({ url: fresh.url });
            return { repo: new Repo(d.db), rows: () => d.db.select().from(schema.fills), close: () => d.close() };
          },
        });
      } finally {
        await fresh.drop();
      }
    }, 180_000);
  }
});
