/**
 * Notification levels in a real Dalal process (PGlite) long-polling the Telegram
 * stand-in: chat A sets fills silent, chat B turns them off, the admin chat keeps
 * the default. A replayed signal is approved; its fill reaches the admin chat
 * with a sound, chat A without one, and chat B not at all, while B's card still
 * gets its decision edited in. A bad kind gets the usage line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type RecordedCall, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const A = 1001;
const B = 1002;
const ADMIN = 9009;
const USER = 501;

describe("per-chat notification levels in a running Dalal", () => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess | undefined;

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-notify-"));
    dalal = startDalal(["start"], {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: `${A},${B}`,
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      TELEGRAM_ADMIN_CHAT_ID: String(ADMIN),
      DALAL_HOME: home,
      ENABLED_STRATEGIES: "sma-cross",
      REPLAY_FROM: "2025-01-01",
      REPLAY_TO: "2025-02-28",
      REPLAY_PACE_MS: "400",
      HTTP_PORT: "0",
    });
    await dalal.waitForOutput(/Telegram bot @\S+ is polling/, 60_000);
  });

  afterAll(async () => {
    if (dalal && dalal.child.exitCode === null) {
      dalal.child.kill("SIGKILL");
      await dalal.exited;
    }
    await tg?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const say = (chatId: number, text: string) => tg.sendText({ chatId, userId: USER, text });
  const sendsTo = (chatId: number, re: RegExp): RecordedCall[] =>
    tg.callsTo("sendMessage").filter((c) => c.params.chat_id === chatId && c.status === 200 && re.test(String(c.params.text)));

  it("answers a bad kind with the usage line naming the valid choices", async () => {
    say(A, "/notify nonsense on");
    const m = await tg.waitForMessage(A, /Usage: \/notify/, 20_000);
    expect(m.text).toContain('Unknown kind "nonsense".');
    expect(m.text).toContain("Kinds: signal, order, fill, rejected, stop, partial, closed, breaker, alert, rollover, divergence, digest, error, or all.");
    expect(m.text).toContain("Usage: /notify [KIND on|silent|off]");
  });

  it("sets fill silent in A and off in B, and /notify lists it", async () => {
    say(A, "/notify fill silent");
    await tg.waitForMessage(A, "fill notifications in this chat: silent (sent without a sound).");
    say(B, "/notify fill off");
    await tg.waitForMessage(B, "fill notifications in this chat: off (not sent).");
    say(A, "/notify");
    const list = await tg.waitForMessage(A, /Notifications in this chat/);
    expect(list.text).toMatch(/^fill\s+silent · fills and partial fills$/m);
    expect(list.text).toMatch(/^order\s+on · orders placed$/m);
  });

  it("a fill reaches the admin with a sound, A silently and B not at all", async () => {
    // Every chat gets the signal card: the signal kind is on everywhere.
    const card = await tg.waitForMessage(A, (m) => /signal sma-cross-/.test(m.text ?? "") && Boolean(m.reply_markup?.inline_keyboard?.length), { timeoutMs: 30_000 });
    const signalId = /signal (sma-cross-[a-z2-7]{8})/.exec(card.text!)![1]!;
    const symbol = /BUY (\S+) ×/.exec(card.text!)![1]!;
    const cardInB = await tg.waitForMessage(B, (m) => (m.text ?? "").includes(signalId));

    tg.pressButton({ chatId: A, userId: USER, messageId: card.message_id, text: /Approve/ });
    const fill = new RegExp(`^📝 <b>PAPER</b> · filled BUY \\d+ <b>${symbol.replace(/&/g, "&amp;").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}</b> at ₹`);
    const toAdmin = await tg.waitFor(() => sendsTo(ADMIN, fill)[0], 30_000);
    const toA = await tg.waitFor(() => sendsTo(A, fill)[0], 10_000);
    expect(toA.params.disable_notification).toBe(true);
    expect(toAdmin.params.disable_notification).toBeUndefined();

    // B's card still gets the decision: edits are always made.
    await tg.waitForMessage(B, (m) => m.message_id === cardInB.message_id && /Approved by/.test(m.text ?? ""));
    // B's queue has had time to reach the fill: it was skipped, not delayed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(sendsTo(B, /filled/)).toEqual([]);
    expect(tg.messages(B).some((m) => /filled/.test(m.text ?? ""))).toBe(false);
    // Exactly one fill message each where it is on or silent.
    expect(sendsTo(A, fill)).toHaveLength(1);
    expect(sendsTo(ADMIN, fill)).toHaveLength(1);
  });

  it("stops cleanly", async () => {
    dalal!.child.kill("SIGTERM");
    expect(await dalal!.exited).toBe(0);
  });
});
