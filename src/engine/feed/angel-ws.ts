/**
 * Live ticks from Angel One's SmartAPI WebSocket V2 (smart-stream), on `ws`.
 *
 * Our own client rather than smartapi-javascript's: that one keeps its ping
 * timer after close (the process never exits), throws from its error handler
 * on a 401, and hands every field back as a string.
 *
 * A dropped, refused or silent connection is retried with exponential backoff
 * and jitter; every subscription is sent again on each new connection.
 * `close()` clears every timer and the socket, so the process can exit.
 * Credentials go only into the upgrade headers: never into a state detail or
 * an error text.
 */
import WebSocket, { type RawData } from "ws";
import { decodeTickPacket, type Tick, type TickMode } from "./tick-packet.js";

export const DEFAULT_SMARTAPI_WS_URL = "wss://smartapisocket.angelone.in/smart-stream";
/** Angel One allows 1,000 token subscriptions per connection. */
export const MAX_TOKENS_PER_CONNECTION = 1000;

export interface AngelWsCredentials {
  /** The session JWT from the login (with or without the "Bearer " prefix). */
  jwt: string;
  apiKey: string;
  clientCode: string;
  feedToken: string;
}

export type AngelWsState = "connecting" | "open" | "closed" | "stopped";

export interface TokenGroup {
  exchangeType: number;
  tokens: readonly string[];
}

export interface AngelWsOptions {
  credentials: AngelWsCredentials;
  onTick: (tick: Tick) => void;
  /** State changes, with a reason fit for a log line. */
  onState?: (state: AngelWsState, detail: string) => void;
  /** A frame that could not be used (malformed packet, server error reply) or an onTick that threw; the feed carries on. */
  onError?: (problem: string) => void;
  url?: string;
  /** Text `ping` cadence; the service expects one every 10 s. */
  pingIntervalMs?: number;
  /** No frame at all (tick or pong) for this long means a dead connection: drop it and reconnect. */
  staleAfterMs?: number;
  /** First reconnect delay; doubles per failed attempt up to backoffMaxMs. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** The opening handshake must finish within this. */
  handshakeTimeoutMs?: number;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

const ACTION_SUBSCRIBE = 1;
const ACTION_UNSUBSCRIBE = 0;

export class AngelWs {
  private credentials: AngelWsCredentials;
  private readonly url: string;
  private readonly pingIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly handshakeTimeoutMs: number;
  private readonly random: () => number;
  /** mode → exchangeType → tokens: what every new connection subscribes. */
  private readonly wanted = new Map<TickMode, Map<number, Set<string>>>();
  private socket: WebSocket | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastFrameAt = 0;
  /** Why the current connection ended (first cause wins). */
  private why = "";
  private correlation = 0;
  private current: AngelWsState | "idle" = "idle";
  private stopped = false;

  constructor(private readonly opts: AngelWsOptions) {
    this.credentials = { ...opts.credentials };
    this.url = opts.url ?? DEFAULT_SMARTAPI_WS_URL;
    this.pingIntervalMs = opts.pingIntervalMs ?? 10_000;
    this.staleAfterMs = opts.staleAfterMs ?? 3 * this.pingIntervalMs;
    this.backoffBaseMs = opts.backoffBaseMs ?? 1_000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 30_000;
    this.handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 10_000;
    this.random = opts.random ?? Math.random;
  }

  get state(): AngelWsState | "idle" {
    return this.current;
  }

  /** Opens the connection (and keeps it open until close()). */
  start(): void {
    if (this.stopped) throw new Error("the feed was closed; make a new one");
    if (this.socket || this.retryTimer) return;
    this.connect();
  }

  /** New credentials (after a token refresh), used from the next connection on. */
  setCredentials(c: AngelWsCredentials): void {
    this.credentials = { ...c };
  }

