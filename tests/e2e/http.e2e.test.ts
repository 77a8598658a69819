/**
 * Dalal as a real process (embedded database, its notifications going to the
 * Telegram stand-in): GET /health answers with all four checks, GET /metrics in
 * the Prometheus text format counts the replay's signals as the trader sees them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDalal, type DalalProcess } from "../helpers/process.js";
import { startTelegramStandIn, type TelegramStandIn } from "../stand-ins/telegram/server.js";

const CHAT = 1001;
const USER = 501;

describe("the HTTP server of a running Dalal", () => {
  let tg: TelegramStandIn;
  let home: string;
  let dalal: DalalProcess;
  let url: string;

  beforeAll(async () => {
    tg = await startTelegramStandIn();
    home = mkdtempSync(join(tmpdir(), "dalal-http-e2e-"));
    dalal = startDalal(["start"], {
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      TELEGRAM_ALLOWED_CHAT_IDS: String(CHAT),
      TELEGRAM_ALLOWED_USER_IDS: String(USER),
      DALAL_HOME: home,
      REPLAY_FROM: "2025-01-01",
      REPLAY_TO: "2025-02-28",
      ENABLED_STRATEGIES: "sma-cross",
      REPLAY_PACE_MS: "200",
      HTTP_PORT: "0",
    });
    url = (await dalal.waitForOutput(/Health: (http:\/\/\S+)\/health/, 60_000))[1]!;
  });

  afterAll(async () => {
    if (dalal && dalal.child.exitCode === null) {
      dalal.child.kill("SIGKILL");
      await dalal.exited;
    }
    await tg?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it("answers GET /health with 200, status ok and the four checks", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      status: "ok",
      checks: {
        database: { up: true, lastError: null, kind: "pglite", ms: expect.any(Number) },
        broker: { up: true, lastError: null, name: "paper" },
        telegram: { up: true, lastError: null, mode: "bot", downSince: null, pending: expect.any(Number) },
        feed: { up: true, lastError: null, kind: "replay", at: expect.toSatisfy((v: unknown) => v === null || /^2025-0[12]-\d\dT\d\d:\d\d:00\+05:30$/.test(String(v))), finished: false, stale: false },
      },
    });
    expect(JSON.stringify(body)).not.toContain(tg.token);
  });

  it("refuses POST /health with 405 and an unknown path with 404", async () => {
    const post = await fetch(`${url}/health`, { method: "POST" });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ error: "use GET /health" });
    expect((await fetch(`${url}/webhook`)).status).toBe(404);
  });

  it("serves /metrics: the desk's gauges, Node's process metrics, and the signals the trader was sent", async () => {
    const first = await fetch(`${url}/metrics`);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await first.text();
    expect(text).toMatch(/^dalal_open_positions 0$/m);
    expect(text).toMatch(/^dalal_equity_rupees \d+(\.\d+)?$/m);
    expect(text).toMatch(/^dalal_halted 0$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);

    // The replay waits while a signal waits for its decision: once the cards are out,
    // the count of proposed signals is the count of cards with buttons.
    await tg.waitForMessage(CHAT, (m) => /signal sma-cross-/.test(m.text ?? "") && Boolean(m.reply_markup), { timeoutMs: 45_000 });
    const cards = () => tg.messages(CHAT).filter((m) => /signal sma-cross-/.test(m.text ?? "") && m.reply_markup?.inline_keyboard?.length).length;
    const proposed = async () => {
      const m = /^dalal_signals_total\{strategy="sma-cross",status="proposed"\} (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text());
      return m ? Number(m[1]) : 0;
    };
    const deadline = Date.now() + 10_000;
    let seen = await proposed();
    while ((seen === 0 || seen !== cards()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await proposed();
    }
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBe(cards());
  });

  it("stops cleanly on SIGTERM", async () => {
    dalal.child.kill("SIGTERM");
    expect(await dalal.exited).toBe(0);
  });
});
