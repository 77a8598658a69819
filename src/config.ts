/**
 * Every setting Dalal reads, in one zod schema over the environment (and `.env`).
 * A bad value names itself: `CAPITAL: expected ... , got "abc"`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";
import { isIstDate } from "./engine/time/ist.js";
import { DESK_STRATEGIES } from "./engine/strategies/registry.js";

const intList = (what: string) =>
  z
    .string()
    .default("")
    .transform((s, ctx) => {
      const parts = s
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "");
      const out: number[] = [];
      for (const p of parts) {
        if (!/^-?\d{1,16}$/.test(p) || !Number.isSafeInteger(Number(p))) {
          ctx.addIssue({ code: "custom", message: `expected a comma-separated list of ${what} (whole numbers), got "${p}"` });
          return z.NEVER;
        }
        out.push(Number(p));
      }
      return out;
    });

const number = (what: string, min: number, max: number, opts: { int?: boolean; minExclusive?: boolean } = {}) =>
  z.string().transform((s, ctx) => {
    const n = Number(s.trim());
    const ok =
      /^-?\d+(\.\d+)?$/.test(s.trim()) &&
      Number.isFinite(n) &&
      (opts.int ? Number.isInteger(n) : true) &&
      (opts.minExclusive ? n > min : n >= min) &&
      n <= max;
    if (!ok) {
      const range = `${opts.minExclusive ? "above" : "from"} ${min} ${opts.minExclusive ? "and up to" : "to"} ${max}`;
      ctx.addIssue({ code: "custom", message: `expected ${opts.int ? "a whole number" : "a number"} of ${what} ${range}, got "${s}"` });
      return z.NEVER;
    }
    return n;
  });

const optionalInt = (what: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined || s.trim() === "") return undefined;
      if (!/^-?\d{1,16}$/.test(s.trim()) || !Number.isSafeInteger(Number(s.trim()))) {
        ctx.addIssue({ code: "custom", message: `expected ${what} (a whole number), got "${s}"` });
        return z.NEVER;
      }
      return Number(s.trim());
    });

const date = z.string().refine(isIstDate, { message: "expected a date as YYYY-MM-DD" });

const url = (what: string) =>
  z.string().refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === "http:" || u.protocol === "https:";
      } catch {
        return false;
      }
    },
    { message: `expected ${what} as an http(s) URL` },
  );

/** Every strategy the desk can run (tradingview included): ENABLED_STRATEGIES=all means these. */
export const STRATEGY_NAMES: readonly string[] = [...DESK_STRATEGIES.keys()];

const strategyList = (fallback: string) => z
  .string()
  .default(fallback)
  .transform((s, ctx) => {
    const raw = s.trim().toLowerCase();
    if (raw === "all") return [...STRATEGY_NAMES];
    if (raw === "") {
      if (fallback === "all") {
        ctx.addIssue({ code: "custom", message: `expected all or a comma-separated list of strategies (${STRATEGY_NAMES.join(", ")}), got an empty value` });
        return z.NEVER;
      }
      return [];
    }
    const names = raw.split(",").map((p) => p.trim()).filter(Boolean);
    for (const n of names) {
      if (!STRATEGY_NAMES.includes(n)) {
        ctx.addIssue({ code: "custom", message: `unknown strategy "${n}"; valid: all, ${STRATEGY_NAMES.join(", ")}` });
        return z.NEVER;
      }
    }
    return names;
  });

function optionalText() {
  return z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? s.trim() : undefined));
}

/** NEWS_FEEDS: `KEY=URL` pairs; KEY a symbol or a keyword, URL http(s). */
function newsFeeds() {
  return z
    .string()
    .default("")
    .transform((s, ctx) => {
      const out: Array<{ key: string; url: string }> = [];
      for (const part of s.split(/[\s,]+/).filter(Boolean)) {
        const eq = part.indexOf("=");
        const key = eq > 0 ? part.slice(0, eq).trim() : "";
        const link = eq > 0 ? part.slice(eq + 1).trim() : "";
        let ok = false;
        try {
          const u = new URL(link);
          ok = u.protocol === "http:" || u.protocol === "https:";
        } catch {
          ok = false;
        }
        if (!/^[A-Za-z0-9&_.-]{1,40}$/.test(key) || !ok) {
          ctx.addIssue({ code: "custom", message: `expected KEY=URL pairs (e.g. RELIANCE=https://example.com/rss), got "${part.slice(0, 80)}"` });
          return z.NEVER;
        }
        out.push({ key: key.toUpperCase(), url: link });
      }
      return out;
    });
}

