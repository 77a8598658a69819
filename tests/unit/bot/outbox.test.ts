/**
 * The outbox against the Telegram stand-in through grammY's real Api client (with
 * the auto-retry notifications use): messages held through an outage arrive once
 * each, in order; the admin hears of a long outage; past the flood cap the
 * waiting messages are joined, not dropped; what cannot go out at shutdown is
 * saved and goes out first at the next start.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Outbox, notificationApi, type Outgoing, type OutboxOptions } from "../../../src/bot/outbox.js";
import { PageStore } from "../../../src/bot/pagination.js";
import { istTime } from "../../../src/engine/time/ist.js";
import type { Logger } from "../../../src/log.js";
import { startTelegramStandIn, type TelegramStandIn } from "../../stand-ins/telegram/server.js";

const A = 1001;
const B = 1002;
const ADMIN = 9009;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingLog(): Logger & { lines: Array<{ level: string; msg: string; detail?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; msg: string; detail?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, detail?: Record<string, unknown>) => void lines.push({ level, msg, ...(detail ? { detail } : {}) });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

describe("the outbox", () => {
  let tg: TelegramStandIn;
  const open: Outbox[] = [];

  beforeAll(async () => {
    tg = await startTelegramStandIn();
  });
  afterEach(() => {
    tg.setOffline(false);
    for (const o of open.splice(0)) o.close();
  });
  afterAll(async () => {
    await tg.close();
  });

  function outbox(o: Partial<OutboxOptions> = {}): Outbox {
    const box: Outbox = new Outbox({
      api: notificationApi(tg.token, tg.apiRoot),
      log: recordingLog(),
      firstBackoffMs: 50,
      maxBackoffMs: 200,
      outageNoticeMs: 400,
      ...o,
      hooks: { outage: (text) => box.send({ chatId: ADMIN, html: text }), ...o.hooks },
    });
    open.push(box);
    return box;
  }

  const texts = (chatId: number) => tg.messages(chatId).map((m) => m.text);

  it("holds messages while Telegram is unreachable, then delivers each once, in order, and tells the admin", async () => {
    const box = outbox();
    for (const n of [1, 2, 3]) box.send({ chatId: A, html: `A${n}` });
    expect(await box.idle(5000)).toBe(true);
    expect(texts(A)).toEqual(["A1", "A2", "A3"]);

    tg.setOffline(true);
    const downAt = Date.now();
    for (const n of [4, 5, 6, 7, 8, 9, 10]) box.send({ chatId: A, html: `A${n}` });
    for (const n of [1, 2, 3]) box.send({ chatId: B, html: `B${n}` });
    await tg.waitFor(() => box.isDown);
    await sleep(700);
    expect(texts(A)).toHaveLength(3); // nothing got through while offline
    const offlineFaults = tg.faults.filter((f) => f.kind === "offline").length;
    tg.setOffline(false);
    const upAt = Date.now();

    expect(await box.idle(5000)).toBe(true);
    expect(texts(A)).toEqual(["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A10"]);
    expect(texts(B)).toEqual(["B1", "B2", "B3"]);
    // One queue probes with backoff (50, 100, 200, 200 ms …), the other waits: a handful of tries, not a storm.
    expect(offlineFaults).toBeGreaterThanOrEqual(2);
    expect(offlineFaults).toBeLessThanOrEqual(8);

    // 7 for A and 3 for B waited out the outage.
    const [notice] = texts(ADMIN);
    expect(notice).toMatch(/^Telegram was unreachable from \d\d:\d\d to \d\d:\d\d IST; 10 messages delivered late\.$/);
    const [, from, to] = /from (\d\d:\d\d) to (\d\d:\d\d)/.exec(notice!)!;
    expect([istTime(downAt - 1000), istTime(downAt + 1000)]).toContain(from);
    expect([istTime(upAt - 1000), istTime(upAt + 1000)]).toContain(to);
    expect(texts(ADMIN)).toHaveLength(1);
  });

  it("does not bother the admin about an outage shorter than the threshold", async () => {
    const box = outbox({ outageNoticeMs: 60_000 });
    tg.setOffline(true);
    box.send({ chatId: A, html: "short outage" });
    await tg.waitFor(() => box.isDown);
    await sleep(150);
    tg.setOffline(false);
    expect(await box.idle(5000)).toBe(true);
    expect(tg.messages(A).filter((m) => m.text === "short outage")).toHaveLength(1);
    await sleep(50);
    expect(texts(ADMIN).filter((t) => /unreachable/.test(t ?? "")).length).toBe(1); // only the first test's notice
  });

  it("sends silent messages with disable_notification", async () => {
    const box = outbox();
    box.send({ chatId: A, html: "quiet one", silent: true });
    box.send({ chatId: A, html: "loud one" });
    await box.idle(5000);
    const params = (t: string) => tg.callsTo("sendMessage").find((c) => c.params.text === t)!.params;
    expect(params("quiet one").disable_notification).toBe(true);
    expect(params("loud one").disable_notification).toBeUndefined();
  });

  it("past the flood cap joins the waiting messages into one, in order, none dropped", async () => {
    const C = 2001;
    const box = outbox({ perMinute: 3, windowMs: 500 });
    const started = Date.now();
    for (let n = 1; n <= 8; n++) box.send({ chatId: C, html: `flood ${n}`, silent: n !== 6 });
    expect(await box.idle(5000)).toBe(true);
    const msgs = tg.messages(C);
    expect(msgs.map((m) => m.text!.split("\n")[0])).toEqual(["flood 1", "flood 2", "flood 3", "📦 5 notifications at once (this chat gets at most 3 a minute)"]);
    expect(msgs[3]!.text!.split("\n").filter((l) => l.startsWith("flood"))).toEqual(["flood 4", "flood 5", "flood 6", "flood 7", "flood 8"]);
    // The joined message waited for the window to free a slot.
    const sends = tg.callsTo("sendMessage").filter((c) => c.params.chat_id === C);
    expect(sends[3]!.at - started).toBeGreaterThanOrEqual(450);
    // One of the five asked for a sound, so the joined message makes one.
    expect(sends[3]!.params.disable_notification).toBeUndefined();
  });

  it("a joined message too long for Telegram goes as pages with ◀ ▶, every message on some page", async () => {
    const C = 2002;
    const pages = new PageStore();
    const box = outbox({ perMinute: 1, windowMs: 300, pages });
    const long = (n: number) => `long ${String(n).padStart(2, "0")} ${"x".repeat(290)}`;
    box.send({ chatId: C, html: "first" });
    for (let n = 1; n <= 30; n++) box.send({ chatId: C, html: long(n) });
    expect(await box.idle(5000)).toBe(true);
    const msgs = tg.messages(C);
    expect(msgs).toHaveLength(2);
    const joined = msgs[1]!;
    expect(joined.text!.length).toBeLessThanOrEqual(4096);
    const next = joined.reply_markup!.inline_keyboard![0]!.find((b) => b.text === "▶")!;
    const [, listId] = /^p:([a-z0-9]+):1$/.exec(next.callback_data!)!;
    const all = pages.get(listId!)!;
    expect(all.length).toBeGreaterThan(1);
    expect(all[0]).toBe(joined.source);
    const seen = all.flatMap((p) => [...p.matchAll(/long (\d\d)/g)].map((m) => Number(m[1])));
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    for (const p of all) expect(p.length).toBeLessThanOrEqual(4096);
  });

  it("a flush at shutdown does not wait out the flood cap: what waits goes now, joined", async () => {
    const C = 2006;
    const box = outbox({ perMinute: 2, windowMs: 60_000 });
    for (let n = 1; n <= 5; n++) box.send({ chatId: C, html: `m${n}` });
    await tg.waitFor(() => tg.messages(C).length === 2);
    const t = Date.now();
    expect(await box.flush(5000)).toBe(0);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(texts(C)).toEqual(["m1", "m2", "📦 3 notifications at once (this chat gets at most 2 a minute)\nm3\n\nm4\n\nm5"]);
  });

  it("drops a message Telegram refuses (bot blocked) and goes on with the next", async () => {
    const C = 2003;
    const log = recordingLog();
    const box = outbox({ log });
    tg.setBlocked(C, true);
    box.send({ chatId: C, html: "to a blocked chat" });
    await box.idle(5000);
    tg.setBlocked(C, false);
    box.send({ chatId: C, html: "after unblocking" });
    await box.idle(5000);
    expect(texts(C)).toEqual(["after unblocking"]);
    expect(log.lines.find((l) => l.level === "error")?.detail?.error).toMatch(/blocked by the user/);
  });

  it("at shutdown with Telegram down saves what waits; the next start sends it first, in order", async () => {
    const C = 2004;
    let saved: Outgoing[] = [];
    const store = { save: async (items: Outgoing[]) => void (saved = items), load: async () => saved };
    const first = outbox({ hooks: store });
    first.send({ chatId: C, html: "before" });
    await first.idle(5000);
    tg.setOffline(true);
    for (const n of [1, 2, 3]) first.send({ chatId: C, html: `held ${n}` });
    await tg.waitFor(() => first.isDown);
    expect(await first.flush(1000)).toBe(3);
    expect(saved.map((o) => o.html)).toEqual(["held 1", "held 2", "held 3"]);
    first.send({ chatId: C, html: "after close" }); // stopped: not sent, not saved twice
    tg.setOffline(false);

    const second = outbox({ hooks: store });
    second.send({ chatId: C, html: "new" });
    expect(await second.idle(5000)).toBe(true);
    expect(texts(C)).toEqual(["before", "held 1", "held 2", "held 3", "new"]);
    expect(saved).toEqual([]); // forgotten once delivered
  });

  it("edits run in the chat's order, after the message they edit went out", async () => {
    const C = 2005;
    let cardId = 0;
    const box = outbox({
      hooks: {
        prepare: async (o) => (o.tag?.edit ? [{ chatId: o.chatId, html: o.html, editOf: cardId, markup: { inline_keyboard: [] } }] : [o]),
        delivered: async (o, m) => {
          if (o.tag?.card && m !== true) cardId = m.message_id;
        },
      },
    });
    tg.setOffline(true);
    box.send({ chatId: C, html: "card", markup: { inline_keyboard: [[{ text: "Approve", callback_data: "a:x" }]] }, tag: { card: true } });
    box.send({ chatId: C, html: "card: approved", tag: { edit: true } });
    await tg.waitFor(() => box.isDown);
    tg.setOffline(false);
    await box.idle(5000);
    const [card] = tg.messages(C);
    expect(card!.text).toBe("card: approved");
    expect(card!.edits).toBe(1);
    expect(card!.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });
});
