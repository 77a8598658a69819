/**
 * Reliability: a real Dalal process, auto-accepting its signals, is killed with
 * SIGKILL at random moments of a replay and started again each time. At the end
 * its books must hold exactly the trades of the same replay run without a single
 * interruption: no order lost, none doubled, no fill booked twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import type { TradeView } from "../../src/engine/views.js";
import { playToEnd, replayDesk, seededMemoryDatabase } from "../helpers/books.js";
import { startDalal } from "../helpers/process.js";

const FROM = "2025-01-01";
const TO = "2025-03-28";
const KILLS = 5;
const home = mkdtempSync(join(tmpdir(), "dalal-kill-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const key = (t: TradeView) => `${t.symbol} ${t.qty} ${t.entryTime.toISOString()} ${t.entryPrice} → ${t.exitTime.toISOString()} ${t.exitPrice} net ${t.net} ${t.exitReason}`;

/** A deterministic sequence of kill delays, so a failure can be replayed. */
function delays(seed: number, n: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(1500 + (x % 4000));
  }
  return out;
}

describe("SIGKILL at random moments of an auto-accepting replay", () => {
  it(`loses and doubles nothing over ${KILLS} kills and restarts`, async () => {
    const env = {
      DALAL_HOME: home,
      HTTP_PORT: "0",
      REPLAY_FROM: FROM,
      REPLAY_TO: TO,
      // About 18 s for the whole replay: the kills land in the middle of it.
      REPLAY_PACE_MS: "300",
      ENABLED_STRATEGIES: "sma-cross",
      AUTO_ACCEPT_STRATEGIES: "sma-cross",
    };
    const tried: string[] = [];
    for (const [i, ms] of delays(20261121, KILLS).entries()) {
      const p = startDalal(["start"], env, { stdin: undefined });
      await p.waitForOutput(/Console chat/, 60_000);
      await new Promise((r) => setTimeout(r, ms));
      p.child.kill("SIGKILL");
      await p.exited;
      tried.push(`kill ${i + 1} after ${ms} ms`);
    }
    // The last run plays to the end of the data and stops cleanly.
    const last = startDalal(["start"], env);
    await last.waitForOutput(/the replay reached the end of its data|The replay has played all its days/, 180_000);
    await new Promise((r) => setTimeout(r, 1500)); // the last fills and notifications
    last.child.stdin!.end();
    expect(await last.exited).toBe(0);

    const database = await openDatabase({ dataDir: join(home, "pgdata") });
    const repo = new Repo(database.db);
    const interrupted = (await repo.trades()).map(key).sort();
    const orders = await repo.ordersByStatus(["new", "submitted", "partially_filled", "filled", "cancelled", "rejected", "unknown"]);
    await database.close();

    // The same replay, never interrupted, in this process.
    const { database: mem, repo: ref } = await seededMemoryDatabase();
    await playToEnd((await replayDesk(ref, FROM, TO)).feed);
    const straight = (await ref.trades()).map(key).sort();
    await mem.close();

    console.log(`${tried.join(", ")}; ${interrupted.length} trades after the kills, ${straight.length} in the straight run, ${orders.length} orders`);
    expect(straight.length).toBeGreaterThan(3);
    expect(interrupted).toEqual(straight);
    // No order left half-written by a kill.
    expect(orders.filter((o) => o.status === "new" || o.status === "unknown")).toEqual([]);
    // One entry order per signal, never two.
    const entries = orders.filter((o) => o.purpose === "entry");
    expect(new Set(entries.map((o) => o.signalId)).size).toBe(entries.length);
  }, 600_000);
});
