/**
 * A local stand-in for Angel One's SmartAPI REST service, for tests.
 *
 * It answers the paths, headers and envelopes smartapi-javascript 1.0.27
 * sends and expects, so the real client runs against it unchanged:
 * `new SmartAPI({ api_key, root: standIn.url })`. Behind it sits a simulated
 * exchange (`market`), faults on demand (`faults`), a record of every request,
 * and hooks at three points of each request for crash tests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Paise } from "../../../src/engine/money.js";
import { StandInApiError } from "./api-error.js";
import { type Fault, Faults, pathMatches } from "./faults.js";
import { StandInMarket } from "./market.js";
import { RateLimiter } from "./rate-limit.js";
import { findRoute, type Route } from "./routes.js";
import { buildScripMaster } from "./scrip-master.js";
import { type Credentials, Sessions, STANDIN_CREDENTIALS } from "./sessions.js";
import { authFail, fail, type Json } from "./wire.js";

export { STANDIN_CREDENTIALS } from "./sessions.js";
export { StandInMarket } from "./market.js";
export { Faults } from "./faults.js";

export interface SmartApiStandInOptions {
  /** Defaults are fixed test values, exported as STANDIN_CREDENTIALS. */
  apiKey?: string;
  clientCode?: string;
  pin?: string;
  totpSecret?: string;
  /** RMS available cash; default ₹10,00,000. */
  cash?: Paise;
  /** Session life (wall clock); after it secure calls answer HTTP 200 AG8001 "Invalid Token". Default 24 h. */
  jwtTtlMs?: number;
  /** Per-endpoint per-second limits like SmartAPI's (HTTP 403 over them). Default true. */
  rateLimits?: boolean;
  /** The clock the per-second windows run on (ms); default Date.now. A test freezes it to make the windows exact. */
  rateLimitClock?: () => number;
  port?: number;
}

export type Phase = "received" | "accepted" | "answered";

export interface RecordedRequest {
  method: string;
  path: string;
  /** The parsed body; a login's password is replaced by "[redacted]". */
  body: unknown;
  at: Date;
}

export interface SmartApiStandIn {
  /** http://127.0.0.1:PORT, for SmartAPI's `root`. */
  url: string;
  /** GET → the scrip master JSON array. */
  scripMasterUrl: string;
  market: StandInMarket;
  faults: Faults;
  requests: RecordedRequest[];
  /** Errors thrown inside the stand-in (answered with HTTP 500); a test can assert there were none. */
  errors: Error[];
  /** Token checks for the WebSocket stand-in. */
  sessions: { checkJwt(jwt: string): boolean; checkFeedToken(feedToken: string): boolean; expireAll(): void };
  /**
   * Called when a request for `path` (full path or last segment, e.g. "placeOrder")
   * reaches `phase`, and awaited before it goes on; a test uses it to SIGKILL a
   * client process at an exact point. received: body read, nothing done yet.
   * accepted: the work is done (an order is in the book), no answer sent yet.
   * answered: the answer is written.
   */
  on(path: string, phase: Phase, fn: (body: unknown) => void | Promise<void>): void;
  close(): Promise<void>;
}

export const SCRIP_MASTER_PATH = "/OpenAPI_File/files/OpenAPIScripMaster.json";

const RATE_LIMIT_TEXT = "Access denied because of exceeding access rate";

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? "") : (v ?? "");
}

