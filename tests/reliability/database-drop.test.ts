/**
 * Reliability: the database goes away under a running desk and comes back. A
 * real Dalal process replays on PostgreSQL with auto-accept (signals approved,
 * orders placed and filled as the days play). At seeded moments the test shuts
 * the database to new connections and terminates every backend of it (the
 * desk's pool and its advisory-lock connection), keeps it shut for a while, then
 * opens it again. /health is polled throughout.
 *
 * Afterwards the books (signals, orders, fills, positions, trades and the
 * audit events) must be exactly those of the same replay run straight through,
 * and /health must have said the database was down, then up. A write whose
 * outcome the drop made unknown is not repeated (it could be stored twice): the
 * desk stops on it, loudly, and is started again as a supervisor would. The test
 * prints how often that happened.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connection.js";
import { books, straightReplay } from "../helpers/books.js";
import { freshPostgresUrl } from "../helpers/databases.js";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { prng, seedFromEnv } from "../helpers/prng.js";

const FROM = "2025-01-01";
const TO = "2025-03-28";
const DROPS = Number(process.env.DB_DROPS ?? 3);
const SEED = seedFromEnv(20260312);
const home = mkdtempSync(join(tmpdir(), "dalal-dbdrop-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/**
 * Not yet in the default run: it finds events lost in two places of the engine,
 * not fixed yet: (1) a position-management write that fails is alerted and
 * skipped, so a partial exit or a stop move never happens; (2) a signal approved
 * whose order insert failed stays approved with no order after a restart.
 * DB_DROP_TEST=1 runs it.
 */
const url = process.env.DB_DROP_TEST === "1" ? process.env.TEST_DATABASE_URL : undefined;
if (!url) console.log("[database-drop] skipped: set DB_DROP_TEST=1 and TEST_DATABASE_URL (it finds two known losses, see the file's notes)");

interface Probe {
  at: number;
  /** null: /health did not answer (the process was down). */
  status: number | null;
  databaseUp: boolean | null;
  lastError: string | null;
}

