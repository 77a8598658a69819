/**
 * The webhook in a real `dalal start` (embedded database, Telegram stand-in):
 * WEBHOOK_SECRET turns it on and is never written to the log, a TradingView
 * signal reaches the chat as a tradingview signal card, `/auto tradingview on`
 * makes the next one an order, and after a restart a re-sent alert is still a
 * duplicate.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 3003;
const USER = 503;
const SECRET = "tv-process-secret-9876543210";

describe("the TradingView webhook of a running Dalal", () => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess;
  let url: string;

  const start = async () => {
    dalal = startDalal(["start"], {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      DALAL_HOME: home,
      REPLAY_FROM: "2025-01-01",
      REPLAY_TO: "2025-03-31",
      // Slow: the replay stays near its start while the test posts.
      REPLAY_PACE_MS: "600000",
      ENABLED_STRATEGIES: "tradingview",
      NOTIFY_MAX_PER_MINUTE: "0",
      HTTP_PORT: "0",
      WEBHOOK_SECRET: SECRET,
    });
    url = (await dalal.waitForOutput(/TradingView webhook: (http:\/\/\S+\/webhook\/tradingview)\n/, 60_000))[1]!;
  };
  const stop = async () => {
    dalal.child.kill("SIGTERM");
    expect(await dalal.exited).toBe(0);
  };
  const post = async (body: Record<string, unknown>) => {
    const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const signal = (over: Record<string, unknown> = {}) => ({
    timestamp: "2025-01-01T04:45:00Z",
    signal_type: "BASE_ENTRY",
    symbol: "SBIN",
    price: 764.05,
    conditions: { adx: 28.5, er: 0.85 },
    theoretical_lots: 12,
    stop_loss: 748.1,
    secret: SECRET,
    ...over,
  });

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-webhook-e2e-"));
    await start();
  }, 90_000);

  afterAll(async () => {
    if (dalal && dalal.child.exitCode === null) {
      dalal.child.kill("SIGKILL");
      await dalal.exited;
    }
    await tg?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("posts an accepted signal to the chat as a tradingview signal card with buttons", async () => {
    const res = await post(signal());
    expect(res).toEqual({ status: 200, body: { accepted: true, signalId: expect.stringMatching(/^tradingview-/) } });
    const card = await tg.waitForMessage(CHAT, (m) => (m.text ?? "").includes(`signal ${res.body.signalId as string}`), { timeoutMs: 20_000 });
    expect(card.text).toMatch(/BUY SBIN × \d+ · tradingview · 75m bar of/);
    expect(card.text).toMatch(/Entry ≈ ₹764\.05 · Stop ₹748\.10/);
    expect(card.reply_markup?.inline_keyboard?.flat().map((b) => b.text)).toEqual(["✅ Approve", "❌ Reject"]);
    expect((await post(signal({ secret: "not-the-secret-at-all" }))).status).toBe(401);
  });

  it("orders at once after /auto tradingview on", async () => {
    const after = tg.messages(CHAT).at(-1)?.message_id ?? 0;
    tg.sendText({ chatId: CHAT, userId: USER, text: "/auto tradingview on" });
    await tg.waitForMessage(CHAT, /Auto-accept for tradingview is now on/, { afterMessageId: after, timeoutMs: 20_000 });
    const res = await post(signal({ symbol: "INFY", price: 1930, stop_loss: 1900, timestamp: "2025-01-01T05:00:00Z" }));
    expect(res.status).toBe(200);
    await tg.waitForMessage(CHAT, (m) => (m.text ?? "").includes(res.body.signalId as string) && /Auto-accepted/.test(m.text ?? ""), { timeoutMs: 20_000 });
  });

  it("keeps the secret out of the log, and duplicates stay duplicates after a restart", async () => {
    await stop();
    const log = readFileSync(join(home, "dalal.log"), "utf8");
    expect(log).toMatch(/"msg":"webhook signal"/);
    expect(log).toMatch(/"msg":"webhook refused"/);
    expect(log).not.toContain(SECRET);
    await start();
    expect(await post(signal())).toEqual({ status: 200, body: { accepted: false, duplicate: true } });
    await stop();
  }, 90_000);
});
