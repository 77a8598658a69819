// Our WebSocket V2 client (and, once, the real smartapi-javascript client) against the feed stand-in.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { AngelWs, type AngelWsCredentials, type AngelWsOptions, type AngelWsState } from "../../../src/engine/feed/angel-ws.js";
import type { QuoteTick, SnapQuoteTick, Tick } from "../../../src/engine/feed/tick-packet.js";
import { startSmartApiWsStandIn, type SmartApiWsStandIn, type SmartApiWsStandInOptions } from "./ws-server.js";

const CREDS: AngelWsCredentials = { jwt: "eyJhbGciOiJIUzUxMiJ9.session-one", apiKey: "kA9xQ2api", clientCode: "D123456", feedToken: "feed-tok-77" };
const SECRETS = [CREDS.jwt, CREDS.apiKey, CREDS.feedToken];
const AT = new Date("2025-09-15T04:00:00.123Z"); // 09:30:00.123 IST

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function standIn(extra: Partial<SmartApiWsStandInOptions> = {}): Promise<SmartApiWsStandIn> {
  const s = await startSmartApiWsStandIn({ apiKey: CREDS.apiKey, clientCode: CREDS.clientCode, feedToken: CREDS.feedToken, checkJwt: (j) => j === CREDS.jwt, ...extra });
  cleanups.push(() => s.close());
  return s;
}

interface Harness {
  ws: AngelWs;
  ticks: Tick[];
  states: Array<{ state: AngelWsState; detail: string }>;
  errors: string[];
}