/** REGIME_SIZING: `regime:strategy=factor` entries; strategy * means every strategy. */
export const REGIMES = ["expansion", "contraction", "trending", "choppy", "volatile"] as const;
export type Regime = (typeof REGIMES)[number];

function regimeSizing() {
  return z
    .string()
    .default("")
    .transform((s, ctx) => {
      const out: Array<{ regime: Regime; strategy: string; factor: number }> = [];
      for (const part of s.split(/[\s,;]+/).filter(Boolean)) {
        const m = /^([a-z]+):([a-z0-9*-]+)=([0-9.]+)$/i.exec(part);
        const regime = m?.[1]?.toLowerCase() as Regime | undefined;
        const strategy = m?.[2]?.toLowerCase() ?? "";
        const factor = m ? Number(m[3]) : NaN;
        if (!m || !regime || !REGIMES.includes(regime)) {
          ctx.addIssue({ code: "custom", message: `expected regime:strategy=factor with a regime of ${REGIMES.join(", ")}, got "${part.slice(0, 80)}"` });
          return z.NEVER;
        }
        if (strategy !== "*" && !STRATEGY_NAMES.includes(strategy)) {
          ctx.addIssue({ code: "custom", message: `unknown strategy "${strategy}" in "${part.slice(0, 80)}"; valid: *, ${STRATEGY_NAMES.join(", ")}` });
          return z.NEVER;
        }
        if (!Number.isFinite(factor) || factor < 0 || factor > 2) {
          ctx.addIssue({ code: "custom", message: `expected a factor from 0 to 2 in "${part.slice(0, 80)}"` });
          return z.NEVER;
        }
        out.push({ regime, strategy, factor });
      }
      return out;
    });
}

/** A shorter webhook secret is guessable: start-up refuses it. */
export const WEBHOOK_SECRET_MIN = 16;

/** Orders move real money only with BROKER=angelone and LIVE_TRADING=yes. */
export function tradingMode(cfg: Pick<Config, "BROKER" | "LIVE_TRADING">): "paper" | "live" {
  return cfg.BROKER === "angelone" && cfg.LIVE_TRADING ? "live" : "paper";
}