  /** Adds tokens in a mode; sent now when open, and again on every reconnect. */
  subscribe(mode: TickMode, groups: readonly TokenGroup[]): void {
    const fresh: TokenGroup[] = [];
    let adding = 0;
    const byExchange = this.wanted.get(mode) ?? new Map<number, Set<string>>();
    for (const g of groups) {
      const held = byExchange.get(g.exchangeType);
      const add = [...new Set(g.tokens)].filter((t) => !held?.has(t));
      if (add.length > 0) fresh.push({ exchangeType: g.exchangeType, tokens: add });
      adding += add.length;
    }
    if (adding === 0) return;
    if (this.distinctTokens(fresh) > MAX_TOKENS_PER_CONNECTION) {
      throw new RangeError(`at most ${MAX_TOKENS_PER_CONNECTION} tokens per connection; this would make ${this.distinctTokens(fresh)}`);
    }
    for (const g of fresh) {
      const held = byExchange.get(g.exchangeType) ?? new Set<string>();
      for (const t of g.tokens) held.add(t);
      byExchange.set(g.exchangeType, held);
    }
    this.wanted.set(mode, byExchange);
    this.send(ACTION_SUBSCRIBE, mode, fresh);
  }

  /** Drops tokens in a mode. */
  unsubscribe(mode: TickMode, groups: readonly TokenGroup[]): void {
    const byExchange = this.wanted.get(mode);
    if (!byExchange) return;
    const gone: TokenGroup[] = [];
    for (const g of groups) {
      const held = byExchange.get(g.exchangeType);
      const drop = g.tokens.filter((t) => held?.delete(t));
      if (drop.length > 0) gone.push({ exchangeType: g.exchangeType, tokens: drop });
      if (held && held.size === 0) byExchange.delete(g.exchangeType);
    }
    if (byExchange.size === 0) this.wanted.delete(mode);
    if (gone.length > 0) this.send(ACTION_UNSUBSCRIBE, mode, gone);
  }

  /** What every new connection subscribes, per mode. */
  subscriptions(): Array<{ mode: TickMode; groups: TokenGroup[] }> {
    return [...this.wanted].map(([mode, byExchange]) => ({
      mode,
      groups: [...byExchange].map(([exchangeType, tokens]) => ({ exchangeType, tokens: [...tokens] })),
    }));
  }

