/**
 * Once per test run (vitest globalSetup): every Dalal log the run produces is
 * collected in one directory (DALAL_TEST_LOG_DIR: src/log.ts appends each line
 * there too, and capture-children.ts copies what child processes print), and
 * at the end the whole directory is searched for every secret in
 * tests/helpers/secrets.ts. A secret found fails the run, naming the file and
 * the secret's label. So does a run that started Dalal but collected not one
 * log line: the scan cannot pass by searching nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { TEST_SECRETS } from "../helpers/secrets.js";
import { scanLogs, STARTS_DALAL } from "./secret-scan.js";

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "dalal-test-logs-"));
  process.env.DALAL_TEST_LOG_DIR = dir;

  return () => {
    const result = scanLogs(dir, TEST_SECRETS);
    const ran = testFilesRun(project);
    const startedDalal = ran === null ? ["(the run's files are unknown)"] : ran.filter((f) => STARTS_DALAL.some((m) => source(f).includes(m)));
    const summary = `secret scan: ${result.files} log file${result.files === 1 ? "" : "s"}, ${result.lines} line${result.lines === 1 ? "" : "s"} searched for ${TEST_SECRETS.length} secrets`;
    const problems: string[] = [...result.findings];
    if (result.lines === 0 && startedDalal.length > 0) problems.push(`no log line was collected, though these files start Dalal: ${startedDalal.slice(0, 5).join(", ")}`);
    if (problems.length === 0) {
      console.log(`${summary}: none found`);
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    console.error(`${summary}: FAILED (the logs are kept in ${dir})\n${problems.map((p) => `  ${p}`).join("\n")}`);
    process.exitCode = 1;
  };
}

/** The test files of this run (null if vitest does not say). */
function testFilesRun(project: TestProject): string[] | null {
  try {
    return project.vitest.state.getFiles().map((f) => f.filepath);
  } catch {
    return null;
  }
}

function source(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
