/**
 * Secrets never leave the process: the bot runs with a real-looking bot token, a
 * DATABASE_URL with a password and an OpenAI-style key in its redactor (as
 * src/main.ts builds it), is driven through commands, refusals and failures (a
 * Telegram 5xx, a dropped connection, a blocked chat, errors that reach the catch
 * handler), and then every log line, everything printed, every call the bot made
 * and every message it sent is searched for each secret. `dalal config` prints
 * each secret as ***, from the environment and from .env, and bad values too.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { SECURITY_BOT_TOKEN as BOT_TOKEN, SECURITY_DATABASE_URL as DATABASE_URL, SECURITY_DB_PASSWORD as DB_PASSWORD, SECURITY_OPENAI_API_KEY as OPENAI_API_KEY } from "../helpers/secrets.js";
import { IDS, startHarness, type Harness } from "./helpers.js";

// From the run's list of secrets: the whole-run scan (global-setup.ts) searches every log for them too.

/** What must never be seen: each secret, and the token's secret half on its own. */
const SECRETS: Record<string, string> = {
  "bot token": BOT_TOKEN,
  "bot token's secret part": BOT_TOKEN.split(":")[1]!,
  DATABASE_URL,
  "database password": DB_PASSWORD,
  "OpenAI key": OPENAI_API_KEY,
};

function found(haystack: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, secret]) => haystack.includes(secret))
    .map(([name]) => name);
}

