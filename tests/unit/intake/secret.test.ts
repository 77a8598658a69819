/**
 * WEBHOOK_SECRET: at least 16 characters or start-up names the variable
 * (never the value), shown as *** by `dalal config`; compared in constant time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, describeConfig, loadConfig } from "../../../src/config.js";
import { SharedSecret } from "../../../src/http/webhook-secret.js";

const empty = mkdtempSync(join(tmpdir(), "dalal-webhook-secret-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
const load = (env: Record<string, string>) => loadConfig(env, empty);

describe("WEBHOOK_SECRET", () => {
  it("is unset by default: the intake is off", () => {
    expect(load({}).WEBHOOK_SECRET).toBeUndefined();
  });

  it("takes 16 characters or more, trimmed, and prints as ***", () => {
    const cfg = load({ WEBHOOK_SECRET: "  0123456789abcdef  " });
    expect(cfg.WEBHOOK_SECRET).toBe("0123456789abcdef");
    expect(describeConfig(cfg)).toContain("WEBHOOK_SECRET=***  (env)");
    expect(describeConfig(cfg).join("\n")).not.toContain("0123456789abcdef");
  });

  it("refuses a shorter one, naming the variable and the length, never the value", () => {
    let err: unknown;
    try {
      load({ WEBHOOK_SECRET: "short-secret-15" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(["WEBHOOK_SECRET: expected a shared secret of 16 to 1024 characters, got 15 characters"]);
    expect((err as Error).message).not.toContain("short-secret-15");
  });
});

describe("SharedSecret", () => {
  const secret = new SharedSecret("tv-shared-secret-0123456789");

  it("matches only the exact text", () => {
    expect(secret.matches("tv-shared-secret-0123456789")).toBe(true);
    for (const wrong of ["", "tv-shared-secret-012345678", "tv-shared-secret-01234567890", "TV-shared-secret-0123456789", " tv-shared-secret-0123456789", "x".repeat(100_000)]) {
      expect(secret.matches(wrong), JSON.stringify(wrong.slice(0, 40))).toBe(false);
    }
  });
});
