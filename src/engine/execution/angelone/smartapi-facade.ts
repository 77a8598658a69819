/**
 * A typed face on smartapi-javascript: one method per call we use, each one
 * queued at Angel's rate limit for its endpoint, bounded in time, and turned
 * into typed data or a BrokerError (see classify.ts). No call rejects with
 * anything but a BrokerError, and none retries: renewing the session and
 * retrying once is the session's job (session.ts).
 */
import type { z } from "zod";
import { interpret, type CallKind } from "./classify.js";
import { postGenerateTokens } from "./refresh-request.js";
import { RateLimiter, type Endpoint, type RateLimits } from "./rate-limits.js";
import * as S from "./schemas.js";
import { quietLog, SecretBox, type BrokerLog } from "./secrets.js";
import { createRawSmartApi, type RawAnswer, type RawSmartApi } from "./smartapi-lib.js";

export const DEFAULT_API_ROOT = "https://apiconnect.angelone.in";
export const DEFAULT_TIMEOUT_MS = 7000;
/** Extra time past the request timeout before we stop waiting for the library ourselves. */
const GUARD_MS = 2000;

export interface SmartApiFacadeOptions {
  apiKey: string;
  /** Default Angel's; a loopback stand-in in tests. */
  apiRoot?: string;
  /** Per request, default 7000 ms. */
  timeoutMs?: number;
  /** The account's queues; default a limiter of its own at Angel's published limits (or `rateLimits`). */
  limiter?: RateLimiter;
  /** Replaces Angel's published limits, per endpoint, when no limiter is given. */
  rateLimits?: Partial<RateLimits>;
  log?: BrokerLog;
  /** Shared with the session so tokens are masked too; one is made when absent. */
  secrets?: SecretBox;
}

export type OrderParams = Record<string, string>;

export class SmartApiFacade {
  readonly limiter: RateLimiter;
  readonly root: string;
  readonly timeoutMs: number;
  private readonly client: RawSmartApi;
  private readonly apiKey: string;
  private readonly secrets: SecretBox;
  private readonly log: BrokerLog;

  constructor(opts: SmartApiFacadeOptions) {
    this.apiKey = opts.apiKey;
    this.root = opts.apiRoot ?? DEFAULT_API_ROOT;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(this.timeoutMs) && this.timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${opts.timeoutMs}`);
    this.secrets = opts.secrets ?? new SecretBox();
    this.secrets.add(opts.apiKey);
    this.log = this.secrets.wrap(opts.log ?? quietLog);
    this.limiter = opts.limiter ?? new RateLimiter({ limits: opts.rateLimits });
    this.client = createRawSmartApi({ api_key: opts.apiKey, root: this.root, timeout: this.timeoutMs });
  }

  /** The tokens the library sends (after a login, a refresh, or a logout). */
  setTokens(jwt: string | null, refreshToken: string | null): void {
    this.client.setAccessToken(jwt);
    this.client.setPublicToken(refreshToken);
  }

  login(clientCode: string, pin: string, totp: string): Promise<S.LoginData> {
    return this.call("login", "read", (c) => c.generateSession(clientCode, pin, totp), S.LoginData);
  }

  /** Renews the session with the refresh token (see refresh-request.ts for why the library's method is not used). */
  generateTokens(jwt: string | null, refreshToken: string): Promise<S.LoginData> {
    return this.call(
      "generateTokens",
      "read",
      () => postGenerateTokens({ root: this.root, apiKey: this.apiKey, jwt, refreshToken, timeoutMs: this.timeoutMs }),
      S.LoginData,
    );
  }

  async logout(clientCode: string): Promise<void> {
    await this.call("logout", "read", (c) => c.logout(clientCode), S.OrderChanged);
  }

  profile(): Promise<S.ProfileData> {
    return this.call("profile", "read", (c) => c.getProfile(), S.ProfileData);
  }

  rms(): Promise<S.Rms> {
    return this.call("rms", "read", (c) => c.getRMS(), S.Rms);
  }

  placeOrder(params: OrderParams): Promise<S.OrderPlaced> {
    return this.call("placeOrder", "write", (c) => c.placeOrder(params), S.OrderPlaced);
  }

  async modifyOrder(params: OrderParams): Promise<void> {
    await this.call("modifyOrder", "write", (c) => c.modifyOrder(params), S.OrderChanged);
  }

  async cancelOrder(params: OrderParams): Promise<void> {
    await this.call("cancelOrder", "write", (c) => c.cancelOrder(params), S.OrderChanged);
  }

  orderBook(): Promise<S.OrderRow[]> {
    return this.call("orderBook", "read", (c) => c.getOrderBook(), S.OrderBook);
  }

  tradeBook(): Promise<S.TradeRow[]> {
    return this.call("tradeBook", "read", (c) => c.getTradeBook(), S.TradeBook);
  }

  positions(): Promise<S.PositionRow[]> {
    return this.call("positions", "read", (c) => c.getPosition(), S.Positions);
  }

  holdings(): Promise<S.HoldingRow[]> {
    return this.call("holdings", "read", (c) => c.getHolding(), S.Holdings);
  }

  quote(mode: "LTP" | "OHLC" | "FULL", exchangeTokens: Record<string, string[]>): Promise<z.output<typeof S.QuoteData>> {
    return this.call("quote", "read", (c) => c.marketData({ mode, exchangeTokens }), S.QuoteData);
  }

  candles(params: { exchange: string; symboltoken: string; interval: string; fromdate: string; todate: string }): Promise<z.output<typeof S.CandleData>> {
    return this.call("candles", "read", (c) => c.getCandleData(params), S.CandleData);
  }

  gttCreate(params: OrderParams): Promise<{ id: string }> {
    return this.call("gttCreate", "write", (c) => c.createRule(params), S.GttCreated);
  }

  async gttModify(params: OrderParams): Promise<void> {
    await this.call("gttModify", "write", (c) => c.modifyRule(params), S.OrderChanged);
  }

  async gttCancel(params: OrderParams): Promise<void> {
    await this.call("gttCancel", "write", (c) => c.cancelRule(params), S.OrderChanged);
  }

  gttList(page: number, count: number): Promise<S.GttRow[]> {
    const status = ["NEW", "CANCELLED", "ACTIVE", "SENTTOEXCHANGE", "FORALL"];
    return this.call("gttList", "read", (c) => c.ruleList({ status, page, count }), S.GttList);
  }

  private async call<Sch extends z.ZodType>(endpoint: Endpoint, kind: CallKind, invoke: (c: RawSmartApi) => RawAnswer, schema: Sch): Promise<z.output<Sch>> {
    const raw = await this.limiter.run(endpoint, () => this.bounded(() => invoke(this.client)));
    try {
      return interpret(raw, schema, { what: endpoint, kind });
    } catch (err) {
      const safe = this.secrets.redactError(err);
      const e = safe as { kind?: string; code?: string; message?: string };
      this.log.warn("angel one call failed", { endpoint, kind: e.kind, code: e.code, error: e.message });
      throw safe;
    }
  }

  /** The library's promise, or `{}` if it neither resolves nor throws in time (axios should time out first). */
  private bounded(start: () => RawAnswer): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const guard = new Promise<unknown>((resolve) => {
      timer = setTimeout(() => resolve({}), this.timeoutMs + GUARD_MS);
    });
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(start()).catch(() => ({}));
    } catch {
      answer = Promise.resolve({});
    }
    return Promise.race([answer, guard]).finally(() => clearTimeout(timer));
  }
}
