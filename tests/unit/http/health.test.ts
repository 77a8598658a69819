/**
 * /health: the four checks against a real (embedded) database and a real grammY
 * client talking to the Telegram stand-in; 200 while the database answers, 503
 * when it does not.
 */
import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase, type Database } from "../../../src/db/connection.js";
import { Repo } from "../../../src/db/repo.js";
import { HealthChecks, TelegramWatch, type FeedSnapshot, type HealthDeps } from "../../../src/http/health.js";
import { startHttpServer } from "../../../src/http/server.js";
import { makeRedactor } from "../../../src/log.js";
import { startTelegramStandIn, type TelegramStandIn } from "../../stand-ins/telegram/server.js";

const T0 = Date.parse("2026-01-05T04:00:00.000Z"); // 09:30 IST
const MIN = 60_000;

describe("health checks", () => {
  let database: Database;
  let repo: Repo;
  let tg: TelegramStandIn;

  beforeAll(async () => {
    database = await openDatabase({ memory: true });
    await migrateDatabase(database);
    repo = new Repo(database.db);
    tg = await startTelegramStandIn();
  });
  afterAll(async () => {
    await tg?.close();
    await database?.close().catch(() => {});
  });

  const feedAt = (at: string | null, finished = false): FeedSnapshot => ({ kind: "replay", at: at ? new Date(at) : null, finished });

  function deps(over: Partial<HealthDeps> = {}): HealthDeps {
    return {
      database: { kind: "pglite", ping: () => repo.getSetting("health.ping") },
      broker: { name: "paper" },
      telegram: null,
      feed: { state: () => feedAt("2025-01-03T10:00:00Z"), staleAfterMs: 16 * MIN },
      ...over,
    };
  }

  it("reports stale only once the feed has stood still for staleAfterMs without finishing", async () => {
    let now = T0;
    let feed = feedAt("2025-01-03T10:00:00Z"); // 15:30 IST
    const health = new HealthChecks(deps({ now: () => now, feed: { state: () => feed, staleAfterMs: 16 * MIN } }));
    expect((await health.run()).checks.feed).toEqual({ up: true, lastError: null, kind: "replay", at: "2025-01-03T15:30:00+05:30", finished: false, stale: false });
    now += 15 * MIN; // a signal waiting out its 15-minute TTL: still fine
    expect((await health.run()).checks.feed.up).toBe(true);
    now += MIN;
    const stale = await health.run();
    expect(stale.status).toBe("degraded");
    expect(stale.checks.feed).toEqual({
      up: false,
      lastError: "the replay feed has not moved for 16 min (at 2025-01-03T15:30:00+05:30) and has not finished",
      kind: "replay",
      at: "2025-01-03T15:30:00+05:30",
      finished: false,
      stale: true,
    });
    // A stale feed degrades the desk but does not take it down: the database answers.
    expect(HealthChecks.httpStatus(stale)).toBe(200);

    feed = feedAt("2025-01-06T10:00:00Z"); // the next day played
    expect((await health.run()).checks.feed).toMatchObject({ up: true, stale: false, at: "2025-01-06T15:30:00+05:30" });
    now += 60 * MIN;
    feed = { ...feed, finished: true }; // the replay has played all its days: still is fine
    expect((await health.run()).checks.feed).toMatchObject({ up: true, lastError: null, finished: true, stale: false });
  });

  it("times a check out, masks secrets and drops stack traces", async () => {
    const url = "postgres://dalal:s3cr3t-pass@db.internal:5432/dalal";
    const health = new HealthChecks(
      deps({
        timeoutMs: 50,
        database: { kind: "postgres", ping: () => new Promise(() => {}) },
        broker: { name: "angel", ping: () => Promise.reject(new Error(`login failed for ${url}\n    at Socket.onData (node:net:1:1)\n    at x`)) },
        redact: makeRedactor([url, "s3cr3t-pass"]),
      }),
    );
    const started = Date.now();
    const report = await health.run();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.status).toBe("degraded");
    expect(report.checks.database).toMatchObject({ up: false, lastError: "the database did not answer within 50 ms", kind: "postgres" });
    expect(report.checks.broker).toEqual({ up: false, lastError: "login failed for ***", name: "angel" });
    expect(HealthChecks.httpStatus(report)).toBe(503);
  });

  it("follows Telegram through the notifications' client: down with no answer or a 5xx, up on any answer", async () => {
    let now = T0;
    const watch = new TelegramWatch(() => now);
    const api = watch.watch(new Api(tg.token, { apiRoot: tg.apiRoot }));
    const health = new HealthChecks(deps({ telegram: () => ({ ...watch.state(), pending: 3 }) }));
    expect((await health.run()).checks.telegram).toEqual({ up: true, lastError: null, mode: "bot", downSince: null, pending: 3 });

    tg.setOffline(true);
    await expect(api.sendMessage(1001, "hello")).rejects.toThrow();
    now += 5 * MIN;
    await expect(api.sendMessage(1001, "hello")).rejects.toThrow();
    const down = await health.run();
    expect(down.status).toBe("degraded");
    // Down since the first call that got no answer (09:30 IST), not the latest.
    expect(down.checks.telegram).toEqual({
      up: false,
      lastError: "no answer from Telegram (sendMessage): Network request for 'sendMessage' failed!",
      mode: "bot",
      downSince: "2026-01-05T09:30:00+05:30",
      pending: 3,
    });
    expect(JSON.stringify(down)).not.toContain(tg.token);
    expect(HealthChecks.httpStatus(down)).toBe(200);

    tg.setOffline(false);
    await api.sendMessage(1001, "back");
    expect((await health.run()).checks.telegram).toMatchObject({ up: true, lastError: null, downSince: null });

    tg.failNext("sendMessage", 1, { kind: "5xx", status: 502 });
    await expect(api.sendMessage(1001, "again")).rejects.toThrow();
    expect((await health.run()).checks.telegram).toMatchObject({ up: false, lastError: expect.stringMatching(/^Telegram answered 502 \(sendMessage\): /) });

    // A refusal (here 429, too many requests) is still an answer: Telegram is up.
    tg.failNext("sendMessage", 1, { kind: "429", retryAfter: 1 });
    await expect(api.sendMessage(1001, "slow down")).rejects.toThrow(/429/);
    expect((await health.run()).checks.telegram).toMatchObject({ up: true, lastError: null });
  });

  it("serves /health: 503 starting, 200 with every check, 405 for other methods, 404 elsewhere, 503 when the database is down", async () => {
    let ready = false;
    const health = new HealthChecks(deps());
    const http = await startHttpServer("127.0.0.1", 0, { ready: () => ready, health });
    try {
      const starting = await fetch(`${http.url}/health`);
      expect(starting.status).toBe(503);
      expect(await starting.json()).toEqual({ status: "starting" });

      ready = true;
      const ok = await fetch(`${http.url}/health`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toBe("application/json");
      expect(await ok.json()).toEqual({
        status: "ok",
        checks: {
          database: { up: true, lastError: null, kind: "pglite", ms: expect.any(Number) },
          broker: { up: true, lastError: null, name: "paper" },
          telegram: { up: true, lastError: null, mode: "console", used: false },
          feed: { up: true, lastError: null, kind: "replay", at: "2025-01-03T15:30:00+05:30", finished: false, stale: false },
        },
      });
      expect((await fetch(`${http.url}/health`, { method: "HEAD" })).status).toBe(200);

      const post = await fetch(`${http.url}/health`, { method: "POST" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD");
      expect(await post.json()).toEqual({ error: "use GET /health" });
      const none = await fetch(`${http.url}/nope?x=1`);
      expect(none.status).toBe(404);
      expect(await none.json()).toEqual({ error: "no route GET /nope" });
      // No metrics were handed over: no such route.
      expect((await fetch(`${http.url}/metrics`)).status).toBe(404);

      await database.close();
      const down = await fetch(`${http.url}/health`);
      expect(down.status).toBe(503);
      const body = (await down.json()) as { status: string; checks: Record<string, { up: boolean; lastError: string | null }> };
      expect(body.status).toBe("degraded");
      expect(body.checks.database).toMatchObject({ up: false, lastError: "PGlite is closed" });
      expect(body.checks.broker!.up).toBe(true);
    } finally {
      await http.close();
    }
  });
});
