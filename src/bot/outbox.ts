/**
 * The outbox: notifications leave in order, chat by chat, and survive Telegram
 * trouble.
 *
 * - Each chat has its own queue, delivered one message at a time in the order
 *   sent, so one slow chat never holds up another.
 * - 429 and 5xx answers are first retried by grammY's auto-retry (see
 *   notificationApi). A network error (Telegram unreachable), or a 5xx that
 *   outlasts auto-retry, marks Telegram down: one queue probes with backoff
 *   (1 s doubling to 30 s), the others wait, nothing is dropped or sent twice.
 *   When a probe gets through, every queue resumes in its original order. If the
 *   outage lasted at least a minute, the admin is told once the held messages
 *   are out: "Telegram was unreachable from HH:MM to HH:MM IST; N messages
 *   delivered late".
 * - Any other error (400, 403 blocked) cannot be fixed by retrying: that message
 *   is logged and dropped so the queue behind it moves on.
 * - Flood cap: a chat gets at most `perMinute` messages in any `windowMs`. Past
 *   that, the messages waiting without buttons are joined into one message when
 *   the next slot frees (paginated with ◀ ▶ when longer than Telegram allows),
 *   rather than dropped. A message with buttons (a signal card) or an edit is
 *   never joined; edits do not count against the cap.
 * - At shutdown, flush() delivers what it can; what is still waiting (Telegram
 *   down, or past the deadline) is saved through `save` and loaded at the next
 *   start ahead of anything new. A message whose answer was lost in the network
 *   may be sent again then: delivery is at least once across a restart.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, GrammyError, HttpError } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import { istTime } from "../engine/time/ist.js";
import type { Logger } from "../log.js";
import { firstPage, paginate, TELEGRAM_TEXT_LIMIT, type PageStore, pageLists } from "./pagination.js";

/** One outgoing message (or edit). Plain JSON, so it can be saved at shutdown. */
export interface Outgoing {
  chatId: number;
  /** HTML, every dynamic value escaped. */
  html: string;
  /** Delivered without a sound (`disable_notification`). */
  silent?: boolean;
  /** Buttons; a message with buttons is never joined with others. */
  markup?: InlineKeyboardMarkup;
  /** Edit this message of the chat instead of sending a new one. */
  editOf?: number;
  /** For the hooks only (the notifier keeps a kind and a signal id here). */
  tag?: Record<string, string | number | boolean>;
}

export interface OutageReport {
  from: Date;
  to: Date;
  /** Messages delivered after waiting out the outage. */
  late: number;
}

export interface OutboxHooks {
  /**
   * Just before a message is first delivered: what to deliver for it (empty: skip
   * it). Runs in queue order, so it sees everything delivered before. Default: itself.
   */
  prepare?(o: Outgoing): Promise<Outgoing[]>;
  /** After a send or an edit went through. */
  delivered?(o: Outgoing, result: Message | true): Promise<void>;
  /** An outage of at least `outageNoticeMs` is over and the messages it held are out. */
  outage?(text: string, report: OutageReport): void;
  /** Shutdown: the messages still waiting. */
  save?(items: Outgoing[]): Promise<void>;
  /** Start-up: what the last run saved. */
  load?(): Promise<Outgoing[]>;
}

export interface OutboxOptions {
  api: Api;
  log: Logger;
  hooks?: OutboxHooks;
  /** Messages per chat per window before joining starts; unset: no cap. */
  perMinute?: number;
  /** The cap's window (default 60 s). */
  windowMs?: number;
  /** First wait after Telegram turned out unreachable (default 1 s), doubling to maxBackoffMs (default 30 s). */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
  /** Outages at least this long are reported to the admin (default 60 s). */
  outageNoticeMs?: number;
  /** Where joined messages too long for one message keep their pages. */
  pages?: PageStore;
  now?: () => number;
}

/**
 * The API client notifications go through. Auto-retry handles 429 (waiting
 * retry_after, up to a minute) and 5xx (three more tries); unlike the bot's own
 * client, a network error is not retried here (auto-retry would retry it forever,
 * with waits doubling to an hour) but handed straight to the outbox, which holds
 * the messages and reports the outage.
 */
