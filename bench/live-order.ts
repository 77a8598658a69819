/**
 * Signal approved → order accepted by the SmartAPI stand-in, through the real
 * desk, order manager (intent committed first), Angel One adapter and
 * smartapi-javascript client over loopback HTTP, at Angel's own rate limits.
 */
import { performance } from "node:perf_hooks";
import { migrateDatabase, openDatabase } from "../src/db/connection.js";
import { Repo } from "../src/db/repo.js";
import { ManualClock } from "../src/engine/clock.js";
import { deliveryFillCharges } from "../src/engine/costs/index.js";
import { Desk } from "../src/engine/desk.js";
import { AngelOneBroker } from "../src/engine/execution/angelone/angel-broker.js";
import { ReplayFeed } from "../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../src/engine/market/shipped-data.js";
import { smaCross } from "../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../src/engine/strategies/strategy.js";
import { fromIst } from "../src/engine/time/ist.js";
import { STANDIN_CREDENTIALS, startSmartApiStandIn } from "../tests/stand-ins/smartapi/server.js";

export async function liveApprovalLatency(n = 100): Promise<number[]> {
  const standIn = await startSmartApiStandIn({ cash: 1e13 });
  standIn.market.now = fromIst("2025-10-01", "10:00");
  const c = STANDIN_CREDENTIALS;
  const broker = new AngelOneBroker({ apiKey: c.apiKey, clientCode: c.clientCode, pin: c.pin, totpSecret: c.totpSecret, apiRoot: standIn.url, scripMasterUrl: standIn.scripMasterUrl, live: true, now: () => standIn.market.now });
  await broker.connect();
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  await repo.upsertCandles(loadShippedDaily().candles);
  const desk = new Desk({
    repo,
    broker,
    marketClock: new ManualClock(),
    wallClock: new ManualClock(Date.UTC(2026, 0, 5, 4)),
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [smaCross as Strategy<unknown>],
    autoAccept: [],
    charges: deliveryFillCharges,
    mode: "live",
    limits: { MAX_ORDERS_PER_MINUTE: 10_000 },
  });
  await desk.init();
  const feed = new ReplayFeed(repo, desk, { from: "2024-01-01", to: "2025-09-30", paceMs: 0 });
  await feed.prepare();
  const pending: Array<{ id: string; symbol: string; entry: number }> = [];
  desk.bus.on("signal.proposed", ({ signal }) => void pending.push({ id: signal.id, symbol: signal.symbol, entry: signal.entry }));
  const lat: number[] = [];
  while (lat.length < n && (await feed.step())) {
    for (const s of pending.splice(0)) {
      standIn.market.tick(s.symbol, s.entry);
      // Signals arrive seconds apart, not back to back: the adapter's queue would otherwise be what is measured.
      await new Promise((r) => setTimeout(r, 60));
      const t = performance.now();
      await desk.approve(s.id, "@bench");
      lat.push(performance.now() - t);
    }
  }
  await desk.idle();
  await broker.close();
  await standIn.close();
  await database.close();
  return lat;
}
