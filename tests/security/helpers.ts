/**
 * The security tests' harness: the real bot from createBot, long polling the
 * Telegram stand-in, over a real Desk on an in-memory PGlite database that a
 * replay has filled with signals, positions and trades. Every log line, every
 * write to stdout/stderr and every unhandled rejection of the run is kept, so a
 * test can search them.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "grammy";
import { vi } from "vitest";
import type { DalalContext } from "../../src/bot/access.js";
import { createBot } from "../../src/bot/create-bot.js";
import { migrateDatabase, openDatabase, type Database } from "../../src/db/connection.js";
import { Repo } from "../../src/db/repo.js";
import * as schema from "../../src/db/schema.js";
import { ManualClock } from "../../src/engine/clock.js";
import { deliveryFillCharges, roundTripEstimate } from "../../src/engine/costs/index.js";
import { Desk } from "../../src/engine/desk.js";
import { PaperBroker } from "../../src/engine/execution/paper-broker.js";
import { ReplayFeed } from "../../src/engine/feed/replay-feed.js";
import { loadShippedDaily } from "../../src/engine/market/shipped-data.js";
import { smaCross } from "../../src/engine/strategies/sma-cross.js";
import type { Strategy } from "../../src/engine/strategies/strategy.js";
import { createLogger, makeRedactor, type Logger } from "../../src/log.js";
import { startTelegramStandIn, type RecordedCall, type TelegramStandIn } from "../stand-ins/telegram/server.js";

/** M&M is in the list on purpose: its "&" must be escaped in every HTML reply. */
export const SYMBOLS = ["RELIANCE", "INFY", "M&M", "SBIN", "TCS", "ITC", "HDFCBANK", "ICICIBANK"];

/** Chats and users of the harness. The admin chat is allowed (as in config.allowedChats). */
export const IDS = {
  chat: 5001,
  adminChat: 5002,
  otherAllowedChat: 5003,
  strangerChat: 6666,
  user: 101,
  adminUser: 102,
  otherUser: 103,
  strangerUser: 999,
} as const;

export interface HarnessOptions {
  /** The bot token the stand-in accepts (default the stand-in's own test token). */
  token?: string;
  /** Extra secrets the logger must mask (the way src/main.ts builds its redactor). */
  secrets?: string[];
  /** Sender allow-list; default: the three harness users. */
  allowedUsers?: number[];
}

/** What one update caused: the calls the bot made while handling it. */
export interface Exchange {
  updateId: number;
  chatId: number;
  /** Calls other than getUpdates, in order, made before the bot asked for the next update. */
  calls: RecordedCall[];
  /** The ids of the messages the bot sent to the update's chat, in the order of `sent`. */
  sent: Array<{ call: RecordedCall; messageId: number }>;
  ms: number;
}

export interface DbSnapshot {
  orders: unknown[];
  positions: unknown[];
  settings: unknown[];
  signals: unknown[];
  fills: unknown[];
  trades: unknown[];
}

export interface Harness {
  tg: TelegramStandIn;
  bot: Bot<DalalContext>;
  desk: Desk;
  /** The replay, paused where the harness left it: step it for more signals. */
  feed: ReplayFeed;
  repo: Repo;
  database: Database;
  log: Logger;
  /** Every line the logger wrote (JSON lines, after redaction). */
  logLines(): string[];
  /** Everything written to process.stdout / process.stderr while the harness ran. */
  output: string[];
  unhandled: unknown[];
  uncaught: unknown[];
  /** Signal ids still waiting for a decision when the harness was built. */
  pendingIds: string[];
  /** Sends a message and waits until the bot has finished with it. */
  send(chatId: number, userId: number, text: string, timeoutMs?: number): Promise<Exchange>;
  /**
   * Presses a button with exactly this data (forged or real) on a message of the
   * chat (default its newest message) and waits until the bot has finished with it.
   */
  press(chatId: number, userId: number, data: string, opts?: { messageId?: number; timeoutMs?: number }): Promise<Exchange>;
  snapshot(): Promise<DbSnapshot>;
  /** Moves Date.now (not new Date()) forward: the bot's confirmations lapse on it. */
  skewClock(ms: number): void;
  close(): Promise<void>;
}

const SEND_METHODS = new Set(["sendMessage", "sendPhoto", "sendDocument"]);
const ANSWER_METHODS = new Set([...SEND_METHODS, "answerCallbackQuery"]);

/** The calls of an exchange that answer the user: messages, files and callback answers. */
export function answers(x: Exchange): RecordedCall[] {
  return x.calls.filter((c) => ANSWER_METHODS.has(c.method));
}

