// Drives the real grammY client against the stand-in (no mocks of grammY).
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Bot, GrammyError, HttpError, InlineKeyboard, InputFile } from "grammy";
import { parseTelegramHtml, startTelegramStandIn, type TelegramStandIn } from "./server.js";

// A valid 1×1 PNG.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let tg: TelegramStandIn;
const bots: Bot[] = [];

function makeBot(token?: string): Bot {
  const bot = new Bot(token ?? tg.token, { client: { apiRoot: tg.apiRoot } });
  bot.catch((err) => {
    throw err.error;
  });
  bots.push(bot);
  return bot;
}

/** Starts long polling and returns once the first getUpdates is held open. */
async function startPolling(bot: Bot, options?: Parameters<Bot["start"]>[0]): Promise<{ running: Promise<void> }> {
  const since = tg.calls.length;
  const running = bot.start(options);
  running.catch(() => undefined); // tests that expect a rejection await it themselves
  await tg.waitForCall("getUpdates", (c) => c.params.timeout === 30 && c.status === undefined, { since });
  return { running };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
}

beforeEach(async () => {
  tg = await startTelegramStandIn();
});

afterEach(async () => {
  for (const bot of bots.splice(0)) {
    if (bot.isRunning()) await bot.stop().catch(() => undefined);
  }
  await tg.close();
});

