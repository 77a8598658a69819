/**
 * One round of news: read every source, store the new articles (duplicates
 * only gain the feed's symbol), then score what needs scoring. A bad feed is
 * reported in the round's result and logged; it never stops the others.
 */
import type { Clock } from "../clock.js";
import { normaliseTitle, toNewArticle } from "./article.js";
import type { NewsSource } from "./news-source.js";
import type { NewsStore } from "./news-store.js";
import { RssFeed, type FetchLike } from "./rss-feed.js";
import type { SentimentLog, SentimentService } from "./sentiment.js";

export interface FeedReport {
  label: string;
  ok: boolean;
  /** Items the source listed. */
  fetched: number;
  added: number;
  duplicates: number;
  /** Why the source could not be read (ok false). */
  reason?: string;
}

export interface PollReport {
  feeds: FeedReport[];
  added: number;
  duplicates: number;
  /** Sentiment of the round: answers got, neutral fallbacks stored, already cached. */
  scored: number;
  fallbacks: number;
}

export interface NewsPollerOptions {
  /** NEWS_FEEDS (read as RSS/Atom feeds), or sources of any other kind. */
  feeds?: ReadonlyArray<{ key: string; url: string }>;
  sources?: readonly NewsSource[];
  store: NewsStore;
  /** Null: articles are stored, not scored. */
  sentiment: SentimentService | null;
  clock: Clock;
  log?: SentimentLog;
  /** Per feed (default 15 s). */
  timeoutMs?: number;
  fetch?: FetchLike;
}

export class NewsPoller {
  readonly sources: readonly NewsSource[];
  private readonly store: NewsStore;
  private readonly sentiment: SentimentService | null;
  private readonly clock: Clock;
  private readonly log: SentimentLog | undefined;
  private running: Promise<PollReport> | null = null;

  constructor(o: NewsPollerOptions) {
    const feeds = (o.feeds ?? []).map((f) => new RssFeed({ key: f.key, url: f.url, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.fetch ? { fetch: o.fetch } : {}) }));
    this.sources = [...feeds, ...(o.sources ?? [])];
    this.store = o.store;
    this.sentiment = o.sentiment;
    this.clock = o.clock;
    this.log = o.log;
  }

  /** One round; a call while a round runs gets that round's report. */
  poll(): Promise<PollReport> {
    if (!this.running) this.running = this.round().finally(() => (this.running = null));
    return this.running;
  }

  private async round(): Promise<PollReport> {
    const feeds: FeedReport[] = [];
    const fresh: number[] = [];
    for (const source of this.sources) {
      const report: FeedReport = { label: source.label, ok: true, fetched: 0, added: 0, duplicates: 0 };
      feeds.push(report);
      let drafts;
      try {
        drafts = await source.fetch();
      } catch (e) {
        report.ok = false;
        report.reason = e instanceof Error ? e.message : String(e);
        this.log?.warn("news feed skipped", { feed: source.label, reason: report.reason });
        continue;
      }
      report.fetched = drafts.length;
      const fetchedAt = this.clock.now();
      for (const d of drafts) {
        // A title of punctuation only would hash like every other such title.
        if (normaliseTitle(d.title) === "") continue;
        const r = await this.store.insertArticle(toNewArticle(d, fetchedAt));
        if (r.duplicate) report.duplicates++;
        else {
          report.added++;
          fresh.push(r.id);
        }
      }
    }
    const added = feeds.reduce((s, f) => s + f.added, 0);
    const duplicates = feeds.reduce((s, f) => s + f.duplicates, 0);
    let scored = 0;
    let fallbacks = 0;
    if (this.sentiment) {
      // The new articles first, then any earlier one whose fallback is due again.
      const a = await this.sentiment.scoreArticles(fresh);
      const b = await this.sentiment.scorePending();
      scored = a.scored + b.scored;
      fallbacks = a.fallbacks + b.fallbacks;
    }
    if (added || feeds.some((f) => !f.ok)) this.log?.info("news polled", { added, duplicates, scored, fallbacks, failedFeeds: feeds.filter((f) => !f.ok).length });
    return { feeds, added, duplicates, scored, fallbacks };
  }
}