/** Every setting with what it is for; `secret` ones print as *** and are masked in logs. */
export const SETTINGS = {
  TELEGRAM_BOT_TOKEN: { secret: true, doc: "Bot token from @BotFather. Unset: a console chat in the terminal instead of Telegram." },
  TELEGRAM_API_ROOT: { doc: "Bot API server (a local Bot API server or a test stand-in)." },
  TELEGRAM_ALLOWED_CHAT_IDS: { doc: "Comma-separated chat ids the bot serves. Signals and alerts go to each." },
  TELEGRAM_ALLOWED_USER_IDS: { doc: "Optional comma-separated user ids; when set, the sender must be listed too." },
  TELEGRAM_ADMIN_CHAT_ID: { doc: "The admin chat: always allowed, may use admin commands, receives errors." },
  DATABASE_URL: { secret: true, doc: "PostgreSQL URL. Unset: an embedded PGlite database under DALAL_HOME." },
  DALAL_HOME: { doc: "Runtime state: the embedded database, the lock file." },
  BROKER: { doc: "Where orders go: paper (simulated fills on the feed's prices) or angelone (Angel One SmartAPI; real orders only with LIVE_TRADING=yes)." },
  FEED: { doc: "Where prices come from: replay (the shipped daily candles, played as if live) or angelone (Angel One's live ticks). Default angelone with BROKER=angelone." },
  LIVE_TRADING: { doc: "yes: with BROKER=angelone, orders move real money. Anything else: paper orders on Angel One's prices." },
  ANGEL_API_KEY: { secret: true, doc: "Angel One SmartAPI key (BROKER or FEED angelone)." },
  ANGEL_CLIENT_CODE: { doc: "Angel One client code." },
  ANGEL_PIN: { secret: true, doc: "Angel One login PIN." },
  ANGEL_TOTP_SECRET: { secret: true, doc: "The TOTP secret (base32) from Angel One's 2FA setup; Dalal makes the 6-digit codes." },
  ANGEL_API_ROOT: { doc: "SmartAPI REST root (a local stand-in in tests)." },
  ANGEL_WS_URL: { doc: "SmartAPI WebSocket V2 URL for live ticks." },
  ANGEL_SCRIP_MASTER_URL: { doc: "Angel One's instrument list (scrip master JSON)." },
  RECONCILE_EVERY_SECONDS: { doc: "With a real broker: how often orders, trades and positions are checked against the broker's books." },
  FILL_POLL_SECONDS: { doc: "With a real broker: how often the trade book is read for new fills." },
  LTP_POLL_SECONDS: { doc: "With FEED=angelone: how often last prices are read over REST while the tick socket is down; 0 never." },
  DALAL_CRASH_AT: { doc: "For crash tests only: kill the process (SIGKILL) at this point of the order flow (intent-committed, broker-answered, fill-received, fill-booked)." },
  CAPITAL: { doc: "Trading capital in rupees." },
  RISK_PER_TRADE_PCT: { doc: "Percent of capital risked per trade (entry to stop)." },
  MAX_POSITION_PCT: { doc: "Per stock: value held in one symbol, at most this percent of capital." },
  MAX_OPEN_RISK_PCT: { doc: "Open risk (entry to stop, every position) at most this percent of equity." },
  MAX_DRAWDOWN_PCT: { doc: "Drawdown from peak equity; new entries stop at 90% of it." },
  MAX_OPEN_POSITIONS: { doc: "Distinct symbols held at once." },
  MAX_EXPOSURE_PCT: { doc: "Value of every open position at most this percent of equity." },
  MAX_ORDERS_PER_MINUTE: { doc: "Entry orders in any 60 seconds of wall-clock time (live trading)." },
  NOTIFY_MAX_PER_MINUTE: { doc: "Notifications per chat per minute before the rest are joined into one message (0: no cap)." },
  SLIPPAGE: { doc: "Paper fills: seed (seed 000's model: liquidity, order size against volume, VIX) or none (the bar's price on the tick)." },
  RISK_FREE_RATE_PCT: { doc: "Annual risk-free rate for the backtest's Sharpe and Sortino ratios." },
  MAX_DAILY_LOSS_PCT: { doc: "Daily-loss circuit breaker: trips at this loss of the day's starting equity; only the admin resets it." },
  REPLAY_FROM: { doc: "First day the replay plays (inside the shipped data: 2020-10-01 to 2025-09-30)." },
  REPLAY_TO: { doc: "Optional last day the replay plays; unset plays to the end of the data." },
  REPLAY_PACE_MS: { doc: "Wall-clock milliseconds per replayed bar (trading day)." },
  SIGNAL_TTL_MINUTES: { doc: "Wall-clock minutes a signal waits for a decision before it expires." },
  ENABLED_STRATEGIES: { doc: "Strategies that run: all, or a comma-separated list." },
  AUTO_ACCEPT_STRATEGIES: { doc: "Strategies whose signals are approved without asking, at first start (then /auto)." },
  INTRADAY_STRATEGIES: { doc: "Strategies traded as INTRADAY (MIS): their positions are squared off by Dalal at 15:10 IST, before the broker's own square-off." },
  BANKNIFTY_CAPITAL: { doc: "Bank Nifty synthetic futures: the capital its units are sized on, in rupees (seed 002's portfolio)." },
  BANKNIFTY_RISK_PCT: { doc: "Bank Nifty: percent of BANKNIFTY_CAPITAL one unit (base or pyramid) risks to its stop; under one lot is refused." },
  FNO_MARGIN_PCT: { doc: "Paper margin model for a synthetic unit: percent of the sold leg's notional (until the broker reports margin)." },
  ROLLOVER_DAYS_BEFORE_EXPIRY: { doc: "Bank Nifty units roll to the next monthly this many trading days before expiry, at 15:00 IST (3 to 5)." },
  GAP_ADJUST_PCT: { doc: "A Bank Nifty unit decided after the close meets the next open: a gap over this percent from the signal price re-checks it and enters at limit prices." },
  GAP_SKIP_PCT: { doc: "... and a gap over this percent skips the unit (recorded)." },
  DIVERGENCE_ALERT_PCT: { doc: "Alert when the theoretical and actual Bank Nifty tracks differ by more than this percent of BANKNIFTY_CAPITAL." },
  OPTION_RATE_PCT: { doc: "Interest rate (percent a year) of the option model that prices Bank Nifty legs when no option prices are stored." },
  HTTP_HOST: { doc: "Address of the HTTP server (/health, /metrics). Keep 127.0.0.1 unless behind a proxy." },
  HTTP_PORT: { doc: "Port of the HTTP server; 0 picks a free one." },
  WEBHOOK_SECRET: { secret: true, doc: "Shared secret TradingView alerts carry as \"secret\" in their JSON (16 characters or more). Unset: POST /webhook/tradingview answers 503." },
  LOG_LEVEL: { doc: "debug, info, warn or error." },
  INTELLIGENCE: { doc: "on: news sentiment, the regime and the strategy allocator feed sizing and filtering; off: every signal sized without them (recorded as off)." },
  OPENAI_API_KEY: { secret: true, doc: "Key for the OpenAI-compatible server that scores news sentiment. Unset: sentiment is neutral, with that reason recorded." },
  OPENAI_BASE_URL: { doc: "OpenAI-compatible API root (a local server works), e.g. http://127.0.0.1:8080/v1." },
  OPENAI_MODEL: { doc: "The model that scores news sentiment." },
  LLM_TIMEOUT_SECONDS: { doc: "How long one sentiment request may take before the article is scored neutral (reason recorded)." },
  LLM_DAILY_TOKEN_BUDGET: { doc: "Tokens the sentiment model may use per IST day; past it, articles are scored neutral (reason recorded) until the next day." },
  SENTIMENT_LOOKBACK_HOURS: { doc: "A symbol's sentiment aggregates its articles of the last this many hours." },
  NEWS_FEEDS: { doc: "RSS/Atom feeds as KEY=URL pairs separated by spaces or commas; KEY is a symbol (RELIANCE) or a keyword (market: every symbol)." },
  NEWS_POLL_MINUTES: { doc: "How often the news feeds are read (0: never; /news adds articles by hand)." },
  REGIME_MODEL: { doc: "Where `dalal regime train` saves the regime classifier (default DALAL_HOME/regime-model.json)." },
  REGIME_SIZING: { doc: "Size factor per regime and strategy, e.g. choppy:adx-dma=0,volatile:*=0.5 (0: the strategy does not trade that day type). Unlisted: 1." },
} as const;