describe("Telegram stand-in with the real grammY client", () => {
  it("answers getMe through bot.init()", async () => {
    const bot = makeBot();
    await bot.init();
    expect(bot.botInfo).toMatchObject({ id: 123456, is_bot: true, username: "dalal_test_bot" });
    expect(tg.calls.map((c) => c.method)).toEqual(["getMe"]);
  });

  it("honours a custom token and username, and answers a wrong token with 401", async () => {
    const custom = await startTelegramStandIn({ token: "987654:OTHER-test-token", botUsername: "other_bot" });
    try {
      const bot = new Bot(custom.token, { client: { apiRoot: custom.apiRoot } });
      await bot.init();
      expect(bot.botInfo).toMatchObject({ id: 987654, username: "other_bot" });

      const intruder = new Bot("987654:wrong", { client: { apiRoot: custom.apiRoot } });
      const err = await rejection(intruder.init());
      expect(err).toBeInstanceOf(GrammyError);
      expect(err).toMatchObject({ error_code: 401, description: "Unauthorized" });
    } finally {
      await custom.close();
    }
  });

  it("delivers a queued text update by long polling and records the handler's reply", async () => {
    const bot = makeBot();
    bot.command("start", (ctx) => ctx.reply(`Hello, <b>${ctx.from?.first_name ?? ""}</b>`, { parse_mode: "HTML" }));
    const { running } = await startPolling(bot);

    expect(tg.calls.slice(0, 2).map((c) => c.method)).toEqual(["getMe", "deleteWebhook"]);
    expect(tg.callsTo("getUpdates")[0]?.params).toMatchObject({ offset: 1, timeout: 30, allowed_updates: [] });

    const updateId = tg.sendText({ chatId: 42, userId: 42, text: "/start", firstName: "Asha" });
    const reply = await tg.waitForMessage(42, "Hello");

    expect(reply).toMatchObject({
      chat_id: 42,
      from_bot: true,
      message_id: 2, // the user's /start took id 1: ids are per chat, shared by both sides
      text: "Hello, Asha",
      source: "Hello, <b>Asha</b>",
      parse_mode: "HTML",
      entities: [{ type: "bold", offset: 7, length: 4 }],
      edits: 0,
    });
    // the next poll's offset confirms the update
    await tg.waitFor(() => tg.updates.find((u) => u.update_id === updateId)?.confirmedAt);
    expect(tg.transcript(42)).toEqual(["#1 user 42: /start", "#2 bot: Hello, Asha"]);

    await bot.stop();
    await running;
  });

  it("holds getUpdates open until an update is queued", async () => {
    const bot = makeBot();
    bot.on("message:text", (ctx) => ctx.reply(`got ${ctx.message.text}`));
    const { running } = await startPolling(bot);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const polls = tg.callsTo("getUpdates");
    expect(polls).toHaveLength(1);
    expect(polls[0]?.status).toBeUndefined(); // still held, not answered

    tg.sendText({ chatId: 7, userId: 7, text: "ping" });
    await tg.waitForMessage(7, "got ping");
    // the held poll answered with the update, then one new held poll: no spinning
    expect(tg.callsTo("getUpdates").length).toBeLessThanOrEqual(3);

    await bot.stop();
    await running;
  });

  it("runs an inline keyboard round trip: press, answer, edit", async () => {
    const bot = makeBot();
    bot.command("menu", (ctx) =>
      ctx.reply("Pick a side for <b>RELIANCE</b>", {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Buy", "buy:RELIANCE").text("Sell", "sell:RELIANCE"),
      }),
    );
    bot.callbackQuery(/^buy:(.+)$/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Noted" });
      await ctx.editMessageText(`Buying <b>${ctx.match[1] ?? ""}</b>`, { parse_mode: "HTML" });
    });
    const { running } = await startPolling(bot);

    tg.sendText({ chatId: 5, userId: 5, text: "/menu" });
    const menu = await tg.waitForMessage(5, "Pick a side");
    expect(menu.reply_markup?.inline_keyboard?.[0]?.map((b) => b.callback_data)).toEqual([
      "buy:RELIANCE",
      "sell:RELIANCE",
    ]);

    const queryId = tg.pressButton({ chatId: 5, userId: 5, messageId: menu.message_id, data: "buy:RELIANCE" });
    const edited = await tg.waitFor(() => tg.message(5, menu.message_id)?.edits === 1 && tg.message(5, menu.message_id));

    expect(edited).toMatchObject({
      text: "Buying RELIANCE",
      entities: [{ type: "bold", offset: 7, length: 8 }],
      history: [{ text: "Pick a side for RELIANCE", by: "editMessageText" }],
    });
    // an edit without reply_markup removes the keyboard, as on the real server
    expect(edited.reply_markup).toBeUndefined();
    expect(tg.answeredCallbacks).toEqual([expect.objectContaining({ id: queryId, text: "Noted" })]);

    // the keyboard is gone, so its buttons can no longer be pressed
    expect(() => tg.pressButton({ chatId: 5, userId: 5, messageId: menu.message_id, data: "sell:RELIANCE" })).toThrow(
      /no button/,
    );

    const same = await rejection(
      bot.api.editMessageText(5, menu.message_id, "Buying <b>RELIANCE</b>", { parse_mode: "HTML" }),
    );
    expect(same).toBeInstanceOf(GrammyError);
    expect(same).toMatchObject({ error_code: 400 });
    expect((same as GrammyError).description).toMatch(/^Bad Request: message is not modified: /);

    const twice = await rejection(bot.api.answerCallbackQuery(queryId));
    expect((twice as GrammyError).description).toMatch(/query is too old/);

    await bot.stop();
    await running;
  });

  it("finds a button by its label on the newest message", async () => {
    const bot = makeBot();
    await bot.api.sendMessage(8, "old", { reply_markup: new InlineKeyboard().text("Refresh", "r:1") });
    await bot.api.sendMessage(8, "new", { reply_markup: new InlineKeyboard().text("Refresh", "r:2") });
    tg.pressButton({ chatId: 8, userId: 8, text: "Refresh" });
    const update = tg.updates.at(-1)?.update as { callback_query: { data: string; message: { text: string } } };
    expect(update.callback_query).toMatchObject({ data: "r:2", message: { text: "new" } });
  });

  it("receives sendPhoto and sendDocument uploads with their bytes", async () => {
    const bot = makeBot();
    const sent = await bot.api.sendPhoto(9, new InputFile(PNG, "chart.png"), {
      caption: "NIFTY <b>+1.2%</b>",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Refresh", "chart:refresh"),
    });
    expect(sent.photo?.[0]).toMatchObject({ width: 1, height: 1, file_size: PNG.length });

    const call = tg.callsTo("sendPhoto")[0];
    expect(call?.params).toMatchObject({
      chat_id: 9,
      photo: { filename: "chart.png", size: PNG.length },
      // multipart carries reply_markup as a JSON string; it is stored parsed
      reply_markup: { inline_keyboard: [[{ text: "Refresh", callback_data: "chart:refresh" }]] },
    });
    const upload = tg.files[0];
    expect(upload?.field).toBe("photo");
    expect(upload?.bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(upload?.bytes.equals(PNG)).toBe(true);
    expect(tg.messages(9)[0]).toMatchObject({ kind: "photo", caption: "NIFTY +1.2%", parse_mode: "HTML" });

    const csv = Buffer.from("symbol,qty\nINFY,10\n");
    const doc = await bot.api.sendDocument(9, new InputFile(csv, "trades.csv"), { caption: "Today's trades" });
    expect(doc.document).toMatchObject({ file_name: "trades.csv", mime_type: "text/csv", file_size: csv.length });
    expect(tg.files.map((f) => f.field)).toEqual(["photo", "document"]);
    expect(tg.files[1]?.bytes.toString()).toBe("symbol,qty\nINFY,10\n");

    const notImage = await rejection(bot.api.sendPhoto(9, new InputFile(Buffer.from("not an image"), "x.png")));
    expect(notImage).toMatchObject({ error_code: 400, description: "Bad Request: IMAGE_PROCESS_FAILED" });
  });

  it("rejects malformed HTML like the real API and accepts the escaped form", async () => {
    const bot = makeBot();
    const unescaped = await rejection(bot.api.sendMessage(3, "<b>M&M</b>", { parse_mode: "HTML" }));
    expect(unescaped).toBeInstanceOf(GrammyError);
    expect(unescaped).toMatchObject({ error_code: 400 });
    expect((unescaped as GrammyError).description).toMatch(/^Bad Request: can't parse entities: /);

    const escaped = await bot.api.sendMessage(3, "<b>M&amp;M</b>", { parse_mode: "HTML" });
    expect(escaped.text).toBe("M&M");
    expect(escaped.entities).toEqual([{ type: "bold", offset: 0, length: 3 }]);

    const stray = await rejection(bot.api.sendMessage(3, "P/E < 20", { parse_mode: "HTML" }));
    expect((stray as GrammyError).description).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 4`,
    );
    // without parse_mode the same characters are plain text
    const plain = await bot.api.sendMessage(3, "P&L < 5% <b>");
    expect(plain.text).toBe("P&L < 5% <b>");
    expect(tg.messages(3).map((m) => m.source)).toEqual(["<b>M&amp;M</b>", "P&L < 5% <b>"]);
  });

  it("validates the essentials of sendMessage", async () => {
    const bot = makeBot();
    const call = (p: Record<string, unknown>): Promise<unknown> =>
      rejection(bot.api.raw.sendMessage(p as Parameters<typeof bot.api.raw.sendMessage>[0]));
    expect(await call({ chat_id: 1, text: "" })).toMatchObject({ description: "Bad Request: message text is empty" });
    expect(await call({ chat_id: 1, text: "<b> </b>", parse_mode: "HTML" })).toMatchObject({
      description: "Bad Request: message text is empty",
    });
    expect(await call({ text: "hi" })).toMatchObject({ description: "Bad Request: chat_id is empty" });
    expect(await call({ chat_id: 1, text: "x".repeat(4097) })).toMatchObject({
      description: "Bad Request: message is too long",
    });
    expect(
      await call({ chat_id: 1, text: "hi", reply_markup: new InlineKeyboard().text("Long", "x".repeat(65)) }),
    ).toMatchObject({ description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(await call({ chat_id: 1, text: "hi", parse_mode: "html5" })).toMatchObject({
      description: "Bad Request: unsupported parse_mode",
    });

    // the server trims surrounding whitespace and shifts entities with it
    const trimmed = await bot.api.sendMessage(1, "\n  <i>hi</i>\n", { parse_mode: "HTML" });
    expect(trimmed).toMatchObject({ text: "hi", entities: [{ type: "italic", offset: 0, length: 2 }] });

    tg.setBlocked(1, true);
    expect(await rejection(bot.api.sendMessage(1, "hi"))).toMatchObject({
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
  });

  it("answers the other methods the bot uses", async () => {
    const bot = makeBot();
    await expect(bot.api.setMyCommands([{ command: "start", description: "Start" }])).resolves.toBe(true);
    await expect(bot.api.getMyCommands()).resolves.toEqual([{ command: "start", description: "Start" }]);
    expect(await rejection(bot.api.setMyCommands([{ command: "/Start", description: "x" }]))).toMatchObject({
      description: "Bad Request: BOT_COMMAND_INVALID",
    });
    await expect(bot.api.sendChatAction(4, "typing")).resolves.toBe(true);
    await expect(bot.api.setWebhook("https://example.invalid/hook")).resolves.toBe(true);
    expect(await rejection(bot.api.getUpdates())).toMatchObject({ error_code: 409 });
    await expect(bot.api.deleteWebhook()).resolves.toBe(true);

    const m = await bot.api.sendMessage(4, "to go", { reply_markup: new InlineKeyboard().text("A", "a") });
    const re = await bot.api.editMessageReplyMarkup(4, m.message_id, {
      reply_markup: new InlineKeyboard().text("B", "b"),
    });
    expect(re).toMatchObject({ message_id: m.message_id, reply_markup: { inline_keyboard: [[{ text: "B" }]] } });
    await expect(bot.api.deleteMessage(4, m.message_id)).resolves.toBe(true);
    expect(tg.messages(4)).toEqual([]);
    expect(tg.messages(4, { includeDeleted: true })[0]).toMatchObject({ deleted: true, edits: 1 });
    expect(await rejection(bot.api.deleteMessage(4, m.message_id))).toMatchObject({
      description: "Bad Request: message to delete not found",
    });
  });

  it("answers an unknown method with 404", async () => {
    const bot = makeBot();
    const raw = bot.api.raw as unknown as Record<string, (p: object) => Promise<unknown>>;
    const err = await rejection(raw.noSuchMethod!({}));
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 404, description: "Not Found: method not found" });
  });

  it("serves injected faults: 429, 5xx, dropped connections, offline", async () => {
    const bot = makeBot();
    tg.failNext("sendMessage", 1, { kind: "429", retryAfter: 7 });
    const limited = await rejection(bot.api.sendMessage(1, "hi"));
    expect(limited).toBeInstanceOf(GrammyError);
    expect(limited).toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });
    await expect(bot.api.sendMessage(1, "hi")).resolves.toMatchObject({ text: "hi" });

    tg.failNext("*", 1, { kind: "5xx", status: 502 });
    expect(await rejection(bot.api.sendMessage(1, "x"))).toMatchObject({ error_code: 502 });
    tg.failNext("sendMessage", 1, { kind: "5xx", status: 502, html: true });
    expect(await rejection(bot.api.sendMessage(1, "x"))).toBeInstanceOf(HttpError); // not JSON
    tg.failNext("sendMessage", 1, { kind: "drop" });
    expect(await rejection(bot.api.sendMessage(1, "x"))).toBeInstanceOf(HttpError);

    tg.setOffline(true);
    expect(await rejection(bot.api.sendMessage(1, "x"))).toBeInstanceOf(HttpError);
    tg.setOffline(false);
    await expect(bot.api.sendMessage(1, "back")).resolves.toMatchObject({ text: "back" });

    expect(tg.faults.map((f) => `${f.method}:${f.kind}`)).toEqual([
      "sendMessage:429",
      "sendMessage:5xx",
      "sendMessage:5xx",
      "sendMessage:drop",
      "sendMessage:offline",
    ]);
    expect(tg.messages(1).map((m) => m.text)).toEqual(["hi", "back"]);
  });

  it("drops a held getUpdates when going offline, and grammY's init retries a 5xx getMe", async () => {
    const bot = makeBot();
    const poll = rejection(bot.api.getUpdates({ timeout: 30 }));
    await tg.waitForCall("getUpdates");
    tg.setOffline(true);
    expect(await poll).toBeInstanceOf(HttpError);
    tg.setOffline(false);

    tg.failNext("getMe", 1, { kind: "5xx" });
    await bot.init();
    expect(tg.callsTo("getMe").map((c) => c.fault ?? c.status)).toEqual(["5xx", 200]);
  });

  it("skips update types excluded by allowed_updates and drops pending ones on request", async () => {
    const bot = makeBot();
    const early = tg.sendText({ chatId: 6, userId: 6, text: "sent while the bot was down" });
    bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    const { running } = await startPolling(bot, { allowed_updates: ["message"], drop_pending_updates: true });
    const dropped = tg.updates.find((u) => u.update_id === early);
    expect(dropped?.deliveredAt).toBeUndefined();
    expect(dropped?.confirmedAt).toBeDefined();

    await bot.api.sendMessage(6, "menu", { reply_markup: new InlineKeyboard().text("Go", "go") });
    tg.pressButton({ chatId: 6, userId: 6, data: "go" });
    tg.sendText({ chatId: 6, userId: 6, text: "hello" });
    await tg.waitForMessage(6, "echo hello");
    expect(tg.updates.find((u) => u.type === "callback_query")).toMatchObject({ filtered: true });

    await bot.stop();
    await running;
  });

  it("ends the first poller with 409 when a second one polls", async () => {
    const first = makeBot();
    const { running } = await startPolling(first);
    const second = makeBot();
    await startPolling(second);
    const err = await rejection(running);
    expect(err).toBeInstanceOf(GrammyError);
    expect(err).toMatchObject({ error_code: 409 });
  });

  it("lets bot.stop() finish promptly and close() leave no open sockets", async () => {
    const bot = makeBot();
    const { running } = await startPolling(bot);
    const started = Date.now();
    await bot.stop();
    await running;
    expect(Date.now() - started).toBeLessThan(3000); // far below the 30 s poll
    expect(tg.callsTo("getUpdates").at(-1)?.params).toMatchObject({ offset: 1, limit: 1 });

    const tcp = (): string[] =>
      process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap" || r === "TCPServerWrap");
    expect(tcp().length).toBeGreaterThan(0); // the check can see the server and grammY's kept-alive sockets
    await tg.close();
    await tg.waitFor(() => tcp().length === 0, 2000, "no TCP handles left");
  });

  it("lets a process that used it exit on its own", async () => {
    const serverUrl = pathToFileURL(fileURLToPath(new URL("./server.ts", import.meta.url))).href;
    const script = `
      const { startTelegramStandIn } = await import(${JSON.stringify(serverUrl)});
      const { Bot } = await import("grammy");
      const tg = await startTelegramStandIn();
      const bot = new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
      bot.on("message:text", (ctx) => ctx.reply("pong"));
      const running = bot.start();
      await tg.waitFor(() => tg.callsTo("getUpdates").some((c) => c.status === undefined));
      tg.sendText({ chatId: 1, userId: 1, text: "ping" });
      await tg.waitForMessage(1, "pong");
      await bot.stop();
      await running;
      await tg.close();
      console.log("done");
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = await new Promise<number | null | "hung">((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("hung");
      }, 20_000);
      child.on("exit", (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    expect({ exited, output: output.trim() }).toEqual({ exited: 0, output: "done" });
  });
});

describe("parseTelegramHtml", () => {
  it.each([
    ["<b>bold</b> <i>it</i>", "bold it", [
      { type: "bold", offset: 0, length: 4 },
      { type: "italic", offset: 5, length: 2 },
    ]],
    ['<a href="https://x.example/?a=1&amp;b=2">link</a>', "link", [
      { type: "text_link", offset: 0, length: 4, url: "https://x.example/?a=1&b=2" },
    ]],
    ['<pre><code class="language-python">x = 1</code></pre>', "x = 1", [
      { type: "pre", offset: 0, length: 5, language: "python" },
    ]],
    ['<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [
      { type: "spoiler", offset: 0, length: 1 },
      { type: "spoiler", offset: 1, length: 1 },
    ]],
    ["<blockquote expandable>q</blockquote><u>u</u><s>s</s>", "qus", [
      { type: "expandable_blockquote", offset: 0, length: 1 },
      { type: "underline", offset: 1, length: 1 },
      { type: "strikethrough", offset: 2, length: 1 },
    ]],
    ["&#8377;100 &#x20B9; &lt;tag&gt; &quot;q&quot; &amp;", "₹100 ₹ <tag> \"q\" &", []],
  ])("parses %s", (source, text, entities) => {
    expect(parseTelegramHtml(source)).toEqual({ ok: true, text, entities });
  });

  it.each([
    ["a < b", `Unsupported start tag "" at byte offset 2`],
    ["line<br>next", `Unsupported start tag "br" at byte offset 4`],
    ["₹ <x>", `Unsupported start tag "x" at byte offset 4`],
    ["<b>x", `Can't find end tag corresponding to start tag "b"`],
    ["<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`],
    ["x</b>", "Unexpected end tag at byte offset 1"],
    ["<b", "Unclosed start tag at byte offset 0"],
    ["<span>x</span>", `Tag "span" must have class "tg-spoiler" at byte offset 0`],
    ["M&M", /Character '&' must be escaped/],
    ["a > b", /Character '>' must be escaped/],
    ["&nbsp;", /Character '&' must be escaped/],
    ['<a href="x?a=1&b=2">l</a>', /Character '&' in an attribute value/],
  ])("rejects %s", (source, error) => {
    const result = parseTelegramHtml(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it("tolerates a bare & and > when not strict, like the real server", () => {
    expect(parseTelegramHtml("M&M > P&L", { strict: false })).toEqual({ ok: true, text: "M&M > P&L", entities: [] });
    expect(parseTelegramHtml("a < b", { strict: false }).ok).toBe(false);
  });
});
