/**
 * /export and /chart from the chat, against a real Dalal process and the
 * Telegram stand-in: a replay with sma-cross auto-accepted fills some entries,
 * /export sends trades.csv and positions.csv (read back from the stand-in's
 * uploads), /chart sends a PNG, and a bad symbol or strategy gets one line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type StandInMessage, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 3003;
const USER = 503;
const ADMIN_CHAT = 9339;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TRADES_HEADER = "symbol,side,entryTime,entryPrice,exitTime,exitPrice,qty,gross,charges,net,r,exitReason";
const POSITIONS_HEADER = "id,symbol,strategy,side,qty,avgPrice,lastPrice,unrealized,stop,unit,openedAt";

describe("/export and /chart against the Telegram stand-in", () => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess;

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-reports-"));
    dalal = startDalal(["start"], {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      TELEGRAM_ADMIN_CHAT_ID: String(ADMIN_CHAT),
      DALAL_HOME: home,
      REPLAY_FROM: "2025-01-01",
      REPLAY_TO: "2025-03-31",
      REPLAY_PACE_MS: "20",
      ENABLED_STRATEGIES: "sma-cross",
      AUTO_ACCEPT_STRATEGIES: "sma-cross",
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

  const last = () => tg.messages(CHAT).at(-1)?.message_id ?? 0;
  async function say(text: string, reply: (m: StandInMessage) => boolean): Promise<StandInMessage> {
    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text });
    return tg.waitForMessage(CHAT, reply, { afterMessageId: after, timeoutMs: 20_000 });
  }
  /** Asks again every 2 s until the answer (the first bot message that `isAnswer`) matches `ready`. */
  async function until(text: string, isAnswer: RegExp, ready: RegExp, timeoutMs: number): Promise<StandInMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await say(text, (x) => x.kind === "text" && isAnswer.test(x.text ?? ""));
      if (ready.test(m.text ?? "")) return m;
      if (Date.now() > deadline) throw new Error(`${text} never answered ${ready} within ${timeoutMs} ms; last answer:\n${m.text}`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
  const uploaded = (m: StandInMessage): string => {
    const f = tg.files.find((u) => u.fileId === m.file?.fileId);
    expect(f, `the upload behind message ${m.message_id}`).toBeDefined();
    return f!.bytes.toString("utf8");
  };

  it("sends trades.csv and positions.csv, the held symbols in positions.csv", async () => {
    // Asked, not read from the notifications: those may be folded into digests when they come thick and fast.
    // The end of the replay: the books no longer move while we read them.
    const status = await until("/status", /\nFeed: /, /\nFeed: .*\(end of data\)/, 150_000);
    expect(status.text).toMatch(/Open positions: [1-9]\d* /);
    const positions = await say("/positions", (m) => /^📝 PAPER · open positions/.test(m.text ?? ""));
    const held = [...positions.text!.matchAll(/^(\S+) long × (\d+)/gm)].map((m) => ({ symbol: m[1]!, qty: Number(m[2]) }));
    expect(held.length, positions.text).toBeGreaterThan(0);

    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text: "/export" });
    const positionsDoc = await tg.waitForMessage(CHAT, (m) => m.kind === "document" && m.file?.filename === "positions.csv", { afterMessageId: after, timeoutMs: 20_000 });
    const tradesDoc = tg.messages(CHAT).find((m) => m.message_id > after && m.kind === "document" && m.file?.filename === "trades.csv");
    expect(tradesDoc, "trades.csv is sent before positions.csv").toBeDefined();
    expect(tradesDoc!.message_id).toBeLessThan(positionsDoc.message_id);
    expect(tg.messages(CHAT).filter((m) => m.message_id > after && m.kind === "document")).toHaveLength(2);

    const trades = uploaded(tradesDoc!);
    expect(trades.split("\n")[0]).toBe(TRADES_HEADER);
    const closed = trades.trim().split("\n").length - 1;
    expect(tradesDoc!.caption).toMatch(closed === 0 ? /trades\.csv: no trades yet/ : new RegExp(`trades\\.csv: ${closed} closed trades?, net [+-]₹`));

    const csv = uploaded(positionsDoc);
    const rows = csv.trim().split("\n");
    expect(rows[0]).toBe(POSITIONS_HEADER);
    const listed = rows.slice(1).map((r) => r.split(","));
    // Every held position, with its quantity, its strategy, long, opened at an IST time.
    expect(listed.map((r) => ({ symbol: r[1], qty: Number(r[4]) }))).toEqual(held);
    for (const r of listed) {
      expect(r[2]).toBe("sma-cross");
      expect(r[3]).toBe("long");
      expect(r[5]).toMatch(/^\d+\.\d\d$/);
      expect(r[10]).toMatch(/^2025-\d\d-\d\dT\d\d:\d\d:00\+05:30$/);
    }
    expect(positionsDoc.caption).toMatch(new RegExp(`positions\\.csv: ${held.length} open positions?, unrealized [+-]₹`));
  }, 240_000);

  it("sends a PNG chart of a symbol, with the default strategy", async () => {
    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text: "/chart reliance" });
    const photo = await tg.waitForMessage(CHAT, (m) => m.kind === "photo", { afterMessageId: after, timeoutMs: 20_000 });
    expect(photo.caption).toMatch(/RELIANCE · sma-cross · 120 bars, \d\d \w{3} 202\d to \d\d \w{3} 2025/);
    expect(photo.caption).toMatch(/Signals: \d+ entr(y|ies), \d+ exits? · filled: \d+ entr(y|ies), \d+ exits?/);
    expect([photo.file?.width, photo.file?.height]).toEqual([1000, 600]);
    const png = tg.files.find((f) => f.fileId === photo.file?.fileId)!.bytes;
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it("charts Bank Nifty's 75-minute bars with banknifty-trend, named explicitly", async () => {
    const after = last();
    tg.sendText({ chatId: CHAT, userId: USER, text: "/chart BANKNIFTY banknifty-trend" });
    const photo = await tg.waitForMessage(CHAT, (m) => m.kind === "photo", { afterMessageId: after, timeoutMs: 20_000 });
    expect(photo.caption).toMatch(/BANKNIFTY · banknifty-trend · 120 bars/);
  });

  it("answers a bad symbol, a bad strategy and a missing symbol with one line naming the problem", async () => {
    const nope = await say("/chart NOPE", () => true);
    expect(nope.kind).toBe("text");
    expect(nope.text).toMatch(/^Unknown symbol NOPE: no bars for it\. Known: [A-Z&-]+(, [A-Z&-]+)+/);
    expect(nope.text).toContain("Usage: /chart SYMBOL [STRATEGY]");

    const badStrategy = await say("/chart RELIANCE golden-goose", () => true);
    expect(badStrategy.text).toMatch(/^Unknown strategy "golden-goose"; valid: .*sma-cross/);

    const none = await say("/chart", () => true);
    expect(none.text).toMatch(/^Which symbol\?/);
    expect(tg.messages(CHAT).filter((m) => m.message_id > nope.message_id && m.kind === "photo")).toHaveLength(0);
  });
});