export function notificationApi(token: string, apiRoot?: string): Api {
  const api = new Api(token, apiRoot ? { apiRoot } : undefined);
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  return api;
}

type ApiSignal = Parameters<Api["sendMessage"]>[3];

type Failure = { type: "down" } | { type: "wait"; ms: number } | { type: "permanent"; why: string };

function classify(err: unknown): Failure {
  if (err instanceof HttpError) return { type: "down" };
  if (err instanceof GrammyError) {
    if (err.error_code === 429) return { type: "wait", ms: Math.max(1, err.parameters.retry_after ?? 1) * 1000 };
    if (err.error_code >= 500) return { type: "down" };
    return { type: "permanent", why: `Telegram said: ${err.description}` };
  }
  return { type: "permanent", why: (err as Error)?.message ?? String(err) };
}

interface Entry {
  o: Outgoing;
  prepared?: Outgoing[];
  /** Waiting when an outage ended: counted in its report. */
  late?: boolean;
  /** Loaded from the last run. */
  restored?: boolean;
  /** How many of the prepared ops went through. */
  done?: number;
}

interface ChatQueue {
  chatId: number;
  entries: Entry[];
  running: boolean;
  /** When this chat's recent sends went out (for the cap). */
  sent: number[];
}

const isPlainSend = (ops: readonly Outgoing[]): boolean => ops.length === 1 && ops[0]!.editOf === undefined && ops[0]!.markup === undefined;

