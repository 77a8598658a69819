/**
 * Long lists as pages with ◀ ▶ buttons instead of one cut-off message. Pages are
 * HTML strings that each fit Telegram's 4096-character limit; a list with more
 * than one page is kept in memory for a while so its buttons can turn the page.
 */
import { randomBytes } from "node:crypto";
import type { Context } from "grammy";
import type { InlineKeyboardMarkup, Message } from "grammy/types";
import { htmlToText } from "./console-chat.js";
import { esc } from "./format.js";

/** Telegram's limit on a message's text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

export interface PaginateOptions {
  /** HTML shown at the top of every page. */
  header?: string;
  /** Items on a page at most (default 20); a page also ends before it would pass the limit. */
  perPage?: number;
  /** Characters a page may hold (default 4096); tests make it small. */
  maxChars?: number;
  /** Between items on a page (default a line break). */
  separator?: string;
}

const HTML = { parse_mode: "HTML" as const };

function footer(page: number, total: number): string {
  return `\n\n<i>Page ${page} of ${total}</i>`;
}

/**
 * Splits an item too long for any page. The cut could land inside a tag or an
 * entity, so the item is made plain text first and escaped again piece by piece.
 */
function splitLong(item: string, max: number): string[] {
  const plain = htmlToText(item);
  const parts: string[] = [];
  let rest = plain;
  while (rest.length) {
    let n = Math.min(rest.length, max);
    while (n > 1 && esc(rest.slice(0, n)).length > max) n = Math.floor(n * 0.9);
    // Prefer a line end or a space over cutting a word.
    const cut = rest.slice(0, n);
    const soft = n < rest.length ? Math.max(cut.lastIndexOf("\n"), cut.lastIndexOf(" ")) : -1;
    if (soft > n / 2) n = soft + 1;
    parts.push(esc(rest.slice(0, n).trimEnd()));
    rest = rest.slice(n);
  }
  return parts.filter((p) => p.length > 0);
}

/**
 * Items (HTML, each one or more lines) into pages. Every page carries the header,
 * and "Page i of n" when there is more than one; no item is cut unless it alone
 * is longer than a page. No items: just the header (or no page at all).
 */
export function paginate(lines: readonly string[], opts: PaginateOptions = {}): string[] {
  const perPage = Math.max(1, Math.floor(opts.perPage ?? 20));
  const max = opts.maxChars ?? TELEGRAM_TEXT_LIMIT;
  const header = opts.header ?? "";
  const sep = opts.separator ?? "\n";
  const head = header ? `${header}\n` : "";
  // Room for the footer with page numbers of up to five digits each.
  const room = max - head.length - footer(99999, 99999).length;
  if (room < 20) throw new RangeError(`the header leaves no room on a ${max}-character page`);
  if (lines.length === 0) return header ? [header] : [];

  const items = lines.flatMap((l) => (l.length > room ? splitLong(l, room) : [l]));
  const groups: string[][] = [];
  let page: string[] = [];
  let size = 0;
  for (const item of items) {
    const add = (page.length ? sep.length : 0) + item.length;
    if (page.length && (page.length >= perPage || size + add > room)) {
      groups.push(page);
      page = [];
      size = 0;
    }
    size += (page.length ? sep.length : 0) + item.length;
    page.push(item);
  }
  if (page.length) groups.push(page);
  return groups.map((g, i) => head + g.join(sep) + (groups.length > 1 ? footer(i + 1, groups.length) : ""));
}

/** Callback data of a page button: `p:<listId>:<page>` (page counted from 0). */
export function pageData(listId: string, page: number): string {
  return `p:${listId}:${page}`;
}

export function parsePageData(data: string | undefined): { listId: string; page: number } | null {
  const m = /^p:([a-z0-9]{1,16}):(\d{1,5})$/.exec(data ?? "");
  return m ? { listId: m[1]!, page: Number(m[2]) } : null;
}

/** ◀ and ▶, each only where there is a page to go to. */
export function pageKeyboard(listId: string, page: number, total: number): InlineKeyboardMarkup {
  const row = [];
  if (page > 0) row.push({ text: "◀", callback_data: pageData(listId, page - 1) });
  if (page < total - 1) row.push({ text: "▶", callback_data: pageData(listId, page + 1) });
  return { inline_keyboard: row.length ? [row] : [] };
}

export interface PageStoreOptions {
  /** How long a list's buttons work (default one hour). */
  ttlMs?: number;
  /** Lists kept at most; the oldest goes first (default 500). */
  maxLists?: number;
  now?: () => number;
}

/**
 * Lists whose buttons still work. Memory only: after a restart or the expiry, a
 * button answers "This list has expired; ask again".
 */
export class PageStore {
  private readonly lists = new Map<string, { pages: string[]; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxLists: number;
  private readonly now: () => number;

  constructor(o: PageStoreOptions = {}) {
    this.ttlMs = o.ttlMs ?? 60 * 60_000;
    this.maxLists = o.maxLists ?? 500;
    this.now = o.now ?? Date.now;
  }

  /** Keeps the pages; returns the list's id for the buttons. */
  add(pages: readonly string[]): string {
    const now = this.now();
    for (const [id, l] of this.lists) if (l.expiresAt <= now) this.lists.delete(id);
    while (this.lists.size >= this.maxLists) this.lists.delete(this.lists.keys().next().value!);
    let id: string;
    do id = randomBytes(6).readUIntBE(0, 6).toString(36);
    while (this.lists.has(id));
    this.lists.set(id, { pages: [...pages], expiresAt: now + this.ttlMs });
    return id;
  }

  /** The list's pages, or undefined once it has expired. */
  get(listId: string): string[] | undefined {
    const l = this.lists.get(listId);
    if (!l) return undefined;
    if (l.expiresAt <= this.now()) {
      this.lists.delete(listId);
      return undefined;
    }
    return l.pages;
  }

  get size(): number {
    return this.lists.size;
  }
}

/** The one store the bot's page buttons read (commands and notifications both add to it). */
export const pageLists = new PageStore();

/** The first page and its buttons: what to send for a list of pages. */
export function firstPage(pages: readonly string[], store: PageStore = pageLists): { text: string; reply_markup?: InlineKeyboardMarkup } {
  if (pages.length === 0) throw new RangeError("no pages to send");
  if (pages.length === 1) return { text: pages[0]! };
  const id = store.add(pages);
  return { text: pages[0]!, reply_markup: pageKeyboard(id, 0, pages.length) };
}

/**
 * Replies with the first page, with ◀ ▶ buttons when there are more (the page
 * buttons are answered by registerPageButtons). Pages are HTML, as from paginate.
 * No pages: nothing is sent and undefined is returned.
 */
export async function sendPaginated(ctx: Context, pages: readonly string[], store: PageStore = pageLists): Promise<Message.TextMessage | undefined> {
  if (pages.length === 0) return undefined;
  const first = firstPage(pages, store);
  return ctx.reply(first.text, { ...HTML, ...(first.reply_markup ? { reply_markup: first.reply_markup } : {}) });
}

export const EXPIRED_LIST = "This list has expired; ask again";
