/**
 * Command round trip: an update in at the Telegram stand-in, the bot's reply out,
 * with 100 open positions and 10,000 closed trades in the database.
 */
import { performance } from "node:perf_hooks";
import { createBot } from "../src/bot/create-bot.js";
import { migrateDatabase, openDatabase } from "../src/db/connection.js";
import { Repo } from "../src/db/repo.js";
import { ManualClock } from "../src/engine/clock.js";
import { deliveryFillCharges } from "../src/engine/costs/index.js";
import { Desk } from "../src/engine/desk.js";
import { PaperBroker } from "../src/engine/execution/paper-broker.js";
import { loadShippedDaily, shippedSymbols } from "../src/engine/market/shipped-data.js";
import { smaCross } from "../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../src/engine/strategies/strategy.js";
import { silentLogger } from "../src/log.js";
import { startTelegramStandIn } from "../tests/stand-ins/telegram/server.js";

export async function commandRoundTrip(samplesPerCommand = 60): Promise<Array<{ command: string; p50: number; p99: number; n: number }>> {
  const tg = await startTelegramStandIn();
  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  const symbols = shippedSymbols();
  await repo.upsertCandles(loadShippedDaily(undefined, symbols.slice(0, 10)).candles);
  const at = new Date("2025-06-02T04:00:00Z");
  for (let i = 0; i < 100; i++) {
    const price = 100_000 + i * 100;
    await repo.insertPosition({ symbol: symbols[i % symbols.length]!, strategy: "sma-cross", side: "long", qty: 10, costBasis: 10 * price, openCharges: 2_000, initialStop: price - 5_000, stop: price - 5_000, targets: [], lastPrice: price + 1_000, signalId: null, openedAt: at });
  }
  const trades = Array.from({ length: 10_000 }, (_, i) => ({
    positionId: 1 + (i % 100),
    symbol: symbols[i % symbols.length]!,
    strategy: i % 2 ? "sma-cross" : "camarilla",
    side: "long" as const,
    qty: 10,
    entryTime: new Date(at.getTime() - (i + 2) * 86_400_000),
    entryPrice: 100_000,
    exitTime: new Date(at.getTime() - (i + 1) * 86_400_000),
    exitPrice: 100_000 + ((i * 37) % 9_000) - 4_000,
    gross: ((i * 37) % 9_000) * 10 - 40_000,
    charges: 3_000,
    net: ((i * 37) % 9_000) * 10 - 43_000,
    r: 0.5,
    exitReason: "signal_exit",
  }));
  for (const t of trades) await repo.insertTrade(t);

  const clock = new ManualClock(at);
  const desk = new Desk({
    repo,
    broker: new PaperBroker(),
    marketClock: clock,
    wallClock: clock,
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [smaCross as Strategy<unknown>],
    autoAccept: [],
    charges: deliveryFillCharges,
    mode: "paper",
  });
  await desk.init();
  const CHAT = 4001;
  const bot = createBot({
    token: tg.token,
    apiRoot: tg.apiRoot,
    desk,
    mode: "paper",
    access: { allowedChats: new Set([CHAT]), allowedUsers: new Set(), adminChatId: CHAT },
    estimateCharges: () => 0,
    log: silentLogger,
  });
  const polling = bot.start();
  // Measure from the moment the bot is polling.
  await tg.waitFor(() => tg.callsTo("getUpdates").length > 0, 20_000);
  const results = [];
  for (const [command, reply] of [
    ["/status", /broker paper/],
    ["/positions", /open positions/],
    ["/pnl all", /P&L|P&amp;L/],
    ["/trades 10", /Last 10 trades/],
    ["/performance", /performance by strategy/],
  ] as const) {
    const lat: number[] = [];
    for (let i = 0; i < samplesPerCommand; i++) {
      const after = tg.messages(CHAT).at(-1)?.message_id ?? 0;
      const t = performance.now();
      tg.sendText({ chatId: CHAT, userId: 1, text: command });
      await tg.waitForMessage(CHAT, reply, { afterMessageId: after, timeoutMs: 20_000 });
      lat.push(performance.now() - t);
    }
    lat.sort((a, b) => a - b);
    results.push({ command, n: lat.length, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))]! });
  }
  await bot.stop();
  await polling;
  await database.close();
  await tg.close();
  return results;
}