export async function startSmartApiStandIn(opts: SmartApiStandInOptions = {}): Promise<SmartApiStandIn> {
  const creds: Credentials = {
    apiKey: opts.apiKey ?? STANDIN_CREDENTIALS.apiKey,
    clientCode: opts.clientCode ?? STANDIN_CREDENTIALS.clientCode,
    pin: opts.pin ?? STANDIN_CREDENTIALS.pin,
    totpSecret: opts.totpSecret ?? STANDIN_CREDENTIALS.totpSecret,
  };
  const faults = new Faults();
  const records = buildScripMaster();
  const scripMasterJson = JSON.stringify(records);
  const market = new StandInMarket({ records, cash: opts.cash ?? 100_000_000, takePartial: () => faults.takePartial() });
  const sessions = new Sessions(creds, opts.jwtTtlMs ?? 86_400_000);
  const limiter = opts.rateLimits === false ? null : new RateLimiter();
  const ctx = { market, sessions, creds };
  const requests: RecordedRequest[] = [];
  const errors: Error[] = [];
  const hooks: Array<{ path: string; phase: Phase; fn: (body: unknown) => void | Promise<void> }> = [];
  const held = new Set<{ res: ServerResponse; timer: NodeJS.Timeout }>();

  async function runHooks(path: string, phase: Phase, body: unknown): Promise<void> {
    for (const h of hooks) {
      if (h.phase === phase && pathMatches(h.path, path)) await h.fn(body);
    }
  }

  function send(res: ServerResponse, status: number, body: Json | string, statusText?: string): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json";
    const headers = { "content-type": type, "content-length": Buffer.byteLength(text) };
    if (statusText) res.writeHead(status, statusText, headers);
    else res.writeHead(status, headers);
    res.end(text);
  }

  /** Keeps the request unanswered until the client gives up (or `holdMs`), then destroys the socket. */
  function hold(res: ServerResponse): void {
    const entry = {
      res,
      timer: setTimeout(() => {
        held.delete(entry);
        res.socket?.destroy();
      }, faults.holdMs),
    };
    held.add(entry);
    res.on("close", () => {
      clearTimeout(entry.timer);
      held.delete(entry);
    });
  }

  /** Answers a fault served before any work; true when the request is finished. */
  function serveEarlyFault(res: ServerResponse, fault: Fault): boolean {
    switch (fault.kind) {
      case "drop":
        res.socket?.destroy();
        return true;
      case "timeout":
        hold(res);
        return true;
      case "5xx": {
        const status = fault.status ?? 503;
        send(res, status, status === 502 ? "Bad Gateway" : "Service Unavailable");
        return true;
      }
      case "rateLimit":
        send(res, 403, RATE_LIMIT_TEXT, "Forbidden");
        return true;
      case "expiredToken":
        send(res, 200, authFail("AG8001", "Invalid Token"));
        return true;
      default:
        return false;
    }
  }

  /** The key and session checks; an answer to send when they fail. */
  function authProblem(req: IncomingMessage, route: Route): Json | null {
    if (header(req, "x-privatekey") !== creds.apiKey) return authFail("AG8004", "Invalid API Key");
    if (!route.secure) return null;
    const auth = header(req, "authorization");
    if (!auth) return authFail("AG8003", "Token missing");
    if (!sessions.checkJwt(auth.replace(/^Bearer\s+/i, ""))) return authFail("AG8001", "Invalid Token");
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const text = await readBody(req);
    const body = parseJson(text);
    const recorded =
      body && typeof body === "object" && !Array.isArray(body) && "password" in body ? { ...(body as Json), password: "[redacted]" } : body;
    requests.push({ method: req.method ?? "", path, body: recorded, at: new Date() });

    await runHooks(path, "received", body);
    const fault = faults.take(path);
    if (fault && serveEarlyFault(res, fault)) return;

    if (path === SCRIP_MASTER_PATH && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(scripMasterJson) });
      res.end(scripMasterJson);
      return;
    }

    const found = findRoute(path);
    if (!found) {
      send(res, 404, fail("", "Not Found"), "Not Found");
      return;
    }
    const { route, param } = found;
    if (req.method !== route.method) {
      send(res, 405, fail("", "Method Not Allowed"), "Method Not Allowed");
      return;
    }
    if (limiter && !limiter.allow(route.name, opts.rateLimitClock?.() ?? Date.now())) {
      send(res, 403, RATE_LIMIT_TEXT, "Forbidden");
      return;
    }
    let answer = authProblem(req, route);
    if (!answer) {
      if (body === undefined || typeof body !== "object" || Array.isArray(body)) {
        answer = fail("AB2000", "Invalid request body: expected a JSON object");
      } else {
        try {
          answer = route.handle(ctx, { body: (body ?? {}) as Json, param, jwt: header(req, "authorization").replace(/^Bearer\s+/i, "") });
        } catch (err) {
          if (!(err instanceof StandInApiError)) throw err;
          answer = fail(err.errorcode, err.message);
        }
      }
    }

    await runHooks(path, "accepted", body);
    if (fault?.kind === "dropAfterAccept") {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === "timeoutAfterAccept") {
      hold(res);
      return;
    }
    send(res, 200, answer);
    await runHooks(path, "answered", body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      errors.push(err instanceof Error ? err : new Error(String(err)));
      if (!res.headersSent && !res.destroyed) send(res, 500, "Internal Server Error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    scripMasterUrl: `${url}${SCRIP_MASTER_PATH}`,
    market,
    faults,
    requests,
    errors,
    sessions: {
      checkJwt: (jwt) => sessions.checkJwt(jwt),
      checkFeedToken: (t) => sessions.checkFeedToken(t),
      expireAll: () => sessions.expireAll(),
    },
    on(path, phase, fn) {
      hooks.push({ path, phase, fn });
    },
    async close() {
      for (const h of held) {
        clearTimeout(h.timer);
        h.res.socket?.destroy();
      }
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
