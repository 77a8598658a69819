/**
 * One RSS 2.0, RSS 1.0 (RDF) or Atom feed read over HTTP and parsed with
 * fast-xml-parser. Each item becomes a draft filed under the feed's key. A feed
 * that cannot be used (HTTP error, timeout, not XML, no items) rejects with a
 * NewsSourceError whose message names the feed and the cause.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ArticleDraft } from "./article.js";
import { NewsSourceError, type NewsSource } from "./news-source.js";

export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string>; redirect: "follow" }) => Promise<Response>;

export interface RssFeedOptions {
  /** NEWS_FEEDS key: an upper-cased symbol or keyword (MARKET: every symbol). */
  key: string;
  url: string;
  /** Default 15 s. */
  timeoutMs?: number;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** A feed larger than this is refused (default 5 MB). */
  maxBytes?: number;
}

const SUMMARY_MAX = 1000;

export class RssFeed implements NewsSource {
  readonly key: string;
  readonly url: string;
  readonly label: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: FetchLike;
  private readonly maxBytes: number;

  constructor(o: RssFeedOptions) {
    this.key = o.key.trim().toUpperCase();
    this.url = o.url;
    this.label = `${this.key} feed ${o.url}`;
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.fetchImpl = o.fetch ?? ((url, init) => fetch(url, init));
    this.maxBytes = o.maxBytes ?? 5_000_000;
  }

  async fetch(): Promise<ArticleDraft[]> {
    const xml = await this.download();
    try {
      return parseFeed(xml, { key: this.key, source: this.url });
    } catch (e) {
      throw new NewsSourceError(`${this.label}: ${(e as Error).message}`);
    }
  }

  private async download(): Promise<string> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5", "user-agent": "dalal-news/0.1" },
        redirect: "follow",
      });
    } catch (e) {
      throw new NewsSourceError(`${this.label}: ${fetchFailure(e, this.timeoutMs)}`);
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new NewsSourceError(`${this.label}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
    }
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > this.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new NewsSourceError(`${this.label}: ${length} bytes is larger than the ${this.maxBytes}-byte limit`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new NewsSourceError(`${this.label}: ${fetchFailure(e, this.timeoutMs)} while reading the body`);
    }
    if (text.length > this.maxBytes) throw new NewsSourceError(`${this.label}: larger than the ${this.maxBytes}-byte limit`);
    return text;
  }
}

function fetchFailure(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return `no answer within ${Math.round(timeoutMs / 100) / 10} s`;
  const code = err?.cause?.code;
  return `unreachable (${code ?? err?.cause?.message ?? err?.message ?? String(e)})`;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  // Titles like "2024" stay text.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 50, maxTotalExpansions: 500, maxExpandedLength: 100_000 },
});

/** Parses a feed's XML into drafts filed under `key`; throws an Error saying what is wrong. */
export function parseFeed(xml: string, o: { key: string; source: string }): ArticleDraft[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not XML (line ${valid.err.line}: ${valid.err.msg})`);
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`not XML (${(e as Error).message})`);
  }
  const rss = obj(doc["rss"]);
  const rdf = obj(doc["rdf:RDF"]);
  const atom = obj(doc["feed"]);
  let items: ArticleDraft[];
  if (rss) items = list(obj(rss["channel"])?.["item"]).map((i) => rssItem(obj(i) ?? {}, o));
  else if (rdf) items = list(rdf["item"]).map((i) => rssItem(obj(i) ?? {}, o));
  else if (atom) items = list(atom["entry"]).map((e) => atomEntry(obj(e) ?? {}, o));
  else {
    const root = Object.keys(doc).find((k) => !k.startsWith("?")) ?? "nothing";
    throw new Error(`no items: not an RSS or Atom feed (the document is <${root}>)`);
  }
  const usable = items.filter((d) => d.title !== "");
  if (usable.length === 0) throw new Error(items.length ? `no items with a title (${items.length} without)` : `no items (the feed lists no ${atom ? "<entry>" : "<item>"})`);
  return usable;
}

function rssItem(i: Record<string, unknown>, o: { key: string; source: string }): ArticleDraft {
  const link = text(i["link"]) || permalink(i["guid"]);
  return {
    title: clean(text(i["title"])),
    url: link || null,
    summary: summary(text(i["description"]) || text(i["content:encoded"])),
    publishedAt: date(text(i["pubDate"]) || text(i["dc:date"])),
    source: o.source,
    symbols: [o.key],
  };
}

function atomEntry(e: Record<string, unknown>, o: { key: string; source: string }): ArticleDraft {
  const links = list(e["link"]).map((l) => obj(l) ?? {});
  const alternate = links.find((l) => (l["@_rel"] ?? "alternate") === "alternate") ?? links[0];
  const href = alternate ? text(alternate["@_href"]) : "";
  return {
    title: clean(text(e["title"])),
    url: href || null,
    summary: summary(text(e["summary"]) || text(e["content"])),
    publishedAt: date(text(e["published"]) || text(e["updated"])),
    source: o.source,
    symbols: [o.key],
  };
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v];
}

/** A node's text: a string, or the `#text` of a node with attributes (Atom's type="html"). */
function text(v: unknown): string {
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const o = obj(v);
  if (o && typeof o["#text"] === "string") return o["#text"].trim();
  if (Array.isArray(v)) return text(v[0]);
  return "";
}

/** An RSS guid is a link unless isPermaLink="false". */
function permalink(guid: unknown): string {
  const o = obj(guid);
  if (o && o["@_isPermaLink"] === "false") return "";
  const t = text(guid);
  return /^https?:\/\//i.test(t) ? t : "";
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", hellip: "…", rupee: "₹" };

/** HTML entities left after XML decoding (feeds often double-escape them). */
function decodeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return NAMED[e.toLowerCase()] ?? m;
  });
}

function clean(s: string): string {
  return decodeHtml(s.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();
}

function summary(html: string): string {
  const s = clean(html);
  return s.length > SUMMARY_MAX ? `${s.slice(0, SUMMARY_MAX - 3)}...` : s;
}

/** RFC 822 (RSS) or ISO 8601 (Atom); "IST" is not a zone JavaScript knows. */
function date(s: string): Date | null {
  if (!s) return null;
  const t = Date.parse(s.replace(/\bIST\b/, "+0530"));
  return Number.isNaN(t) ? null : new Date(t);
}
