/**
 * `/notify` (which notifications this chat gets, and how loudly) and the ◀ ▶
 * buttons of paginated lists. Register before the general handlers: those end
 * with catch-alls for unknown commands and buttons.
 */
import { GrammyError, type Bot } from "grammy";
import type { Clock } from "../engine/clock.js";
import type { Store } from "../db/store.js";
import type { DalalContext } from "./access.js";
import { esc } from "./format.js";
import { KIND_DESCRIPTIONS, LEVEL_DESCRIPTIONS, NOTIFY_KINDS, NotifyLevels, parseNotifyArgs, type ChatLevels } from "./notify-levels.js";
import { EXPIRED_LIST, pageKeyboard, pageLists, parsePageData, type PageStore } from "./pagination.js";

/** The line for /help and setMyCommands (commands.ts holds the list). */
export const NOTIFY_COMMAND = {
  command: "notify",
  usage: "/notify [KIND on|silent|off]",
  description: "Which notifications this chat gets: on, silent or off per kind",
} as const;

export interface NotifyHandlerDeps {
  /** The desk: its settings table keeps the levels, its wall clock stamps them. */
  desk: { repo: Pick<Store, "getSetting" | "setSetting">; opts: { wallClock: Clock } };
  /** Where page buttons find their lists (default: the shared store). */
  pages?: PageStore;
}

const HTML = { parse_mode: "HTML" as const };

export function levelsText(levels: ChatLevels): string {
  const width = Math.max(...NOTIFY_KINDS.map((k) => k.length));
  const rows = NOTIFY_KINDS.map((k) => `<code>${k.padEnd(width)}</code> ${levels[k] === "on" ? "on" : `<b>${levels[k]}</b>`} · ${esc(KIND_DESCRIPTIONS[k])}`);
  return [
    "🔔 <b>Notifications in this chat</b>",
    ...rows,
    "",
    `Change one: <code>${esc(NOTIFY_COMMAND.usage)}</code> (or all). silent: ${esc(LEVEL_DESCRIPTIONS.silent)}; off: ${esc(LEVEL_DESCRIPTIONS.off)}.`,
  ].join("\n");
}

export function registerNotifyHandlers(bot: Bot<DalalContext>, deps: NotifyHandlerDeps): void {
  const levels = new NotifyLevels(deps.desk.repo, () => deps.desk.opts.wallClock.now());

  bot.command("notify", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    const cmd = parseNotifyArgs(text === "" ? [] : text.split(/\s+/));
    if ("error" in cmd) return void (await ctx.reply(`${esc(cmd.error)}\nUsage: <code>${esc(NOTIFY_COMMAND.usage)}</code>`, HTML));
    if (cmd.show) return void (await ctx.reply(levelsText(await levels.of(ctx.who.chatId)), HTML));
    await levels.set(ctx.who.chatId, cmd.kind, cmd.level, ctx.who.actor);
    const what = cmd.kind === "all" ? "Every notification" : `<b>${esc(cmd.kind)}</b> notifications`;
    await ctx.reply(`${what} in this chat: ${cmd.level} (${esc(LEVEL_DESCRIPTIONS[cmd.level])}).`, HTML);
  });

  registerPageButtons(bot, deps.pages);
}

/** ◀ ▶ on a paginated list: shows the page asked for, or says the list has expired. */
export function registerPageButtons(bot: Bot<DalalContext>, store: PageStore = pageLists): void {
  bot.callbackQuery(/^p:/, async (ctx) => {
    const ref = parsePageData(ctx.callbackQuery.data);
    const pages = ref ? store.get(ref.listId) : undefined;
    if (!ref || !pages) return void (await ctx.answerCallbackQuery({ text: EXPIRED_LIST, show_alert: true }));
    const page = Math.min(ref.page, pages.length - 1);
    // Page data pressed on a photo or document (forged, or a stale client): nothing to turn there.
    const msg = ctx.callbackQuery.message;
    if (msg && !("text" in msg && typeof msg.text === "string")) {
      return void (await ctx.answerCallbackQuery({ text: "That list cannot be shown on this message; ask again.", show_alert: true }));
    }
    try {
      await ctx.editMessageText(pages[page]!, { ...HTML, reply_markup: pageKeyboard(ref.listId, page, pages.length) });
    } catch (err) {
      // A double press asks for the page already shown.
      if (err instanceof GrammyError && /message is not modified/.test(err.description)) {
        // fall through to the answer
      } else if (err instanceof GrammyError && err.error_code === 400) {
        // Forged or misplaced data (a page button's data on a photo): nothing to turn, but the press gets its answer.
        return void (await ctx.answerCallbackQuery({ text: "That list cannot be shown on this message; ask again.", show_alert: true }));
      } else throw err;
    }
    await ctx.answerCallbackQuery({ text: `Page ${page + 1} of ${pages.length}` });
  });
}