function client(url: string, extra: Partial<AngelWsOptions> = {}): Harness {
  const h: Harness = { ticks: [], states: [], errors: [], ws: undefined as unknown as AngelWs };
  h.ws = new AngelWs({
    url,
    credentials: CREDS,
    onTick: (t) => h.ticks.push(t),
    onState: (state, detail) => h.states.push({ state, detail }),
    onError: (p) => h.errors.push(p),
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    ...extra,
  });
  cleanups.push(() => h.ws.close());
  return h;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const opens = (h: Harness) => h.states.filter((s) => s.state === "open").length;

describe("AngelWs against the WebSocket V2 stand-in", () => {
  it("subscribes with the service's frame and receives LTP, Quote and SnapQuote ticks with exact values", async () => {
    const s = await standIn();
    const h = client(s.url);
    h.ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045", "2885"] }]);
    h.ws.subscribe(2, [{ exchangeType: 2, tokens: ["58784"] }]);
    h.ws.subscribe(3, [{ exchangeType: 1, tokens: ["99926009"] }]);
    h.ws.start();
    await waitFor("subscriptions", () => s.subscriptions().length === 4);
    expect(s.subscriptions()).toEqual(
      expect.arrayContaining([
        { mode: 1, exchangeType: 1, token: "3045" },
        { mode: 1, exchangeType: 1, token: "2885" },
        { mode: 2, exchangeType: 2, token: "58784" },
        { mode: 3, exchangeType: 1, token: "99926009" },
      ]),
    );
    const first = s.requests[0]!;
    expect(first).toEqual({ correlationID: expect.stringMatching(/^.{1,10}$/), action: 1, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: ["3045", "2885"] }] } });

    expect(s.push({ symbol: "SBIN", token: "3045", exchangeType: 1, price: 81_235, at: AT, seq: 9_007_199_254_740_000 })).toBe(1);
    // Two trades in the option: the Quote packet carries the day's running figures.
    s.push({ token: "58784", exchangeType: 2, price: 12_005, at: AT, seq: 41, qty: 75, prevClose: 11_500 });
    s.push({ token: "58784", exchangeType: 2, price: 11_950, at: new Date(AT.getTime() + 1_000), seq: 42, qty: 150 });
    s.push({ token: "99926009", exchangeType: 1, price: 5_412_345, at: AT, seq: 0, prevClose: 5_400_000 });
    // Not subscribed: nothing goes out.
    expect(s.push({ token: "1594", exchangeType: 1, price: 150_000, at: AT, seq: 1 })).toBe(0);
    await waitFor("four ticks", () => h.ticks.length === 4);

    expect(h.ticks[0]).toEqual({ mode: 1, exchangeType: 1, token: "3045", seq: 9_007_199_254_740_000, exchangeTime: AT, ltp: 81_235 });
    const q = h.ticks[2] as QuoteTick;
    expect(q).toMatchObject({ mode: 2, exchangeType: 2, token: "58784", seq: 42, ltp: 11_950, lastTradedQty: 150, volume: 225, open: 12_005, high: 12_005, low: 11_950, close: 11_500 });
    expect(q.exchangeTime).toEqual(new Date(AT.getTime() + 1_000));
    expect(q.avgPrice).toBe(Math.round((75 * 12_005 + 150 * 11_950) / 225));
    const snap = h.ticks[3] as SnapQuoteTick;
    expect(snap).toMatchObject({ mode: 3, token: "99926009", seq: 0, ltp: 5_412_345, close: 5_400_000, upperCircuit: 6_480_000, lowerCircuit: 4_320_000 });
    expect(snap.lastTradedTime).toEqual(AT);
    expect(h.errors).toEqual([]);
  });

  it("unsubscribes with action 0", async () => {
    const s = await standIn();
    const h = client(s.url);
    h.ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045", "2885"] }]);
    h.ws.start();
    await waitFor("subscribed", () => s.subscriptions().length === 2);
    h.ws.unsubscribe(1, [{ exchangeType: 1, tokens: ["3045"] }]);
    await waitFor("unsubscribed", () => s.subscriptions().length === 1);
    expect(s.requests.at(-1)).toMatchObject({ action: 0, params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: ["3045"] }] } });
    expect(s.push({ token: "3045", exchangeType: 1, price: 81_000, at: AT, seq: 1 })).toBe(0);
    expect(h.ws.subscriptions()).toEqual([{ mode: 1, groups: [{ exchangeType: 1, tokens: ["2885"] }] }]);
  });

  it("reconnects after every connection is cut, subscribes again and receives again", async () => {
    const s = await standIn();
    const h = client(s.url);
    h.ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045"] }]);
    h.ws.start();
    await waitFor("subscribed", () => s.subscriptions().length === 1);
    s.push({ token: "3045", exchangeType: 1, price: 81_000, at: AT, seq: 1 });
    await waitFor("first tick", () => h.ticks.length === 1);

    s.dropAll();
    await waitFor("closed", () => h.states.some((x) => x.state === "closed"));
    await waitFor("second open", () => opens(h) === 2 && s.subscriptions().length === 1);
    expect(s.connections).toBe(2);
    s.push({ token: "3045", exchangeType: 1, price: 81_100, at: new Date(AT.getTime() + 5_000), seq: 2 });
    await waitFor("second tick", () => h.ticks.length === 2);
    expect(h.ticks[1]).toMatchObject({ ltp: 81_100, seq: 2 });
    expect(h.states.map((x) => x.state)).toEqual(["connecting", "open", "closed", "connecting", "open"]);
    expect(h.states[2]!.detail).toMatch(/reconnecting in \d+ ms/);
  });

  it("backs off exponentially with jitter while the service is down, within base and max", async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const h = client(`ws://127.0.0.1:${port}/smart-stream`, { backoffBaseMs: 10, backoffMaxMs: 80, random: () => 0.5 });
    h.ws.start();
    await waitFor("five failures", () => h.states.filter((x) => x.state === "closed").length >= 5);
    const delays = h.states.filter((x) => x.state === "closed").map((x) => Number(/reconnecting in (\d+) ms/.exec(x.detail)![1]));
    // cap = min(80, 10·2^n); delay = cap/2 + cap/2 · 0.5
    expect(delays.slice(0, 5)).toEqual([8, 15, 30, 60, 60]);
    expect(h.states[1]!.detail).toMatch(/^connection failed: ECONNREFUSED/);
  });

  it("is refused with HTTP 401 on wrong credentials, never says the secrets, and uses refreshed credentials on the next attempt", async () => {
    const s = await standIn();
    const h = client(s.url, { credentials: { ...CREDS, apiKey: "wrong-key-123" } });
    h.ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045"] }]);
    h.ws.start();
    await waitFor("refusal", () => h.states.some((x) => x.state === "closed"));
    expect(s.refused[0]).toBe("Invalid API Key");
    expect(h.states.find((x) => x.state === "closed")!.detail).toMatch(/^server refused the connection: HTTP 401 \(Invalid API Key\); reconnecting in/);

    h.ws.setCredentials(CREDS);
    await waitFor("open with the new key", () => opens(h) === 1 && s.subscriptions().length === 1);
    const said = JSON.stringify([h.states, h.errors]);
    for (const secret of [...SECRETS, "wrong-key-123"]) expect(said).not.toContain(secret);
  });

  it("sends a text ping on its interval and ignores the pong", async () => {
    const s = await standIn();
    const h = client(s.url, { pingIntervalMs: 20 });
    h.ws.start();
    await waitFor("three pings", () => s.pings >= 3);
    expect(h.errors).toEqual([]);
    expect(h.ticks).toEqual([]);
  });

  it("drops a connection that has gone silent (no pong) and connects again", async () => {
    const s = await standIn({ answerPings: false });
    const h = client(s.url, { pingIntervalMs: 20, staleAfterMs: 100 });
    h.ws.start();
    await waitFor("a second connection", () => s.connections >= 2, 10_000);
    expect(h.states.find((x) => x.state === "closed")!.detail).toMatch(/dead connection/);
  });

  it("reports a malformed frame, a service error and a failing tick handler, and keeps delivering", async () => {
    const s = await standIn();
    let calls = 0;
    const good: Tick[] = [];
    const h = client(s.url, {
      onTick: (t) => {
        if (++calls === 1) throw new Error("boom");
        good.push(t);
      },
    });
    h.ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045"] }]);
    h.ws.start();
    await waitFor("subscribed", () => s.subscriptions().length === 1);
    s.pushRaw(Buffer.from([1, 1, 0x33, 0x30, 0x34, 0x35, 0, 0, 0, 0]));
    const badMode = Buffer.alloc(51);
    badMode[0] = 9;
    s.pushRaw(badMode);
    s.pushRaw(JSON.stringify({ correlationID: "d7", errorCode: "E1002", errorMessage: "Invalid Request. Subscription Limit Exceeded" }));
    s.push({ token: "3045", exchangeType: 1, price: 81_000, at: AT, seq: 1 });
    s.push({ token: "3045", exchangeType: 1, price: 81_005, at: AT, seq: 2 });
    await waitFor("the good tick", () => good.length === 1);
    expect(good[0]).toMatchObject({ ltp: 81_005, seq: 2 });
    expect(h.errors).toEqual([
      "malformed tick packet: packet too short: 10 bytes (an LTP packet has 51)",
      "malformed tick packet: unknown subscription mode 9",
      "server error E1002: Invalid Request. Subscription Limit Exceeded (request d7)",
      "tick handler failed on 3045: boom",
    ]);
    expect(opens(h)).toBe(1);
  });

  it("refuses to hold more than 1,000 tokens on one connection", async () => {
    const s = await standIn();
    const h = client(s.url);
    const tokens = Array.from({ length: 1000 }, (_, i) => String(10_000 + i));
    h.ws.subscribe(1, [{ exchangeType: 2, tokens }]);
    expect(() => h.ws.subscribe(2, [{ exchangeType: 1, tokens: ["3045"] }])).toThrow(/at most 1000 tokens/);
    // The same token in another mode is the same token.
    h.ws.subscribe(2, [{ exchangeType: 2, tokens: ["10000"] }]);
  });
});

