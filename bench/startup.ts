/**
 * Start-up time to ready: `dalal start` in a child process (console chat, paper,
 * the replay paused far in its data), from spawn to the line that says the
 * console chat is up; the first start also creates and seeds its embedded
 * database, the second opens it. The child's own peak memory is read from the
 * kernel's high-water mark before it is told to stop.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const DALAL = fileURLToPath(new URL("../bin/dalal.js", import.meta.url));

async function startOnce(home: string): Promise<{ ms: number; peakMiB: number | null }> {
  const t = performance.now();
  const child = spawn(process.execPath, [DALAL, "start"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DALAL_HOME: home, HTTP_PORT: "0", REPLAY_FROM: "2025-09-01", REPLAY_PACE_MS: "60000" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", () => {});
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  for (;;) {
    if (/Console chat/.test(out)) break;
    if (child.exitCode !== null) throw new Error(`start-up bench: dalal exited (${child.exitCode}) before it was ready`);
    if (performance.now() - t > 120_000) throw new Error("start-up bench: not ready within 120 s");
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t;
  let peakMiB: number | null = null;
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
    if (hwm) peakMiB = Math.round(Number(hwm) / 1024);
  } catch {
    /* not Linux: no figure */
  }
  child.stdin.end();
  await exited;
  return { ms, peakMiB };
}

export async function startupTime(): Promise<{ firstMs: number; againMs: number; peakMiB: number | null }> {
  const home = mkdtempSync(join(tmpdir(), "dalal-bench-start-"));
  try {
    const first = await startOnce(home);
    const again = await startOnce(home);
    return { firstMs: first.ms, againMs: again.ms, peakMiB: again.peakMiB };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