export class Outbox {
  private readonly queues = new Map<number, ChatQueue>();
  private readonly log: Logger;
  private readonly hooks: OutboxHooks;
  private readonly now: () => number;
  private readonly windowMs: number;
  private readonly firstBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly outageNoticeMs: number;
  private readonly pages: PageStore;
  private readonly ready: Promise<void>;
  private readonly aborter = new AbortController();
  private count = 0;
  private closed = false;
  private hurry = false;
  private down: { since: number; delay: number; prober: ChatQueue } | null = null;
  private outage: { from: number; to: number; late: number; pending: Set<Entry> } | null = null;
  private restoredLeft = 0;
  /** When a message last left the queue (flush gives up when nothing moves). */
  private progressAt = 0;
  private readonly sleepers = new Set<() => void>();
  private readonly rateSleepers = new Set<() => void>();
  private upWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: OutboxOptions) {
    this.log = o.log;
    this.hooks = o.hooks ?? {};
    this.now = o.now ?? Date.now;
    this.windowMs = o.windowMs ?? 60_000;
    this.firstBackoffMs = o.firstBackoffMs ?? 1_000;
    this.maxBackoffMs = o.maxBackoffMs ?? 30_000;
    this.outageNoticeMs = o.outageNoticeMs ?? 60_000;
    this.pages = o.pages ?? pageLists;
    this.ready = this.restore();
  }

  /** Queues a message for its chat; returns at once. */
  send(o: Outgoing): void {
    if (this.closed) {
      this.log.warn("notification not sent: the outbox has stopped", { chatId: o.chatId });
      return;
    }
    const q = this.queue(o.chatId);
    q.entries.push({ o });
    this.count++;
    this.kick(q);
  }

  /** Messages waiting (or in flight). */
  get pending(): number {
    return this.count;
  }

  /** True while Telegram is unreachable and messages are held. */
  get isDown(): boolean {
    return this.down !== null;
  }

  /** Resolves true once nothing is waiting, or false after timeoutMs. */
  idle(timeoutMs = Infinity): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(ok);
      };
      const onIdle = () => done(true);
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => done(false), timeoutMs) : undefined;
      this.idleWaiters.push(onIdle);
    });
  }

  /**
   * Shutdown: delivers everything, skipping the flood cap's waits (what waits is
   * joined now). If Telegram is down, or nothing has gone out for timeoutMs, the
   * outbox stops and what is left is saved for the next start. Returns how many
   * messages were left.
   */
  async flush(timeoutMs = 10_000): Promise<number> {
    if (this.count === 0 || this.closed) return 0;
    this.hurry = true;
    for (const wake of [...this.rateSleepers]) wake();
    this.progressAt = this.now();
    while (this.count > 0 && !this.down && this.now() - this.progressAt < timeoutMs) await this.idle(50);
    this.hurry = false;
    if (this.count === 0) return 0;
    const left = this.waiting();
    this.close();
    if (this.hooks.save) {
      try {
        await this.hooks.save(left);
      } catch (err) {
        this.log.error("could not save the waiting notifications", { error: (err as Error).message, count: left.length });
      }
    }
    this.log.warn("notifications left for the next start", { count: left.length, telegramDown: this.down !== null });
    return left.length;
  }

  /** Stops: nothing more is sent, timers end, requests in flight are abandoned. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.aborter.abort();
    for (const wake of [...this.sleepers]) wake();
    for (const wake of this.upWaiters.splice(0)) wake();
  }

  // ---- internals ----

  /** grammY types its signal with the abort-controller package's type; Node's is the same thing at run time. */
  private signal(): ApiSignal {
    return this.aborter.signal as unknown as ApiSignal;
  }

  private queue(chatId: number): ChatQueue {
    let q = this.queues.get(chatId);
    if (!q) this.queues.set(chatId, (q = { chatId, entries: [], running: false, sent: [] }));
    return q;
  }

  /** Everything waiting, each chat's messages in order. */
  private waiting(): Outgoing[] {
    return [...this.queues.values()].flatMap((q) => q.entries.map((e) => e.o));
  }

  private async restore(): Promise<void> {
    if (!this.hooks.load) return;
    try {
      const saved = await this.hooks.load();
      const byChat = new Map<number, Entry[]>();
      for (const o of Array.isArray(saved) ? saved : []) {
        if (!o || typeof o.chatId !== "number" || typeof o.html !== "string") continue;
        const list = byChat.get(o.chatId) ?? [];
        list.push({ o, restored: true });
        byChat.set(o.chatId, list);
      }
      for (const [chatId, list] of byChat) {
        const q = this.queue(chatId);
        // Older than anything sent since start-up: they go first.
        q.entries.unshift(...list);
        this.count += list.length;
        this.restoredLeft += list.length;
        this.kick(q);
      }
      if (this.restoredLeft) this.log.info("delivering notifications saved at the last shutdown", { count: this.restoredLeft });
    } catch (err) {
      this.log.error("could not load the notifications saved at the last shutdown", { error: (err as Error).message });
    }
  }

  private kick(q: ChatQueue): void {
    if (!q.running) void this.drain(q);
  }

  private async drain(q: ChatQueue): Promise<void> {
    q.running = true;
    try {
      await this.ready;
      while (!this.closed && q.entries.length) {
        const head = q.entries[0]!;
        head.prepared ??= await this.prepare(head.o);
        if (head.prepared.length === 0) {
          this.settle(q, [head], false);
          continue;
        }
        let batch = [head];
        if (head.prepared.some((p) => p.editOf === undefined)) {
          const crowded = await this.takeSlot(q);
          if (this.closed) break;
          if (crowded && isPlainSend(head.prepared)) batch = await this.collect(q);
        }
        const outcome = await this.deliverWithRetry(q, batch);
        if (outcome === "closed") break;
        this.settle(q, batch, outcome === "sent");
      }
    } catch (err) {
      // A bug of ours: the message at the head goes, so the queue cannot spin on it.
      const head = q.entries[0];
      this.log.error("notification dropped on a bug in the outbox", { chatId: q.chatId, error: (err as Error).message, text: head?.o.html.slice(0, 200) });
      if (head) this.settle(q, [head], false);
    } finally {
      q.running = false;
      // Something queued while this loop was finishing.
      if (!this.closed && q.entries.length) this.kick(q);
    }
  }

  private async prepare(o: Outgoing): Promise<Outgoing[]> {
    if (!this.hooks.prepare) return [o];
    try {
      return await this.hooks.prepare(o);
    } catch (err) {
      // Better sent as it stands than lost.
      this.log.error("preparing a notification failed; sending it as it stands", { chatId: o.chatId, error: (err as Error).message });
      return [{ ...o, editOf: undefined }];
    }
  }

  /** Waits for room under the cap; true when the chat was over it (so waiting messages get joined). */
  private async takeSlot(q: ChatQueue): Promise<boolean> {
    const limit = this.o.perMinute;
    if (!limit) return false;
    let crowded = false;
    for (;;) {
      const now = this.now();
      while (q.sent.length && q.sent[0]! <= now - this.windowMs) q.sent.shift();
      if (q.sent.length < limit) return crowded;
      crowded = true;
      if (this.hurry || this.closed) return true;
      await this.sleep(q.sent[0]! + this.windowMs - now, this.rateSleepers);
    }
  }

  /** The head and every plain message right behind it (messages turned off on the way are skipped). */
  private async collect(q: ChatQueue): Promise<Entry[]> {
    const batch = [q.entries[0]!];
    for (let i = 1; i < q.entries.length; ) {
      const e = q.entries[i]!;
      e.prepared ??= await this.prepare(e.o);
      if (e.prepared.length === 0) {
        this.settle(q, [e], false);
        continue;
      }
      if (!isPlainSend(e.prepared)) break;
      batch.push(e);
      i++;
    }
    return batch;
  }

  private async deliverWithRetry(q: ChatQueue, batch: Entry[]): Promise<"sent" | "dropped" | "closed"> {
    for (;;) {
      if (this.closed) return "closed";
      if (this.down && this.down.prober !== q) {
        await this.waitUp();
        continue;
      }
      const started = this.now();
      try {
        const any = await this.deliver(q, batch);
        this.reachable();
        return any ? "sent" : "dropped";
      } catch (err) {
        if (this.closed) return "closed";
        const f = classify(err);
        if (f.type === "permanent") {
          // A bug of ours, not Telegram's answer: logged, and the queue moves on.
          this.log.error("notification dropped", { chatId: q.chatId, error: f.why });
          return "dropped";
        }
        if (f.type === "wait") {
          this.reachable();
          await this.sleep(f.ms, this.sleepers);
          continue;
        }
        if (!this.down) {
          this.down = { since: started, delay: this.firstBackoffMs, prober: q };
          this.log.warn("Telegram unreachable: holding notifications", { error: (err as Error).message });
        }
        if (this.down.prober !== q) continue;
        await this.sleep(this.down.delay, this.sleepers);
        if (this.down) this.down.delay = Math.min(this.down.delay * 2, this.maxBackoffMs);
      }
    }
  }

  /**
   * Sends (or edits) what the batch holds. A refusal by Telegram (400, 403) drops
   * that one op and goes on; anything transient is thrown for a retry. False when
   * nothing went through.
   */
  private async deliver(q: ChatQueue, batch: Entry[]): Promise<boolean> {
    if (batch.length > 1) {
      const ops = batch.map((e) => e.prepared![0]!);
      let m: Message.TextMessage;
      try {
        m = await this.sendText(q, ops);
      } catch (err) {
        if (!this.refused(q, err, ops[0]!)) throw err;
        return false;
      }
      for (const op of ops) await this.afterDelivery(op, m);
      return true;
    }
    const e = batch[0]!;
    const ops = e.prepared!;
    let any = false;
    // Ops already through are not repeated when a retry comes back here.
    for (e.done ??= 0; e.done < ops.length; e.done++) {
      const op = ops[e.done]!;
      try {
        const r =
          op.editOf === undefined
            ? await this.sendText(q, [op])
            : await this.o.api.editMessageText(op.chatId, op.editOf, op.html, { parse_mode: "HTML", ...(op.markup ? { reply_markup: op.markup } : {}) }, this.signal());
        any = true;
        await this.afterDelivery(op, r);
      } catch (err) {
        // The card already says this: an edit that changes nothing has done its job.
        if (err instanceof GrammyError && /message is not modified/.test(err.description)) {
          any = true;
          continue;
        }
        if (!this.refused(q, err, op)) throw err;
      }
    }
    return any || ops.length === 0;
  }

  /** True (and logged) when Telegram answered with a refusal that retrying cannot fix. */
  private refused(q: ChatQueue, err: unknown, op: Outgoing): boolean {
    if (this.closed) return false;
    const f = classify(err);
    if (f.type !== "permanent") return false;
    this.reachable();
    this.log.error("notification dropped: Telegram refused it", { chatId: q.chatId, error: f.why, text: op.html.slice(0, 200) });
    return true;
  }

  private async afterDelivery(op: Outgoing, r: Message | true): Promise<void> {
    try {
      await this.hooks.delivered?.(op, r);
    } catch (err) {
      this.log.error("after a notification went out, recording it failed", { chatId: op.chatId, error: (err as Error).message });
    }
  }

  /** One message: the op itself, or several joined; paginated when too long. */
  private async sendText(q: ChatQueue, ops: Outgoing[]): Promise<Message.TextMessage> {
    const only = ops.length === 1 ? ops[0]! : undefined;
    let text: string;
    let markup = only?.markup;
    if (only && (only.markup || only.html.length <= TELEGRAM_TEXT_LIMIT)) {
      text = only.html;
    } else {
      const header = only ? "" : `📦 <b>${ops.length} notifications at once</b> (this chat gets at most ${this.o.perMinute ?? ops.length} a minute)`;
      const first = firstPage(paginate(ops.map((o) => o.html), { header, perPage: 1_000, separator: "\n\n" }), this.pages);
      text = first.text;
      markup = first.reply_markup;
    }
    const silent = ops.every((o) => o.silent);
    const m = await this.o.api.sendMessage(
      q.chatId,
      text,
      { parse_mode: "HTML", ...(silent ? { disable_notification: true } : {}), ...(markup ? { reply_markup: markup } : {}) },
      this.signal(),
    );
    q.sent.push(this.now());
    return m;
  }

  /** Telegram answered: if it was down, it is back; whatever still waits was held by the outage. */
  private reachable(): void {
    if (!this.down) return;
    const since = this.down.since;
    const to = this.now();
    this.down = null;
    this.log.info("Telegram reachable again: sending the held notifications", { downMs: to - since, waiting: this.count });
    const o = (this.outage ??= { from: since, to, late: 0, pending: new Set() });
    o.to = to;
    for (const q of this.queues.values()) {
      for (const e of q.entries) {
        if (e.late) continue;
        e.late = true;
        o.pending.add(e);
      }
    }
    for (const wake of this.upWaiters.splice(0)) wake();
  }

  private settle(q: ChatQueue, entries: Entry[], delivered: boolean): void {
    const gone = new Set(entries);
    q.entries = q.entries.filter((e) => !gone.has(e));
    this.progressAt = this.now();
    this.count -= entries.length;
    for (const e of entries) {
      if (e.late && this.outage?.pending.delete(e) && delivered) this.outage.late++;
      if (e.restored && --this.restoredLeft === 0) {
        // All of last run's messages are out: forget them.
        this.hooks.save?.([]).catch((err: unknown) => this.log.error("could not clear the saved notifications", { error: (err as Error).message }));
      }
    }
    if (this.outage && this.outage.pending.size === 0 && !this.down) this.reportOutage();
    if (this.count === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private reportOutage(): void {
    const { from, to, late } = this.outage!;
    this.outage = null;
    const report = { from: new Date(from), to: new Date(to), late };
    if (to - from < this.outageNoticeMs) {
      this.log.info("Telegram was briefly unreachable", { downMs: to - from, late });
      return;
    }
    const text = `Telegram was unreachable from ${istTime(from)} to ${istTime(to)} IST; ${late} message${late === 1 ? "" : "s"} delivered late.`;
    this.log.warn(text);
    this.hooks.outage?.(text, report);
  }

  private waitUp(): Promise<void> {
    if (!this.down || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /** A wait that ends early on close (and, for the cap's waits, on flush). */
  private sleep(ms: number, set: Set<() => void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      set.add(wake);
      this.sleepers.add(wake);
    });
  }
}