  /** Stops for good: no reconnect, no timer, no socket left. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const ws = this.socket;
    this.socket = null;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
      // A close handshake is polite but needs the peer; a dead peer must not hold the process.
      ws.terminate();
      await closed;
    }
    this.setState("stopped", "closed by us");
  }

  private connect(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    const c = this.credentials;
    this.setState("connecting", this.attempt === 0 ? "first attempt" : `attempt ${this.attempt + 1}`);
    const ws = new WebSocket(this.url, {
      headers: {
        Authorization: c.jwt.startsWith("Bearer ") ? c.jwt : `Bearer ${c.jwt}`,
        "x-api-key": c.apiKey,
        "x-client-code": c.clientCode,
        "x-feed-token": c.feedToken,
      },
      handshakeTimeout: this.handshakeTimeoutMs,
    });
    this.socket = ws;
    this.why = "";
    ws.on("unexpected-response", (_req, res) => {
      const reason = res.headers["x-error-message"];
      this.why = `server refused the connection: HTTP ${res.statusCode}${typeof reason === "string" ? ` (${reason.slice(0, 100)})` : ""}`;
      ws.terminate();
    });
    ws.on("open", () => {
      if (ws !== this.socket) return;
      this.attempt = 0;
      this.lastFrameAt = Date.now();
      let tokens = 0;
      for (const [mode, byExchange] of this.wanted) {
        const groups = [...byExchange].map(([exchangeType, set]) => ({ exchangeType, tokens: [...set] }));
        tokens += groups.reduce((n, g) => n + g.tokens.length, 0);
        this.send(ACTION_SUBSCRIBE, mode, groups);
      }
      this.pingTimer = setInterval(() => this.heartbeat(ws), this.pingIntervalMs);
      this.setState("open", `subscribed ${tokens} token${tokens === 1 ? "" : "s"}`);
    });
    ws.on("message", (data, isBinary) => this.onFrame(data, isBinary));
    ws.on("error", (err) => {
      // Keep the first cause; "closed before established" follows our own terminate().
      if (ws === this.socket && !this.why) this.why = describeError(err);
    });
    ws.on("close", (code) => {
      if (ws !== this.socket) return;
      this.socket = null;
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.pingTimer = null;
      if (this.stopped) return;
      const delay = this.nextDelay();
      // The timer exists before listeners hear of the close, so a close() from a listener clears it.
      this.retryTimer = setTimeout(() => this.connect(), delay);
      this.setState("closed", `${this.why || `connection closed (code ${code})`}; reconnecting in ${delay} ms`);
    });
  }

  private heartbeat(ws: WebSocket): void {
    if (Date.now() - this.lastFrameAt > this.staleAfterMs) {
      // Nothing came back, not even a pong: the connection is dead even if TCP has not noticed.
      this.why = `no frame for ${Date.now() - this.lastFrameAt} ms (dead connection)`;
      ws.terminate();
      return;
    }
    if (ws.readyState === WebSocket.OPEN) ws.send("ping");
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    this.lastFrameAt = Date.now();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!isBinary) {
      const text = buf.toString("utf8");
      if (text === "pong") return;
      this.report(describeTextFrame(text));
      return;
    }
    const r = decodeTickPacket(buf);
    if (!r.ok) {
      this.report(`malformed tick packet: ${r.error}`);
      return;
    }
    try {
      this.opts.onTick(r.tick);
    } catch (err) {
      this.report(`tick handler failed on ${r.tick.token}: ${(err as Error).message}`);
    }
  }

  private send(action: number, mode: TickMode, groups: readonly TokenGroup[]): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN || groups.length === 0) return;
    this.correlation = (this.correlation + 1) % 1e9;
    const frame = {
      correlationID: `d${this.correlation}`,
      action,
      params: { mode, tokenList: groups.map((g) => ({ exchangeType: g.exchangeType, tokens: [...g.tokens] })) },
    };
    ws.send(JSON.stringify(frame));
  }

  private nextDelay(): number {
    const cap = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Half fixed, half random: spread reconnects yet never retry at once.
    return Math.round(cap / 2 + (cap / 2) * this.random());
  }

  private distinctTokens(extra: readonly TokenGroup[]): number {
    const all = new Set<string>();
    for (const byExchange of this.wanted.values()) for (const [e, set] of byExchange) for (const t of set) all.add(`${e}|${t}`);
    for (const g of extra) for (const t of g.tokens) all.add(`${g.exchangeType}|${t}`);
    return all.size;
  }

  private clearTimers(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.pingTimer = null;
    this.retryTimer = null;
  }

  private setState(state: AngelWsState, detail: string): void {
    this.current = state;
    try {
      this.opts.onState?.(state, detail);
    } catch {
      /* a listener's failure must not break the connection's bookkeeping */
    }
  }

  private report(problem: string): void {
    try {
      this.opts.onError?.(problem);
    } catch {
      /* same */
    }
  }
}

function describeError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ? `connection failed: ${code}` : `connection failed: ${err.message.slice(0, 200)}`;
}

/** A text frame other than `pong`: the service's error reply, or something unexpected. */
function describeTextFrame(text: string): string {
  try {
    const j = JSON.parse(text) as { errorCode?: unknown; errorMessage?: unknown; correlationID?: unknown };
    if (typeof j.errorCode === "string") {
      return `server error ${j.errorCode}: ${String(j.errorMessage ?? "").slice(0, 200)}${j.correlationID ? ` (request ${String(j.correlationID).slice(0, 20)})` : ""}`;
    }
  } catch {
    /* not JSON */
  }
  return `unexpected text frame: ${JSON.stringify(text.slice(0, 80))}`;
}
