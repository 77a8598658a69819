import { reconcileText } from "./reconcile-format.js";
import type { Api } from "grammy";
import type { Desk } from "../engine/desk.js";
import type { DeskEvents } from "../engine/events.js";
import type { OrderView, SignalView } from "../engine/views.js";
import type { Logger } from "../log.js";
import { alertCard, autoAcceptedLine, decisionLine, esc, modeTag, refusedCard, rs, signalCard, srs } from "./format.js";
import { decisionKeyboard, expiredKeyboard } from "./keyboards.js";
import { isNotifyKind, kindOfAlert, NotifyLevels, type NotifyKind } from "./notify-levels.js";
import { Outbox, type OutboxOptions, type Outgoing } from "./outbox.js";

export interface NotifierDeps {
  /**
   * The client messages go out through. Give it notificationApi(...) rather than
   * the bot's own client, whose auto-retry retries network errors for up to an
   * hour and so would hide an outage from the outbox.
   */
  api: Api;
  desk: Desk;
  mode: "paper" | "live";
  /** Every allowed chat: notifications go to each, as its /notify levels say. */
  chats: readonly number[];
  /** Gets the `error` kind and the outage notice; unset, those go to every chat. */
  adminChatId?: number;
  estimateCharges(qty: number, price: number, time: Date): number;
  log: Logger;
  /** Flood cap: notification messages per chat per minute before they are joined. Unset: no cap. */
  perChatPerMinute?: number;
  /** Outbox tuning for tests: backoff, outage threshold, the cap's window, clock. */
  outbox?: Pick<OutboxOptions, "windowMs" | "firstBackoffMs" | "maxBackoffMs" | "outageNoticeMs" | "now">;
}

/** Where the outbox keeps what it could not send before a shutdown. */
export const OUTBOX_SETTING = "outbox:pending";

/**
 * Engine events → chat messages. Event → kind (each chat's /notify level for the
 * kind decides on / silent / off):
 *
 * | event                                   | kind                                   |
 * | --------------------------------------- | -------------------------------------- |
 * | signal.proposed                         | signal (card with buttons)             |
 * | signal.decided, refused by risk         | signal (a new message)                 |
 * | signal.decided, otherwise               | edits the chat's card, always; a chat  |
 * |                                         | without a card gets a signal message   |
 * | signal.alert                            | alert                                  |
 * | order.placed                            | order                                  |
 * | order.filled                            | fill (whole or part)                   |
 * | order.rejected                          | rejected                               |
 * | position.closed                         | closed (with net P&L)                  |
 * | replay.finished                         | alert                                  |
 * | alert {level, text}                     | kindOfAlert (notify-levels.ts): stop,  |
 * |                                         | partial, closed, breaker, error, ...   |
 *
 * `error` goes to the admin chat only. Messages leave through the Outbox: in
 * order per chat, held through Telegram outages, joined past the flood cap. A
 * signal's card is remembered per chat so its decision can be edited into it,
 * even after a restart.
 */
export class Notifier {
  private readonly off: Array<() => void> = [];
  private readonly levels: NotifyLevels;
  private readonly outbox: Outbox;

  constructor(private readonly d: NotifierDeps) {
    const repo = d.desk.repo;
    const now = () => d.desk.opts.wallClock.now();
    this.levels = new NotifyLevels(repo, now);
    this.outbox = new Outbox({
      api: d.api,
      log: d.log,
      ...(d.perChatPerMinute !== undefined ? { perMinute: d.perChatPerMinute } : {}),
      ...d.outbox,
      hooks: {
        prepare: (o) => this.prepare(o),
        delivered: async (o, m) => {
          if (typeof o.tag?.card === "string" && m !== true) await repo.saveChatMessage(o.tag.card, o.chatId, m.message_id, new Date(m.date * 1000));
        },
        outage: (text) => this.toAdmin(esc(text)),
        save: (items) => repo.setSetting(OUTBOX_SETTING, items, now(), "notifier"),
        load: async () => (await repo.getSetting<Outgoing[]>(OUTBOX_SETTING)) ?? [],
      },
    });

    const bus = d.desk.bus;
    const tag = modeTag(d.mode);
    this.off.push(
      bus.on("signal.proposed", ({ signal }) => this.proposed(signal)),
      bus.on("signal.decided", ({ signal }) => this.decided(signal)),
      bus.on("signal.alert", ({ signal }) => this.notify("alert", alertCard(signal, d.mode))),
      bus.on("order.placed", ({ order }) => this.notify("order", `${tag} · order placed: ${orderLine(order)}`)),
      bus.on("order.filled", (e) => this.notify("fill", `${tag} · ${fillLine(e)}`)),
      bus.on("order.rejected", ({ order, reason }) => this.notify("rejected", `${tag} · ❌ order rejected: ${orderLine(order)}: ${esc(reason)}`)),
      bus.on("position.closed", ({ trade }) =>
        this.notify(
          "closed",
          `${tag} · closed <b>${esc(trade.symbol)}</b> × ${trade.qty}: net ${srs(trade.net)} after ${rs(trade.charges)} charges (${esc(trade.exitReason)})`,
        ),
      ),
      bus.on("replay.finished", ({ date }) => this.notify("alert", `${tag} · the replay reached the end of its data${date ? ` (${esc(date)})` : ""}.`)),
      bus.on("reconciled", ({ report }) => this.toAdmin(reconcileText(report), "error")),
      bus.on("alert", ({ level, text }) => {
        const kind = kindOfAlert(level, text);
        this.notify(kind, kind === "error" ? `⚠️ ${esc(text)}` : `${tag} · ${esc(text)}`);
      }),
    );
  }

