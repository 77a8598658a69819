/**
 * Every secret the tests give Dalal, in one list: bot tokens, webhook secrets,
 * OpenAI keys, Angel One credentials and database passwords. The whole-run
 * scan (tests/security/global-setup.ts) searches every log the run wrote for
 * each of them, and names a leak by its label, never by its value.
 *
 * Secrets made at random while a test runs (the stand-ins' session tokens, the
 * LLM stand-in's key) are listed by their shape. tests/security/secret-list.test.ts
 * fails when a test hands Dalal a secret literal that is missing here.
 */
import { STANDIN_CREDENTIALS } from "../stand-ins/smartapi/sessions.js";

export interface TestSecret {
  /** What the secret is; the only thing a report ever shows. */
  label: string;
  /** The value, or the shape of values made at random. */
  value: string | RegExp;
}

// ── Used by the security suite (imported from here) ──

/** A fake token shaped as @BotFather issues them (the bot's id, a colon, 35 characters), built rather than written out. */
export const SECURITY_BOT_TOKEN = `7345812345:${"FAKE-test-token-".repeat(3).slice(0, 35)}`;
export const SECURITY_DB_PASSWORD = "pg-Wm4tKq9ZxR2vLb7NcY5pHd3s";
export const SECURITY_DATABASE_URL = `postgres://dalal:${SECURITY_DB_PASSWORD}@db.internal.example:5432/dalal`;
export const SECURITY_OPENAI_API_KEY = "sk-proj-Tz8Qw3Lm5Rx1Nb7Kc9Vy2Hd4Fs6Gj0PaUeXoYiMnBq";
/** WEBHOOK_SECRET of the webhook fuzzing: distinctive in every 10-character window. */
export const FUZZ_WEBHOOK_SECRET = "whk-Q7f2Lx9TzB4mN8pR3vKc";

// ── Used elsewhere in the suite, as literals in those tests ──

/** The Telegram stand-in's default token (tests/stand-ins/telegram/server.ts). */
export const STANDIN_BOT_TOKEN = "123456:TEST-TOKEN-not-a-secret";

const secretPart = (token: string) => token.slice(token.indexOf(":") + 1);

export const TEST_SECRETS: readonly TestSecret[] = [
  { label: "security suite bot token", value: SECURITY_BOT_TOKEN },
  { label: "security suite bot token's secret part", value: secretPart(SECURITY_BOT_TOKEN) },
  { label: "security suite DATABASE_URL", value: SECURITY_DATABASE_URL },
  { label: "security suite database password", value: SECURITY_DB_PASSWORD },
  { label: "security suite OpenAI key", value: SECURITY_OPENAI_API_KEY },
  { label: "webhook fuzzing WEBHOOK_SECRET", value: FUZZ_WEBHOOK_SECRET },
  { label: "Telegram stand-in bot token", value: STANDIN_BOT_TOKEN },
  { label: "Telegram stand-in bot token's secret part", value: secretPart(STANDIN_BOT_TOKEN) },
  { label: "Telegram stand-in test's other bot token", value: "987654:OTHER-test-token" },
  { label: "Telegram stand-in test's other bot token's secret part", value: "OTHER-test-token" },
  { label: "config test bot token", value: "123456:ABC-def_9" },
  { label: "CLI test bot token", value: "123456:AAH-secret-token-value_987" },
  { label: "CLI test bot token's secret part", value: "AAH-secret-token-value_987" },
  { label: "config test secret bot token", value: "7654321:SuperSecretTokenText_xyz" },
  { label: "config test secret bot token's secret part", value: "SuperSecretTokenText_xyz" },
  // Webhook secrets, right and wrong (tests/e2e/webhook*.e2e.test.ts, tests/unit/intake)
  { label: "webhook e2e WEBHOOK_SECRET", value: "tv-shared-secret-0123456789" },
  { label: "BANKNIFTY webhook e2e WEBHOOK_SECRET", value: "tv-banknifty-secret-0123456789" },
  { label: "webhook process e2e WEBHOOK_SECRET", value: "tv-process-secret-9876543210" },
  { label: "webhook process e2e wrong secret", value: "not-the-secret-at-all" },
  { label: "webhook secret unit test WEBHOOK_SECRET", value: "0123456789abcdef" },
  { label: "webhook secret unit test short WEBHOOK_SECRET", value: "short-secret-15" },
  // OpenAI keys
  { label: "sentiment unit test OpenAI key", value: "sk-abc123456" },
  { label: "sentiment LLM test wrong OpenAI key", value: "sk-live-abcdefghijklmnop0123456789" },
  { label: "LLM stand-in wrong OpenAI key", value: "sk-wrong-0123456789abcdef" },
  { label: "LLM stand-in OpenAI key (made at random)", value: /sk-test-[0-9a-f]{32}/ },
  // Angel One: the SmartAPI stand-in's credentials (the PIN is the login password) and other test values
  { label: "SmartAPI stand-in API key", value: STANDIN_CREDENTIALS.apiKey },
  { label: "SmartAPI stand-in PIN (the login password)", value: STANDIN_CREDENTIALS.pin },
  { label: "SmartAPI stand-in TOTP secret", value: STANDIN_CREDENTIALS.totpSecret },
  { label: "Angel One config test TOTP secret", value: "JBSWY3DPEHPK3PXP" },
  { label: "Angel One wrong TOTP secret", value: "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
  { label: "Angel One TOTP secret that is not base32", value: "not base32 at all!" },
  { label: "Angel One wrong PIN (secrets test)", value: "8642" },
  { label: "Angel One wrong PIN (session test)", value: "9999" },
  { label: "Angel One config test PIN", value: "1111" },
  { label: "Angel One wrong API key", value: "wrong-api-key-0001" },
  { label: "SmartAPI websocket test wrong API key", value: "wrong-key-123" },
  { label: "SmartAPI stand-in session token (made at random)", value: /eyJhbGciOiJIUzUxMiJ9\.[A-Za-z0-9_-]{64}\.[A-Za-z0-9_-]{86}/ },
  { label: "SmartAPI websocket test API key", value: "kA9xQ2api" },
  { label: "SmartAPI websocket test feed token", value: "feed-tok-77" },
  // Database passwords in DATABASE_URL values
  { label: "CLI test database password", value: "hunter2pass" },
  { label: "config test database password", value: "VerySecretPassword" },
  { label: "health test database password", value: "s3cr3t-pass" },
];

/**
 * Where a secret occurs in a text. A short one (a 4-digit PIN) only where it is
 * named (pin=4321, "password":"4321"): the same four digits in a price, a
 * quantity or a date are not a leak, and a bare number cannot be told apart.
 */
export function secretPattern(s: TestSecret): RegExp {
  if (s.value instanceof RegExp) return new RegExp(s.value.source, "g");
  const escaped = s.value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return s.value.length < 8 ? new RegExp(`(?:pin|password|passcode)[^A-Za-z0-9]{1,4}${escaped}(?![A-Za-z0-9]|\\.\\d)`, "gi") : new RegExp(escaped, "g");
}

/** The labels of the secrets a text holds. */
export function secretsIn(text: string, list: readonly TestSecret[] = TEST_SECRETS): string[] {
  return list.filter((s) => secretPattern(s).test(text)).map((s) => s.label);
}
