/**
 * News sentiment: each article is scored once by the model (cached in
 * article_sentiments), a symbol's sentiment is the mean over its recent
 * articles. Whatever goes wrong, the answer is a neutral fallback with its
 * reason: the service never throws for the model's sake (a failing database
 * still does).
 */
import type { Clock } from "../clock.js";
import { Serial } from "../serial.js";
import { istDate, toIsoIst } from "../time/ist.js";
import { CHAT_SOURCE, mergeSymbols, toNewArticle, type StoredArticle } from "./article.js";
import { budgetReason, isLocalReason, isTransientReason, NO_KEY_REASON, NOT_SCORED_YET } from "./fallback-reasons.js";
import { OpenAiSentimentScorer, type ScoreResult, type SentimentScorer } from "./llm-scorer.js";
import type { ArticleSentiment, LlmUsage, NewsStore, SentimentOutcome } from "./news-store.js";

/** One article as the sentiment of a symbol shows it. */
export interface ArticleScore {
  id: number;
  title: string;
  url: string | null;
  source: string;
  published: Date;
  symbols: string[];
  score: number;
  confidence: number;
  reasoning: string;
  topics: string[];
  outcome: SentimentOutcome;
  fallbackReason: string | null;
}

export interface SymbolSentiment {
  symbol: string;
  /** Mean score, −1..1 (a fallback counts 0). */
  score: number;
  /** Mean confidence, 0..1 (a fallback counts 0: an unread article lowers it). */
  confidence: number;
  articleCount: number;
  fallbacks: number;
  /** Newest first. */
  articles: ArticleScore[];
  /** One line saying what the numbers rest on. */
  reason: string;
  lookbackHours: number;
  since: Date;
  until: Date;
}

export interface ChatNewsResult {
  article: ArticleScore;
  /** The text (or its link) was already stored: it is now filed under this symbol too. */
  duplicate: boolean;
}

export interface ScoringTally {
  /** The model's answers stored. */
  scored: number;
  /** Neutral fallbacks stored. */
  fallbacks: number;
  /** Left as they were (already scored, or the same fallback again). */
  cached: number;
}

export interface SentimentLog {
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
}

export interface SentimentServiceOptions {
  store: NewsStore;
  /** Null: no API key, every article is scored neutral with that reason. */
  scorer: SentimentScorer | null;
  clock: Clock;
  /** LLM_DAILY_TOKEN_BUDGET: tokens per IST day, counted from the usage the API reports. */
  dailyTokenBudget: number;
  /** SENTIMENT_LOOKBACK_HOURS. */
  lookbackHours: number;
  /** A transient fallback (server down, slow, busy) is asked again this long after (default 15 min). */
  retryAfterMs?: number;
  /** Articles one forSymbol call may send to the model at most (default 25); the rest count as not scored yet. */
  scoreLimit?: number;
  log?: SentimentLog;
}

/** The settings a service is built from (src/config.ts names). */
export interface SentimentSettings {
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL: string;
  OPENAI_MODEL: string;
  LLM_TIMEOUT_SECONDS: number;
  LLM_DAILY_TOKEN_BUDGET: number;
  SENTIMENT_LOOKBACK_HOURS: number;
}

/** A symbol as the desk writes it: letters, digits, & and -, upper-cased. */
export const SYMBOL_RE = /^[A-Z0-9&-]{1,30}$/;

const MAX_TITLE = 200;
const HOUR_MS = 3_600_000;

/** Per batch of scoring: once the server is down, the rest of the batch does not wait for it again. */
interface Batch {
  down?: string;
}

export class SentimentService {
  readonly store: NewsStore;
  readonly scorer: SentimentScorer | null;
  readonly dailyTokenBudget: number;
  readonly lookbackHours: number;
  private readonly clock: Clock;
  private readonly retryAfterMs: number;
  private readonly scoreLimit: number;
  private readonly log: SentimentLog | undefined;
  private readonly serial = new Serial();
  /** After a 429: no request before this instant. */
  private holdUntil = 0;