describe("AngelWs lets the process exit", () => {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const entry = fileURLToPath(new URL("../../../src/engine/feed/angel-ws.ts", import.meta.url));

  /** Runs a client in a fresh process that must end by itself, with nothing killing it, within the deadline. */
  function runChild(url: string, closeWhen: "tick" | "closed"): Promise<{ code: number | null; out: string; hung: boolean }> {
    const script = `
      const { AngelWs } = await import(${JSON.stringify(entry)});
      const ws = new AngelWs({
        url: process.env.WS_URL,
        credentials: JSON.parse(process.env.WS_CREDS),
        // A retry or ping timer left behind would hold the process far past the deadline.
        backoffBaseMs: 60_000, backoffMaxMs: 60_000, pingIntervalMs: 60_000,
        onTick: (t) => { console.log("TICK " + t.ltp); void ws.close().then(() => console.log("CLOSED")); },
        onState: (s) => {
          console.log("STATE " + s);
          if (s === "closed" && process.env.CLOSE_WHEN === "closed") setImmediate(() => void ws.close().then(() => console.log("CLOSED")));
        },
      });
      ws.subscribe(1, [{ exchangeType: 1, tokens: ["3045"] }]);
      ws.start();
    `;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", WS_URL: url, WS_CREDS: JSON.stringify(CREDS), CLOSE_WHEN: closeWhen },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    return new Promise((resolve) => {
      const deadline = setTimeout(() => {
        child.kill("SIGKILL");
        resolve({ code: null, out, hung: true });
      }, 15_000);
      child.on("exit", (code) => {
        clearTimeout(deadline);
        resolve({ code, out, hung: false });
      });
    });
  }

  it("after a tick on an open connection", async () => {
    const s = await standIn();
    const done = runChild(s.url, "tick");
    await waitFor("the child's subscription", () => s.subscriptions().length === 1, 15_000);
    s.push({ token: "3045", exchangeType: 1, price: 81_000, at: AT, seq: 1 });
    const r = await done;
    expect(r.hung, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("TICK 81000");
    expect(r.out).toContain("CLOSED");
  });

  it("while it waits to reconnect", async () => {
    const s = await standIn();
    const url = s.url;
    await s.close();
    const r = await runChild(url, "closed");
    expect(r.hung, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim().split("\n")).toEqual(["STATE connecting", "STATE closed", "STATE stopped", "CLOSED"]);
  });
});

