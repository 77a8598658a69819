/**
 * Logins and tokens: the client code, PIN and TOTP check of loginByPassword,
 * and the JWT, refresh token and feed token each login issues. Tokens are
 * random and opaque (shaped like JWTs); expiry runs on the wall clock.
 */
import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";

export interface Credentials {
  apiKey: string;
  clientCode: string;
  pin: string;
  /** Base32, as Angel One shows it when TOTP is enabled. */
  totpSecret: string;
}

/** Fixed test values; never real ones. */
export const STANDIN_CREDENTIALS: Readonly<Credentials> = Object.freeze({
  apiKey: "standin-api-key",
  clientCode: "S1234567",
  pin: "4321",
  totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
});

interface Session {
  jwt: string;
  refresh: string;
  feed: string;
  expiresAt: number;
  refreshExpiresAt: number;
}

export type LoginResult =
  | { ok: true; jwtToken: string; refreshToken: string; feedToken: string }
  | { ok: false; reason: "credentials" | "totp" };

export type RefreshResult = { ok: true; jwtToken: string; refreshToken: string; feedToken: string } | { ok: false; reason: "invalid" | "expired" };

function token(): string {
  const part = (n: number): string => randomBytes(n).toString("base64url");
  return `eyJhbGciOiJIUzUxMiJ9.${part(48)}.${part(64)}`;
}

export class Sessions {
  private readonly byJwt = new Map<string, Session>();
  private readonly byRefresh = new Map<string, Session>();
  private readonly totp: TOTP;

  constructor(
    private readonly creds: Credentials,
    private readonly jwtTtlMs: number,
  ) {
    this.totp = new TOTP({ secret: Secret.fromBase32(creds.totpSecret), digits: 6, period: 30, algorithm: "SHA1" });
  }

  /** Checks client code and PIN first (without saying which was wrong), then the TOTP with a ±1 step window. */
  login(clientcode: unknown, password: unknown, totp: unknown): LoginResult {
    if (clientcode !== this.creds.clientCode || password !== this.creds.pin) return { ok: false, reason: "credentials" };
    if (typeof totp !== "string" || this.totp.validate({ token: totp, window: 1 }) === null) return { ok: false, reason: "totp" };
    return { ok: true, ...this.issue() };
  }

  refresh(refreshToken: unknown): RefreshResult {
    const s = typeof refreshToken === "string" ? this.byRefresh.get(refreshToken) : undefined;
    if (!s) return { ok: false, reason: "invalid" };
    if (Date.now() >= s.refreshExpiresAt) return { ok: false, reason: "expired" };
    this.byRefresh.delete(s.refresh);
    return { ok: true, ...this.issue() };
  }

  /** A live JWT (with or without a leading "Bearer "). */
  checkJwt(jwt: string): boolean {
    const s = this.byJwt.get(jwt.replace(/^(Bearer\s+)+/i, ""));
    return s !== undefined && Date.now() < s.expiresAt;
  }

  /** The feed token of a live session, for the WebSocket stand-in. */
  checkFeedToken(feedToken: string): boolean {
    for (const s of this.byJwt.values()) if (s.feed === feedToken && Date.now() < s.expiresAt) return true;
    return false;
  }

  logout(jwt: string): void {
    const s = this.byJwt.get(jwt.replace(/^(Bearer\s+)+/i, ""));
    if (!s) return;
    this.byJwt.delete(s.jwt);
    this.byRefresh.delete(s.refresh);
  }

  /** Every JWT expires now (refresh tokens stay good): the next secure call answers AG8001. */
  expireAll(): void {
    for (const s of this.byJwt.values()) s.expiresAt = 0;
  }

  private issue(): { jwtToken: string; refreshToken: string; feedToken: string } {
    const now = Date.now();
    const s: Session = { jwt: token(), refresh: token(), feed: token(), expiresAt: now + this.jwtTtlMs, refreshExpiresAt: now + Math.max(this.jwtTtlMs, 86_400_000) };
    this.byJwt.set(s.jwt, s);
    this.byRefresh.set(s.refresh, s);
    return { jwtToken: s.jwt, refreshToken: s.refresh, feedToken: s.feed };
  }
}