  constructor(o: SentimentServiceOptions) {
    if (!Number.isFinite(o.dailyTokenBudget) || o.dailyTokenBudget < 0) throw new RangeError(`dailyTokenBudget must be 0 or more tokens, got ${o.dailyTokenBudget}`);
    if (!Number.isFinite(o.lookbackHours) || o.lookbackHours <= 0) throw new RangeError(`lookbackHours must be more than 0, got ${o.lookbackHours}`);
    this.store = o.store;
    this.scorer = o.scorer;
    this.clock = o.clock;
    this.dailyTokenBudget = o.dailyTokenBudget;
    this.lookbackHours = o.lookbackHours;
    this.retryAfterMs = o.retryAfterMs ?? 15 * 60_000;
    this.scoreLimit = o.scoreLimit ?? 25;
    this.log = o.log;
  }

  /** The service the settings describe: the OpenAI-compatible scorer when a key is set, none otherwise. */
  static fromSettings(cfg: SentimentSettings, deps: { store: NewsStore; clock: Clock; log?: SentimentLog }): SentimentService {
    const scorer = cfg.OPENAI_API_KEY
      ? new OpenAiSentimentScorer({ apiKey: cfg.OPENAI_API_KEY, baseURL: cfg.OPENAI_BASE_URL, model: cfg.OPENAI_MODEL, timeoutSeconds: cfg.LLM_TIMEOUT_SECONDS })
      : null;
    return new SentimentService({
      store: deps.store,
      scorer,
      clock: deps.clock,
      dailyTokenBudget: cfg.LLM_DAILY_TOKEN_BUDGET,
      lookbackHours: cfg.SENTIMENT_LOOKBACK_HOURS,
      ...(deps.log ? { log: deps.log } : {}),
    });
  }

  get model(): string {
    return this.scorer?.model ?? "none";
  }

  /** The article's sentiment: the cached one, or the model's answer now (or a fallback). */
  async scoreArticle(articleId: number): Promise<ArticleSentiment> {
    const article = await this.store.article(articleId);
    if (!article) throw new RangeError(`no article ${articleId}`);
    const [s] = await this.scoreAll([article], {});
    return s!;
  }

  /**
   * Scores the articles that need it (never scored, or a transient fallback due
   * again), in the order given; returns how it went.
   */
  async scoreArticles(articleIds: readonly number[]): Promise<ScoringTally> {
    const articles: StoredArticle[] = [];
    for (const id of articleIds) {
      const a = await this.store.article(id);
      if (a) articles.push(a);
    }
    return this.tally(articles, await this.store.sentiments(articleIds));
  }

  /** Every article of the lookback window that needs scoring, oldest first (the poller's second step). */
  async scorePending(): Promise<ScoringTally> {
    const now = this.clock.now();
    const recent = await this.store.recentArticles(new Date(now.getTime() - this.lookbackHours * HOUR_MS), now);
    const before = await this.store.sentiments(recent.map((a) => a.id));
    const due = recent.filter((a) => this.needsScoring(before.get(a.id) ?? null, now)).reverse();
    const tally = await this.tally(due, before);
    return { ...tally, cached: tally.cached + recent.length - due.length };
  }

  private async tally(articles: readonly StoredArticle[], before: Map<number, ArticleSentiment>): Promise<ScoringTally> {
    const after = await this.scoreAll(articles, {});
    const t: ScoringTally = { scored: 0, fallbacks: 0, cached: 0 };
    after.forEach((s, i) => {
      const prev = before.get(articles[i]!.id);
      if (prev && prev.scoredAt.getTime() === s.scoredAt.getTime()) t.cached++;
      else if (s.outcome === "scored") t.scored++;
      else t.fallbacks++;
    });
    return t;
  }

