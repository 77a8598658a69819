import { autoRetry } from "@grammyjs/auto-retry";
import { Bot, GrammyError, HttpError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Desk } from "../engine/desk.js";
import type { Logger } from "../log.js";
import { accessControl, type Access, type DalalContext } from "./access.js";
import { COMMANDS } from "./commands.js";
import { Confirmations } from "./confirm.js";
import { registerControlHandlers } from "./control-handlers.js";
import { registerHandlers } from "./handlers.js";
import { registerNotifyHandlers } from "./notify-handlers.js";
import { registerReportHandlers } from "./report-handlers.js";
import { registerResearchHandlers } from "./research-handlers.js";
import { registerDivergenceHandlers } from "./divergence-handlers.js";
import { registerIntelligenceHandlers } from "./intelligence-handlers.js";
import { registerNewsHandlers } from "./news-handlers.js";
import type { SentimentService } from "../engine/intelligence/sentiment.js";

export interface CreateBotOptions {
  token: string;
  apiRoot?: string;
  /** Known up front (console chat) so no getMe is needed. */
  botInfo?: UserFromGetMe;
  desk: Desk;
  mode: "paper" | "live";
  access: Access;
  estimateCharges(qty: number, price: number, time: Date): number;
  log: Logger;
  /** News sentiment for /news and /sentiment; null or unset: the intelligence layer is off. */
  sentiment?: SentimentService | null;
}

/** The one grammY bot: Telegram long polling and the console chat both drive it. */
export function createBot(o: CreateBotOptions): Bot<DalalContext> {
  const bot = new Bot<DalalContext>(o.token, {
    ...(o.botInfo ? { botInfo: o.botInfo } : {}),
    ...(o.apiRoot ? { client: { apiRoot: o.apiRoot } } : {}),
  });
  if (!o.botInfo) {
    // Telegram's flood limits (429 with retry_after), its 5xx and network errors are
    // retried with backoff. Notifications go through the notifier's own client and outbox (bot/outbox.ts).
    bot.api.config.use(autoRetry({ maxRetryAttempts: 8, maxDelaySeconds: 300 }));
  }
  bot.use(
    accessControl(o.access, async (message, detail) => {
      o.log.warn(message, detail);
      await o.desk.repo.event("access.refused", message, new Date(), null, detail);
    }),
  );
  // No command needs more than a few hundred characters; a longer one is refused whole,
  // so no reply ever echoes it past Telegram's 4096-character limit.
  bot.on("message:text", async (ctx, next) => {
    const text = ctx.message.text;
    if (text.startsWith("/") && text.length > MAX_COMMAND_CHARS) {
      await ctx.reply(`That command is ${text.length} characters long; commands take short arguments (at most ${MAX_COMMAND_CHARS} characters). Nothing was done. See /help.`);
      return;
    }
    await next();
  });
  // Confirm buttons first: the general handlers end with catch-alls.
  // One store of pending confirmations: /rollover's buttons are answered by the control handlers' confirm handler.
  const confirmations = new Confirmations();
  registerControlHandlers(bot, { desk: o.desk, mode: o.mode, confirmations });
  registerResearchHandlers(bot, { desk: o.desk, mode: o.mode, confirmations });
  registerDivergenceHandlers(bot, { desk: o.desk, mode: o.mode });
  registerIntelligenceHandlers(bot, { desk: o.desk, mode: o.mode });
  registerNewsHandlers(bot, { sentiment: o.sentiment ?? null, mode: o.mode });
  registerReportHandlers(bot, { desk: o.desk, mode: o.mode });
  registerNotifyHandlers(bot, { desk: o.desk });
  registerHandlers(bot, { desk: o.desk, mode: o.mode, estimateCharges: o.estimateCharges });
  bot.catch(async (err) => {
    const e = err.error;
    const what = e instanceof GrammyError ? `Telegram said: ${e.description}` : e instanceof HttpError ? "Telegram could not be reached" : (e as Error)?.message;
    o.log.error("update failed", { updateId: err.ctx.update.update_id, error: what, stack: (e as Error)?.stack });
    // One plain line for the user: never a stack trace.
    await err.ctx.reply("Sorry, that failed on our side; it has been logged.").catch(() => {});
  });
  return bot;
}

/** The longest command text accepted (a /reject reason fits; an echo of it still fits a reply). */
export const MAX_COMMAND_CHARS = 500;

export const BOT_COMMANDS = COMMANDS.map((c) => ({ command: c.command, description: c.description }));
