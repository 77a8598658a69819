/**
 * The SmartAPI session: login with client code, PIN and a TOTP made from the
 * TOTP secret; the tokens live in memory only.
 *
 * - A call answered "session expired" (AG8001 and kin) renews the session
 *   once with the refresh token (generateTokens) and is tried once more; if
 *   the refresh fails, one full login instead. A second expiry right after a
 *   renewal is an error, not another round: no loop.
 * - Angel's sessions used to end at 05:00 IST the next morning; tokens are
 *   now said to last 24-28 hours. We log in afresh on the first call after
 *   the next 05:00 IST following a login (or the token's own `exp`, if
 *   sooner): one extra login a day, before the market opens, whichever rule
 *   Angel applies.
 */
import { Secret, TOTP } from "otpauth";
import { BrokerError } from "../broker.js";
import { addDays, fromIst, istDate } from "../../time/ist.js";
import { SessionExpiredError } from "./errors.js";
import { quietLog, type BrokerLog, type SecretBox } from "./secrets.js";
import type { SmartApiFacade } from "./smartapi-facade.js";

export const DAILY_SESSION_END_IST = "05:00";

export interface SessionOptions {
  clientCode: string;
  pin: string;
  totpSecret: string;
  /** The desk's clock, for the daily session end. */
  now: () => Date;
  secrets: SecretBox;
  log?: BrokerLog;
}

/** The 6-digit, 30-second, SHA-1 code of a base32 TOTP secret at an instant (ms). */
export function totpAt(secret: string, atMs: number): string {
  let key: Secret;
  try {
    key = Secret.fromBase32(secret.replace(/\s+/g, "").toUpperCase());
  } catch {
    throw new BrokerError("rejected", "Angel One login: the TOTP secret is not valid base32 (it is the text behind the authenticator QR code)");
  }
  return new TOTP({ secret: key, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: atMs });
}

/** The `exp` claim of a JWT, or null when the token is not a readable JWT. */
export function jwtExpiry(jwt: string): Date | null {
  const payload = jwt.replace(/^Bearer\s+/i, "").split(".")[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? new Date(claims.exp * 1000) : null;
  } catch {
    return null;
  }
}

/** When a session opened at `loginAt` should be replaced: the next 05:00 IST, or the token's expiry if sooner. */
export function sessionEnd(loginAt: Date, jwt: string): Date {
  const day = istDate(loginAt);
  let end = fromIst(day, DAILY_SESSION_END_IST);
  if (end.getTime() <= loginAt.getTime()) end = fromIst(addDays(day, 1), DAILY_SESSION_END_IST);
  const exp = jwtExpiry(jwt);
  return exp && exp.getTime() > loginAt.getTime() && exp.getTime() < end.getTime() ? exp : end;
}

const PIN_CODES = new Set(["AB1000", "AB1002", "AB1031"]);

/** A login refusal in words that say which credential was wrong, never what it was. */
function loginError(err: unknown): unknown {
  if (!(err instanceof BrokerError)) return err;
  const code = err.code ?? "";
  if (code === "AB1050" || /totp/i.test(err.message)) {
    return new BrokerError("rejected", `Angel One login failed: the TOTP code was wrong; check the TOTP secret and this machine's clock (${code || "TOTP"})`, err.code);
  }
  if (PIN_CODES.has(code) || /\b(pin|mpin|password)\b/i.test(err.message)) {
    return new BrokerError("rejected", `Angel One login failed: the client code or PIN was wrong (${code || "PIN"})`, err.code);
  }
  return new BrokerError(err.kind, `Angel One login failed: ${err.message}`, err.code);
}

export class AngelSession {
  private jwtToken: string | null = null;
  private refreshToken: string | null = null;
  private feed: string | null = null;
  private endsAt: Date | null = null;
  /** Bumped at every new token, so calls that failed on an old one do not renew twice. */
  private generation = 0;
  private pending: Promise<void> | null = null;
  private readonly log: BrokerLog;

