/**
 * The whole-run secret scan's own checks: it finds a secret (a fixed value, a
 * shape, a 4-digit PIN only as a word of its own) in any log file, names the
 * file and the label and never the value; and in this very run the plumbing is
 * live: the run's log directory is set, a Dalal logger writes each line there,
 * and a child process a test spawns (with the environment the test chose)
 * logs there and has what it prints copied there.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { secretsIn, TEST_SECRETS, type TestSecret } from "../helpers/secrets.js";
import { scanLogs } from "./secret-scan.js";

describe("the whole-run secret scan", () => {
  const scratch = mkdtempSync(join(tmpdir(), "dalal-scan-test-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  // Values made for this test only: never in the run's list, so the run's own scan is not set off.
  const planted: TestSecret[] = [
    { label: "a planted token", value: "plant-Zk3Vq8Wr1Ty6" },
    { label: "a planted key shape", value: /pk-[0-9a-f]{16}/ },
    { label: "a planted PIN", value: "8642" },
  ];

  it("names the file and the label of each secret found, never the secret, and counts what it searched", () => {
    const dir = mkdtempSync(join(scratch, "logs-"));
    writeFileSync(join(dir, "dalal-1.log"), '{"msg":"ok"}\n{"msg":"token plant-Zk3Vq8Wr1Ty6 in a URL"}\n\n');
    writeFileSync(join(dir, "child-1-1-99.stderr.log"), "login with pin=8642\nkey pk-0123456789abcdef\n");
    writeFileSync(join(dir, "child-1-1-99.from"), "/repo/tests/e2e/some.e2e.test.ts\n");
    // A price, a quantity or a date holding the PIN's digits is not the PIN; a file that is not a log is not searched.
    writeFileSync(join(dir, "dalal-2.log"), '{"price":186420,"qty":8642.5,"id":"a8642","n":8642,"t":"8642-01-01","pin":"***"}\n');
    writeFileSync(join(dir, "notes.txt"), "plant-Zk3Vq8Wr1Ty6\n");
    const r = scanLogs(dir, planted);
    expect(r.files).toBe(3);
    expect(r.lines).toBe(5);
    expect(r.findings.sort()).toEqual([
      "child-1-1-99.stderr.log (a child process of /repo/tests/e2e/some.e2e.test.ts): a planted PIN on 1 line",
      "child-1-1-99.stderr.log (a child process of /repo/tests/e2e/some.e2e.test.ts): a planted key shape on 1 line",
      "dalal-1.log (a Dalal logger in a test worker): a planted token on 1 line",
    ]);
    expect(r.findings.join("\n")).not.toContain("plant-Zk3Vq8Wr1Ty6");
    expect(scanLogs(mkdtempSync(join(scratch, "empty-")), planted)).toEqual({ files: 0, lines: 0, findings: [] });
  });

  it("the list holds every kind of secret the brief names, and finds each in a text", () => {
    const labels = TEST_SECRETS.map((s) => s.label).join("\n");
    for (const kind of [/bot token/, /WEBHOOK_SECRET/, /OpenAI key/, /API key/, /PIN/, /TOTP secret/, /database password/]) expect(labels).toMatch(kind);
    for (const s of TEST_SECRETS) {
      const sample = typeof s.value === "string" ? (s.value.length < 8 ? `"password":"${s.value}"` : s.value) : s.label.includes("LLM") ? `sk-test-${"ab".repeat(16)}` : `eyJhbGciOiJIUzUxMiJ9.${"a".repeat(64)}.${"b".repeat(86)}`;
      expect(secretsIn(`before ${sample} after`), s.label).toContain(s.label);
    }
  });

  describe("in this run", () => {
    const dir = process.env.DALAL_TEST_LOG_DIR;

    it("the run's log directory is set (vitest globalSetup)", () => {
      expect(dir, "DALAL_TEST_LOG_DIR: is tests/security/global-setup.ts in vitest.config.ts?").toBeTruthy();
    });

    it("a Dalal logger appends each line it writes there too, redacted as it is", () => {
      const own = join(scratch, "own.log");
      const log = createLogger({ level: "info", file: own, redact: (s) => s.replace("masked-here", "***") });
      const marker = `scan-marker-${process.pid}-${Date.now()}`;
      log.info("a line for the scan", { marker, hidden: "masked-here" });
      log.debug("below the level", { marker });
      const copy = readFileSync(join(dir!, `dalal-${process.pid}.log`), "utf8").split("\n").filter((l) => l.includes(marker));
      expect(copy).toEqual(readFileSync(own, "utf8").split("\n").filter((l) => l.includes(marker)));
      expect(copy).toHaveLength(1);
      expect(copy[0]).toContain('"hidden":"***"');
    });

    it("a Dalal child process spawned with an environment of the test's own logs there, and what it prints is copied there", async () => {
      const marker = `child-marker-${process.pid}-${Date.now()}`;
      const before = new Set(readdirSync(dir!));
      // A stand-in for a *-child.ts of the suite (plain JavaScript: Node runs it as such): what it prints, and the log directory it was given.
      const program = join(scratch, "print-child.ts");
      writeFileSync(program, `process.stdout.write("out ${marker} " + process.env.DALAL_TEST_LOG_DIR + "\\n"); process.stderr.write("err ${marker}\\n");\n`);
      const child = spawn(process.execPath, [program], { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      await new Promise((resolve) => child.on("close", resolve));
      // The test reads its child as before.
      expect(out).toBe(`out ${marker} ${dir}\n`);
      const added = readdirSync(dir!).filter((n) => !before.has(n));
      const text = (suffix: string) => added.filter((n) => n.endsWith(suffix)).map((n) => readFileSync(join(dir!, n), "utf8")).join("");
      expect(text(".stdout.log")).toBe(`out ${marker} ${dir}\n`);
      expect(text(".stderr.log")).toBe(`err ${marker}\n`);
      expect(text(".from")).toContain("tests/security/secret-scan.test.ts");
    });

    it("another child (a test's own script) gets the directory, but what it prints is its test's data, not copied", async () => {
      const before = new Set(readdirSync(dir!));
      const child = spawn(process.execPath, ["-e", "process.stdout.write(String(process.env.DALAL_TEST_LOG_DIR))"], { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout!.on("data", (d) => (out += d));
      await new Promise((resolve) => child.on("close", resolve));
      expect(out).toBe(dir);
      expect(readdirSync(dir!).filter((n) => !before.has(n) && n.startsWith(`child-${process.pid}-`))).toEqual([]);
    });
  });
});
