/**
 * NewsRepo's behaviour without a database (the backtester's memory desk, and
 * fast tests): the same dedupe by URL or title hash, the same ordering and
 * limits. Rows leave as copies, so no caller can change one in place.
 */
import { MARKET, mergeSymbols, storedArticle, type NewArticle, type StoredArticle } from "../engine/intelligence/article.js";
import { emptyUsage, type ArticleSentiment, type InsertedArticle, type LlmUsage, type LlmUsageDelta, type NewsStore } from "../engine/intelligence/news-store.js";
import type { IstDate } from "../engine/time/ist.js";

type Row = StoredArticle & { urlHash: string; titleHash: string };

const copySentiment = (s: ArticleSentiment): ArticleSentiment => ({ ...s, topics: [...s.topics], scoredAt: new Date(s.scoredAt) });
const newestFirst = (a: Row, b: Row) => b.publishedAt.getTime() - a.publishedAt.getTime() || b.id - a.id;

export class MemoryNewsStore implements NewsStore {
  private readonly rows: Row[] = [];
  private readonly scores = new Map<number, ArticleSentiment>();
  private readonly days = new Map<IstDate, LlmUsage>();
  private seq = 0;

  async insertArticle(a: NewArticle): Promise<InsertedArticle> {
    const found = this.rows.find((r) => r.urlHash === a.urlHash || r.titleHash === a.titleHash);
    if (found) {
      found.symbols = mergeSymbols(found.symbols, a.symbols);
      return { id: found.id, duplicate: true, symbols: [...found.symbols] };
    }
    const row: Row = { ...a, id: ++this.seq, symbols: [...a.symbols], publishedAt: new Date(a.publishedAt), fetchedAt: new Date(a.fetchedAt) };
    this.rows.push(row);
    return { id: row.id, duplicate: false, symbols: [...row.symbols] };
  }

  async article(id: number): Promise<StoredArticle | null> {
    const r = this.rows.find((x) => x.id === id);
    return r ? storedArticle(r) : null;
  }

  async articlesFor(symbol: string, since: Date, until: Date, limit = 200): Promise<StoredArticle[]> {
    const sym = symbol.toUpperCase();
    return this.between(since, until)
      .filter((r) => r.symbols.includes(sym) || r.symbols.includes(MARKET))
      .slice(0, limit)
      .map(storedArticle);
  }

  async recentArticles(since: Date, until: Date, limit = 500): Promise<StoredArticle[]> {
    return this.between(since, until).slice(0, limit).map(storedArticle);
  }

  private between(since: Date, until: Date): Row[] {
    return this.rows.filter((r) => r.publishedAt.getTime() >= since.getTime() && r.publishedAt.getTime() <= until.getTime()).sort(newestFirst);
  }

  async sentiment(articleId: number): Promise<ArticleSentiment | null> {
    const s = this.scores.get(articleId);
    return s ? copySentiment(s) : null;
  }

  async sentiments(articleIds: readonly number[]): Promise<Map<number, ArticleSentiment>> {
    const out = new Map<number, ArticleSentiment>();
    for (const id of articleIds) {
      const s = this.scores.get(id);
      if (s) out.set(id, copySentiment(s));
    }
    return out;
  }

  async saveSentiment(s: ArticleSentiment): Promise<void> {
    // The table's foreign key: a sentiment belongs to a stored article.
    if (!this.rows.some((r) => r.id === s.articleId)) throw new Error(`no article ${s.articleId} to attach a sentiment to`);
    this.scores.set(s.articleId, copySentiment(s));
  }

  async usage(date: IstDate): Promise<LlmUsage> {
    return { ...(this.days.get(date) ?? emptyUsage(date)) };
  }

  async addUsage(date: IstDate, delta: LlmUsageDelta): Promise<LlmUsage> {
    const u = this.days.get(date) ?? emptyUsage(date);
    const next: LlmUsage = {
      date,
      requests: u.requests + (delta.requests ?? 0),
      promptTokens: u.promptTokens + (delta.promptTokens ?? 0),
      completionTokens: u.completionTokens + (delta.completionTokens ?? 0),
      fallbacks: u.fallbacks + (delta.fallbacks ?? 0),
    };
    this.days.set(date, next);
    return { ...next };
  }
}
