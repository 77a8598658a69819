/**
 * Set up in every test worker (vitest setupFiles): when the run collects its
 * logs (DALAL_TEST_LOG_DIR, set by global-setup.ts), child processes write
 * there too. Every child gets DALAL_TEST_LOG_DIR added to the environment the
 * test gave it, so a Dalal logger in it (src/log.ts) appends there. A child
 * that runs Dalal — bin/dalal.js (tests/helpers/process.ts) or a *-child.ts
 * of the suite (the reliability suite's order flow) — also has what it prints
 * copied there from its stdout and stderr as they are read. Other children
 * (a test's own script reporting back, say) print data, not logs: not copied.
 * The test still reads its child exactly as before.
 */
import childProcess, { type ChildProcess, type SpawnOptions } from "node:child_process";
import { appendFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { expect } from "vitest";

const dir = process.env.DALAL_TEST_LOG_DIR;
const MARK = Symbol.for("dalal.capture-children");
/** An argument naming a program that runs Dalal. */
const RUNS_DALAL = /(^|[/\\])(bin[/\\]dalal\.js|[\w-]+-child\.ts)$/;
type Spawn = typeof childProcess.spawn & { [MARK]?: true };

if (dir && !(childProcess.spawn as Spawn)[MARK]) {
  const original = childProcess.spawn;
  let seq = 0;

  /** Copies each chunk the stream hands on (push is how a pipe hands data to its reader), changing nothing. */
  const copy = (stream: Readable | null | undefined, file: string) => {
    if (!stream) return;
    const push = stream.push.bind(stream);
    stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null && chunk !== undefined) {
        try {
          appendFileSync(file, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array));
        } catch {
          /* a copy that cannot be written must not break the test */
        }
      }
      return push(chunk, encoding);
    };
  };

  const spawn = function (this: unknown, command: string, ...rest: unknown[]): ChildProcess {
    // spawn(command, args?, options?): the options are the last object argument.
    const args = Array.isArray(rest[0]) ? (rest[0] as string[]) : [];
    const options = ((Array.isArray(rest[0]) ? rest[1] : rest[0]) ?? {}) as SpawnOptions;
    const env = options.env ? { ...options.env, DALAL_TEST_LOG_DIR: dir } : options.env;
    const child = original.call(this, command, args, { ...options, ...(env ? { env } : {}) } as SpawnOptions);
    if (!args.some((a) => RUNS_DALAL.test(a))) return child;
    const name = `child-${process.pid}-${++seq}-${child.pid ?? "unstarted"}`;
    // Which test started it (not the command line: a test may pass a secret in its arguments).
    appendFileSync(join(dir, `${name}.from`), `${expect.getState().testPath ?? "(outside a test)"}\n`);
    copy(child.stdout, join(dir, `${name}.stdout.log`));
    copy(child.stderr, join(dir, `${name}.stderr.log`));
    return child;
  } as Spawn;
  spawn[MARK] = true;
  childProcess.spawn = spawn;
  // Modules that import { spawn } from "node:child_process" see the wrapper too.
  syncBuiltinESMExports();
}
