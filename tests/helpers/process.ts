/** Runs `dalal` as a real child process, the way a user does. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const DALAL = fileURLToPath(new URL("../../bin/dalal.js", import.meta.url));

export interface DalalProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** The environment for a child: only what the test says, plus PATH, so a developer's own settings never leak in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extra };
}

export function startDalal(args: string[], env: Record<string, string>, opts: { cwd?: string; stdin?: string } = {}): DalalProcess {
  const child = spawn(process.execPath, [DALAL, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (err += d));
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForOutput(re, timeoutMs = 30_000) {
      const start = Date.now();
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`dalal exited (${child.exitCode}) before printing ${re}.\nstdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${re}.\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
