/**
 * What the intelligence layer needs of storage: articles stored once, each
 * article's sentiment (the cache), and the model's daily usage. The drizzle
 * adapter is src/db/news-repo.ts; src/db/news-memory-store.ts keeps the same
 * behaviour in memory.
 */
import type { IstDate } from "../time/ist.js";
import type { NewArticle, StoredArticle } from "./article.js";

/** `scored`: the model's answer. `fallback`: neutral (0, 0) with the reason. */
export type SentimentOutcome = "scored" | "fallback";

export interface ArticleSentiment {
  articleId: number;
  outcome: SentimentOutcome;
  /** −1 (very negative) .. 1 (very positive). */
  score: number;
  /** 0 .. 1. */
  confidence: number;
  reasoning: string;
  topics: string[];
  /** Why the answer could not be used (fallbacks only). */
  fallbackReason: string | null;
  model: string;
  /** Tokens the answer cost (prompt + completion), 0 when no request was made. */
  tokens: number;
  scoredAt: Date;
}

/** The model's use on one IST day. */
export interface LlmUsage {
  date: IstDate;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  fallbacks: number;
}

export type LlmUsageDelta = Partial<Omit<LlmUsage, "date">>;

export interface InsertedArticle {
  id: number;
  /** True when the article was already stored (by URL or by title). */
  duplicate: boolean;
  /** The symbols it is filed under now (a duplicate's merged with the new ones). */
  symbols: string[];
}

export interface NewsStore {
  /**
   * Stores an article unless its URL hash or title hash is already stored; a
   * duplicate gains the new article's symbols.
   */
  insertArticle(a: NewArticle): Promise<InsertedArticle>;
  article(id: number): Promise<StoredArticle | null>;
  /**
   * Articles filed under `symbol` or MARKET, published in [since, until], newest
   * first, at most `limit` (default 200).
   */
  articlesFor(symbol: string, since: Date, until: Date, limit?: number): Promise<StoredArticle[]>;
  /** Every article published in [since, until], newest first, at most `limit` (default 500). */
  recentArticles(since: Date, until: Date, limit?: number): Promise<StoredArticle[]>;
  sentiment(articleId: number): Promise<ArticleSentiment | null>;
  /** The sentiments stored for these articles (missing ids are absent). */
  sentiments(articleIds: readonly number[]): Promise<Map<number, ArticleSentiment>>;
  /** Inserts or replaces the article's sentiment. */
  saveSentiment(s: ArticleSentiment): Promise<void>;
  /** The day's usage (all zeros when nothing was used). */
  usage(date: IstDate): Promise<LlmUsage>;
  /** Adds to the day's counters and returns the new totals. */
  addUsage(date: IstDate, delta: LlmUsageDelta): Promise<LlmUsage>;
}

export const emptyUsage = (date: IstDate): LlmUsage => ({ date, requests: 0, promptTokens: 0, completionTokens: 0, fallbacks: 0 });