export type SettingName = keyof typeof SETTINGS;

export const configSchema = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? s.trim() : undefined))
    .refine((s) => s === undefined || /^\d+:[A-Za-z0-9_-]+$/.test(s), {
      message: "expected a bot token like 123456:ABC-def (from @BotFather)",
    }),
  TELEGRAM_API_ROOT: url("the Bot API root").default("https://api.telegram.org").transform((s) => s.replace(/\/+$/, "")),
  TELEGRAM_ALLOWED_CHAT_IDS: intList("chat ids"),
  TELEGRAM_ALLOWED_USER_IDS: intList("user ids"),
  TELEGRAM_ADMIN_CHAT_ID: optionalInt("a chat id"),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? s.trim() : undefined))
    .refine((s) => s === undefined || /^postgres(ql)?:\/\//.test(s), { message: "expected a postgres:// or postgresql:// URL" }),
  DALAL_HOME: z.string().min(1).default("./.dalal"),
  BROKER: z.enum(["paper", "angelone"], { message: 'expected "paper" or "angelone"' }).default("paper"),
  FEED: z.enum(["replay", "angelone"], { message: 'expected "replay" or "angelone"' }).optional(),
  LIVE_TRADING: z.string().optional().transform((s) => (s ?? "").trim().toLowerCase() === "yes"),
  ANGEL_API_KEY: optionalText(),
  ANGEL_CLIENT_CODE: optionalText(),
  ANGEL_PIN: optionalText(),
  ANGEL_TOTP_SECRET: optionalText().refine((s) => s === undefined || /^[A-Z2-7]+=*$/i.test(s), { message: "expected a base32 secret (letters A-Z and digits 2-7)" }),
  ANGEL_API_ROOT: url("the SmartAPI root").default("https://apiconnect.angelone.in").transform((s) => s.replace(/\/+$/, "")),
  ANGEL_WS_URL: z.string().regex(/^wss?:\/\//, { message: "expected a ws:// or wss:// URL" }).default("wss://smartapisocket.angelone.in/smart-stream"),
  ANGEL_SCRIP_MASTER_URL: url("the scrip master").default("https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json"),
  RECONCILE_EVERY_SECONDS: number("seconds", 10, 3600, { int: true }).default(180),
  FILL_POLL_SECONDS: number("seconds", 1, 300, { int: true }).default(5),
  LTP_POLL_SECONDS: number("seconds", 0, 300, { int: true }).default(5),
  DALAL_CRASH_AT: z.enum(["intent-committed", "broker-answered", "fill-received", "fill-booked"], { message: "expected intent-committed, broker-answered, fill-received or fill-booked" }).optional(),
  CAPITAL: number("rupees", 0, 1e12, { minExclusive: true }).default(400000),
  RISK_PER_TRADE_PCT: number("percent", 0, 10, { minExclusive: true }).default(1.5),
  MAX_POSITION_PCT: number("percent", 0, 100, { minExclusive: true }).default(20),
  MAX_OPEN_RISK_PCT: number("percent", 0, 100, { minExclusive: true }).default(6),
  MAX_DRAWDOWN_PCT: number("percent", 0, 100, { minExclusive: true }).default(20),
  MAX_OPEN_POSITIONS: number("positions", 1, 1000, { int: true }).default(10),
  MAX_EXPOSURE_PCT: number("percent", 0, 1000, { minExclusive: true }).default(100),
  MAX_ORDERS_PER_MINUTE: number("orders", 1, 10000, { int: true }).default(10),
  MAX_DAILY_LOSS_PCT: number("percent", 0, 100, { minExclusive: true }).default(3),
  RISK_FREE_RATE_PCT: number("percent", 0, 50).default(0),
  NOTIFY_MAX_PER_MINUTE: number("messages", 0, 1000, { int: true }).default(20),
  SLIPPAGE: z.enum(["seed", "none"], { message: 'expected "seed" or "none"' }).default("seed"),
  REPLAY_FROM: date.default("2025-01-01"),
  REPLAY_TO: z
    .string()
    .optional()
    .transform((s) => (s && s.trim() !== "" ? s.trim() : undefined))
    .refine((s) => s === undefined || isIstDate(s), { message: "expected a date as YYYY-MM-DD" }),
  REPLAY_PACE_MS: number("milliseconds", 0, 3_600_000, { int: true }).default(2000),
  SIGNAL_TTL_MINUTES: number("minutes", 1, 1440, { int: true }).default(15),
  ENABLED_STRATEGIES: strategyList("all"),
  AUTO_ACCEPT_STRATEGIES: strategyList(""),
  INTRADAY_STRATEGIES: strategyList(""),
  BANKNIFTY_CAPITAL: number("rupees", 0, 1e12, { minExclusive: true }).default(5_000_000),
  BANKNIFTY_RISK_PCT: number("percent", 0, 10, { minExclusive: true }).default(1),
  FNO_MARGIN_PCT: number("percent", 1, 100).default(15),
  ROLLOVER_DAYS_BEFORE_EXPIRY: number("trading days", 3, 5, { int: true }).default(5),
  GAP_ADJUST_PCT: number("percent", 0, 20, { minExclusive: true }).default(1),
  GAP_SKIP_PCT: number("percent", 0, 20, { minExclusive: true }).default(2),
  DIVERGENCE_ALERT_PCT: number("percent", 0, 100, { minExclusive: true }).default(5),
  OPTION_RATE_PCT: number("percent", 0, 20).default(6.5),
  HTTP_HOST: z.string().min(1).default("127.0.0.1"),
  HTTP_PORT: number("port", 0, 65535, { int: true }).default(8787),
  // The length only, never the value: a near-miss of the real secret must not reach a terminal.
  WEBHOOK_SECRET: optionalText().superRefine((s, ctx) => {
    if (s !== undefined && (s.length < WEBHOOK_SECRET_MIN || s.length > 1024)) {
      ctx.addIssue({ code: "custom", message: `expected a shared secret of ${WEBHOOK_SECRET_MIN} to 1024 characters, got ${s.length} characters` });
    }
  }),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"], { message: "expected debug, info, warn or error" }).default("info"),
  INTELLIGENCE: z.enum(["on", "off"], { message: 'expected "on" or "off"' }).default("on"),
  OPENAI_API_KEY: optionalText(),
  OPENAI_BASE_URL: url("the OpenAI-compatible API root").default("https://api.openai.com/v1").transform((s) => s.replace(/\/+$/, "")),
  OPENAI_MODEL: z.string().trim().min(1, { message: "expected a model name" }).default("gpt-4o-mini"),
  LLM_TIMEOUT_SECONDS: number("seconds", 1, 300, { int: true }).default(20),
  LLM_DAILY_TOKEN_BUDGET: number("tokens", 0, 1e9, { int: true }).default(200_000),
  SENTIMENT_LOOKBACK_HOURS: number("hours", 1, 720, { int: true }).default(24),
  NEWS_FEEDS: newsFeeds(),
  NEWS_POLL_MINUTES: number("minutes", 0, 1440, { int: true }).default(15),
  REGIME_MODEL: optionalText(),
  REGIME_SIZING: regimeSizing(),
});

