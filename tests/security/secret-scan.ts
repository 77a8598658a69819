/**
 * The whole-run secret scan: every file in the run's log directory (what each
 * Dalal logger wrote, what each child process printed) searched for every
 * secret the tests use. A finding names the file and the secret's label, never
 * the secret.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { secretPattern, type TestSecret } from "../helpers/secrets.js";

export interface ScanResult {
  files: number;
  lines: number;
  /** "<file> (<where it came from>): <label> on N lines" */
  findings: string[];
}

export function scanLogs(dir: string, secrets: readonly TestSecret[]): ScanResult {
  const names = readdirSync(dir).filter((n) => n.endsWith(".log") && statSync(join(dir, n)).isFile()).sort();
  const patterns = secrets.map((s) => ({ label: s.label, re: secretPattern(s) }));
  const result: ScanResult = { files: names.length, lines: 0, findings: [] };
  for (const name of names) {
    const lines = readFileSync(join(dir, name), "utf8").split("\n").filter((l) => l !== "");
    result.lines += lines.length;
    for (const { label, re } of patterns) {
      const hits = lines.filter((l) => {
        re.lastIndex = 0;
        return re.test(l);
      }).length;
      if (hits) result.findings.push(`${name} (${origin(dir, name)}): ${label} on ${hits} line${hits === 1 ? "" : "s"}`);
    }
  }
  return result;
}

/** Which test started the child that wrote a file; a worker's own log holds several test files' lines. */
function origin(dir: string, name: string): string {
  const child = /^(child-\d+-\d+-\w+)\./.exec(name);
  if (!child) return "a Dalal logger in a test worker";
  try {
    return `a child process of ${readFileSync(join(dir, `${child[1]}.from`), "utf8").trim()}`;
  } catch {
    return "a child process";
  }
}

/** Markers of a test file that starts Dalal (in the process or as a child) and so must leave log lines. */
export const STARTS_DALAL = ["startDalal(", "startHarness(", "createLogger(", "order-flow-child"];