/** The visible text of an answer (message text, caption, or callback answer text). */
export function answerText(c: RecordedCall): string {
  const p = c.params;
  return String(p.text ?? p.caption ?? "");
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const unhandled: unknown[] = [];
  const uncaught: unknown[] = [];
  const onRejection = (reason: unknown) => void unhandled.push(reason);
  const onException = (err: unknown) => void uncaught.push(err);
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);

  // Keep a copy of everything the process prints, then pass it on.
  const output: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originalWrites = streams.map((s) => s.write);
  for (const s of streams) {
    const original = s.write;
    s.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof s.write;
  }

  // Date.now with a skew the test controls: Confirmations captures Date.now when the bot is built.
  const realNow = Date.now.bind(Date);
  let skew = 0;
  const nowSpy = vi.spyOn(Date, "now").mockImplementation(() => realNow() + skew);

  const dir = mkdtempSync(join(tmpdir(), "dalal-security-"));
  const logFile = join(dir, "dalal.log");
  const tg = await startTelegramStandIn(o.token ? { token: o.token } : {});
  // As src/main.ts: the token, and any other secret, masked wherever it appears.
  const log = createLogger({ level: "debug", file: logFile, redact: makeRedactor([tg.token, ...(o.secrets ?? [])]) });

  const database = await openDatabase({ memory: true });
  await migrateDatabase(database);
  const repo = new Repo(database.db);
  await repo.upsertCandles(loadShippedDaily(undefined, SYMBOLS).candles);

  // Wall clock fixed: the signals left pending never expire during the run.
  const wall = new ManualClock(new Date("2026-01-05T04:00:00Z"));
  const desk = new Desk({
    repo,
    broker: new PaperBroker(),
    marketClock: new ManualClock(),
    wallClock: wall,
    capital: 40_000_000,
    riskPct: 1.5,
    signalTtlMinutes: 15,
    strategies: [smaCross as Strategy<unknown>],
    autoAccept: ["sma-cross"],
    charges: deliveryFillCharges,
    mode: "paper",
  });
  await desk.init();
  const feed = new ReplayFeed(repo, desk, { from: "2025-01-01", to: "2025-09-30", paceMs: 0 });
  await feed.prepare();
  // Auto-accept for four months: closed trades and open positions.
  for (let i = 0; i < 85 && (await feed.step()); i++);
  // Then by hand, until a few signals wait for a decision.
  await desk.setAuto("sma-cross", false, "harness");
  for (let i = 0; i < 60 && (await desk.pendingSignals()).length < 4 && (await feed.step()); i++);
  const pendingIds = (await desk.pendingSignals()).map((s) => s.id);
  // And enough closed trades for /trades to page (25 a page): real ◀ ▶ buttons to press and forge.
  const at = new Date("2025-03-03T04:00:00Z");
  for (let i = 0; i < 60; i++) {
    const gross = ((i * 37) % 900) * 10 - 4_000;
    await repo.insertTrade({
      positionId: 1,
      symbol: SYMBOLS[i % SYMBOLS.length]!,
      strategy: "sma-cross",
      side: "long",
      qty: 10,
      entryTime: new Date(at.getTime() - (i + 2) * 86_400_000),
      entryPrice: 100_000,
      exitTime: new Date(at.getTime() - (i + 1) * 86_400_000),
      exitPrice: 100_000 + gross / 10,
      gross,
      charges: 300,
      net: gross - 300,
      r: 0.5,
      exitReason: "signal_exit",
    });
  }

  const bot = createBot({
    token: tg.token,
    apiRoot: tg.apiRoot,
    desk,
    mode: "paper",
    access: {
      allowedChats: new Set<number>([IDS.chat, IDS.otherAllowedChat, IDS.adminChat]),
      allowedUsers: new Set<number>(o.allowedUsers ?? [IDS.user, IDS.adminUser, IDS.otherUser]),
      adminChatId: IDS.adminChat,
    },
    estimateCharges: (qty, price, time) => roundTripEstimate(deliveryFillCharges, qty, price, time),
    log,
  });

  // The bot asks for update N+1 only once it has finished with update N (grammY handles a batch in order,
  // then polls with the next offset): that is the end of an exchange.
  let polledOffset = 0;
  const waiters: Array<() => void> = [];
  bot.api.config.use((prev, method, payload, signal) => {
    if (method === "getUpdates") {
      polledOffset = Math.max(polledOffset, Number((payload as { offset?: number }).offset ?? 0));
      for (const w of waiters.splice(0)) w();
    }
    return prev(method, payload, signal);
  });
  const polling = bot.start({ drop_pending_updates: true });
  polling.catch((err: unknown) => unhandled.push(err));
  await tg.waitFor(() => tg.callsTo("getUpdates").some((c) => c.status === undefined), 20_000, "the bot's first long poll");

  const handled = (updateId: number, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`update ${updateId} not handled within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (polledOffset > updateId) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });

  const exchange = async (chatId: number, queue: () => number, timeoutMs: number): Promise<Exchange> => {
    const from = tg.calls.length;
    const t0 = performance.now();
    const updateId = queue();
    await handled(updateId, timeoutMs);
    const ms = performance.now() - t0;
    const calls = tg.calls.slice(from).filter((c) => c.method !== "getUpdates");
    // Message ids count up per chat: the bot's messages of this exchange are the chat's newest.
    const sends = calls.filter((c) => SEND_METHODS.has(c.method) && c.status === 200 && c.params.chat_id === chatId);
    const last = lastMessageId(tg, chatId) ?? 0;
    const sent = sends.map((call, k) => ({ call, messageId: last - (sends.length - 1 - k) }));
    return { updateId, chatId, calls, sent, ms };
  };

  return {
    tg,
    bot,
    desk,
    feed,
    repo,
    database,
    log,
    logLines: () => {
      try {
        return readFileSync(logFile, "utf8").split("\n").filter((l) => l !== "");
      } catch {
        return [];
      }
    },
    output,
    unhandled,
    uncaught,
    pendingIds,
    send: (chatId, userId, text, timeoutMs = 15_000) => exchange(chatId, () => tg.sendText({ chatId, userId, text, username: `u${userId}` }), timeoutMs),
    press: (chatId, userId, data, opts = {}) =>
      exchange(chatId, () => {
        const messageId = opts.messageId ?? lastBotMessageId(tg, chatId) ?? lastMessageId(tg, chatId);
        if (messageId === undefined) throw new Error(`press: chat ${chatId} has no message to press a button on; send it something first`);
        // The update's id: pressButton returns the query id, the update is the newest queued.
        tg.pressButton({ chatId, userId, messageId, data, force: true, username: `u${userId}` });
        return tg.updates.at(-1)!.update_id;
      }, opts.timeoutMs ?? 15_000),
    snapshot: async () => {
      const db = database.db;
      const byId = <T extends { id: unknown }>(rows: T[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
      return {
        orders: byId(await db.select().from(schema.orders)),
        positions: byId(await db.select().from(schema.positions)),
        settings: [...(await db.select().from(schema.settings))].sort((a, b) => a.key.localeCompare(b.key)),
        signals: byId(await db.select().from(schema.signals)),
        fills: byId(await db.select().from(schema.fills)),
        trades: byId(await db.select().from(schema.trades)),
      };
    },
    skewClock: (ms) => {
      skew = ms;
    },
    close: async () => {
      await bot.stop();
      await polling.catch(() => {});
      await tg.close();
      await database.close();
      nowSpy.mockRestore();
      streams.forEach((s, i) => (s.write = originalWrites[i]!));
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The chat's newest message id (the user's or the bot's; ids count up from 1 and are never removed). */
export function lastMessageId(tg: TelegramStandIn, chatId: number): number | undefined {
  if (!tg.message(chatId, 1)) return undefined;
  let lo = 1;
  let hi = 2;
  while (tg.message(chatId, hi)) [lo, hi] = [hi, hi * 2];
  // tg.message(lo) exists, tg.message(hi) does not.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (tg.message(chatId, mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The chat's newest message from the bot: where a real button press would come from. */
export function lastBotMessageId(tg: TelegramStandIn, chatId: number): number | undefined {
  for (let k = lastMessageId(tg, chatId) ?? 0; k > 0; k--) if (tg.message(chatId, k)?.from_bot) return k;
  return undefined;
}

/** Stack traces and raw values that must never reach the chat. */
export function leaks(text: string): string[] {
  const found: string[] = [];
  if (text.includes("\n    at ") || /\bat .*\.(ts|js):\d+/.test(text)) found.push("a stack trace");
  if (/\w*Error:/.test(text) && /(\/[\w.-]+)+\.(ts|js)\b/.test(text)) found.push("an error with a file path");
  for (const raw of ["undefined", "NaN", "[object Object]"]) if (text.includes(raw)) found.push(`"${raw}"`);
  return found;
}
