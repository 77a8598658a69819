/**
 * GET /health: four checks (database, broker, telegram, feed), each run with a
 * short timeout so a stuck dependency makes the answer "down", never a hung probe.
 *
 * - status "ok" when every check is up, "degraded" otherwise.
 * - HTTP 200 while the database answers, 503 when it does not: without its books
 *   the desk cannot trade, while a slow Telegram or a stale replay leaves it working.
 * - Each check is { up, lastError, ...details }. lastError is null while up, the
 *   reason while down: one line, secrets masked, no stack trace.
 */
import type { Api, Transformer } from "grammy";
import { toIsoIst } from "../engine/time/ist.js";

export const CHECK_NAMES = ["database", "broker", "telegram", "feed"] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface CheckResult {
  up: boolean;
  lastError: string | null;
  [detail: string]: unknown;
}

export interface HealthReport {
  status: "ok" | "degraded";
  checks: Record<CheckName, CheckResult>;
}

/** What the outbox's client has seen of Telegram (see TelegramWatch). */
export interface TelegramState {
  /** When calls started failing with no answer (network error or 5xx); null while Telegram answers. */
  downSince: Date | null;
  lastError: string | null;
  /** Notifications waiting to go out. */
  pending: number;
}

export interface FeedSnapshot {
  kind: string;
  /** Market time the feed has reached. */
  at: Date | null;
  finished: boolean;
}

export interface HealthDeps {
  /** A trivial round trip to the database (e.g. reading a setting). */
  database: { kind: string; ping(): Promise<unknown> };
  /** A paper broker has nothing to reach: no ping, always up. */
  broker: { name: string; ping?(): Promise<unknown> };
  /** Null in console mode: the console is the chat, Telegram is not used. */
  telegram: (() => TelegramState) | null;
  feed: {
    state(): FeedSnapshot;
    /**
     * A feed that is not finished and has not moved for this long is stale. A replay
     * legitimately stands still while a signal waits for its decision (up to the
     * signal TTL) and between days (the pace), so pick something longer than both.
     */
    staleAfterMs: number;
  };
  /** Per check (default 1 s). */
  timeoutMs?: number;
  /** Wall clock in ms (tests move it). */
  now?: () => number;
  /** Masks secrets (the bot token, the database URL) in error messages. */
  redact?: (s: string) => string;
}

const DEFAULT_TIMEOUT_MS = 1_000;
const MAX_ERROR_CHARS = 300;

export class HealthChecks {
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly redact: (s: string) => string;
  /** The feed position last seen and since when it has been there (wall ms). */
  private feedSeen: { key: string; since: number } | null = null;

  constructor(private readonly deps: HealthDeps) {
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = deps.now ?? Date.now;
    this.redact = deps.redact ?? ((s) => s);
  }

  async run(): Promise<HealthReport> {
    const [database, broker, telegram, feed] = await Promise.all([this.database(), this.broker(), this.telegram(), this.feed()]);
    const checks = { database, broker, telegram, feed };
    return { status: Object.values(checks).every((c) => c.up) ? "ok" : "degraded", checks };
  }

  /** 200 while the database is up, 503 otherwise. */
  static httpStatus(report: HealthReport): 200 | 503 {
    return report.checks.database.up ? 200 : 503;
  }

  private async database(): Promise<CheckResult> {
    const started = this.now();
    const err = await this.attempt(() => this.deps.database.ping(), "the database");
    return { up: err === null, lastError: err, kind: this.deps.database.kind, ms: this.now() - started };
  }

  private async broker(): Promise<CheckResult> {
    const { name, ping } = this.deps.broker;
    const err = ping ? await this.attempt(ping, `the ${name} broker`) : null;
    return { up: err === null, lastError: err, name };
  }

  private async telegram(): Promise<CheckResult> {
    const read = this.deps.telegram;
    if (!read) return { up: true, lastError: null, mode: "console", used: false };
    let s: TelegramState;
    try {
      s = read();
    } catch (e) {
      return { up: false, lastError: this.clean(e), mode: "bot", downSince: null, pending: null };
    }
    const down = s.downSince !== null;
    return {
      up: !down,
      lastError: down ? this.clean(s.lastError ?? "Telegram does not answer") : null,
      mode: "bot",
      downSince: s.downSince ? toIsoIst(s.downSince) : null,
      pending: s.pending,
    };
  }

  private async feed(): Promise<CheckResult> {
    const f = this.deps.feed.state();
    const now = this.now();
    // Stale is judged on positions seen by these checks: it may be noticed late, never wrongly.
    const key = `${f.at?.getTime() ?? "none"}`;
    if (this.feedSeen?.key !== key) this.feedSeen = { key, since: now };
    const stillMs = now - this.feedSeen.since;
    const stale = !f.finished && stillMs >= this.deps.feed.staleAfterMs;
    return {
      up: !stale,
      lastError: stale ? `the ${f.kind} feed has not moved for ${describeMs(stillMs)} (at ${f.at ? toIsoIst(f.at) : "its start"}) and has not finished` : null,
      kind: f.kind,
      at: f.at ? toIsoIst(f.at) : null,
      finished: f.finished,
      stale,
    };
  }

  /** Null when fn settled in time, else the reason, fit to show. */
  private async attempt(fn: () => Promise<unknown>, what: string): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`${what} did not answer within ${describeMs(this.timeoutMs)}`), this.timeoutMs);
    });
    try {
      return await Promise.race([
        Promise.resolve()
          .then(fn)
          .then(
            () => null,
            (e: unknown) => this.clean(e),
          ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The message only: first line, secrets masked, bounded. A wrapped error (drizzle's
   * "Failed query: <sql>") is told by its innermost cause, which says what went wrong.
   */
  private clean(e: unknown): string {
    let root = e;
    for (let i = 0; i < 5 && root instanceof Error && root.cause instanceof Error; i++) root = root.cause;
    const raw = root instanceof Error ? root.message : typeof root === "string" ? root : String(root);
    const line = (raw.split("\n")[0] ?? "").trim() || (root instanceof Error ? root.name : "unknown error");
    const safe = this.redact(line);
    return safe.length > MAX_ERROR_CHARS ? `${safe.slice(0, MAX_ERROR_CHARS - 1)}…` : safe;
  }
}

function describeMs(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Watches the API client notifications go through, judging answers as the outbox
 * does: no answer (a network error) or a 5xx that outlasted auto-retry means
 * Telegram is down; any answer (a message sent, 429, 400, 403) means it is up.
 * Installed after auto-retry, so it sees each call's final outcome. The notifier
 * does not expose its outbox's state, hence this watch from the outside.
 */
export class TelegramWatch {
  private downSince: Date | null = null;
  private lastError: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  /** Installs the watch on `api` and returns it. */
  watch<A extends Api>(api: A): A {
    api.config.use(this.transformer);
    return api;
  }

  state(): { downSince: Date | null; lastError: string | null } {
    return { downSince: this.downSince, lastError: this.lastError };
  }

  private readonly transformer: Transformer = async (prev, method, payload, signal) => {
    let res;
    try {
      res = await prev(method, payload, signal);
    } catch (err) {
      if (!signal?.aborted) this.failed(`no answer from Telegram (${method}): ${(err as Error)?.message ?? String(err)}`);
      throw err;
    }
    if (!res.ok && res.error_code >= 500) this.failed(`Telegram answered ${res.error_code} (${method}): ${res.description}`);
    else this.answered();
    return res;
  };

  private failed(why: string): void {
    this.downSince ??= new Date(this.now());
    this.lastError = why;
  }

  private answered(): void {
    this.downSince = null;
    this.lastError = null;
  }
}