  constructor(
    private readonly api: SmartApiFacade,
    private readonly opts: SessionOptions,
  ) {
    opts.secrets.add(opts.pin, opts.totpSecret);
    this.log = opts.secrets.wrap(opts.log ?? quietLog);
  }

  /** For the market-data WebSocket. */
  get jwt(): string | null {
    return this.jwtToken;
  }

  /** For the market-data WebSocket. */
  get feedToken(): string | null {
    return this.feed;
  }

  get clientCode(): string {
    return this.opts.clientCode;
  }

  /** When the current session will be replaced by a fresh login; null before the first. */
  get validUntil(): Date | null {
    return this.endsAt;
  }

  /** Logs in now (one login at a time; callers waiting on one share it). */
  login(): Promise<void> {
    return this.single(() => this.doLogin());
  }

  /** Runs a call with a live session: logs in first when there is none or the day's session has ended; renews once on expiry. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    await this.ensure();
    const gen = this.generation;
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof SessionExpiredError)) throw err;
      this.log.warn("angel one session expired; renewing", { code: err.code });
      await this.renew(gen);
    }
    try {
      return await call();
    } catch (err) {
      if (err instanceof SessionExpiredError) {
        throw new BrokerError("unavailable", `Angel One said the session expired again right after it was renewed; nothing was done (${err.message})`, err.code);
      }
      throw err;
    }
  }

  async logout(): Promise<void> {
    if (this.jwtToken) {
      try {
        await this.api.logout(this.opts.clientCode);
      } catch (err) {
        this.log.warn("angel one logout failed", { error: err instanceof Error ? err.message : String(err) });
      }
    }
    this.jwtToken = this.refreshToken = this.feed = null;
    this.endsAt = null;
    this.api.setTokens(null, null);
  }

  private async ensure(): Promise<void> {
    if (this.pending) await this.pending;
    if (this.jwtToken && this.endsAt && this.opts.now().getTime() < this.endsAt.getTime()) return;
    if (this.jwtToken) this.log.info("angel one session reached its daily end; logging in again", {});
    await this.login();
  }

  private renew(gen: number): Promise<void> {
    if (gen !== this.generation) return this.pending ?? Promise.resolve();
    return this.single(async () => {
      if (this.refreshToken) {
        try {
          const data = await this.api.generateTokens(this.jwtToken, this.refreshToken);
          this.take(data.jwtToken, data.refreshToken, data.feedToken ?? this.feed);
          this.log.info("angel one session renewed with the refresh token", {});
          return;
        } catch (err) {
          this.log.warn("angel one token refresh failed; logging in again", { error: err instanceof Error ? err.message : String(err) });
        }
      }
      await this.doLogin();
    });
  }

  private single(work: () => Promise<void>): Promise<void> {
    if (!this.pending) {
      this.pending = work().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  private async doLogin(): Promise<void> {
    // The TOTP follows the wall clock Angel checks it against, not the desk's (possibly simulated) clock.
    const totp = totpAt(this.opts.totpSecret, Date.now());
    let data;
    try {
      data = await this.api.login(this.opts.clientCode, this.opts.pin, totp);
    } catch (err) {
      const e = loginError(err);
      this.log.error("angel one login failed", { error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    this.take(data.jwtToken, data.refreshToken, data.feedToken ?? null);
    this.log.info("angel one login", { clientCode: this.opts.clientCode, validUntil: this.endsAt?.toISOString() });
  }

  private take(jwt: string, refresh: string, feed: string | null): void {
    this.opts.secrets.add(jwt, refresh, feed);
    this.jwtToken = jwt;
    this.refreshToken = refresh;
    this.feed = feed;
    this.endsAt = sessionEnd(this.opts.now(), jwt);
    this.generation++;
    this.api.setTokens(jwt, refresh);
  }
}
