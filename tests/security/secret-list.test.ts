/**
 * tests/helpers/secrets.ts stays complete: every secret a test file writes as a
 * literal (a bot token, a webhook secret, an OpenAI key, an Angel One key, PIN,
 * TOTP secret or password, a database password) is in the list the whole-run
 * scan searches for. A new test with a new secret fails here until it is listed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/process.js";
import { secretsIn } from "../helpers/secrets.js";

/** Where a test writes a secret as a literal: the value is the first group. */
const LITERALS: Array<[string, RegExp]> = [
  ["a secret setting", /\b(?:WEBHOOK_SECRET|TELEGRAM_BOT_TOKEN|OPENAI_API_KEY|ANGEL_API_KEY|ANGEL_PIN|ANGEL_TOTP_SECRET|ANGEL_PASSWORD)\s*:\s*"([^"]*)"/g],
  ["a secret constant", /\b(?:const|let)\s+[A-Z_]*(?:SECRET|TOKEN|API_KEY|PASSWORD)[A-Z_]*\s*=\s*"([^"]*)"/g],
  ["a credential", /\b(?:apiKey|totpSecret|pin|password|secret)\s*:\s*"([^"]*)"/g],
  ["a bot token", /"(\s*\d{5,}:[A-Za-z0-9_-]{8,}\s*)"/g],
  ["an OpenAI key", /["'`](sk-[A-Za-z0-9-]{6,})["'`]/g],
  ["a database password", /postgres(?:ql)?:\/\/[^:"'`\s/]+:([^@"'`\s$]+)@/g],
];

/** Literals those patterns take that are not secrets handed to Dalal, each with why. */
const NOT_SECRETS = new Map<string, string>([
  ["[redacted]", "what the SmartAPI stand-in records instead of the password"],
  ["nonsense", "a value refused as a bot token before any use"],
  ["not base32!", "a value refused as a TOTP secret before any use"],
  ["99926009", "NIFTY BANK's instrument token: public"],
]);

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the list of the tests' secrets", () => {
  it("holds every secret a test writes as a literal", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of testFiles(join(ROOT, "tests"))) {
      const text = readFileSync(file, "utf8");
      for (const [what, re] of LITERALS) {
        for (const m of text.matchAll(re)) {
          const value = m[1]!.trim();
          // One or two characters (ANGEL_API_KEY: "k") are refused by the config before any use, and cannot be searched for.
          // Not a value: code the pattern ran into (a template, a call inside an assertion's string).
          if (value.length < 4 || /\$\{|[()]/.test(value) || NOT_SECRETS.has(value)) continue;
          seen++;
          // As a short PIN is searched for: where it is named.
          if (secretsIn(value.length < 8 ? `pin=${value}` : value).length === 0) missing.push(`${relative(ROOT, file)}: ${what} (${value.length} characters) at offset ${m.index}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(20);
    expect(missing, "add these to TEST_SECRETS in tests/helpers/secrets.ts").toEqual([]);
  });
});
