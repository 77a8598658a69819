/**
 * News articles, their sentiment and the model's daily usage in PostgreSQL or
 * PGlite. Times are bound through drizzle's column comparisons (postgres.js
 * takes no Date inside a raw sql`` placeholder).
 */
import { and, desc, eq, gte, inArray, lte, or, sql } from "drizzle-orm";
import { MARKET, mergeSymbols, storedArticle, type NewArticle, type StoredArticle } from "../engine/intelligence/article.js";
import { emptyUsage, type ArticleSentiment, type InsertedArticle, type LlmUsage, type LlmUsageDelta, type NewsStore, type SentimentOutcome } from "../engine/intelligence/news-store.js";
import type { IstDate } from "../engine/time/ist.js";
import type { Db } from "./connection.js";
import { articleSentiments, llmUsage, newsArticles } from "./schema.js";

type ArticleRow = typeof newsArticles.$inferSelect;
type SentimentRow = typeof articleSentiments.$inferSelect;


const toSentiment = (r: SentimentRow): ArticleSentiment => ({
  articleId: r.articleId,
  outcome: r.outcome as SentimentOutcome,
  score: r.score,
  confidence: r.confidence,
  reasoning: r.reasoning,
  topics: [...r.topics],
  fallbackReason: r.fallbackReason,
  model: r.model,
  tokens: r.tokens,
  scoredAt: r.scoredAt,
});

/** jsonb containment of one symbol, bound as JSON text. */
const filedUnder = (symbol: string) => sql`${newsArticles.symbols} @> ${JSON.stringify([symbol])}::jsonb`;

export class NewsRepo implements NewsStore {
  constructor(readonly db: Db) {}

  async insertArticle(a: NewArticle): Promise<InsertedArticle> {
    return this.db.transaction(async (tx) => {
      const existing = await tx
        .select()
        .from(newsArticles)
        .where(or(eq(newsArticles.urlHash, a.urlHash), eq(newsArticles.titleHash, a.titleHash)))
        .orderBy(newsArticles.id)
        .limit(1);
      const found = existing[0];
      if (!found) {
        // A concurrent writer may store the same article between the look-up and
        // here: the unique indexes turn that into no row, handled below.
        const inserted = await tx.insert(newsArticles).values(a).onConflictDoNothing().returning({ id: newsArticles.id });
        if (inserted[0]) return { id: inserted[0].id, duplicate: false, symbols: [...a.symbols] };
        const again = await tx
          .select()
          .from(newsArticles)
          .where(or(eq(newsArticles.urlHash, a.urlHash), eq(newsArticles.titleHash, a.titleHash)))
          .limit(1);
        if (!again[0]) throw new Error(`article "${a.title.slice(0, 80)}" was neither stored nor found`);
        return this.merge(tx, again[0], a.symbols);
      }
      return this.merge(tx, found, a.symbols);
    });
  }

  private async merge(tx: Pick<Db, "update">, row: ArticleRow, symbols: readonly string[]): Promise<InsertedArticle> {
    const merged = mergeSymbols(row.symbols, symbols);
    if (merged.length !== row.symbols.length) await tx.update(newsArticles).set({ symbols: merged }).where(eq(newsArticles.id, row.id));
    return { id: row.id, duplicate: true, symbols: merged };
  }

  async article(id: number): Promise<StoredArticle | null> {
    const rows = await this.db.select().from(newsArticles).where(eq(newsArticles.id, id)).limit(1);
    return rows[0] ? storedArticle(rows[0]) : null;
  }

  async articlesFor(symbol: string, since: Date, until: Date, limit = 200): Promise<StoredArticle[]> {
    const rows = await this.db
      .select()
      .from(newsArticles)
      .where(and(or(filedUnder(symbol.toUpperCase()), filedUnder(MARKET)), gte(newsArticles.publishedAt, since), lte(newsArticles.publishedAt, until)))
      .orderBy(desc(newsArticles.publishedAt), desc(newsArticles.id))
      .limit(limit);
    return rows.map(storedArticle);
  }

  async recentArticles(since: Date, until: Date, limit = 500): Promise<StoredArticle[]> {
    const rows = await this.db
      .select()
      .from(newsArticles)
      .where(and(gte(newsArticles.publishedAt, since), lte(newsArticles.publishedAt, until)))
      .orderBy(desc(newsArticles.publishedAt), desc(newsArticles.id))
      .limit(limit);
    return rows.map(storedArticle);
  }

  async sentiment(articleId: number): Promise<ArticleSentiment | null> {
    const rows = await this.db.select().from(articleSentiments).where(eq(articleSentiments.articleId, articleId)).limit(1);
    return rows[0] ? toSentiment(rows[0]) : null;
  }

  async sentiments(articleIds: readonly number[]): Promise<Map<number, ArticleSentiment>> {
    const out = new Map<number, ArticleSentiment>();
    if (articleIds.length === 0) return out;
    const rows = await this.db
      .select()
      .from(articleSentiments)
      .where(inArray(articleSentiments.articleId, [...articleIds]));
    for (const r of rows) out.set(r.articleId, toSentiment(r));
    return out;
  }

  async saveSentiment(s: ArticleSentiment): Promise<void> {
    const { articleId, ...rest } = s;
    await this.db
      .insert(articleSentiments)
      .values({ articleId, ...rest })
      .onConflictDoUpdate({ target: articleSentiments.articleId, set: rest });
  }

  async usage(date: IstDate): Promise<LlmUsage> {
    const rows = await this.db.select().from(llmUsage).where(eq(llmUsage.date, date)).limit(1);
    return rows[0] ? { ...rows[0] } : emptyUsage(date);
  }

  async addUsage(date: IstDate, delta: LlmUsageDelta): Promise<LlmUsage> {
    const d = { requests: delta.requests ?? 0, promptTokens: delta.promptTokens ?? 0, completionTokens: delta.completionTokens ?? 0, fallbacks: delta.fallbacks ?? 0 };
    const rows = await this.db
      .insert(llmUsage)
      .values({ date, ...d })
      .onConflictDoUpdate({
        target: llmUsage.date,
        set: {
          requests: sql`${llmUsage.requests} + excluded.requests`,
          promptTokens: sql`${llmUsage.promptTokens} + excluded.prompt_tokens`,
          completionTokens: sql`${llmUsage.completionTokens} + excluded.completion_tokens`,
          fallbacks: sql`${llmUsage.fallbacks} + excluded.fallbacks`,
        },
      })
      .returning();
    return rows[0] ? { ...rows[0] } : emptyUsage(date);
  }
}
