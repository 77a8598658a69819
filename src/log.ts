/**
 * A small line logger. Values pass through `redact`, which masks every
 * configured secret wherever it appears.
 *
 * Under the test suite (DALAL_TEST_LOG_DIR set) every line is also appended,
 * as written, to dalal-<pid>.log in that directory: the run's logs are then
 * searched for the secrets the tests use.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, detail?: Record<string, unknown>): void;
  info(msg: string, detail?: Record<string, unknown>): void;
  warn(msg: string, detail?: Record<string, unknown>): void;
  error(msg: string, detail?: Record<string, unknown>): void;
}

export function makeRedactor(secrets: Array<string | undefined>): (s: string) => string {
  const list = secrets.filter((s): s is string => typeof s === "string" && s.length >= 4).sort((a, b) => b.length - a.length);
  return (s) => {
    let out = s;
    for (const secret of list) out = out.split(secret).join("***");
    return out;
  };
}

export function createLogger(opts: { level: Level; file?: string; stderr?: boolean; redact?: (s: string) => string }): Logger {
  const redact = opts.redact ?? ((s: string) => s);
  const testDir = process.env.DALAL_TEST_LOG_DIR;
  const files = [opts.file, testDir ? join(testDir, `dalal-${process.pid}.log`) : undefined].filter((f): f is string => !!f);
  const write = (level: Level, msg: string, detail?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[opts.level]) return;
    const line = redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...(detail ?? {}) }, errorReplacer)) + "\n";
    for (const file of files) {
      try {
        appendFileSync(file, line);
      } catch {
        /* the log must never take the desk down */
      }
    }
    if (opts.stderr) process.stderr.write(line);
  };
  return {
    debug: (m, d) => write("debug", m, d),
    info: (m, d) => write("info", m, d),
    warn: (m, d) => write("warn", m, d),
    error: (m, d) => write("error", m, d),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