  /**
   * Sends a notification of a kind to every chat that has it on (silently where
   * silent); `error` to the admin chat only. For senders beyond the desk's events
   * (a digest, rollovers).
   */
  notify(kind: NotifyKind, html: string): void {
    if (kind === "error") return this.toAdmin(html, "error");
    for (const chatId of this.d.chats) this.outbox.send({ chatId, html, tag: { kind } });
  }

  /** Messages waiting for Telegram (or the flood cap). */
  get pending(): number {
    return this.outbox.pending;
  }

  /**
   * Resolves when every queued message has been sent; at shutdown that is waited
   * for up to 10 s, and what Telegram could not take (it is down) is saved and
   * sent at the next start. Returns how many were saved.
   */
  flush(timeoutMs?: number): Promise<number> {
    return this.outbox.flush(timeoutMs);
  }

  close(): void {
    for (const f of this.off) f();
    this.outbox.close();
  }

  private card(s: SignalView): string {
    return signalCard(s, { mode: this.d.mode, capital: this.d.desk.opts.capital, estCharges: this.d.estimateCharges(s.qty, s.entry, s.barTime) });
  }

  private proposed(s: SignalView): void {
    const markup = { inline_keyboard: decisionKeyboard(s.id).inline_keyboard };
    for (const chatId of this.d.chats) this.outbox.send({ chatId, html: this.card(s), markup, tag: { kind: "signal", card: s.id } });
  }

  private decided(s: SignalView): void {
    if (s.status === "refused" && s.decidedBy === null) return this.notify("signal", refusedCard(s, this.d.mode));
    const line = s.decidedBy === "auto" ? autoAcceptedLine(s) : decisionLine(s);
    const html = `${this.card({ ...s, expiresAt: null })}\n\n${line}`;
    // Which message to edit is looked up when the chat's turn comes, after its card went out.
    for (const chatId of this.d.chats) this.outbox.send({ chatId, html, tag: { decision: s.id, expired: s.status === "expired" } });
  }

  private toAdmin(html: string, kind?: NotifyKind): void {
    const to = this.d.adminChatId !== undefined ? [this.d.adminChatId] : this.d.chats; // no admin chat: it must still reach someone
    for (const chatId of to) this.outbox.send({ chatId, html, ...(kind ? { tag: { kind } } : {}) });
  }

  /** Runs in the chat's queue order, just before delivery: applies the chat's level; finds the card a decision edits. */
  private async prepare(o: Outgoing): Promise<Outgoing[]> {
    const tag = o.tag ?? {};
    if (typeof tag.decision === "string") {
      const cards = (await this.d.desk.repo.chatMessages(tag.decision)).filter((m) => m.chatId === o.chatId);
      // Decisions are edits of a card the chat already has: always made, whatever the level.
      if (cards.length) {
        const markup = tag.expired === true ? { inline_keyboard: expiredKeyboard().inline_keyboard } : { inline_keyboard: [] };
        return cards.map((c) => ({ chatId: o.chatId, html: o.html, editOf: c.messageId, markup }));
      }
      return this.leveled({ chatId: o.chatId, html: o.html }, "signal");
    }
    if (typeof tag.kind === "string" && isNotifyKind(tag.kind)) return this.leveled(o, tag.kind);
    return [o];
  }

  private async leveled(o: Outgoing, kind: NotifyKind): Promise<Outgoing[]> {
    const level = await this.levels.levelOf(o.chatId, kind);
    return level === "off" ? [] : [level === "silent" ? { ...o, silent: true } : o];
  }
}

function side(o: OrderView): string {
  return o.side.toUpperCase();
}

/** "SELL 40 <b>INFY</b> at market (exit)" */
function orderLine(o: OrderView): string {
  const how =
    o.orderType === "market"
      ? "at market"
      : o.orderType === "stop"
        ? `stop at ${o.limitPrice !== null ? rs(o.limitPrice) : "?"}`
        : `limit ${o.limitPrice !== null ? rs(o.limitPrice) : "?"}`;
  const queued = o.status === "new" ? " · queued: sent when the market opens" : o.status === "unknown" ? " · no answer yet: looked up by its tag" : "";
  return `${side(o)} ${o.qty} <b>${esc(o.symbol)}</b> ${how} (${esc(o.purpose)})${queued}`;
}

/** A whole fill keeps the old wording ("filled BUY 40 INFY at ₹…"); a part says how much is done. */
function fillLine({ order, qty, price }: DeskEvents["order.filled"]): string {
  const what = `${side(order)} ${qty} <b>${esc(order.symbol)}</b> at ${rs(price)} (${esc(order.purpose)})`;
  return order.filledQty < order.qty ? `partly filled ${what}: ${order.filledQty} of ${order.qty} done` : `filled ${what}`;
}
