/**
 * Who may do what, through the real bot and the Telegram stand-in: chats and
 * users not allowed get one refusal and nothing else; admin commands from a
 * chat that is not the admin chat are refused with nothing done; forged or
 * stale button data is refused. "Nothing done" is checked on the database:
 * orders, positions, signals, fills, trades and settings (the switches and the
 * breaker live there) are the same before and after.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/bot/commands.js";
import * as schema from "../../src/db/schema.js";
import { answerText, IDS, startHarness, type Exchange, type Harness } from "./helpers.js";

const PRIVATE = /^This desk is private; (chat -?\d+ is not allowed|user -?\d+ is not on its list of users)\.$/;
const NOT_ALLOWED_BUTTON = "Not allowed: this desk is private.";

/** Each command with arguments that would do something if the sender were allowed. */
function realisticArgs(command: string, signalId: string): string {
  const args: Record<string, string> = {
    approve: signalId,
    reject: `${signalId} not today`,
    pnl: "all",
    trades: "5",
    scan: "sma-cross",
    backtest: "sma-cross 2025-01-01 2025-02-01",
    auto: "sma-cross on",
    chart: "INFY",
    notify: "all off",
    exit: "M&M",
    breaker: "trip",
  };
  return args[command] ? `/${command} ${args[command]}` : `/${command}`;
}

/** The keyboard's callback data of a sent message. */
function buttons(x: Exchange, k = 0): string[] {
  const markup = x.sent[k]?.call.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
}

