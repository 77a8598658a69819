/**
 * A local stand-in for Angel One's SmartAPI WebSocket V2 feed (smart-stream), for tests.
 *
 * What it copies from the real service:
 * - the upgrade needs Authorization: Bearer <jwt>, x-api-key, x-client-code and
 *   x-feed-token; a wrong one is refused with HTTP 401 and an x-error-message
 *   header ("Invalid Auth token", "Invalid API Key", ...);
 * - text `ping` is answered with text `pong`;
 * - JSON subscribe (action 1) and unsubscribe (action 0) frames; a bad one gets
 *   `{correlationID, errorCode: "E1001", errorMessage}`, more than 1,000 tokens
 *   on one connection gets E1002;
 * - ticks go out as little-endian binary packets in the mode each client
 *   subscribed (LTP 51 bytes, Quote 123, SnapQuote 379), one per token and mode.
 *
 * The packet bytes are written here by hand, apart from the product's own
 * encoder, so a layout mistake there cannot hide behind the same mistake here.
 * Not copied: the browser form (credentials in the query string) and depth (mode 4).
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, WebSocket, type RawData } from "ws";

export interface SmartApiWsStandInOptions {
  apiKey: string;
  clientCode: string;
  /** The feed token to accept; unset accepts any non-empty one. */
  feedToken?: string;
  /** Whether a JWT is valid; unset accepts any non-empty one. */
  checkJwt?: (jwt: string) => boolean;
  /** Answer `ping` with `pong` (default true); off, a client's dead-connection watch can be tested. */
  answerPings?: boolean;
}

/** A price change to send: the shape the SmartAPI market stand-in emits, plus optional Quote-mode detail. */
export interface StandInTick {
  symbol?: string;
  token: string;
  exchangeType: number;
  /** Last traded price, paise. */
  price: number;
  at: Date;
  seq: number;
  /** Quantity of this trade (Quote mode; default 1). It adds to the day's volume. */
  qty?: number;
  /** The previous session's close (Quote mode; default the day's first price). */
  prevClose?: number;
}

export interface Subscription {
  mode: number;
  exchangeType: number;
  token: string;
}

export interface ReceivedRequest {
  correlationID?: string;
  action: number;
  params: { mode: number; tokenList: Array<{ exchangeType: number; tokens: string[] }> };
}

export interface SmartApiWsStandIn {
  url: string;
  /** Sends the tick to every client subscribed to its token; returns how many packets went out. */
  push(tick: StandInTick): number;
  /** Sends raw bytes or text to every open client (for malformed-frame tests). */
  pushRaw(data: Buffer | string): void;
  /** Cuts every connection without a close handshake, like a network drop. */
  dropAll(): void;
  /** Open connections. */
  readonly clients: number;
  /** Connections accepted so far (reconnects count again). */
  readonly connections: number;
  /** Upgrade attempts refused with 401, with the reason sent. */
  readonly refused: string[];
  /** Every subscription across open clients. */
  subscriptions(): Subscription[];
  /** Parsed subscribe/unsubscribe frames, in arrival order. */
  readonly requests: ReceivedRequest[];
  /** `ping` frames received. */
  readonly pings: number;
  setAnswerPings(on: boolean): void;
  close(): Promise<void>;
}

const MAX_TOKENS_PER_SESSION = 1000;

interface Client {
  socket: WebSocket;
  /** "exchangeType|token" → modes subscribed. */
  subs: Map<string, Set<number>>;
}

interface DayState {
  day: string;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  volume: number;
  turnover: number;
}