describe("secrets stay out of the logs, the chat and `dalal config`", () => {
  let h: Harness;

  beforeAll(async () => {
    // As src/main.ts: makeRedactor([TELEGRAM_BOT_TOKEN, DATABASE_URL, its password]), plus the OpenAI key.
    h = await startHarness({ token: BOT_TOKEN, secrets: [DATABASE_URL, new URL(DATABASE_URL).password, OPENAI_API_KEY] });
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  it("a run with commands, refusals and Telegram failures logs, prints and sends none of them", async () => {
    expect(h.tg.token).toBe(BOT_TOKEN);
    const send = (text: string, chatId: number = IDS.chat, userId: number = IDS.user) => h.send(chatId, userId, text, 30_000);

    for (const text of ["/start", "/status", "/signals", "/positions", "/pnl all", "/trades 5", "/balance", "/performance", "/strategies", "/notify", "/breaker", "/help"]) {
      const x = await send(text);
      expect(x.calls.filter((c) => c.method === "sendMessage").every((c) => c.status === 200), text).toBe(true);
    }
    // A decision, an exit asked and confirmed.
    await send(`/approve ${h.pendingIds[0]}`);
    const exit = await send("/exit M&M");
    const confirm = (exit.sent[0]!.call.params.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard[0]![0]!.callback_data;
    await h.press(IDS.chat, IDS.user, confirm, { messageId: exit.sent[0]!.messageId });
    // The admin's switches.
    await send("/halt", IDS.adminChat, IDS.adminUser);
    await send("/unhalt", IDS.adminChat, IDS.adminUser);
    // Refused: a stranger's message and button press (audited as a warning).
    await send("/status", IDS.strangerChat, IDS.strangerUser);
    await h.press(IDS.strangerChat, IDS.strangerUser, `a:${h.pendingIds[1] ?? "x"}`);

    // Telegram fails: a 5xx and a dropped connection (both retried by auto-retry after 3 s), then a chat that
    // blocked the bot (403, the catch handler logs it).
    h.tg.failNext("sendMessage", 1, { kind: "5xx", status: 502 });
    const retried = await send("/status", IDS.chat, IDS.user);
    expect(retried.calls.filter((c) => c.method === "sendMessage").map((c) => c.status)).toEqual([502, 200]);
    h.tg.failNext("sendMessage", 1, { kind: "drop" });
    const dropped = await send("/balance", IDS.chat, IDS.user);
    expect(dropped.calls.filter((c) => c.method === "sendMessage").map((c) => c.fault ?? c.status)).toEqual(["drop", 200]);
    await send("/start", IDS.otherAllowedChat, IDS.otherUser);
    h.tg.setBlocked(IDS.otherAllowedChat, true);
    await send("/status", IDS.otherAllowedChat, IDS.otherUser);
    h.tg.setBlocked(IDS.otherAllowedChat, false);
    // Errors that reach the catch handler with a stack (a database error; an overlong reply).
    await send("/approve a\u0000b");
    await send(`/pnl ${"x".repeat(4_090)}`);
    // A driver error that quotes the connection string, logged as an Error object.
    h.log.error("database connection failed", { error: new Error(`connect ECONNREFUSED ${DATABASE_URL} (key ${OPENAI_API_KEY})`), url: DATABASE_URL });

    const lines = h.logLines();
    // The search covers a real log: refusals, the catch handler's errors with their stacks, the masked error.
    expect(lines.some((l) => l.includes('"level":"warn"') && l.includes("refused message from chat 6666"))).toBe(true);
    expect(lines.some((l) => l.includes('"update failed"') && l.includes("Forbidden: bot was blocked by the user"))).toBe(true);
    expect(lines.some((l) => l.includes('"update failed"') && l.includes('"stack":'))).toBe(true);
    const masked = lines.find((l) => l.includes("database connection failed"))!;
    expect(masked).toContain("connect ECONNREFUSED *** (key ***)");
    expect(masked).toContain('"url":"***"');

    const where: Record<string, string> = {
      "the log file": lines.join("\n"),
      "stdout and stderr": h.output.join(""),
      "the bot's API calls": JSON.stringify(h.tg.calls.map((c) => ({ method: c.method, params: c.params, error: c.error }))),
      "the messages sent": JSON.stringify(h.tg.messages(undefined, { includeDeleted: true })),
      "the button answers": JSON.stringify(h.tg.answeredCallbacks),
    };
    const leaks = Object.entries(where).flatMap(([place, text]) => found(text).map((name) => `${name} in ${place}`));
    expect(leaks).toEqual([]);
    expect(h.unhandled).toEqual([]);
  }, 60_000);

  describe("dalal config", () => {
    let dir: string;
    const run = async (env: NodeJS.ProcessEnv, cwd: string) => {
      let out = "";
      let err = "";
      const code = await runCli(["config"], { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env, cwd });
      return { code, out, err };
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "dalal-config-"));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("prints *** for the token and the database URL set in the environment, and never the OpenAI key", async () => {
      const r = await run({ TELEGRAM_BOT_TOKEN: BOT_TOKEN, DATABASE_URL, OPENAI_API_KEY, DALAL_HOME: join(dir, "home") }, dir);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^TELEGRAM_BOT_TOKEN=\*\*\* {2}\(env\)$/m);
      expect(r.out).toMatch(/^DATABASE_URL=\*\*\* {2}\(env\)$/m);
      expect(found(r.out)).toEqual([]);
    });

    it("prints *** for secrets read from .env", async () => {
      const withEnvFile = mkdtempSync(join(dir, "dotenv-"));
      writeFileSync(join(withEnvFile, ".env"), `TELEGRAM_BOT_TOKEN=${BOT_TOKEN}\nDATABASE_URL=${DATABASE_URL}\nOPENAI_API_KEY=${OPENAI_API_KEY}\n`);
      const r = await run({ DALAL_HOME: join(dir, "home") }, withEnvFile);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^TELEGRAM_BOT_TOKEN=\*\*\* {2}\(\.env\)$/m);
      expect(r.out).toMatch(/^DATABASE_URL=\*\*\* {2}\(\.env\)$/m);
      expect(found(r.out + r.err)).toEqual([]);
    });

    it("names a bad secret without printing it", async () => {
      const badToken = `not a token ${BOT_TOKEN.split(":")[1]}`;
      const badUrl = `mysql://dalal:${DB_PASSWORD}@db.internal.example/dalal`;
      const r = await run({ TELEGRAM_BOT_TOKEN: badToken, DATABASE_URL: badUrl, CAPITAL: "lots", OPENAI_API_KEY }, dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/TELEGRAM_BOT_TOKEN: expected a bot token like 123456:ABC-def \(from @BotFather\) \(got \*\*\*\)/);
      expect(r.err).toMatch(/DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL \(got \*\*\*\)/);
      expect(r.err).toMatch(/CAPITAL: .*got "lots"/);
      expect(found(r.out + r.err)).toEqual([]);
      expect(r.out + r.err).not.toContain(DB_PASSWORD);
    });
  });
});