describe("the real smartapi-javascript WebSocketV2 client", () => {
  it("connects to the stand-in and decodes one of its LTP packets", async () => {
    const s = await standIn();
    const require = createRequire(import.meta.url);
    const { CONSTANTS } = require("smartapi-javascript/config/constant.js") as { CONSTANTS: { websocketURL: string } };
    const WebSocketV2 = require("smartapi-javascript/lib/websocket2.0.js") as new (p: Record<string, string>) => {
      connect(): Promise<unknown>;
      on(e: "tick", cb: (t: unknown) => void): void;
      fetchData(req: Record<string, unknown>): void;
      close(): void;
    };
    const original = CONSTANTS.websocketURL;
    CONSTANTS.websocketURL = s.url; // read when the client is constructed
    // Its ping interval outlives close(); record its timers so they can be cleared.
    const timers: NodeJS.Timeout[] = [];
    const realSetInterval = globalThis.setInterval;
    globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
      const t = realSetInterval(...args);
      timers.push(t);
      return t;
    }) as typeof setInterval;
    try {
      const lib = new WebSocketV2({ clientcode: CREDS.clientCode, jwttoken: `Bearer ${CREDS.jwt}`, apikey: CREDS.apiKey, feedtype: CREDS.feedToken });
      const seen: unknown[] = [];
      lib.on("tick", (t) => seen.push(t));
      await lib.connect();
      globalThis.setInterval = realSetInterval;
      lib.fetchData({ correlationID: "abc", action: 1, mode: 1, exchangeType: 1, tokens: ["3045"] });
      await waitFor("the library's subscription", () => s.subscriptions().length === 1);
      s.push({ token: "3045", exchangeType: 1, price: 81_235, at: AT, seq: 77 });
      await waitFor("the library's tick", () => seen.some((t) => typeof t === "object"));
      expect(seen.find((t) => typeof t === "object")).toEqual({
        subscription_mode: "1",
        exchange_type: "1",
        token: '"3045"',
        sequence_number: "77",
        exchange_timestamp: String(AT.getTime()),
        last_traded_price: "81235",
      });
      lib.close();
    } finally {
      globalThis.setInterval = realSetInterval;
      for (const t of timers) clearInterval(t);
      CONSTANTS.websocketURL = original;
    }
  });
});