export async function startSmartApiWsStandIn(options: SmartApiWsStandInOptions): Promise<SmartApiWsStandIn> {
  let answerPings = options.answerPings ?? true;
  const clients = new Set<Client>();
  const requests: ReceivedRequest[] = [];
  const refused: string[] = [];
  const day = new Map<string, DayState>();
  let pings = 0;
  let connections = 0;

  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket only");
  });
  const wss = new WebSocketServer({ noServer: true });

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const problem = authProblem(req, options);
    if (problem) {
      refused.push(problem);
      socket.end(`HTTP/1.1 401 Unauthorized\r\nx-error-message: ${problem}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections++;
      const client: Client = { socket: ws, subs: new Map() };
      clients.add(client);
      ws.on("close", () => clients.delete(client));
      ws.on("error", () => clients.delete(client));
      ws.on("message", (data, isBinary) => onMessage(client, data, isBinary));
    });
  });

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    if (isBinary) return; // the service takes only text frames
    const text = data.toString();
    if (text === "ping") {
      pings++;
      if (answerPings) client.socket.send("pong");
      return;
    }
    let req: unknown;
    try {
      req = JSON.parse(text);
    } catch {
      sendError(client, undefined, "E1001", "Invalid Request Payload");
      return;
    }
    const parsed = parseRequest(req);
    if (!parsed) {
      const cid = typeof (req as { correlationID?: unknown })?.correlationID === "string" ? (req as { correlationID: string }).correlationID : undefined;
      sendError(client, cid, "E1001", "Invalid Request Payload");
      return;
    }
    requests.push(parsed);
    const { action, params } = parsed;
    if (action === 1) {
      const added = new Set<string>();
      for (const g of params.tokenList) for (const t of g.tokens) if (!client.subs.has(`${g.exchangeType}|${t}`)) added.add(`${g.exchangeType}|${t}`);
      if (client.subs.size + added.size > MAX_TOKENS_PER_SESSION) {
        sendError(client, parsed.correlationID, "E1002", "Invalid Request. Subscription Limit Exceeded");
        return;
      }
    }
    for (const g of params.tokenList) {
      for (const t of g.tokens) {
        const key = `${g.exchangeType}|${t}`;
        const modes = client.subs.get(key) ?? new Set<number>();
        if (action === 1) modes.add(params.mode);
        else modes.delete(params.mode);
        if (modes.size > 0) client.subs.set(key, modes);
        else client.subs.delete(key);
      }
    }
  }

  function sendError(client: Client, correlationID: string | undefined, errorCode: string, errorMessage: string): void {
    client.socket.send(JSON.stringify({ correlationID: correlationID ?? "", errorCode, errorMessage }));
  }

  function dayState(tick: StandInTick): DayState {
    const key = `${tick.exchangeType}|${tick.token}`;
    const d = new Date(tick.at.getTime() + 330 * 60_000).toISOString().slice(0, 10);
    let s = day.get(key);
    if (!s || s.day !== d) {
      s = { day: d, open: tick.price, high: tick.price, low: tick.price, prevClose: tick.prevClose ?? tick.price, volume: 0, turnover: 0 };
      day.set(key, s);
    }
    const qty = tick.qty ?? 1;
    s.high = Math.max(s.high, tick.price);
    s.low = Math.min(s.low, tick.price);
    s.volume += qty;
    s.turnover += qty * tick.price;
    if (tick.prevClose !== undefined) s.prevClose = tick.prevClose;
    return s;
  }

  function packet(mode: number, tick: StandInTick, s: DayState): Buffer {
    const size = mode === 1 ? 51 : mode === 2 ? 123 : 379;
    const b = Buffer.alloc(size);
    b.writeUInt8(mode, 0);
    b.writeUInt8(tick.exchangeType, 1);
    b.write(tick.token, 2, 25, "ascii");
    b.writeBigInt64LE(BigInt(tick.seq), 27);
    b.writeBigInt64LE(BigInt(tick.at.getTime()), 35);
    b.writeBigInt64LE(BigInt(tick.price), 43);
    if (mode === 1) return b;
    b.writeBigInt64LE(BigInt(tick.qty ?? 1), 51);
    b.writeBigInt64LE(BigInt(Math.round(s.turnover / s.volume)), 59);
    b.writeBigInt64LE(BigInt(s.volume), 67);
    b.writeDoubleLE(0, 75);
    b.writeDoubleLE(0, 83);
    b.writeBigInt64LE(BigInt(s.open), 91);
    b.writeBigInt64LE(BigInt(s.high), 99);
    b.writeBigInt64LE(BigInt(s.low), 107);
    b.writeBigInt64LE(BigInt(s.prevClose), 115);
    if (mode === 2) return b;
    b.writeBigInt64LE(BigInt(tick.at.getTime()), 123);
    // 131 open interest, 139 OI change and 147-346 best five stay zero; circuits at ±20% of the previous close.
    b.writeBigInt64LE(BigInt(Math.round(s.prevClose * 1.2)), 347);
    b.writeBigInt64LE(BigInt(Math.round(s.prevClose * 0.8)), 355);
    b.writeBigInt64LE(BigInt(s.high), 363);
    b.writeBigInt64LE(BigInt(s.low), 371);
    return b;
  }

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;

  return {
    url: `ws://127.0.0.1:${port}/smart-stream`,
    push(tick) {
      const key = `${tick.exchangeType}|${tick.token}`;
      const s = dayState(tick);
      let sent = 0;
      const byMode = new Map<number, Buffer>();
      for (const c of clients) {
        const modes = c.subs.get(key);
        if (!modes || c.socket.readyState !== WebSocket.OPEN) continue;
        for (const m of modes) {
          let buf = byMode.get(m);
          if (!buf) byMode.set(m, (buf = packet(m, tick, s)));
          c.socket.send(buf, { binary: true });
          sent++;
        }
      }
      return sent;
    },
    pushRaw(data) {
      for (const c of clients) if (c.socket.readyState === WebSocket.OPEN) c.socket.send(data, { binary: typeof data !== "string" });
    },
    dropAll() {
      for (const c of clients) c.socket.terminate();
    },
    get clients() {
      return [...clients].filter((c) => c.socket.readyState === WebSocket.OPEN).length;
    },
    get connections() {
      return connections;
    },
    refused,
    subscriptions() {
      const out: Subscription[] = [];
      for (const c of clients) {
        for (const [key, modes] of c.subs) {
          const [exchangeType, token] = key.split("|") as [string, string];
          for (const mode of modes) out.push({ mode, exchangeType: Number(exchangeType), token });
        }
      }
      return out;
    },
    requests,
    get pings() {
      return pings;
    },
    setAnswerPings(on) {
      answerPings = on;
    },
    async close() {
      for (const c of clients) c.socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function authProblem(req: IncomingMessage, o: SmartApiWsStandInOptions): string | null {
  const h = req.headers;
  const one = (name: string) => {
    const v = h[name];
    return typeof v === "string" ? v : undefined;
  };
  const auth = one("authorization");
  const jwt = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
  if (!jwt || !(o.checkJwt ?? (() => true))(jwt)) return "Invalid Auth token";
  if (one("x-api-key") !== o.apiKey) return "Invalid API Key";
  if (one("x-client-code") !== o.clientCode) return "Invalid Client Code";
  const feed = one("x-feed-token");
  if (!feed || (o.feedToken !== undefined && feed !== o.feedToken)) return "Invalid Feed Token";
  return null;
}

function parseRequest(x: unknown): ReceivedRequest | null {
  if (typeof x !== "object" || x === null) return null;
  const r = x as Record<string, unknown>;
  if (r.action !== 0 && r.action !== 1) return null;
  if (r.correlationID !== undefined && typeof r.correlationID !== "string") return null;
  const p = r.params as Record<string, unknown> | undefined;
  if (typeof p !== "object" || p === null) return null;
  if (p.mode !== 1 && p.mode !== 2 && p.mode !== 3) return null;
  if (!Array.isArray(p.tokenList) || p.tokenList.length === 0) return null;
  const tokenList: ReceivedRequest["params"]["tokenList"] = [];
  for (const g of p.tokenList as unknown[]) {
    const e = g as Record<string, unknown>;
    if (typeof e !== "object" || e === null || typeof e.exchangeType !== "number" || !Array.isArray(e.tokens)) return null;
    if (!(e.tokens as unknown[]).every((t) => typeof t === "string" && t.length > 0 && t.length <= 25)) return null;
    tokenList.push({ exchangeType: e.exchangeType, tokens: [...(e.tokens as string[])] });
  }
  return { ...(typeof r.correlationID === "string" ? { correlationID: r.correlationID } : {}), action: r.action, params: { mode: p.mode, tokenList } };
}