  /**
   * The symbol's sentiment: the mean score and mean confidence of the articles
   * filed under it or MARKET in the last `lookbackHours` up to `now`. Articles
   * not yet scored are scored first (at most `scoreLimit` per call) unless
   * `score: false`.
   */
  async forSymbol(symbol: string, now: Date = this.clock.now(), opts: { score?: boolean } = {}): Promise<SymbolSentiment> {
    const sym = symbol.trim().toUpperCase();
    const since = new Date(now.getTime() - this.lookbackHours * HOUR_MS);
    const articles = await this.store.articlesFor(sym, since, now);
    const cached = await this.store.sentiments(articles.map((a) => a.id));
    let sentiments: Array<ArticleSentiment | null>;
    if (opts.score === false) {
      sentiments = articles.map((a) => cached.get(a.id) ?? null);
    } else {
      // Oldest first, so a budget running out leaves the newest unread rather than the oldest.
      const due = articles.filter((a) => this.needsScoring(cached.get(a.id) ?? null, now)).reverse();
      const asked = due.slice(0, this.scoreLimit);
      const answers = await this.scoreAll(asked, {});
      asked.forEach((a, i) => cached.set(a.id, answers[i]!));
      sentiments = articles.map((a) => cached.get(a.id) ?? null);
    }
    const rows = articles.map((a, i) => toScore(a, sentiments[i] ?? null));
    return aggregate(sym, rows, this.lookbackHours, since, now);
  }

  /**
   * `/news SYMBOL text`: stores the text as an article of source `chat` filed
   * under the symbol (a link in the text becomes its URL), and scores it at once.
   */
  async addFromChat(symbol: string, text: string): Promise<ChatNewsResult> {
    const sym = symbol.trim().toUpperCase();
    if (!SYMBOL_RE.test(sym)) throw new RangeError(`"${symbol}" is not a symbol (letters, digits, & and - only)`);
    const body = text.replace(/\s+/g, " ").trim();
    if (body === "") throw new RangeError("the news text is empty");
    const link = /https?:\/\/[^\s<>"]+/i.exec(body)?.[0] ?? null;
    const words = (link ? body.replace(link, " ") : body).replace(/\s+/g, " ").trim() || link || body;
    const title = words.length > MAX_TITLE ? `${words.slice(0, MAX_TITLE - 3)}...` : words;
    const now = this.clock.now();
    const row = toNewArticle({ title, url: link, summary: words.length > MAX_TITLE ? words : "", publishedAt: now, source: CHAT_SOURCE, symbols: [sym] }, now);
    const ins = await this.store.insertArticle(row);
    const article = await this.store.article(ins.id);
    if (!article) throw new Error(`article ${ins.id} vanished after it was stored`);
    const sentiment = await this.scoreArticle(ins.id);
    return { article: toScore({ ...article, symbols: mergeSymbols(article.symbols, ins.symbols) }, sentiment), duplicate: ins.duplicate };
  }

  /** Today's (IST) use of the model. */
  async usageToday(): Promise<LlmUsage & { budget: number }> {
    return { ...(await this.store.usage(istDate(this.clock.now()))), budget: this.dailyTokenBudget };
  }

  private needsScoring(s: ArticleSentiment | null, now: Date): boolean {
    if (!s) return true;
    if (s.outcome === "scored" || !isTransientReason(s.fallbackReason)) return false;
    // Decided without a request (no key, budget): checking again costs nothing.
    if (s.fallbackReason && isLocalReason(s.fallbackReason)) return true;
    return now.getTime() - s.scoredAt.getTime() >= this.retryAfterMs;
  }

  /** One at a time, so the budget check and the cache see every earlier answer. */
  private scoreAll(articles: readonly StoredArticle[], batch: Batch): Promise<ArticleSentiment[]> {
    return this.serial.run(async () => {
      const out: ArticleSentiment[] = [];
      for (const a of articles) out.push(await this.scoreOne(a, batch));
      return out;
    });
  }

  private async scoreOne(article: StoredArticle, batch: Batch): Promise<ArticleSentiment> {
    const now = this.clock.now();
    const prev = await this.store.sentiment(article.id);
    if (!this.needsScoring(prev, now)) return prev!;

    const fallback = async (reason: string, tokens: number, asked: boolean): Promise<ArticleSentiment> => {
      // Asking again without a request gave the same answer: keep the row as it is.
      if (prev && !asked && prev.outcome === "fallback" && prev.fallbackReason === reason) return prev;
      const s: ArticleSentiment = { articleId: article.id, outcome: "fallback", score: 0, confidence: 0, reasoning: "", topics: [], fallbackReason: reason, model: this.model, tokens, scoredAt: now };
      await this.store.saveSentiment(s);
      await this.store.addUsage(istDate(now), { fallbacks: 1 });
      this.log?.warn("news sentiment fell back to neutral", { articleId: article.id, reason });
      return s;
    };

    if (!this.scorer) return fallback(NO_KEY_REASON, 0, false);
    if (batch.down) return fallback(batch.down, 0, false);
    if (now.getTime() < this.holdUntil) return fallback(`rate-limited (429): waiting until ${toIsoIst(this.holdUntil).slice(11, 19)} IST before asking again`, 0, false);

    const input = { title: article.title, summary: article.summary, symbols: article.symbols, source: article.source, publishedAt: article.publishedAt };
    let tokens = 0;
    let result: ScoreResult | null = null;
    // An invalid answer is asked once more; a second invalid answer is final.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const date = istDate(now);
      const used = await this.store.usage(date);
      const spent = used.promptTokens + used.completionTokens;
      if (spent >= this.dailyTokenBudget) return fallback(budgetReason(this.dailyTokenBudget, spent, date), tokens, false);
      result = await this.scorer.score(input);
      tokens += result.tokens.total;
      await this.store.addUsage(date, { requests: 1, promptTokens: result.tokens.prompt, completionTokens: result.tokens.completion });
      if (result.kind === "scored" || result.transient) break;
    }
    if (!result) return fallback(NOT_SCORED_YET, tokens, false);
    if (result.kind === "scored") {
      const s: ArticleSentiment = {
        articleId: article.id,
        outcome: "scored",
        score: result.score,
        confidence: result.confidence,
        reasoning: result.reasoning,
        topics: result.topics,
        fallbackReason: null,
        model: result.model,
        tokens,
        scoredAt: now,
      };
      await this.store.saveSentiment(s);
      return s;
    }
    if (result.cause === "rate-limited") this.holdUntil = now.getTime() + (result.retryAfterSeconds ?? 60) * 1000;
    if (result.transient && result.cause !== "rate-limited") batch.down = result.reason;
    return fallback(result.transient ? result.reason : `${result.reason} (asked twice)`, tokens, true);
  }
}

