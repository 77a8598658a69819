import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, SETTINGS, STRATEGY_NAMES, allowedChats, describeConfig, isSecret, loadConfig, tradingMode } from "../../../src/config.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dalal-config-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Loads with only the given variables (never the real process environment). */
const load = (env: Record<string, string> = {}) => loadConfig(env, dir);

/** The ConfigError thrown for env, or a failure when none is thrown. */
function problemsFor(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe("defaults", () => {
  it("fills every setting with its default when nothing is set", () => {
    const cfg = load();
    expect(cfg.CAPITAL).toBe(400000);
    expect(cfg.RISK_PER_TRADE_PCT).toBe(1.5);
    expect(cfg.REPLAY_FROM).toBe("2025-01-01");
    expect(cfg.REPLAY_TO).toBeUndefined();
    expect(cfg.REPLAY_PACE_MS).toBe(2000);
    expect(cfg.SIGNAL_TTL_MINUTES).toBe(15);
    expect(cfg.HTTP_HOST).toBe("127.0.0.1");
    expect(cfg.HTTP_PORT).toBe(8787);
    expect(cfg.DALAL_HOME).toBe("./.dalal");
    expect(cfg.BROKER).toBe("paper");
    expect(cfg.FEED).toBe("replay");
    expect(cfg.LOG_LEVEL).toBe("info");
    expect(cfg.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.TELEGRAM_API_ROOT).toBe("https://api.telegram.org");
    expect(cfg.TELEGRAM_ALLOWED_CHAT_IDS).toEqual([]);
    expect(cfg.ENABLED_STRATEGIES).toEqual([...STRATEGY_NAMES]);
    expect(cfg.AUTO_ACCEPT_STRATEGIES).toEqual([]);
  });

  it("marks every setting's source as default", () => {
    const cfg = load();
    for (const name of Object.keys(SETTINGS)) expect(cfg.sources[name as keyof typeof SETTINGS], name).toBe("default");
  });
});

describe("values from the environment and from .env", () => {
  it("parses numbers, lists and trims", () => {
    const cfg = load({
      CAPITAL: " 250000.5 ",
      RISK_PER_TRADE_PCT: "2",
      HTTP_PORT: "0",
      SIGNAL_TTL_MINUTES: "1440",
      REPLAY_FROM: "2024-02-29",
      REPLAY_TO: "2024-02-29",
      TELEGRAM_ALLOWED_CHAT_IDS: " 12, -1001234567890 ,,",
      TELEGRAM_ADMIN_CHAT_ID: "99",
      TELEGRAM_BOT_TOKEN: " 123456:ABC-def_9 ",
      TELEGRAM_API_ROOT: "http://localhost:8081///",
      DATABASE_URL: "postgresql://u:p@h/db",
      ENABLED_STRATEGIES: "SMA-Cross",
    });
    expect(cfg.CAPITAL).toBe(250000.5);
    expect(cfg.RISK_PER_TRADE_PCT).toBe(2);
    expect(cfg.HTTP_PORT).toBe(0);
    expect(cfg.SIGNAL_TTL_MINUTES).toBe(1440);
    expect(cfg.REPLAY_TO).toBe("2024-02-29");
    expect(cfg.TELEGRAM_ALLOWED_CHAT_IDS).toEqual([12, -1001234567890]);
    expect(cfg.TELEGRAM_ADMIN_CHAT_ID).toBe(99);
    expect(cfg.TELEGRAM_BOT_TOKEN).toBe("123456:ABC-def_9");
    expect(cfg.TELEGRAM_API_ROOT).toBe("http://localhost:8081");
    expect(cfg.DATABASE_URL).toBe("postgresql://u:p@h/db");
    expect(cfg.ENABLED_STRATEGIES).toEqual(["sma-cross"]);
    expect(cfg.sources.CAPITAL).toBe("env");
    expect(cfg.sources.HTTP_HOST).toBe("default");
  });

  it("reads .env from cwd, and the real environment wins over it", () => {
    writeFileSync(join(dir, ".env"), "CAPITAL=500000\nHTTP_PORT=9000\n# a comment\nLOG_LEVEL=debug\n");
    const cfg = load({ CAPITAL: "600000" });
    expect(cfg.CAPITAL).toBe(600000);
    expect(cfg.sources.CAPITAL).toBe("env");
    expect(cfg.HTTP_PORT).toBe(9000);
    expect(cfg.sources.HTTP_PORT).toBe(".env");
    expect(cfg.LOG_LEVEL).toBe("debug");
    expect(cfg.sources.LOG_LEVEL).toBe(".env");
    expect(cfg.RISK_PER_TRADE_PCT).toBe(1.5);
    expect(cfg.sources.RISK_PER_TRADE_PCT).toBe("default");
  });

  it("reports a bad value that came from .env", () => {
    writeFileSync(join(dir, ".env"), "HTTP_PORT=70000\n");
    const problems = problemsFor({});
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith("HTTP_PORT:")).toBe(true);
  });

  it("ignores a .env that is not in cwd", () => {
    const other = mkdtempSync(join(tmpdir(), "dalal-config-other-"));
    try {
      writeFileSync(join(other, ".env"), "CAPITAL=123\n");
      expect(load().CAPITAL).toBe(400000);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("accepts all for strategies, and an empty auto-accept list", () => {
    expect(load({ ENABLED_STRATEGIES: "all" }).ENABLED_STRATEGIES).toEqual([...STRATEGY_NAMES]);
    expect(load({ ENABLED_STRATEGIES: " ALL " }).ENABLED_STRATEGIES).toEqual([...STRATEGY_NAMES]);
    expect(load({ AUTO_ACCEPT_STRATEGIES: "all" }).AUTO_ACCEPT_STRATEGIES).toEqual([...STRATEGY_NAMES]);
    expect(load({ AUTO_ACCEPT_STRATEGIES: "" }).AUTO_ACCEPT_STRATEGIES).toEqual([]);
  });

  it("treats an empty value as unset, so the default applies (NAME= in .env)", () => {
    const cfg = load({ ENABLED_STRATEGIES: "", CAPITAL: "", HTTP_HOST: " " });
    expect(cfg.ENABLED_STRATEGIES).toEqual([...STRATEGY_NAMES]);
    expect(cfg.CAPITAL).toBe(400000);
    expect(cfg.HTTP_HOST).toBe("127.0.0.1");
    expect(cfg.sources.CAPITAL).toBe("default");
  });

  it("refuses numbers written in hex or with exponents", () => {
    expect(problemsFor({ CAPITAL: "0x10" })[0]).toMatch(/^CAPITAL: /);
    expect(problemsFor({ CAPITAL: "4e5" })[0]).toMatch(/^CAPITAL: /);
  });

  it("refuses chat ids beyond safe integer precision", () => {
    expect(problemsFor({ TELEGRAM_ADMIN_CHAT_ID: "99999999999999999" })[0]).toMatch(/^TELEGRAM_ADMIN_CHAT_ID: /);
  });

  it("treats an empty REPLAY_TO as unset", () => {
    const cfg = load({ REPLAY_TO: "  " });
    expect(cfg.REPLAY_TO).toBeUndefined();
  });
});

describe("bad values", () => {
  it.each([
    ["CAPITAL", "abc"],
    ["CAPITAL", "-5"],
    ["CAPITAL", "0"],
    ["CAPITAL", "Infinity"],
    ["RISK_PER_TRADE_PCT", "0"],
    ["RISK_PER_TRADE_PCT", "10.5"],
    ["HTTP_PORT", "70000"],
    ["HTTP_PORT", "80.5"],
    ["SIGNAL_TTL_MINUTES", "1.5"],
    ["SIGNAL_TTL_MINUTES", "0"],
    ["REPLAY_PACE_MS", "-1"],
    ["REPLAY_FROM", "2025-13-01"],
    ["REPLAY_FROM", "2025-02-30"],
    ["REPLAY_TO", "01/02/2025"],
    ["TELEGRAM_ALLOWED_CHAT_IDS", "12,abc"],
    ["TELEGRAM_ALLOWED_USER_IDS", "1.5"],
    ["TELEGRAM_ADMIN_CHAT_ID", "admin"],
    ["TELEGRAM_BOT_TOKEN", "nonsense"],
    ["TELEGRAM_API_ROOT", "ftp://example.com"],
    ["DATABASE_URL", "mysql://x"],
    ["BROKER", "zerodha"],
    ["FEED", "live"],
    ["ENABLED_STRATEGIES", "nope"],
    ["AUTO_ACCEPT_STRATEGIES", "sma-cross,nope"],
    ["LOG_LEVEL", "verbose"],
  ])("%s=%j throws a ConfigError with one line naming the variable", (name, value) => {
    const problems = problemsFor({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith(`${name}: `)).toBe(true);
  });

  it("shows the offending value for ordinary settings", () => {
    expect(problemsFor({ CAPITAL: "abc" })[0]).toContain('"abc"');
    expect(problemsFor({ BROKER: "zerodha" })[0]).toContain('"zerodha"');
    expect(problemsFor({ REPLAY_FROM: "2025-13-01" })[0]).toContain('"2025-13-01"');
    expect(problemsFor({ TELEGRAM_ALLOWED_CHAT_IDS: "12,abc" })[0]).toContain('"abc"');
  });

  it("REPLAY_TO before REPLAY_FROM is refused", () => {
    const problems = problemsFor({ REPLAY_FROM: "2025-03-01", REPLAY_TO: "2025-02-28" });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.startsWith("REPLAY_TO: ")).toBe(true);
    expect(problems[0]).toContain("2025-03-01");
  });

  it("REPLAY_TO before the default REPLAY_FROM is refused too", () => {
    const problems = problemsFor({ REPLAY_TO: "2024-12-31" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["REPLAY_TO"]);
  });

  it("several bad values give one line each", () => {
    const problems = problemsFor({ CAPITAL: "abc", HTTP_PORT: "x", BROKER: "zerodha", TELEGRAM_BOT_TOKEN: "nonsense" });
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["BROKER", "CAPITAL", "HTTP_PORT", "TELEGRAM_BOT_TOKEN"]);
  });

  it("the error message lists every problem", () => {
    try {
      load({ CAPITAL: "abc", HTTP_PORT: "x" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).name).toBe("ConfigError");
      expect((err as Error).message).toMatch(/CAPITAL: /);
      expect((err as Error).message).toMatch(/HTTP_PORT: /);
    }
  });
});

describe("secrets", () => {
  const token = "7654321:SuperSecretTokenText_xyz";
  const dbUrl = "postgres://dalal:VerySecretPassword@db.internal:5432/dalal";

  it("isSecret marks exactly the bot token, the database URL, the Angel One key, PIN and TOTP secret, the webhook secret and the OpenAI key", () => {
    const secret = Object.keys(SETTINGS).filter((n) => isSecret(n as keyof typeof SETTINGS));
    expect(secret.sort()).toEqual(["ANGEL_API_KEY", "ANGEL_PIN", "ANGEL_TOTP_SECRET", "DATABASE_URL", "OPENAI_API_KEY", "TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"]);
  });

  it("BROKER=angelone without its settings names each missing one on its own line, and never echoes a secret", () => {
    const err = (() => {
      try {
        load({ BROKER: "angelone", ANGEL_CLIENT_CODE: "A123", ANGEL_PIN: "4321" });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems.map((p) => p.split(":")[0])).toEqual(["ANGEL_API_KEY", "ANGEL_TOTP_SECRET"]);
    expect(err.message).not.toContain("4321");
  });

  it("BROKER=angelone reads Angel's prices, is paper until LIVE_TRADING=yes, and refuses a replay feed", () => {
    const angel = { BROKER: "angelone", ANGEL_API_KEY: "k", ANGEL_CLIENT_CODE: "A1", ANGEL_PIN: "1111", ANGEL_TOTP_SECRET: "JBSWY3DPEHPK3PXP" };
    const paper = load(angel);
    expect(paper.FEED).toBe("angelone");
    expect(tradingMode(paper)).toBe("paper");
    expect(tradingMode(load({ ...angel, LIVE_TRADING: "yes" }))).toBe("live");
    expect(tradingMode(load({ ...angel, LIVE_TRADING: "true" }))).toBe("paper");
    expect(() => load({ ...angel, FEED: "replay" })).toThrow(/FEED: BROKER=angelone trades on Angel One's live prices/);
    expect(() => load({ ...angel, ANGEL_TOTP_SECRET: "not base32!" })).toThrow(/ANGEL_TOTP_SECRET: expected a base32 secret .*\(got \*\*\*\)/);
    expect(load({}).FEED).toBe("replay");
    expect(tradingMode(load({ LIVE_TRADING: "yes" }))).toBe("paper");
  });

  it("describeConfig masks secrets as *** and never contains their text", () => {
    const cfg = load({ TELEGRAM_BOT_TOKEN: token, DATABASE_URL: dbUrl });
    expect(cfg.TELEGRAM_BOT_TOKEN).toBe(token);
    const lines = describeConfig(cfg);
    expect(lines).toHaveLength(Object.keys(SETTINGS).length);
    expect(lines).toContain("TELEGRAM_BOT_TOKEN=***  (env)");
    expect(lines).toContain("DATABASE_URL=***  (env)");
    const all = lines.join("\n");
    for (const piece of [token, "SuperSecretTokenText", "7654321", dbUrl, "VerySecretPassword", "db.internal"]) expect(all).not.toContain(piece);
  });

  it("describeConfig shows unset secrets as (unset), plain values as they are", () => {
    const lines = describeConfig(load({ TELEGRAM_ALLOWED_CHAT_IDS: "1,2" }));
    expect(lines).toContain("TELEGRAM_BOT_TOKEN=(unset)  (default)");
    expect(lines).toContain("DATABASE_URL=(unset)  (default)");
    expect(lines).toContain("TELEGRAM_ALLOWED_CHAT_IDS=1,2  (env)");
    expect(lines).toContain("CAPITAL=400000  (default)");
  });

  it("a bad secret is reported without its text", () => {
    const badToken = "not-a-token-SECRETPART";
    const badUrl = "mysql://root:HUNTER2@host/db";
    try {
      load({ TELEGRAM_BOT_TOKEN: badToken, DATABASE_URL: badUrl });
      expect.unreachable();
    } catch (err) {
      const e = err as ConfigError;
      expect(e.problems).toHaveLength(2);
      const text = `${e.message}\n${e.problems.join("\n")}`;
      expect(text).not.toContain("SECRETPART");
      expect(text).not.toContain("HUNTER2");
      expect(text).not.toContain("mysql");
      expect(e.problems.find((p) => p.startsWith("TELEGRAM_BOT_TOKEN: "))).toContain("***");
      expect(e.problems.find((p) => p.startsWith("DATABASE_URL: "))).toContain("***");
    }
  });
});

describe("allowedChats", () => {
  it("is the allow-list plus the admin chat", () => {
    const cfg = load({ TELEGRAM_ALLOWED_CHAT_IDS: "12,34", TELEGRAM_ADMIN_CHAT_ID: "-1009" });
    expect([...allowedChats(cfg)].sort((a, b) => a - b)).toEqual([-1009, 12, 34]);
  });

  it("holds the admin chat alone when no list is given, and nothing when neither is", () => {
    expect([...allowedChats(load({ TELEGRAM_ADMIN_CHAT_ID: "77" }))]).toEqual([77]);
    expect(allowedChats(load()).size).toBe(0);
  });

  it("does not duplicate an admin chat already listed", () => {
    const s = allowedChats(load({ TELEGRAM_ALLOWED_CHAT_IDS: "5,6", TELEGRAM_ADMIN_CHAT_ID: "5" }));
    expect(s.size).toBe(2);
    expect(s.has(5) && s.has(6)).toBe(true);
  });
});
