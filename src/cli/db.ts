import { join, resolve } from "node:path";
import { loadConfig } from "../config.js";
import { migrateDatabase, openDatabase } from "../db/connection.js";
import { acquireHomeLock, LockHeldError } from "../db/lock.js";
import { Repo } from "../db/repo.js";
import { loadNseCalendar } from "../engine/market/calendar.js";
import { checkCandles } from "../engine/market/candle-check.js";
import { type Command, UsageError, parseCommandArgs } from "./command.js";

export const dbCommand: Command = {
  name: "db",
  summary: "Database tasks: `db migrate` applies the migrations, `db check` reports gaps in the stored candles",
  help: `Usage: dalal db migrate | dalal db check

migrate  Applies every migration not yet applied to DATABASE_URL, or to the
         embedded database under DALAL_HOME when DATABASE_URL is unset. Safe
         to run again. (Dalal also migrates at every start.)
check    Reports stored candles with missing trading days or bars on days NSE
         was closed, per symbol and timeframe. Exit code 1 when there are any.`,
  async run(args, io) {
    const { positionals } = parseCommandArgs(args, {}, true);
    const task = positionals[0];
    if ((task !== "migrate" && task !== "check") || positionals.length > 1) {
      throw new UsageError(positionals.length ? `unknown db task "${positionals.join(" ")}"; valid: migrate, check` : "name a task: migrate or check");
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
      if (task === "migrate") {
        io.stdout(`Migrations applied (${database.kind}: ${database.where}).\n`);
        await database.close();
        return 0;
      }
      const repo = new Repo(database.db);
      const calendar = loadNseCalendar();
      let problems = 0;
      for (const tf of ["1d", "75m"] as const) {
        const bars = await repo.loadCandles(tf);
        const found = checkCandles(bars, tf, calendar);
        problems += found.length;
        const symbols = new Set(bars.map((b) => b.symbol)).size;
        io.stdout(`${tf}: ${bars.length} bars of ${symbols} symbol${symbols === 1 ? "" : "s"}, ${found.length ? `${found.length} problem${found.length > 1 ? "s" : ""}` : "no gaps"}\n`);
        for (const p of found) io.stdout(`  ${p.symbol}: ${p.text}\n`);
      }
      await database.close();
      return problems ? 1 : 0;
    } finally {
      release();
    }
  },
};