function toScore(a: StoredArticle, s: ArticleSentiment | null): ArticleScore {
  return {
    id: a.id,
    title: a.title,
    url: a.url,
    source: a.source,
    published: a.publishedAt,
    symbols: a.symbols,
    score: s?.score ?? 0,
    confidence: s?.confidence ?? 0,
    reasoning: s?.reasoning ?? "",
    topics: s?.topics ?? [],
    outcome: s?.outcome ?? "fallback",
    fallbackReason: s ? s.fallbackReason : NOT_SCORED_YET,
  };
}

const signed = (x: number): string => `${x > 0 ? "+" : ""}${x.toFixed(2)}`;

/** Seed 000's aggregate: the plain mean of scores and of confidences. */
export function aggregate(symbol: string, articles: ArticleScore[], lookbackHours: number, since: Date, until: Date): SymbolSentiment {
  const n = articles.length;
  const base = { symbol, articleCount: n, articles, lookbackHours, since, until };
  if (n === 0) return { ...base, score: 0, confidence: 0, fallbacks: 0, reason: `no news for ${symbol} in the last ${lookbackHours} h` };
  const score = articles.reduce((s, a) => s + a.score, 0) / n;
  const confidence = articles.reduce((s, a) => s + a.confidence, 0) / n;
  const fallbacks = articles.filter((a) => a.outcome === "fallback").length;
  const reason =
    `${n} article${n === 1 ? "" : "s"} on ${symbol} or the market in the last ${lookbackHours} h: ` +
    `mean score ${signed(score)}, mean confidence ${confidence.toFixed(2)}` +
    (fallbacks ? ` (${fallbacks} neutral fallback${fallbacks === 1 ? "" : "s"} counted as 0)` : "");
  return { ...base, score, confidence, fallbacks, reason };
}
