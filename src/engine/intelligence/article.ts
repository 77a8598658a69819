/**
 * News articles and how one is recognised again. An article is the same article
 * when its normalised URL or its normalised title hashes alike, so a story
 * re-posted with tracking parameters, or syndicated under another link with the
 * same headline, is stored once and filed under every symbol that carried it.
 */
import { createHash } from "node:crypto";

/** The feed key meaning every symbol. */
export const MARKET = "MARKET";

/** Where a chat entry comes from (`/news SYMBOL text`). */
export const CHAT_SOURCE = "chat";

/** An article as a source reads it, before it is stored. */
export interface ArticleDraft {
  title: string;
  url: string | null;
  summary: string;
  /** Null: the source gave no usable date (the fetch time stands in). */
  publishedAt: Date | null;
  /** The feed's URL, or `chat`. */
  source: string;
  /** Upper-cased symbols or keywords it is filed under (MARKET: every symbol). */
  symbols: string[];
}

/** What the store keeps. */
export interface NewArticle {
  urlHash: string;
  titleHash: string;
  url: string | null;
  title: string;
  summary: string;
  symbols: string[];
  source: string;
  publishedAt: Date;
  fetchedAt: Date;
}

/** A stored article as the engine sees it: what was stored, without its hashes, with its id. */
export type StoredArticle = Omit<NewArticle, "urlHash" | "titleHash"> & { id: number };

/** A stored row as a StoredArticle of its own (no array or date shared with the row). */
export function storedArticle(r: StoredArticle): StoredArticle {
  return { id: r.id, url: r.url, title: r.title, summary: r.summary, symbols: [...r.symbols], source: r.source, publishedAt: new Date(r.publishedAt), fetchedAt: new Date(r.fetchedAt) };
}

const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * Lower-case scheme and host, no fragment, no utm_* parameters, no trailing
 * slash. Text that is not a URL is only trimmed: it still hashes consistently.
 */
export function normaliseUrl(raw: string): string {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return text;
  }
  u.hash = "";
  for (const key of [...u.searchParams.keys()]) if (key.toLowerCase().startsWith("utm_")) u.searchParams.delete(key);
  // URL keeps "?" after the last parameter is deleted; an empty search drops it.
  if ([...u.searchParams.keys()].length === 0) u.search = "";
  // The path loses its trailing slashes, with or without a query after it.
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}${u.search}`;
}

/** Lower-cased, punctuation stripped, whitespace collapsed. */
export function normaliseTitle(title: string): string {
  return title
    .normalize("NFKC")
    .toLowerCase()
    // Dashes and slashes join words ("Bajaj-Auto", "2-bn"): they become spaces; other punctuation goes.
    .replace(/[\p{Pd}/]/gu, " ")
    .replace(/[\p{P}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

export function titleHash(title: string): string {
  return sha256(normaliseTitle(title));
}

/** The URL's hash; an article without a URL hashes its title instead. */
export function urlHash(url: string | null, title: string): string {
  return url && url.trim() !== "" ? sha256(normaliseUrl(url)) : titleHash(title);
}

/** Upper-cased, unique, in first-seen order. */
export function mergeSymbols(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b].map((s) => s.trim().toUpperCase()).filter((s) => s !== ""))];
}

/**
 * The row to store for a draft read at `fetchedAt`. A missing date, or one in
 * the future (a feed with a wrong zone), becomes the fetch time: an article
 * cannot have been published after it was read.
 */
export function toNewArticle(d: ArticleDraft, fetchedAt: Date): NewArticle {
  const title = d.title.replace(/\s+/g, " ").trim();
  const url = d.url && d.url.trim() !== "" ? d.url.trim() : null;
  const published = d.publishedAt && !Number.isNaN(d.publishedAt.getTime()) && d.publishedAt.getTime() <= fetchedAt.getTime() ? d.publishedAt : fetchedAt;
  return {
    urlHash: urlHash(url, title),
    titleHash: titleHash(title),
    url,
    title,
    summary: d.summary.trim(),
    symbols: mergeSymbols([], d.symbols),
    source: d.source,
    publishedAt: published,
    fetchedAt,
  };
}