export type Config = Omit<z.output<typeof configSchema>, "FEED"> & { FEED: "replay" | "angelone" } & { sources: Record<SettingName, "env" | ".env" | "default"> };

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
  }
}

/** Reads `.env` from cwd (the real environment wins), validates everything, names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const dotenvPath = resolve(cwd, ".env");
  const fromFile: Record<string, string> = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  const input: Record<string, string> = {};
  const sources = {} as Config["sources"];
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    // An empty value (NAME= in .env) means unset: the default applies.
    const given = (x: string | undefined) => x !== undefined && x.trim() !== "";
    const v = given(env[name]) ? env[name] : given(fromFile[name]) ? fromFile[name] : undefined;
    sources[name] = given(env[name]) ? "env" : given(fromFile[name]) ? ".env" : "default";
    if (v !== undefined) input[name] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = String(i.path[0] ?? "config");
      const raw = input[key];
      const shown = raw === undefined || i.message.includes("got ") ? "" : SETTINGS[key as SettingName] && "secret" in SETTINGS[key as SettingName] ? ` (got ***)` : ` (got "${raw}")`;
      return `${key}: ${i.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const cfg = parsed.data;
  const problems: string[] = [];
  if (cfg.REPLAY_TO && cfg.REPLAY_TO < cfg.REPLAY_FROM) problems.push(`REPLAY_TO: expected a date on or after REPLAY_FROM (${cfg.REPLAY_FROM}), got "${cfg.REPLAY_TO}"`);
  if (cfg.GAP_SKIP_PCT < cfg.GAP_ADJUST_PCT) problems.push(`GAP_SKIP_PCT: expected at least GAP_ADJUST_PCT (${cfg.GAP_ADJUST_PCT}), got "${cfg.GAP_SKIP_PCT}"`);
  const feed = cfg.FEED ?? (cfg.BROKER === "angelone" ? "angelone" : "replay");
  if (cfg.BROKER === "angelone" && feed === "replay") problems.push('FEED: BROKER=angelone trades on Angel One\'s live prices; FEED=replay cannot be combined with it (use BROKER=paper to replay)');
  if (cfg.BROKER === "angelone" || feed === "angelone") {
    for (const name of ["ANGEL_API_KEY", "ANGEL_CLIENT_CODE", "ANGEL_PIN", "ANGEL_TOTP_SECRET"] as const) {
      if (cfg[name] === undefined) problems.push(`${name}: missing; ${cfg.BROKER === "angelone" ? "BROKER" : "FEED"}=angelone needs it (${SETTINGS[name].doc})`);
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return { ...cfg, FEED: feed, sources };
}

export function isSecret(name: SettingName): boolean {
  return "secret" in SETTINGS[name] && SETTINGS[name].secret === true;
}

/** The effective settings as `NAME=value  (source)`, secrets as ***. */
export function describeConfig(cfg: Config): string[] {
  return (Object.keys(SETTINGS) as SettingName[]).map((name) => {
    const v = cfg[name];
    const shown = v === undefined ? "(unset)" : isSecret(name) ? "***" : Array.isArray(v) ? v.join(",") : String(v);
    return `${name}=${shown}  (${cfg.sources[name]})`;
  });
}

/** Chats the bot answers: the allow-list plus the admin chat. */
export function allowedChats(cfg: Config): Set<number> {
  const s = new Set(cfg.TELEGRAM_ALLOWED_CHAT_IDS);
  if (cfg.TELEGRAM_ADMIN_CHAT_ID !== undefined) s.add(cfg.TELEGRAM_ADMIN_CHAT_ID);
  return s;
}
