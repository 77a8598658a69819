import type { Api } from "grammy";
import type { Desk } from "../engine/desk.js";
import { Serial } from "../engine/serial.js";
import type { SignalView } from "../engine/views.js";
import type { Logger } from "../log.js";
import { alertCard, autoAcceptedLine, decisionLine, esc, modeTag, refusedCard, rs, signalCard, srs } from "./format.js";
import { decisionKeyboard, expiredKeyboard } from "./keyboards.js";

export interface NotifierDeps {
  api: Api;
  desk: Desk;
  mode: "paper" | "live";
  /** Every allowed chat: signals and alerts go to each. */
  chats: readonly number[];
  adminChatId?: number;
  estimateCharges(qty: number, price: number, time: Date): number;
  log: Logger;
}

const HTML = { parse_mode: "HTML" as const };

/**
 * Engine events → chat messages, sent one at a time in order. A signal's card is
 * remembered per chat so its decision can be edited into it, even after a restart.
 */
export class Notifier {
  private readonly queue = new Serial();
  private readonly off: Array<() => void> = [];

  constructor(private readonly d: NotifierDeps) {
    const bus = d.desk.bus;
    this.off.push(
      bus.on("signal.proposed", ({ signal }) => this.enqueue(() => this.proposed(signal))),
      bus.on("signal.decided", ({ signal }) => this.enqueue(() => this.decided(signal))),
      bus.on("signal.alert", ({ signal }) => this.enqueue(() => this.broadcast(alertCard(signal, d.mode)))),
      bus.on("order.filled", ({ order, qty, price }) =>
        this.enqueue(() =>
          this.broadcast(
            `${modeTag(d.mode)} · filled ${order.side.toUpperCase()} ${qty} <b>${esc(order.symbol)}</b> at ${rs(price)} (${esc(order.purpose)})`,
          ),
        ),
      ),
      bus.on("position.closed", ({ trade }) =>
        this.enqueue(() =>
          this.broadcast(
            `${modeTag(d.mode)} · closed <b>${esc(trade.symbol)}</b> × ${trade.qty}: net ${srs(trade.net)} after ${rs(trade.charges)} charges (${esc(trade.exitReason)})`,
          ),
        ),
      ),
      bus.on("replay.finished", ({ date }) =>
        this.enqueue(() => this.broadcast(`${modeTag(d.mode)} · the replay reached the end of its data${date ? ` (${esc(date)})` : ""}.`)),
      ),
      bus.on("alert", ({ level, text }) =>
        this.enqueue(() => (level === "error" ? this.toAdmin(`⚠️ ${esc(text)}`) : this.broadcast(`${modeTag(d.mode)} · ${esc(text)}`))),
      ),
    );
  }

  /** Resolves when every queued message has been sent. */
  flush(): Promise<void> {
    return this.queue.idle();
  }

  close(): void {
    for (const f of this.off) f();
  }

  private enqueue(job: () => Promise<void>): void {
    void this.queue.run(async () => {
      try {
        await job();
      } catch (err) {
        this.d.log.error("notification failed", { error: (err as Error).message });
      }
    });
  }

  private card(s: SignalView): string {
    return signalCard(s, { mode: this.d.mode, capital: this.d.desk.opts.capital, estCharges: this.d.estimateCharges(s.qty, s.entry, s.barTime) });
  }

  private async proposed(s: SignalView): Promise<void> {
    for (const chatId of this.d.chats) {
      const m = await this.d.api.sendMessage(chatId, this.card(s), { ...HTML, reply_markup: decisionKeyboard(s.id) });
      await this.d.desk.repo.saveChatMessage(s.id, chatId, m.message_id, new Date(m.date * 1000));
    }
  }

  private async decided(s: SignalView): Promise<void> {
    if (s.status === "refused" && s.decidedBy === null) {
      return this.broadcast(refusedCard(s, this.d.mode));
    }
    const shown = await this.d.desk.repo.chatMessages(s.id);
    const line = s.decidedBy === "auto" ? autoAcceptedLine(s) : decisionLine(s);
    const text = `${this.card({ ...s, expiresAt: null })}\n\n${line}`;
    // Never shown with buttons (auto-accepted): a new message says what happened.
    if (shown.length === 0) return this.broadcast(text);
    for (const m of shown) {
      try {
        await this.d.api.editMessageText(m.chatId, m.messageId, text, {
          ...HTML,
          reply_markup: s.status === "expired" ? expiredKeyboard() : { inline_keyboard: [] },
        });
      } catch (err) {
        if (!/message is not modified/.test((err as Error).message)) throw err;
      }
    }
  }

  private async broadcast(html: string): Promise<void> {
    for (const chatId of this.d.chats) await this.d.api.sendMessage(chatId, html, HTML);
  }

  private async toAdmin(html: string): Promise<void> {
    if (this.d.adminChatId !== undefined) await this.d.api.sendMessage(this.d.adminChatId, html, HTML);
    else await this.broadcast(html); // no admin chat: errors must still reach someone
  }
}
