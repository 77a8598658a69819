/**
 * Webhook benchmarks: (1) TradingView alert posted → order accepted by the
 * SmartAPI stand-in, through the real HTTP server, intake, desk (auto-accept
 * on), order manager and Angel One adapter; (2) a burst offered at 1,000
 * webhooks a second for 10 seconds against the embedded database: every one
 * answered and stored, in the order the intake took them.
 */
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { migrateDatabase, openDatabase } from "../src/db/connection.js";
import { Repo } from "../src/db/repo.js";
import { ManualClock } from "../src/engine/clock.js";
import { deliveryFillCharges } from "../src/engine/costs/index.js";
import { Desk } from "../src/engine/desk.js";
import { AngelOneBroker } from "../src/engine/execution/angelone/angel-broker.js";
import { PaperBroker } from "../src/engine/execution/paper-broker.js";
import { dedupKey, tradingViewSignalId } from "../src/engine/intake/identity.js";
import { TradingViewIntake } from "../src/engine/intake/intake.js";
import type { Candle } from "../src/engine/market/candle.js";
import { loadShippedDaily } from "../src/engine/market/shipped-data.js";
import type { Strategy } from "../src/engine/strategies/strategy.js";
import { tradingView } from "../src/engine/strategies/tradingview.js";
import { fromIst } from "../src/engine/time/ist.js";
import { startHttpServer } from "../src/http/server.js";
import { tradingViewWebhook, WEBHOOK_PATH } from "../src/http/webhook.js";
import { STANDIN_CREDENTIALS, startSmartApiStandIn } from "../tests/stand-ins/smartapi/server.js";
import type { ClientReport } from "./webhook-client.js";

const SECRET = "bench-webhook-secret-0123456789";
const WALL = Date.UTC(2026, 0, 5, 4);

/** Last close of each shipped symbol, in paise. */
function lastCloses(candles: readonly Candle[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of candles) out.set(c.symbol, c.close);
  return out;
}

async function serve(desk: Desk, wall: ManualClock) {
  const intake = new TradingViewIntake({ desk, clock: wall });
  const server = await startHttpServer("127.0.0.1", 0, { ready: () => true, webhook: tradingViewWebhook({ intake, secret: SECRET, ready: () => true }) });
  return { url: `${server.url}${WEBHOOK_PATH}`, close: server.close, intake };
}

const alert = (signal_type: string, symbol: string, rupees: number, at: Date) => ({
  timestamp: at.toISOString(),
  signal_type,
  symbol,
  price: rupees,
  conditions: { adx: 28.5, er: 0.85 },
  theoretical_lots: 1,
  ...(signal_type === "BASE_ENTRY" || signal_type === "PYRAMID" ? { stop_loss: Math.round(rupees * 98) / 100 } : {}),
  secret: SECRET,
});

/**
 * (1) Milliseconds from posting an alert to its order accepted by the stand-in
 * (the answer comes earlier, once the alert is recorded; the clock stops when
 * the intake has handed it to the desk and the desk's order call returned): n
 * SBIN entries and the n exits closing them.
 */
export async function webhookOrderLatency(n = 100): Promise<{ entries: number[]; exits: number[] }> {
  // The adapter keeps Angel's limits on orders itself; the stand-in need not police the books reads relaxed below.
  const standIn = await startSmartApiStandIn({ cash: 1e13, rateLimits: false });
  standIn.market.now = fromIst("2025-10-01", "10:00");
  const c = STANDIN_CREDENTIALS;
  const broker = new AngelOneBroker({
    apiKey: c.apiKey,
    clientCode: c.clientCode,
    pin: c.pin,
    totpSecret: c.totpSecret,
    apiRoot: standIn.url,
    scripMasterUrl: standIn.scripMasterUrl,
    live: true,
    now: () => standIn.market.now,
    // Orders go at Angel's own limits; the trade book (read between alerts to book fills, not measured) is not held to one read a second.
    rateLimits: { tradeBook: { perSecond: 1_000 } },
  });
  await broker.connect();
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  const shipped = loadShippedDaily().candles;
  await repo.upsertCandles(shipped);
  const wall = new ManualClock(WALL);
  const desk = new Desk({
    repo,
    broker,
    marketClock: new ManualClock(standIn.market.now),
    wallClock: wall,
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [tradingView as Strategy<unknown>],
    autoAccept: ["tradingview"],
    charges: deliveryFillCharges,
    mode: "live",
    limits: { MAX_ORDERS_PER_MINUTE: 10_000 },
  });
  await desk.init();
  desk.addHistory(shipped);
  const http = await serve(desk, wall);
  const sbin = lastCloses(shipped).get("SBIN")!;
  const entries: number[] = [];
  const exits: number[] = [];
  const timed = async (body: unknown, into: number[]) => {
    // Alerts come seconds apart, not back to back: the adapter's rate-limit queue would otherwise be what is measured.
    await new Promise((r) => setTimeout(r, 60));
    const t = performance.now();
    const res = await fetch(http.url, { method: "POST", body: JSON.stringify(body) });
    const answer = (await res.json()) as { accepted?: boolean; signalId?: string };
    await http.intake.idle();
    into.push(performance.now() - t);
    if (!answer.accepted) throw new Error(`webhook bench: alert not taken: ${JSON.stringify(answer)}`);
    const s = await repo.signal(answer.signalId!);
    if (s?.status !== "ordered") throw new Error(`webhook bench: ${answer.signalId} is ${s?.status} (${s?.statusReason}), not ordered`);
  };
  const WARM_UP = 3; // round trips not counted: the first statements are prepared, the first code paths compiled
  for (let i = 0; i < n + WARM_UP; i++) {
    if (i === WARM_UP) {
      entries.length = 0;
      exits.length = 0;
    }
    standIn.market.tick("SBIN", sbin);
    const at = new Date(Date.parse("2025-10-01T04:00:00Z") + i * 120_000);
    await timed(alert("BASE_ENTRY", "SBIN", sbin / 100, at), entries);
    await desk.pollBroker(); // the fill is booked: a position to exit
    // Each round trip wins: losers would close the strategy's half-Kelly cap after 20 trades.
    const up = Math.round((sbin * 1.01) / 5) * 5;
    standIn.market.tick("SBIN", up);
    await timed(alert("EXIT", "SBIN", up / 100, new Date(at.getTime() + 60_000)), exits);
    await desk.pollBroker();
  }
  await desk.idle();
  await http.close();
  await broker.close();
  await standIn.close();
  await database.close();
  return { entries, exits };
}

