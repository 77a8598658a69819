/**
 * A process running the real order flow against the SmartAPI stand-in, for the
 * kill test: the real database (PostgreSQL or PGlite), order manager,
 * reconciler and Angel One adapter, started as Dalal starts (adopt what works,
 * reconcile by tag), then a fixed plan of orders: two entries, a protective
 * stop for the first, and an exit that cancels the stop. Each step is keyed by
 * its client order id, so a restarted process picks the plan up where the
 * books say it stands. DALAL_CRASH_AT kills the process at that point.
 *
 * Env: STANDIN_URL, SCRIP_MASTER_URL, DATABASE_URL or PGLITE_DIR, DALAL_CRASH_AT.
 */
import { migrateDatabase, openDatabase } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import { systemClock } from "../../src/engine/clock.js";
import { deliveryFillCharges } from "../../src/engine/costs/index.js";
import { AngelOneBroker } from "../../src/engine/execution/angelone/angel-broker.js";
import { OrderManager, type CrashPoint } from "../../src/engine/execution/order-manager.js";
import { Reconciler } from "../../src/engine/execution/reconciler.js";
import { Portfolio } from "../../src/engine/portfolio/portfolio.js";
import { STANDIN_CREDENTIALS } from "../stand-ins/smartapi/sessions.js";

const env = process.env;
const crashAt = env.DALAL_CRASH_AT as CrashPoint | undefined;
const say = (s: string) => process.stdout.write(`${s}\n`);

const database = env.DATABASE_URL ? await openDatabase({ url: env.DATABASE_URL }) : await openDatabase({ dataDir: env.PGLITE_DIR! });
await migrateDatabase(database);
const repo = new Repo(database.db);
const c = STANDIN_CREDENTIALS;
const broker = new AngelOneBroker({ apiKey: c.apiKey, clientCode: c.clientCode, pin: c.pin, totpSecret: c.totpSecret, apiRoot: env.STANDIN_URL!, scripMasterUrl: env.SCRIP_MASTER_URL!, timeoutMs: 3000, live: true, now: () => new Date() });
await broker.connect();
const orders = new OrderManager(
  repo,
  broker,
  systemClock,
  new Portfolio(deliveryFillCharges),
  {
    context: async (o) => ({ strategy: "kill-test", stop: o.symbol === "RELIANCE" ? 130_000 : null, targets: [], exitReason: o.purpose === "stop" ? "stop" : "manual" }),
    filled: async () => {},
    rejected: async () => {},
  },
  { crashPoint: (p) => void (p === crashAt && (say(`crash at ${p}`), process.kill(process.pid, "SIGKILL"))) },
);
const reconciler = new Reconciler({ repo, broker, orders, clock: systemClock, unknownGraceMs: 0, hooks: { rejected: async () => {} } });

// Start-up as Dalal does it with a real broker.
await orders.resume();
const report = await reconciler.run("start-up");
say(`start-up: ${report.differences.map((d) => d.kind).join(",") || "clean"}`);
await broker.pollFills();

const settle = async () => {
  for (let i = 0; i < 20; i++) {
    await broker.pollFills();
    const open = await repo.ordersByStatus(["new", "unknown"]);
    if (!open.length) return;
    await reconciler.run("settle");
  }
};

await orders.submit({ clientOrderId: "DKILLENTRYA00001", symbol: "RELIANCE", side: "buy", qty: 5, type: "market", purpose: "entry" });
await settle();
await orders.submit({ clientOrderId: "DKILLENTRYB00001", symbol: "SBIN", side: "buy", qty: 3, type: "market", purpose: "entry" });
await settle();
const reliance = (await repo.openPositions()).find((p) => p.symbol === "RELIANCE");
if (reliance) {
  await orders.submit({ clientOrderId: "DKILLSTOPA000001", symbol: "RELIANCE", side: "sell", qty: reliance.qty, type: "stop", price: 130_000, purpose: "stop", positionId: reliance.id });
  await settle();
  // The exit: the stop is cancelled first, as the desk does.
  for (const o of await repo.ordersByStatus(["submitted", "partially_filled"])) if (o.positionId === reliance.id) await orders.cancel(o, "exit");
  await orders.submit({ clientOrderId: "DKILLEXITA000001", symbol: "RELIANCE", side: "sell", qty: reliance.qty, type: "market", purpose: "exit", positionId: reliance.id });
  await settle();
}
say("done");
await broker.close();
await database.close();
