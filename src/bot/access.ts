import type { Context, MiddlewareFn } from "grammy";
import { actorLabel } from "./format.js";

export interface Access {
  allowedChats: ReadonlySet<number>;
  /** Empty: any sender in an allowed chat. */
  allowedUsers: ReadonlySet<number>;
  adminChatId?: number;
}

export interface Who {
  admin: boolean;
  actor: string;
  chatId: number;
}

export type DalalContext = Context & { who: Who };

/**
 * Deny by default: the chat must be allowed (the admin chat always is) and, when a
 * user list is set, the sender must be on it. Anyone else gets one short refusal,
 * nothing else happens, and the attempt is audited.
 */
export function accessControl(access: Access, audit: (msg: string, detail: Record<string, unknown>) => Promise<void>): MiddlewareFn<DalalContext> {
  return async (ctx, next) => {
    const chatId = ctx.chat?.id;
    const userId = ctx.from?.id;
    const chatOk = chatId !== undefined && access.allowedChats.has(chatId);
    const userOk = access.allowedUsers.size === 0 || (userId !== undefined && access.allowedUsers.has(userId));
    if (!chatOk || !userOk) {
      await audit(`refused ${ctx.callbackQuery ? "button press" : "message"} from chat ${chatId ?? "?"} user ${userId ?? "?"}`, {
        chatId: chatId ?? null,
        userId: userId ?? null,
        reason: !chatOk ? "chat not allowed" : "user not allowed",
      });
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "Not allowed: this desk is private." }).catch(() => {});
      else if (ctx.message && chatId !== undefined) {
        const why = !chatOk ? `chat ${chatId} is not allowed` : `user ${userId ?? "?"} is not on its list of users`;
        await ctx.reply(`This desk is private; ${why}.`).catch(() => {});
      }
      return;
    }
    ctx.who = { admin: access.adminChatId !== undefined && chatId === access.adminChatId, actor: actorLabel(ctx.from), chatId: chatId! };
    await next();
  };
}
