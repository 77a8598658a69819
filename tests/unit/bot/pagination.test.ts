/**
 * paginate on its own (worked examples), the page store's expiry, and a real
 * grammY bot against the Telegram stand-in turning the pages of a generated
 * 250-trade list with ◀ ▶ until the list expires.
 */
import { Bot } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DalalContext } from "../../../src/bot/access.js";
import { registerPageButtons } from "../../../src/bot/notify-handlers.js";
import { EXPIRED_LIST, PageStore, paginate, pageKeyboard, parsePageData, sendPaginated } from "../../../src/bot/pagination.js";
import { parseTelegramHtml, startTelegramStandIn, type TelegramStandIn } from "../../stand-ins/telegram/server.js";

const lines = (n: number, f: (i: number) => string = (i) => `Trade ${i}`) => Array.from({ length: n }, (_, i) => f(i + 1));

describe("paginate", () => {
  it("45 trades at 20 a page: pages of 20, 20 and 5, each with the header and its number", () => {
    const pages = paginate(lines(45), { header: "<b>Last 45 trades</b>", perPage: 20 });
    expect(pages).toHaveLength(3);
    expect(pages[0]).toBe(`<b>Last 45 trades</b>\n${lines(20).join("\n")}\n\n<i>Page 1 of 3</i>`);
    expect(pages[2]).toBe(`<b>Last 45 trades</b>\nTrade 41\nTrade 42\nTrade 43\nTrade 44\nTrade 45\n\n<i>Page 3 of 3</i>`);
  });

  it("one page: no page number", () => {
    expect(paginate(["a", "b"], { header: "H" })).toEqual(["H\na\nb"]);
  });

  it("nothing to list: the header alone, or no page at all", () => {
    expect(paginate([], { header: "No trades" })).toEqual(["No trades"]);
    expect(paginate([])).toEqual([]);
  });

  it("keeps every page within Telegram's 4096 characters, never cutting an item, all items in order once", () => {
    // 100 items of 100 characters: 10,000 characters, so 3 pages even though perPage allows all.
    const items = lines(100, (i) => `${String(i).padStart(3, "0")} ${"y".repeat(96)}`);
    const pages = paginate(items, { header: "Header", perPage: 1000 });
    expect(pages).toHaveLength(3);
    for (const p of pages) expect(p.length).toBeLessThanOrEqual(4096);
    const back = pages.flatMap((p) => p.split("\n").filter((l) => /^\d{3} y+$/.test(l)));
    expect(back).toEqual(items);
  });

  it("splits an item longer than a page into pieces that are still valid HTML", () => {
    const item = `<b>RELIANCE</b> ${"M&amp;M &lt;x&gt; ".repeat(40)}<i>end</i>`; // ≈ 700 characters
    const pages = paginate([item], { maxChars: 200 });
    expect(pages.length).toBeGreaterThan(3);
    for (const p of pages) {
      expect(p.length).toBeLessThanOrEqual(200);
      expect(parseTelegramHtml(p, { strict: true })).toMatchObject({ ok: true });
    }
    const visible = pages.map((p) => (parseTelegramHtml(p) as { text: string }).text.replace(/\n\nPage \d+ of \d+$/, "")).join(" ");
    expect(visible.replace(/\s+/g, " ")).toBe(`RELIANCE ${"M&M <x> ".repeat(40)}end`.replace(/\s+/g, " "));
  });

  it("page buttons: ◀ only after the first page, ▶ only before the last", () => {
    expect(pageKeyboard("abc", 0, 3).inline_keyboard).toEqual([[{ text: "▶", callback_data: "p:abc:1" }]]);
    expect(pageKeyboard("abc", 1, 3).inline_keyboard).toEqual([
      [
        { text: "◀", callback_data: "p:abc:0" },
        { text: "▶", callback_data: "p:abc:2" },
      ],
    ]);
    expect(pageKeyboard("abc", 2, 3).inline_keyboard).toEqual([[{ text: "◀", callback_data: "p:abc:1" }]]);
    expect(parsePageData("p:abc:2")).toEqual({ listId: "abc", page: 2 });
    expect(parsePageData("p:ABC:2")).toBeNull();
    expect(parsePageData("a:sma-cross-x")).toBeNull();
  });
});

