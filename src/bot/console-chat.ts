/**
 * The console chat: each typed line enters the very same grammY bot as a
 * Telegram update from the owner (treated as the admin); the bot's outgoing
 * API calls are answered here and printed as text. Buttons print with a number;
 * typing the number presses the button.
 */
import { createInterface } from "node:readline";
import type { Bot, RawApi } from "grammy";
import type { Message, Update, UserFromGetMe } from "grammy/types";
import type { DalalContext } from "./access.js";

export const CONSOLE_BOT: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: "Dalal",
  username: "dalal_console_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
} as UserFromGetMe;

type Button = { text: string; callback_data?: string };

/** Telegram HTML → terminal text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

export interface ConsoleChatOptions {
  chatId: number;
  userId: number;
  write: (text: string) => void;
}

export class ConsoleChat {
  private updateId = 0;
  private messageId = 0;
  private buttonNo = 0;
  private readonly buttons = new Map<number, { messageId: number; data: string }>();
  private readonly messages = new Map<number, Message>();

  constructor(
    private readonly bot: Bot<DalalContext>,
    private readonly o: ConsoleChatOptions,
  ) {
    bot.api.config.use(async (_prev, method, payload) => {
      const result = this.answer(method, payload as Record<string, unknown>);
      return { ok: true, result } as never;
    });
  }

  private from() {
    return { id: this.o.userId, is_bot: false, first_name: "Owner", username: "owner" };
  }

  private chat() {
    return { id: this.o.chatId, type: "private" as const, first_name: "Owner" };
  }

  private renderButtons(markup: unknown, messageId: number): string {
    const rows = (markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? [];
    const parts: string[] = [];
    for (const row of rows) {
      for (const b of row) {
        if (!b.callback_data) continue;
        const n = ++this.buttonNo;
        this.buttons.set(n, { messageId, data: b.callback_data });
        parts.push(`[${n}] ${b.text}`);
      }
    }
    return parts.length ? `\n   ${parts.join("   ")}` : "";
  }

  private answer(method: keyof RawApi | string, p: Record<string, unknown>): unknown {
    const now = Math.floor(Date.now() / 1000);
    switch (method) {
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument": {
        const id = ++this.messageId;
        const text = String(p.text ?? p.caption ?? (method === "sendPhoto" ? "(picture)" : "(document)"));
        const msg = { message_id: id, date: now, chat: this.chat(), text } as Message;
        this.messages.set(id, msg);
        this.o.write(`${htmlToText(text)}${this.renderButtons(p.reply_markup, id)}\n`);
        return msg;
      }
      case "editMessageText": {
        const id = Number(p.message_id);
        const text = String(p.text ?? "");
        const msg = { message_id: id, date: now, chat: this.chat(), text } as Message;
        this.messages.set(id, msg);
        this.o.write(`(updated) ${htmlToText(text)}${this.renderButtons(p.reply_markup, id)}\n`);
        return msg;
      }
      case "editMessageReplyMarkup":
        return this.messages.get(Number(p.message_id)) ?? true;
      case "answerCallbackQuery":
        if (p.text) this.o.write(`» ${String(p.text)}\n`);
        return true;
      case "getMe":
        return CONSOLE_BOT;
      default:
        return true;
    }
  }

  /** One typed line → one update, handled to completion. */
  async type(line: string): Promise<void> {
    const text = line.trim();
    if (text === "") return;
    let update: Update;
    const press = /^\d+$/.test(text) ? this.buttons.get(Number(text)) : undefined;
    if (/^\d+$/.test(text) && !press) {
      this.o.write(`No button ${text}. Buttons show their numbers in [brackets].\n`);
      return;
    }
    if (press) {
      const message = this.messages.get(press.messageId) ?? ({ message_id: press.messageId, date: 0, chat: this.chat() } as Message);
      update = { update_id: ++this.updateId, callback_query: { id: String(this.updateId), from: this.from(), chat_instance: "console", message, data: press.data } } as Update;
    } else {
      const entities = text.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
      update = {
        update_id: ++this.updateId,
        message: { message_id: ++this.messageId, date: Math.floor(Date.now() / 1000), chat: this.chat(), from: this.from(), text, ...(entities ? { entities } : {}) },
      } as Update;
    }
    await this.bot.handleUpdate(update);
  }

  /** Reads lines until end of input; each is handled before the next. Resolves at EOF. */
  run(input: NodeJS.ReadableStream): Promise<void> {
    const rl = createInterface({ input, terminal: false });
    let chain = Promise.resolve();
    return new Promise((resolve) => {
      rl.on("line", (line) => {
        chain = chain.then(() => this.type(line)).catch((err) => this.o.write(`error: ${(err as Error).message}\n`));
      });
      rl.on("close", () => void chain.then(resolve));
    });
  }
}