export interface BurstReport {
  offered: number;
  perSecond: number;
  answered: number;
  accepted: number;
  stored: number;
  /** Every answer named the signal its alert was for. */
  answersMatch: boolean;
  /** The desk proposed them in exactly the order the intake recorded them. */
  deskOrderKept: boolean;
  /** Places in the record where a signal follows one sent after it (connections racing on loopback), and the longest such step back. */
  stepsBack: number;
  longestStepBack: number;
  achievedSendRate: number;
  takenRate: number;
  answerMs: number[];
  totalS: number;
}

/** (2) A burst of base entries across the NIFTY 50 stocks, offered at `perSecond` for `seconds`, auto-accept off. */
export async function webhookBurst(perSecond = 1_000, seconds = 10): Promise<BurstReport> {
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  const shipped = loadShippedDaily().candles;
  await repo.upsertCandles(shipped);
  const wall = new ManualClock(WALL);
  const desk = new Desk({
    repo,
    broker: new PaperBroker(),
    marketClock: new ManualClock(fromIst("2025-09-30", "15:30")),
    wallClock: wall,
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [tradingView as Strategy<unknown>],
    autoAccept: [],
    charges: deliveryFillCharges,
    mode: "paper",
  });
  await desk.init();
  desk.addHistory(shipped);
  const http = await serve(desk, wall);
  const closes = [...lastCloses(shipped)];
  const count = perSecond * seconds;
  const signals = Array.from({ length: count }, (_, i) => {
    const [symbol, close] = closes[i % closes.length]!;
    return alert("BASE_ENTRY", symbol, close / 100, new Date(Date.parse("2025-10-01T04:00:00Z") + i * 1_000));
  });
  const ids = signals.map((s) => tradingViewSignalId(dedupKey({ symbol: s.symbol, signalType: "BASE_ENTRY", timestamp: new Date(s.timestamp) })));
  const proposed: string[] = [];
  desk.bus.on("signal.proposed", ({ signal }) => void proposed.push(signal.id));

  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./webhook-client.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const t = performance.now();
  const worker = new Worker(boot, { eval: true, workerData: { url: http.url, bodies: signals.map((s) => JSON.stringify(s)), perSecond } });
  const client = await new Promise<ClientReport>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  // Answered once recorded: the desk may still be taking the last ones.
  await http.intake.idle();
  const totalS = (performance.now() - t) / 1000;

  const rows = await repo.webhookSignals({ limit: count + 1 });
  const sendIndex = new Map(ids.map((id, i) => [id, i]));
  let stepsBack = 0;
  let longestStepBack = 0;
  for (let k = 1; k < rows.length; k++) {
    const back = (sendIndex.get(rows[k - 1]!.signalId) ?? 0) - (sendIndex.get(rows[k]!.signalId) ?? 0);
    if (back > 0) {
      stepsBack++;
      longestStepBack = Math.max(longestStepBack, back);
    }
  }
  const answers = client.answers.map((a, i) => (client.status[i] === 200 ? (JSON.parse(a) as { accepted?: boolean; signalId?: string }) : {}));
  const accepted = answers.filter((a) => a.accepted === true).length;
  const report: BurstReport = {
    offered: count,
    perSecond,
    answered: client.status.filter((s) => s > 0).length,
    accepted,
    stored: rows.length,
    answersMatch: answers.every((a, i) => a.signalId === ids[i]),
    deskOrderKept: proposed.length === rows.length && proposed.every((id, i) => rows[i]!.signalId === id),
    stepsBack,
    longestStepBack,
    achievedSendRate: count / (client.sendingMs / 1000),
    takenRate: count / totalS,
    answerMs: client.answerMs,
    totalS,
  };
  await http.close();
  await database.close();
  return report;
}