describe("the page store", () => {
  it("forgets a list after its time", () => {
    let now = 1_000;
    const store = new PageStore({ ttlMs: 60_000, now: () => now });
    const id = store.add(["one", "two"]);
    expect(id).toMatch(/^[a-z0-9]{1,10}$/);
    now += 59_999;
    expect(store.get(id)).toEqual(["one", "two"]);
    now += 1;
    expect(store.get(id)).toBeUndefined();
  });

  it("keeps at most maxLists, dropping the oldest", () => {
    const store = new PageStore({ maxLists: 2 });
    const a = store.add(["a"]);
    const b = store.add(["b"]);
    const c = store.add(["c"]);
    expect([store.get(a), store.get(b), store.get(c)]).toEqual([undefined, ["b"], ["c"]]);
  });
});

describe("paginated replies in a chat", () => {
  const CHAT = 77;
  let tg: TelegramStandIn;
  let bot: Bot<DalalContext>;
  let running: Promise<void>;
  let now = 0;
  const store = new PageStore({ ttlMs: 10 * 60_000, now: () => now });
  const trades = lines(250, (i) => `T${String(i).padStart(3, "0")} INFY × 10: ₹1,500.00 → ₹1,530.00 · net +₹280.00 (target)`);

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    bot = new Bot<DalalContext>(tg.token, { client: { apiRoot: tg.apiRoot } });
    registerPageButtons(bot, store);
    bot.command("list", (ctx) => sendPaginated(ctx, paginate(trades, { header: "<b>Last 250 trades</b>", perPage: 50 }), store).then(() => {}));
    bot.command("short", (ctx) => sendPaginated(ctx, paginate(trades.slice(0, 3), { header: "<b>Last 3 trades</b>" }), store).then(() => {}));
    running = bot.start();
    await tg.waitForCall("getUpdates");
  });

  afterAll(async () => {
    await bot.stop();
    await running;
    await tg.close();
  });

  it("shows page 1 of 5 with ▶, turns to page 2 and back, and says when the list has expired", async () => {
    tg.sendText({ chatId: CHAT, userId: CHAT, text: "/list" });
    const first = await tg.waitForMessage(CHAT, /Last 250 trades/);
    expect(first.text).toMatch(/^Last 250 trades\nT001 INFY/);
    expect(first.text).toMatch(/T050 .*\n\nPage 1 of 5$/);
    expect(first.reply_markup?.inline_keyboard?.[0]?.map((b) => b.text)).toEqual(["▶"]);

    tg.pressButton({ chatId: CHAT, userId: CHAT, messageId: first.message_id, text: "▶" });
    const second = await tg.waitForMessage(CHAT, (m) => m.message_id === first.message_id && /Page 2 of 5/.test(m.text ?? ""));
    expect(second.text).toMatch(/^Last 250 trades\nT051 /);
    expect(second.reply_markup?.inline_keyboard?.[0]?.map((b) => b.text)).toEqual(["◀", "▶"]);
    await tg.waitFor(() => tg.answeredCallbacks.find((a) => a.text === "Page 2 of 5"));

    tg.pressButton({ chatId: CHAT, userId: CHAT, messageId: first.message_id, text: "◀" });
    await tg.waitForMessage(CHAT, (m) => m.message_id === first.message_id && m.edits === 2 && /Page 1 of 5/.test(m.text ?? ""));

    now += 10 * 60_000;
    tg.pressButton({ chatId: CHAT, userId: CHAT, messageId: first.message_id, text: "▶" });
    const expired = await tg.waitFor(() => tg.answeredCallbacks.find((a) => a.text === EXPIRED_LIST));
    expect(EXPIRED_LIST).toBe("This list has expired; ask again");
    expect(expired.show_alert).toBe(true);
    expect(tg.message(CHAT, first.message_id)!.edits).toBe(2); // nothing shown from an expired list
  });

  it("a short list is one message without buttons", async () => {
    tg.sendText({ chatId: CHAT, userId: CHAT, text: "/short" });
    const m = await tg.waitForMessage(CHAT, /Last 3 trades/);
    expect(m.text!.split("\n")).toHaveLength(4);
    expect(m.reply_markup?.inline_keyboard ?? []).toEqual([]);
  });
});
