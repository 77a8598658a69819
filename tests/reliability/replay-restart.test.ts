/**
 * Reliability, in one process and deterministic: an auto-accepting replay is cut
 * short at a named step of the order flow (the same steps the SIGKILL tests kill
 * at), its desk and broker are thrown away, and a new desk on the same database
 * picks up the replay. For every step and a spread of moments, the books at the
 * end must equal those of the same replay run without a break.
 *
 * This pins what the SIGKILL test can only hit by chance: a kill after an entry's
 * fill is booked and before its stop is written. The restarted desk places that
 * stop itself, and it must not meet the replayed bars of the day the position
 * opened (the uninterrupted run placed it at that day's open).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Repo } from "../../src/db/repo.js";
import type { CrashPoint } from "../../src/engine/execution/order-manager.js";
import type { OrderView, TradeView } from "../../src/engine/views.js";
import { playToEnd, replayDesk, seededMemoryDatabase } from "../helpers/books.js";

const FROM = "2025-01-01";
const TO = "2025-03-28";
const POINTS: readonly CrashPoint[] = ["intent-committed", "broker-answered", "fill-received", "fill-booked"];
/** Which hit of a step the run is cut at: early and late in the replay. */
const HITS = [1, 19];

const key = (t: TradeView) => `${t.symbol} ${t.qty} ${t.entryTime.toISOString()} ${t.entryPrice} → ${t.exitTime.toISOString()} ${t.exitPrice} net ${t.net} ${t.exitReason}`;

/** Where a run is cut: at a named step's nth time, or right after a write to the books that `after` picks. */
type Cut = { point: CrashPoint; hit: number } | { after: (method: string, result: unknown) => boolean };

/**
 * The repo as a process that dies at `cut` sees it: from that moment every call
 * hangs, so nothing after it is written, exactly as after a SIGKILL (a thrown
 * error would instead run the code's own error handling).
 */
function dying(repo: Repo, cut: Cut): { repo: Repo; crashPoint: (p: CrashPoint) => void; died: Promise<void> } {
  let dead = false;
  let hits = 0;
  let die!: () => void;
  const died = new Promise<void>((r) => (die = r));
  const kill = () => {
    dead = true;
    die();
  };
  const proxy = new Proxy(repo, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== "function") return v;
      return async (...args: unknown[]) => {
        if (dead) return new Promise(() => {});
        const result: unknown = await (v as (...a: unknown[]) => unknown).apply(target, args);
        if ("after" in cut && cut.after(String(prop), result)) kill();
        return result;
      };
    },
  });
  const crashPoint = (p: CrashPoint) => {
    if ("point" in cut && p === cut.point && ++hits === cut.hit) kill();
  };
  return { repo: proxy, crashPoint, died };
}

/** Cuts right after the nth time a working stop's price is moved (at a day's close, before the day is marked played). */
function afterStopMove(n: number, symbol?: string): Cut {
  const first = new Map<string, number | null>();
  let moves = 0;
  return {
    after(method, result) {
      if (method !== "updateOrder") return false;
      const o = result as OrderView;
      if (o.purpose !== "stop" || (symbol && o.symbol !== symbol)) return false;
      if (!first.has(o.clientOrderId)) first.set(o.clientOrderId, o.limitPrice);
      if (o.limitPrice === first.get(o.clientOrderId)) return false;
      first.set(o.clientOrderId, o.limitPrice);
      return ++moves === n;
    },
  };
}

let straight: string[] = [];

beforeAll(async () => {
  const { database, repo } = await seededMemoryDatabase({ bankNifty: false });
  await playToEnd((await replayDesk(repo, FROM, TO)).feed);
  straight = (await repo.trades()).map(key).sort();
  await database.close();
});

describe("a replay cut short at each step of the order flow and picked up by a new desk", () => {
  const found: string[] = [];
  afterAll(() => console.log(`straight run: ${straight.length} trades\n${found.join("\n")}`));

  const nth = (n: number) => `${n}${n === 1 ? "st" : n === 2 ? "nd" : "th"}`;
  const cases: Array<{ cut: () => Cut; what: string }> = POINTS.flatMap((point) => HITS.map((hit) => ({ cut: () => ({ point, hit }), what: `the ${nth(hit)} ${point}` })));
  // A stop moved at a close, then the process dies before the day is marked played: played again,
  // the day's own bar would meet the moved stop (WIPRO's, moved to its entry price after 3 Feb 2025,
  // was stopped out on the 3rd itself this way).
  for (const n of [2, 6]) cases.push({ cut: () => afterStopMove(n), what: `the ${nth(n)} stop moved` });
  cases.push({ cut: () => afterStopMove(1, "WIPRO"), what: "WIPRO's stop moved to its entry price" });
  for (const { cut: makeCut, what } of cases) {
    it(`cut after ${what}: the same trades, one entry per signal, nothing left open`, async () => {
      const { database, repo } = await seededMemoryDatabase({ bankNifty: false });
      try {
        const doomed = dying(repo, makeCut());
        const first = await replayDesk(doomed.repo, FROM, TO, doomed.crashPoint);
        const cut = await Promise.race([playToEnd(first.feed).then(() => false), doomed.died.then(() => true)]);
        expect(cut, `the replay reached ${what}`).toBe(true);

        await playToEnd((await replayDesk(repo, FROM, TO)).feed);
        const trades = (await repo.trades()).map(key).sort();
        const orders = await repo.ordersByStatus(["new", "submitted", "partially_filled", "filled", "cancelled", "rejected", "unknown"]);
        const entries = orders.filter((o) => o.purpose === "entry");
        found.push(`cut after ${what}: ${trades.length} trades, ${orders.length} orders, ${entries.length} entries`);

        expect(straight.length).toBeGreaterThan(3);
        expect(trades).toEqual(straight);
        expect(orders.filter((o) => o.status === "new" || o.status === "unknown")).toEqual([]);
        expect(new Set(entries.map((o) => o.signalId)).size).toBe(entries.length);
      } finally {
        await database.close();
      }
    });
  }
});
