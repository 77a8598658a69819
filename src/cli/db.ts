import { join, resolve } from "node:path";
import { loadConfig } from "../config.js";
import { migrateDatabase, openDatabase } from "../db/connection.js";
import { acquireHomeLock, LockHeldError } from "../db/lock.js";
import { type Command, UsageError, parseCommandArgs } from "./command.js";

export const dbCommand: Command = {
  name: "db",
  summary: "Database tasks: `db migrate` applies the migrations",
  help: `Usage: dalal db migrate

Applies every migration not yet applied to DATABASE_URL, or to the embedded
database under DALAL_HOME when DATABASE_URL is unset. Safe to run again.
(Dalal also migrates at every start.)`,
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, true);
    if (positionals[0] !== "migrate" || positionals.length > 1) {
      throw new UsageError(positionals.length ? `unknown db task "${positionals.join(" ")}"; valid: migrate` : "name a task: migrate");
    }
    const cfg = loadConfig(io.env, io.cwd);
    let release = () => {};
    try {
      if (!cfg.DATABASE_URL) release = acquireHomeLock(resolve(cfg.DALAL_HOME));
    } catch (err) {
      if (err instanceof LockHeldError) {
        io.stderr(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
    try {
      const database = cfg.DATABASE_URL ? await openDatabase({ url: cfg.DATABASE_URL }) : await openDatabase({ dataDir: join(resolve(cfg.DALAL_HOME), "pgdata") });
      await migrateDatabase(database);
      io.stdout(`Migrations applied (${database.kind}: ${database.where}).\n`);
      await database.close();
      return 0;
    } finally {
      release();
    }
  },
};
