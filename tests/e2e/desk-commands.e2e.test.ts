/**
 * The desk's commands driven through the Telegram stand-in against a real Dalal
 * process: /halt and /unhalt (admin only), /pause and /resume, /exit with its
 * confirm button, /flatten's two confirmations, the breaker, /balance,
 * /performance, /scan, and /backtest answering with a chart while the bot
 * keeps answering.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type StandInMessage, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 2002;
const USER = 502;
const ADMIN_CHAT = 9119;
const ADMIN = 901;

describe("halt, pause, exit and flatten from the chat", () => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess;

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-controls-"));
    dalal = startDalal(["start"], {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
      TELEGRAM_ALLOWED_USER_IDS: `${USER},${ADMIN}`,
      TELEGRAM_ADMIN_CHAT_ID: String(ADMIN_CHAT),
      DALAL_HOME: home,
      REPLAY_FROM: "2025-01-01",
      REPLAY_TO: "2025-06-30",
      REPLAY_PACE_MS: "250",
      ENABLED_STRATEGIES: "sma-cross",
      AUTO_ACCEPT_STRATEGIES: "sma-cross",
      // A replay plays a day every 250 ms: no flood cap, so each notification is its own message.
      NOTIFY_MAX_PER_MINUTE: "0",
      HTTP_PORT: "0",
    });
    await dalal.waitForOutput(/Health: http/, 60_000);
  });

  afterAll(async () => {
    if (dalal && dalal.child.exitCode === null) {
      dalal.child.kill("SIGKILL");
      await dalal.exited;
    }
    await tg?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const last = (chat: number) => tg.messages(chat).at(-1)?.message_id ?? 0;
  async function say(chat: number, user: number, text: string, reply: RegExp): Promise<StandInMessage> {
    const after = last(chat);
    tg.sendText({ chatId: chat, userId: user, text });
    return tg.waitForMessage(chat, reply, { afterMessageId: after, timeoutMs: 20_000 });
  }

  it("refuses /halt outside the admin chat, and halts from it", async () => {
    // Wait until auto-accepted entries have filled, so there is something to flatten later.
    await tg.waitForMessage(CHAT, /filled BUY \d+ /, { timeoutMs: 60_000 });
    const refused = await say(CHAT, USER, "/halt", /Only the admin chat may use \/halt; nothing was done/);
    expect(refused.text).not.toMatch(/HALTED/);
    const halted = await say(ADMIN_CHAT, ADMIN, "/halt", /Trading is HALTED/);
    expect(halted.text).toMatch(/^📝 PAPER/);
    await tg.waitForMessage(CHAT, /Trading HALTED: no new orders; exits and stops go on\./);
    const status = await say(CHAT, USER, "/status", /Orders:/);
    expect(status.text).toMatch(/Orders: trading is halted by .* since \d\d \w{3} \d{4}/);
    expect((await say(ADMIN_CHAT, ADMIN, "/halt", /already halted/)).text).toBe("📝 PAPER · Trading is already halted.");
  });

  it("refuses every new signal while halted, naming the halt", async () => {
    const refused = await tg.waitForMessage(CHAT, (m) => /refused/.test(m.text ?? "") && /trading is halted/.test(m.text ?? ""), { timeoutMs: 60_000 });
    expect(refused.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });

  it("exits one position after its confirm button, and only then", async () => {
    const positions = await say(CHAT, USER, "/positions", /^📝 PAPER · open positions/);
    const symbol = /^(\S+) long × \d+/m.exec(positions.text!)?.[1] ?? "";
    expect(symbol, positions.text).not.toBe("");
    const ask = await say(CHAT, USER, `/exit ${symbol}`, /Exit .* at market/);
    expect(ask.reply_markup?.inline_keyboard?.[0]?.map((b) => b.text)).toEqual([`Exit ${symbol} now`, "Cancel"]);
    // Cancel first: nothing happens.
    tg.pressButton({ chatId: CHAT, userId: USER, messageId: ask.message_id, text: "Cancel" });
    await tg.waitForMessage(CHAT, /Cancelled by .*; nothing was done\./);
    // The spent button is gone; a forced press of it finds nothing to do.
    const nonce = ask.reply_markup?.inline_keyboard?.[0]?.[0]?.callback_data ?? "";
    tg.pressButton({ chatId: CHAT, userId: USER, messageId: ask.message_id, data: nonce, force: true });
    await tg.waitFor(() => tg.answeredCallbacks.find((a) => /lapsed; nothing was done/.test(a.text ?? "")));
    const again = await say(CHAT, USER, `/exit ${symbol}`, /Exit .* at market/);
    tg.pressButton({ chatId: CHAT, userId: USER, messageId: again.message_id, text: `Exit ${symbol} now` });
    await tg.waitForMessage(CHAT, new RegExp(`exit order for ${symbol.replace("&", "&")} × \\d+ placed by`));
    await tg.waitForMessage(CHAT, new RegExp(`closed ${symbol} × \\d+: net`), { timeoutMs: 30_000 });
  });

  it("answers /exit for a symbol not held with what is held", async () => {
    const r = await say(CHAT, USER, "/exit NOTHELD", /No open position in NOTHELD/);
    expect(r.text).toMatch(/Open: |Nothing is open\./);
    await say(CHAT, USER, "/exit", /Usage: \/exit SYMBOL\|ID/);
  });

  it("flattens only after two confirmations from the admin chat", async () => {
    await say(CHAT, USER, "/flatten", /Only the admin chat may use \/flatten/);
    const positions = await say(ADMIN_CHAT, ADMIN, "/positions", /^📝 PAPER · open positions/);
    const held = [...positions.text!.matchAll(/^(\S+) long × (\d+)/gm)].length;
    expect(held).toBeGreaterThan(0);
    const step1 = await say(ADMIN_CHAT, ADMIN, "/flatten", /Flatten.*Step 1 of 2/s);
    expect(step1.text).toMatch(new RegExp(`exit ${held} positions? at market`));
    tg.pressButton({ chatId: ADMIN_CHAT, userId: ADMIN, messageId: step1.message_id, text: "Flatten everything" });
    const step2 = await tg.waitForMessage(ADMIN_CHAT, /Really flatten\? .*Step 2 of 2/s);
    // Nothing was exited after the first press alone.
    expect(tg.messages(ADMIN_CHAT).some((m) => /Flattened/.test(m.text ?? ""))).toBe(false);
    tg.pressButton({ chatId: ADMIN_CHAT, userId: ADMIN, messageId: step2.message_id, text: "Yes, flatten now" });
    const done = await tg.waitForMessage(ADMIN_CHAT, /Flattened/);
    expect(done.text).toMatch(new RegExp(`\\d+ working orders? cancelled, ${held} positions? exited at market`));
    // The exits fill at the next bar even though trading is halted: exits always go through.
    let flat = false;
    for (let i = 0; i < 40 && !flat; i++) {
      flat = /No open positions\./.test((await say(ADMIN_CHAT, ADMIN, "/positions", /^📝 PAPER · open positions/)).text ?? "");
      if (!flat) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(flat).toBe(true);
  });

  it("lifts the halt, and pauses and resumes entries from the trader's chat", async () => {
    const lifted = await say(ADMIN_CHAT, ADMIN, "/unhalt", /halt is lifted|was not halted|failed/);
    expect(lifted.text).toMatch(/The halt is lifted/);
    await say(CHAT, USER, "/pause", /New entries are paused; exits and stops go on/);
    const status = await say(CHAT, USER, "/status", /Orders:/);
    expect(status.text).toMatch(/Orders: new entries are paused by/);
    await say(CHAT, USER, "/pause now", /\/pause takes no argument/);
    await say(CHAT, USER, "/resume", /New entries are taken again/);
    const after = await say(CHAT, USER, "/status", /Orders:/);
    expect(after.text).toMatch(/Orders: taken \(not halted, not paused\)/);
  });

  it("trips the breaker by hand from the admin chat only, and resets it after a confirm", async () => {
    await say(CHAT, USER, "/breaker", /Daily-loss circuit breaker: armed/);
    await say(CHAT, USER, "/breaker trip", /Only the admin chat may use \/breaker trip/);
    await say(CHAT, USER, "/breaker reset", /Unknown argument "reset"/);
    await say(ADMIN_CHAT, ADMIN, "/breaker trip", /Circuit breaker tripped: no new entries/);
    await tg.waitForMessage(CHAT, /Circuit breaker tripped by hand by/);
    await say(CHAT, USER, "/reset_breaker", /Only the admin chat may use \/reset_breaker/);
    const ask = await say(ADMIN_CHAT, ADMIN, "/reset_breaker", /TRIPPED.*Reset it and take new entries again\?/s);
    tg.pressButton({ chatId: ADMIN_CHAT, userId: ADMIN, messageId: ask.message_id, text: "Reset the breaker" });
    await tg.waitForMessage(ADMIN_CHAT, /Circuit breaker reset by .*entries are taken again/s);
    await say(ADMIN_CHAT, ADMIN, "/reset_breaker", /not tripped; nothing to reset/);
  });

  it("answers /balance, /performance and /scan with the desk's numbers", async () => {
    const bal = await say(CHAT, USER, "/balance", /funds \(paper broker\)/);
    expect(bal.text).toMatch(/Cash available ₹[\d,]+\.\d\d/);
    expect(bal.text).toMatch(/equity ₹[\d,]+\.\d\d/);
    const perf = await say(CHAT, USER, "/performance", /performance by strategy|No closed trades yet/);
    expect(perf.text).toMatch(/sma-cross: \d+ trades?, win rate \d+\.\d%, net [+-]?-?₹[\d,]+\.\d\d, Sharpe (-?\d+\.\d\d|n\/a) \(per trade\), avg R/);
    const scan = await say(CHAT, USER, "/scan sma-cross", /sma-cross as of \d{4}-\d\d-\d\d: /);
    expect(scan.text).toMatch(/no signal on the last bar of 50 symbols|\d+ signals?/);
    await say(CHAT, USER, "/scan turtle", /Unknown or disabled strategy "turtle"; enabled: sma-cross/);
  });

  it("runs /backtest in the background and replies with a chart, answering other commands meanwhile", async () => {
    await say(CHAT, USER, "/backtest sma-cross 2024-13-01 2024-12-31", /"2024-13-01" is not a date/);
    const started = await say(CHAT, USER, "/backtest sma-cross 2023-01-01 2024-12-31", /backtest of sma-cross 2023-01-01 → 2024-12-31 started/);
    // The bot still answers while the backtest runs.
    await say(CHAT, USER, "/backtest sma-cross 2023-01-01 2023-02-01", /already running; one at a time/);
    await say(CHAT, USER, "/balance", /funds/);
    const photo = await tg.waitForMessage(CHAT, (m) => m.kind === "photo" && m.message_id > started.message_id && /^📝 PAPER · backtest/.test(m.caption ?? ""), { timeoutMs: 60_000 });
    expect(photo.caption).toMatch(/backtest sma-cross 2023-01-01 → 2024-12-31/);
    expect(photo.caption).toMatch(/₹4,00,000\.00 → ₹[\d,]+\.\d\d · CAGR -?\d+(\.\d+)?% · max DD \d+(\.\d+)?%/);
    expect(photo.caption).toMatch(/\d+ trades · win/);
  });

  it("sends the end-of-day digest of each replayed day, and /eod on request", async () => {
    const digest = await tg.waitForMessage(CHAT, /End of day · \w{3} \d\d \w{3} 2025/, { timeoutMs: 30_000 });
    expect(digest.text).toMatch(/Net today [+-]?-?₹[\d,]+\.\d\d · equity ₹[\d,]+\.\d\d/);
    expect(digest.text).toMatch(/Daily-loss circuit breaker: (armed|TRIPPED)/);
    expect(digest.text).toMatch(/Tomorrow \(next trading day\): \w{3} \d\d \w{3} 2025/);
    const eod = await say(CHAT, USER, "/eod", /End of day/);
    expect(eod.text).toMatch(/Open risk ₹[\d,]+\.\d\d \(\d+\.\d\d% of equity\)|No open positions|Open risk/);
  });

  it("answers /rollover with what there is to roll", async () => {
    await say(CHAT, USER, "/rollover", /No BANKNIFTY synthetic unit is held, so there is nothing to roll over\./);
    await say(CHAT, USER, "/rollover INFY", /Unknown index "INFY": \/rollover takes BANKNIFTY, or nothing\./);
    expect(tg.messages(ADMIN_CHAT).some((m) => /^✅ Dalal started \(paper\)\. Resumed 0 open position/.test(m.text ?? ""))).toBe(true);
  });

  it("logs no failed update along the way", async () => {
    expect(dalal.stderr()).not.toMatch(/"level":"error"/);
  });

  it("lists the new commands in /help, the admin ones only for the admin chat", async () => {
    const mine = await say(CHAT, USER, "/help", /Dalal commands/);
    for (const c of ["/pause", "/resume", "/exit SYMBOL|ID"]) expect(mine.text).toContain(c);
    expect(mine.text).not.toContain("/flatten");
    const admin = await say(ADMIN_CHAT, ADMIN, "/help", /Dalal commands/);
    for (const c of ["/halt", "/unhalt", "/flatten"]) expect(admin.text).toContain(c);
  });
});
