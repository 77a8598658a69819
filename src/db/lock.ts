/**
 * PGlite allows one process per data directory; a second opener can corrupt it.
 * A lock file holding the owner's pid keeps a second Dalal out, with a clear message.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";

export class LockHeldError extends Error {
  override name = "LockHeldError";
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(
      `Another Dalal (pid ${pid}) is using ${lockPath.replace(/\/dalal\.lock$/, "")}: the embedded database allows one process. ` +
        `Stop it first, or set DATABASE_URL to share a PostgreSQL database.`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes DALAL_HOME/dalal.lock; a lock left by a dead process is taken over. Returns the release function. */
export function acquireHomeLock(home: string): () => void {
  mkdirSync(home, { recursive: true });
  const lockPath = join(home, "dalal.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lockPath, "utf8").trim() === String(process.pid)) rmSync(lockPath);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(lockPath, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new LockHeldError(lockPath, pid);
      rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${lockPath}`);
}