describe("access: refused senders, admin commands, forged buttons", () => {
  let h: Harness;
  let signalId: string;

  beforeAll(async () => {
    h = await startHarness();
    signalId = h.pendingIds[0]!;
    expect(h.pendingIds.length, "the replay left signals waiting").toBeGreaterThan(0);
    expect((await h.repo.openPositions()).map((p) => p.symbol)).toContain("M&M");
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    // Nothing reached the process as an unhandled rejection at any point.
    expect(h?.unhandled ?? []).toEqual([]);
  });

  const refusedEvents = async () => (await h.database.db.select().from(schema.systemEvents).where(eq(schema.systemEvents.kind, "access.refused"))).length;

  it.each([
    ["a chat not allowed", IDS.strangerChat, IDS.strangerUser],
    ["an allowed user in a chat not allowed", IDS.strangerChat + 1, IDS.user],
    ["an unknown user in an allowed chat", IDS.chat, IDS.strangerUser],
    ["an unknown user in the admin chat", IDS.adminChat, IDS.strangerUser],
  ])("every command from %s gets exactly one refusal line and changes nothing", async (_who, chatId, userId) => {
    const before = await h.snapshot();
    const events = await refusedEvents();
    const texts = [...COMMANDS.map((c) => realisticArgs(c.command, signalId)), "/flatten", "hello", "/nosuch"];
    for (const text of texts) {
      const x = await h.send(chatId, userId, text);
      // One message, to the sender's chat, and not a single other call (no keyboard, no edit, no file).
      expect(x.calls.map((c) => `${c.method} → ${c.params.chat_id}`), text).toEqual([`sendMessage → ${chatId}`]);
      expect(x.calls[0]!.status, text).toBe(200);
      expect(answerText(x.calls[0]!), text).toMatch(PRIVATE);
      expect(x.calls[0]!.params.reply_markup, text).toBeUndefined();
    }
    expect(await h.snapshot()).toEqual(before);
    expect((await h.repo.signal(signalId))?.status).toBe("proposed");
    // Every attempt is audited.
    expect((await refusedEvents()) - events).toBe(texts.length);
    expect(h.logLines().filter((l) => l.includes(`"refused message from chat ${chatId} user ${userId}"`)).length).toBeGreaterThanOrEqual(texts.length);
  });

  it("button presses from a chat not allowed, or an unknown user, are refused in the button answer alone", async () => {
    // Real data an outsider could have seen (a forwarded card, a screenshot of the ids).
    const card = await h.send(IDS.chat, IDS.user, "/signals");
    const pages = await h.send(IDS.chat, IDS.user, "/trades 60");
    const flatten = await h.send(IDS.adminChat, IDS.adminUser, "/flatten");
    const nonce = buttons(flatten)[0]!;
    expect(buttons(card)).toContain(`a:${signalId}`);
    expect(nonce).toMatch(/^c:[0-9a-f]{12}$/);
    expect(buttons(pages)[0]).toMatch(/^p:/);
    // The outsider's chat has a message (its refusal) to press on.
    await h.send(IDS.strangerChat, IDS.strangerUser, "/start");

    const before = await h.snapshot();
    const forged = [`a:${signalId}`, `r:${signalId}`, nonce, nonce.replace(/^c/, "n"), buttons(pages)[0]!, "x", "anything"];
    const presses: Array<[number, number, string, number | undefined]> = [
      ...forged.map((d): [number, number, string, number | undefined] => [IDS.strangerChat, IDS.strangerUser, d, undefined]),
      // The real card and the real flatten confirmation, pressed by someone not on the user list.
      [IDS.chat, IDS.strangerUser, `a:${signalId}`, card.sent.find((s) => buttons({ ...card, sent: [s] }).includes(`a:${signalId}`))?.messageId],
      [IDS.adminChat, IDS.strangerUser, nonce, flatten.sent[0]!.messageId],
    ];
    for (const [chatId, userId, data, messageId] of presses) {
      const x = await h.press(chatId, userId, data, messageId !== undefined ? { messageId } : {});
      expect(x.calls.map((c) => c.method), `${data} in ${chatId}`).toEqual(["answerCallbackQuery"]);
      expect(answerText(x.calls[0]!)).toBe(NOT_ALLOWED_BUTTON);
    }
    expect(await h.snapshot()).toEqual(before);
    expect((await h.repo.signal(signalId))?.status).toBe("proposed");

    // The refusals did not use up the admin's confirmation: it still goes to its second step.
    const own = await h.press(IDS.adminChat, IDS.adminUser, nonce, { messageId: flatten.sent[0]!.messageId });
    expect(answerText(own.calls.find((c) => c.method === "answerCallbackQuery")!)).toBe("One more confirmation.");
    const second = own.sent.at(-1)!;
    expect(answerText(second.call)).toMatch(/Really flatten\?[\s\S]*Step 2 of 2/);
    // Cancelled at step 2: nothing was flattened.
    const cancel = buttons({ ...own, sent: [second] }).find((d) => d.startsWith("n:"))!;
    await h.press(IDS.adminChat, IDS.adminUser, cancel, { messageId: second.messageId });
    expect(await h.snapshot()).toEqual(before);
  });

  it("every admin command from a chat that is not the admin chat is refused, with nothing done", async () => {
    // Make each one meaningful: halted (for /unhalt) and the breaker tripped (for /reset_breaker).
    expect(answerText((await h.send(IDS.adminChat, IDS.adminUser, "/halt")).calls[0]!)).toMatch(/HALTED/);
    expect(answerText((await h.send(IDS.adminChat, IDS.adminUser, "/breaker trip")).calls[0]!)).toMatch(/Circuit breaker tripped/);
    const before = await h.snapshot();
    const block = h.desk.controls.entryBlock();
    const admin = COMMANDS.filter((c) => c.admin).map((c) => c.command);
    expect(admin.sort()).toEqual(["flatten", "halt", "reload", "reset_breaker", "unhalt"]);

    for (const [chatId, userId] of [
      [IDS.chat, IDS.user],
      [IDS.otherAllowedChat, IDS.otherUser],
      [IDS.chat, IDS.adminUser], // the admin's own account, outside the admin chat
    ] as const) {
      for (const [text, name] of [["/halt", "halt"], ["/unhalt", "unhalt"], ["/flatten", "flatten"], ["/reset_breaker", "reset_breaker"], ["/reload", "reload"], ["/breaker trip", "breaker trip"]] as const) {
        const x = await h.send(chatId, userId, text);
        expect(x.calls.map((c) => c.method), `${text} from chat ${chatId}`).toEqual(["sendMessage"]);
        expect(answerText(x.calls[0]!)).toBe(`Only the admin chat may use /${name}; nothing was done.`);
        // No confirmation keyboard was offered.
        expect(x.calls[0]!.params.reply_markup).toBeUndefined();
      }
    }
    expect(await h.snapshot()).toEqual(before);
    expect(h.desk.controls.entryBlock()).toBe(block);
    expect(h.desk.controls.get("halted")?.by).toBe("@u102");
    expect(h.desk.controls.breaker?.tripped).toBe(true);
    const events = await h.database.db
      .select()
      .from(schema.systemEvents)
      .where(and(eq(schema.systemEvents.kind, "control.halted")));
    expect(events.map((e) => e.message)).toEqual(["halted on by @u102"]);

    // Put things back for the tests after this one.
    await h.send(IDS.adminChat, IDS.adminUser, "/unhalt");
    const reset = await h.send(IDS.adminChat, IDS.adminUser, "/reset_breaker");
    await h.press(IDS.adminChat, IDS.adminUser, buttons(reset)[0]!, { messageId: reset.sent[0]!.messageId });
    expect(h.desk.controls.entryBlock()).toBeNull();
  });

  it("a confirmation pressed in another chat is refused and nothing is done", async () => {
    await h.send(IDS.otherAllowedChat, IDS.otherUser, "/status");
    const before = await h.snapshot();
    // Confirm and cancel from another allowed chat, and confirm from the admin chat: each on a fresh /exit
    // (one press uses up the confirmation, see the case below).
    for (const [chatId, userId, which] of [
      [IDS.otherAllowedChat, IDS.otherUser, 0],
      [IDS.otherAllowedChat, IDS.otherUser, 1],
      [IDS.adminChat, IDS.adminUser, 0],
    ] as const) {
      const exit = await h.send(IDS.chat, IDS.user, "/exit M&M");
      const data = buttons(exit)[which]!;
      expect(data).toMatch(/^[cn]:[0-9a-f]{12}$/);
      const x = await h.press(chatId, userId, data);
      expect(x.calls.map((c) => c.method), `${data} from chat ${chatId}`).toEqual(["answerCallbackQuery"]);
      expect(answerText(x.calls[0]!)).toBe("Not yours to confirm; nothing was done.");
    }
    expect(await h.snapshot()).toEqual(before);
    expect((await h.repo.openPositions()).map((p) => p.symbol)).toContain("M&M");
  });

  it("a lapsed confirmation, or one already used, is refused and nothing is done", async () => {
    const exit = await h.send(IDS.chat, IDS.user, "/exit M&M");
    const [confirm] = buttons(exit);
    const messageId = exit.sent[0]!.messageId;
    const before = await h.snapshot();
    // Two minutes and a second later (the confirmation's life is two minutes).
    h.skewClock(121_000);
    try {
      const x = await h.press(IDS.chat, IDS.user, confirm!, { messageId });
      expect(x.calls.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
      expect(answerText(x.calls[0]!)).toBe("This confirmation has lapsed; nothing was done. Ask again.");
    } finally {
      h.skewClock(0);
    }
    expect(await h.snapshot()).toEqual(before);

    // Cancelled, then the same confirm pressed again: lapsed.
    const again = await h.send(IDS.chat, IDS.user, "/exit M&M");
    const [c2, n2] = buttons(again);
    const cancelled = await h.press(IDS.chat, IDS.user, n2!, { messageId: again.sent[0]!.messageId });
    expect(answerText(cancelled.calls.find((c) => c.method === "answerCallbackQuery")!)).toBe("Cancelled.");
    const replay = await h.press(IDS.chat, IDS.user, c2!, { messageId: again.sent[0]!.messageId });
    expect(replay.calls.map((c) => c.method)).toEqual(["answerCallbackQuery"]);
    expect(answerText(replay.calls[0]!)).toMatch(/lapsed; nothing was done/);
    // A made-up nonce of the right shape: lapsed too.
    const madeUp = await h.press(IDS.chat, IDS.user, "c:0123456789ab");
    expect(answerText(madeUp.calls[0]!)).toMatch(/lapsed; nothing was done/);
    expect(await h.snapshot()).toEqual(before);
  });

  it("forged approve/reject data is refused with a plain answer and orders nothing", async () => {
    await h.send(IDS.chat, IDS.user, "/status");
    const before = await h.snapshot();
    for (const data of ["a:sma-cross-nosuchid", "r:sma-cross-nosuchid", `a:${signalId.toUpperCase()}`, `a:${signalId}x`, "a:", "a:../../etc", "a:' or 1=1 --", "z:" + signalId]) {
      const x = await h.press(IDS.chat, IDS.user, data);
      expect(x.calls.map((c) => c.method), data).toEqual(["answerCallbackQuery"]);
      expect(answerText(x.calls[0]!), data).toMatch(/^(No signal with id .+\.|That button is not one of Dalal's\.)$/);
    }
    expect(await h.snapshot()).toEqual(before);
  });

  // Found by this suite and fixed: src/bot/notify-handlers.ts (registerPageButtons) rethrows every edit error
  // but "message is not modified". A page button's data on a photo or document message (forged data: the
  // Bot API warns that a bad client can send any data) makes editMessageText fail with 400 "there is no text
  // in the message to edit": the catch handler answers "Sorry, that failed on our side" and the button press
  // itself is never answered (the client's spinner runs until it times out).
  it("a page button's data pressed on a photo gets one plain answer, not the catch-all", async () => {
    const pages = await h.send(IDS.chat, IDS.user, "/trades 60");
    const next = buttons(pages)[0]!;
    const eod = await h.send(IDS.chat, IDS.user, "/eod");
    const photo = eod.sent.find((s) => s.call.method === "sendPhoto");
    expect(photo, "the /eod chart").toBeDefined();
    const x = await h.press(IDS.chat, IDS.user, next, { messageId: photo!.messageId });
    expect(x.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    expect(x.calls.map(answerText).join("\n")).not.toMatch(/failed on our side/);
  });

  // Found by this suite and fixed: src/bot/control-handlers.ts takes (deletes) the pending action before it
  // checks that the press comes from the action's own chat, so a press from another allowed chat
  // ("Not yours to confirm") silently cancels the owner's confirmation: the owner then gets "lapsed".
  it("a refused press from another chat does not use up the owner's confirmation", async () => {
    const exit = await h.send(IDS.chat, IDS.user, "/exit M&M");
    const [confirm] = buttons(exit);
    const foreign = await h.press(IDS.otherAllowedChat, IDS.otherUser, confirm!);
    expect(answerText(foreign.calls[0]!)).toBe("Not yours to confirm; nothing was done.");
    const own = await h.press(IDS.chat, IDS.user, confirm!, { messageId: exit.sent[0]!.messageId });
    const ack = own.calls.find((c) => c.method === "answerCallbackQuery")!;
    // Expected: the owner's press still works ("Done." and the exit order placed).
    expect(answerText(ack)).toBe("Done.");
  });
});
