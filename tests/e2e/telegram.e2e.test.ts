/**
 * Dalal as a real process, its real grammY client long-polling a local Bot API
 * stand-in: /status, a replayed signal with buttons, Approve, the position in
 * /positions, a stranger refused, and the position still there after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresUrl } from "../helpers/databases.js";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 1001;
const USER = 501;
const ADMIN_CHAT = 9009;
const STRANGER = 7777;

const targets: Array<{ name: string; db: () => Promise<{ env: Record<string, string>; drop(): Promise<void> }> }> = [
  { name: "PGlite", db: async () => ({ env: {}, drop: async () => {} }) },
];
if (process.env.TEST_DATABASE_URL) {
  targets.push({
    name: "PostgreSQL",
    db: async () => {
      const pg = (await freshPostgresUrl())!;
      return { env: { DATABASE_URL: pg.url }, drop: pg.drop };
    },
  });
}

describe.each(targets)("Dalal against the Telegram stand-in on $name", (target) => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess | undefined;
  let db: { env: Record<string, string>; drop(): Promise<void> };
  let env: Record<string, string>;

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-e2e-"));
    db = await target.db();
    env = {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      TELEGRAM_ADMIN_CHAT_ID: String(ADMIN_CHAT),
      DALAL_HOME: home,
      REPLAY_FROM: "2025-01-01",
      // One strategy, so the first signal of the replay is a known one.
      ENABLED_STRATEGIES: "sma-cross",
      REPLAY_TO: "2025-02-28",
      REPLAY_PACE_MS: "400",
      HTTP_PORT: "0",
      ...db.env,
    };
  });

  afterAll(async () => {
    if (dalal && dalal.child.exitCode === null) {
      dalal.child.kill("SIGKILL");
      await dalal.exited;
    }
    await tg?.close();
    await db?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  async function startAndWaitReady(): Promise<DalalProcess> {
    const p = startDalal(["start"], env);
    const [, url] = await p.waitForOutput(/Health: (http:\/\/\S+)\/health/, 60_000);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    return p;
  }

  it("serves /status, posts a signal with buttons, approves it once, and shows the position", async () => {
    dalal = await startAndWaitReady();
    expect(tg.callsTo("setMyCommands")[0]?.params.commands).toEqual(expect.arrayContaining([expect.objectContaining({ command: "approve" })]));

    tg.sendText({ chatId: CHAT, userId: USER, text: "/status" });
    const status = await tg.waitForMessage(CHAT, /broker paper/);
    expect(status.text).toMatch(/PAPER/);
    expect(status.text).toMatch(/Open positions: \d+/);

    const card = await tg.waitForMessage(CHAT, (m) => /signal sma-cross-/.test(m.text ?? "") && Boolean(m.reply_markup), { timeoutMs: 30_000 });
    expect(card.text).toMatch(/BUY \S+ × \d+/);
    expect(card.text).toMatch(/At risk ₹[\d,]+\.\d\d \(\d+\.\d\d% of capital\)/);
    expect(card.text).toMatch(/Est\. charges ₹/);
    const signalId = /signal (sma-cross-[a-z2-7]{8})/.exec(card.text!)![1]!;
    const symbol = /BUY (\S+) ×/.exec(card.text!)![1]!;

    tg.pressButton({ chatId: CHAT, userId: USER, messageId: card.message_id, text: /Approve/ });
    const edited = await tg.waitForMessage(CHAT, (m) => m.message_id === card.message_id && /Approved by/.test(m.text ?? ""));
    expect(edited.text).toMatch(/Approved by (@\S+|\S+ \(501\)) at \d\d \w{3} \d{4} \d\d:\d\d IST/);
    expect(edited.reply_markup?.inline_keyboard ?? []).toHaveLength(0);
    await tg.waitFor(() => tg.answeredCallbacks.find((a) => /Approved: order placed/.test(a.text ?? "")));

    // A second press of the same button (another client still showing it) places nothing.
    tg.pressButton({ chatId: CHAT, userId: USER, messageId: card.message_id, data: `a:${signalId}`, force: true });
    const second = await tg.waitFor(() => tg.answeredCallbacks.find((a) => /already approved/.test(a.text ?? "")));
    expect(second.show_alert).toBe(true);

    await tg.waitForMessage(CHAT, new RegExp(`filled BUY \\d+ ${symbol.replace(/[&]/g, "&")} at ₹`), { timeoutMs: 30_000 });
    tg.sendText({ chatId: CHAT, userId: USER, text: "/positions" });
    const positions = await tg.waitForMessage(CHAT, /^📝 PAPER · open positions/);
    expect(positions.text).toContain(symbol);
    expect(tg.messages(CHAT).filter((m) => /filled BUY/.test(m.text ?? "") && m.text!.includes(symbol))).toHaveLength(1);
  });

  it("refuses a chat that is not allowed, once, and does nothing else", async () => {
    tg.sendText({ chatId: STRANGER, userId: 42, text: "/positions" });
    const refusal = await tg.waitForMessage(STRANGER, /This desk is private/);
    expect(refusal.text).toContain(String(STRANGER));
    tg.sendText({ chatId: CHAT, userId: 42, text: "/status" }); // allowed chat, unknown user
    await tg.waitForMessage(CHAT, /This desk is private/);
    expect(tg.messages(STRANGER)).toHaveLength(1);
    expect(tg.messages(CHAT).some((m) => /broker paper/.test(m.text ?? "") && m.message_id > tg.messages(CHAT).find((x) => /desk is private/.test(x.text ?? ""))!.message_id)).toBe(false);
  });

  it("delivers a reply once after Telegram answers 429 and then a 5xx", async () => {
    tg.failNext("sendMessage", 1, { kind: "429", retryAfter: 1 });
    tg.failNext("sendMessage", 1, { kind: "5xx" });
    const last = tg.messages(CHAT).at(-1)!.message_id;
    tg.sendText({ chatId: CHAT, userId: USER, text: "/trades 3" });
    await tg.waitForMessage(CHAT, /trades? yet|Last \d+ trade/, { timeoutMs: 20_000, afterMessageId: last });
    expect(tg.faults.filter((f) => f.method === "sendMessage").map((f) => f.kind)).toEqual(["429", "5xx"]);
    expect(tg.messages(CHAT).filter((m) => m.message_id > last && /trades? yet|Last \d+ trade/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("answers a bad argument with its usage line", async () => {
    tg.sendText({ chatId: CHAT, userId: USER, text: "/pnl yesterday" });
    const m = await tg.waitForMessage(CHAT, /Usage: \/pnl/);
    expect(m.text).toMatch(/Unknown period "yesterday"/);
  });

  it("stops cleanly on SIGTERM and still holds the position after a restart", async () => {
    tg.sendText({ chatId: CHAT, userId: USER, text: "/positions" });
    const before = await tg.waitForMessage(CHAT, /^📝 PAPER · open positions/, { afterMessageId: tg.messages(CHAT).at(-1)!.message_id - 1 });
    const held = [...before.text!.matchAll(/^(\S+) long × (\d+)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(held.length).toBeGreaterThan(0);

    dalal!.child.kill("SIGTERM");
    expect(await dalal!.exited).toBe(0);
    // The admin chat was told, with the reason, before the process went.
    expect(tg.messages(ADMIN_CHAT).some((m) => /^🛑 Dalal stopping \(SIGTERM\)/.test(m.text ?? ""))).toBe(true);

    dalal = await startAndWaitReady();
    // And told again on the way back, with what was resumed.
    const back = await tg.waitForMessage(ADMIN_CHAT, /✅ Dalal started \(paper\)\. Resumed [1-9]\d* open position/, { timeoutMs: 20_000 });
    expect(back.text).toMatch(/pending signal\(s\), \d+ working order\(s\)/);
    const last = tg.messages(CHAT).at(-1)!.message_id;
    tg.sendText({ chatId: CHAT, userId: USER, text: "/positions" });
    const after = await tg.waitForMessage(CHAT, /^📝 PAPER · open positions/, { afterMessageId: last });
    for (const h of held) {
      const [sym] = h.split(" ");
      expect(after.text).toContain(sym!);
    }
    dalal.child.kill("SIGTERM");
    expect(await dalal.exited).toBe(0);
  });
});