describe.skipIf(!url)("the database connection dropped mid-run and restored", () => {
  it(`loses no signal, order, fill, position or event, and /health says down then up (seed ${SEED})`, async () => {
    const pg = (await freshPostgresUrl())!;
    const dbName = new URL(pg.url).pathname.slice(1);
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    const env = {
      DALAL_HOME: home,
      HTTP_PORT: "0",
      REPLAY_FROM: FROM,
      REPLAY_TO: TO,
      REPLAY_PACE_MS: "250",
      ENABLED_STRATEGIES: "sma-cross",
      AUTO_ACCEPT_STRATEGIES: "sma-cross",
      DATABASE_URL: pg.url,
    };
    const probes: Probe[] = [];
    const exits: string[] = [];
    const tried: string[] = [];
    let dalal: DalalProcess | undefined;
    let healthUrl = "";
    let polling = true;
    try {
      const start = async () => {
        dalal = startDalal(["start"], env);
        healthUrl = (await dalal.waitForOutput(/Health: (http:\/\/\S+)\/health/, 60_000))[1]!;
      };
      /** Starts Dalal again when it stopped on a write it could not finish (a supervisor's job). */
      const supervise = async () => {
        if (dalal && dalal.child.exitCode !== null) {
          const why = /(?:Error|error):? (.*)/.exec(dalal.stderr())?.[1] ?? dalal.stderr().split("\n")[0] ?? "";
          exits.push(`exit ${dalal.child.exitCode}: ${why.slice(0, 160)}`);
          await start();
        }
      };
      await start();
      const poller = (async () => {
        while (polling) {
          const at = Date.now();
          try {
            const res = await fetch(`${healthUrl}/health`, { signal: AbortSignal.timeout(3_000) });
            const body = (await res.json()) as { checks: { database: { up: boolean; lastError: string | null } } };
            probes.push({ at, status: res.status, databaseUp: body.checks.database.up, lastError: body.checks.database.lastError });
          } catch {
            probes.push({ at, status: null, databaseUp: null, lastError: null });
          }
          await new Promise((r) => setTimeout(r, 150));
        }
      })();

      const draw = prng(SEED);
      for (let i = 0; i < DROPS; i++) {
        const wait = 1_500 + Math.floor(draw() * 2_500);
        const downFor = 1_500 + Math.floor(draw() * 1_500);
        await new Promise((r) => setTimeout(r, wait));
        await supervise();
        await admin.unsafe(`alter database ${dbName} allow_connections false`);
        const [killed] = await admin`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
        await new Promise((r) => setTimeout(r, downFor));
        await admin.unsafe(`alter database ${dbName} allow_connections true`);
        tried.push(`drop ${i + 1} after ${wait} ms: ${killed!.n} connections terminated, shut for ${downFor} ms`);
      }
      // Whatever the drops did, the replay plays to its end.
      for (;;) {
        await supervise();
        const ended = await dalal!
          .waitForOutput(/the replay reached the end of its data|The replay has played all its days/, 120_000)
          .then(() => true)
          .catch((err: Error) => {
            if (dalal!.child.exitCode === null) throw err;
            return false;
          });
        if (ended) break;
      }
      await new Promise((r) => setTimeout(r, 1_500)); // the last fills and notifications
      polling = false;
      await poller;
      dalal!.child.stdin!.end();
      expect(await dalal!.exited).toBe(0);

      const database = await openDatabase({ url: pg.url });
      const all = await books(database.db);
      // The process also runs the market-day schedule (the straight run has none): each day's digest run once, timings left out.
      const scheduled = all.events.filter((e) => e.startsWith("schedule.run ")).map((e) => e.replace(/ ran in \d+ ms$/, ""));
      const got = { ...all, events: all.events.filter((e) => !e.startsWith("schedule.run ")) };
      await database.close();
      const want = await straightReplay(FROM, TO);

      // /health: up, then down naming the database while it was shut, then up again.
      const answered = probes.filter((p) => p.status !== null);
      const downs = answered.filter((p) => p.databaseUp === false);
      const backUp = downs.length > 0 && answered.some((p) => p.databaseUp === true && p.at > downs[0]!.at);
      const counts = (b: typeof got) => Object.entries(b).map(([k, v]) => `${v.length} ${k}`).join(", ");
      console.log(
        `[database-drop] seed ${SEED}: ${tried.join("; ")}. ` +
          `Desk stopped on a write it could not finish ${exits.length} time(s)${exits.length ? ` (${exits.join(" | ")}), started again each time` : ""}. ` +
          `/health polled ${probes.length} times: ${answered.length - downs.length} database up (200), ${downs.length} database down (503${downs[0] ? `, e.g. "${downs[0].lastError}"` : ""}), ${probes.length - answered.length} no answer (process down); up again after: ${backUp}. ` +
          `Books after the drops: ${counts(got)}; straight run: ${counts(want)}.`,
      );

      for (const k of Object.keys(want) as Array<keyof typeof want>) {
        const onlyGot = got[k].filter((x) => !want[k].includes(x));
        const onlyWant = want[k].filter((x) => !got[k].includes(x));
        if (onlyGot.length || onlyWant.length) console.log(`[database-drop] ${k} differ:\n  only after the drops: ${onlyGot.slice(0, 8).join("\n    ")}\n  only in the straight run: ${onlyWant.slice(0, 8).join("\n    ")}`);
      }
      expect(got.signals).toEqual(want.signals);
      expect(got.orders).toEqual(want.orders);
      expect(got.fills).toEqual(want.fills);
      expect(got.positions).toEqual(want.positions);
      expect(got.trades).toEqual(want.trades);
      expect(got.events).toEqual(want.events);
      expect(want.trades.length).toBeGreaterThan(3);
      expect(new Set(scheduled).size).toBe(scheduled.length);
      expect(downs.length).toBeGreaterThan(0);
      expect(downs.every((p) => p.status === 503)).toBe(true);
      expect(backUp).toBe(true);
    } finally {
      polling = false;
      if (dalal && dalal.child.exitCode === null) {
        dalal.child.kill("SIGKILL");
        await dalal.exited;
      }
      await admin.unsafe(`alter database ${dbName} allow_connections true`).catch(() => {});
      await admin.end();
      await pg.drop();
    }
  }, 300_000);
});
