import { loadConfig } from "../config.js";
import { DatabaseInUseError } from "../db/connection.js";
import { LockHeldError } from "../db/lock.js";
import { ReplayRangeError } from "../engine/feed/replay-feed.js";
import { runDalal } from "../main.js";
import { BrokerError } from "../engine/execution/broker.js";
import { type Command, parseCommandArgs } from "./command.js";

export const startCommand: Command = {
  name: "start",
  summary: "Run Dalal: engine, replay feed, bot (console chat without TELEGRAM_BOT_TOKEN), HTTP /health",
  help: `Usage: dalal start

Runs the desk until stopped (Ctrl-C, SIGTERM, or end of input in the console chat).
Settings come from the environment and .env: see \`dalal config\`.`,
  async run(args, io) {
    parseCommandArgs(args, {});
    const cfg = loadConfig(io.env, io.cwd);
    try {
      const dalal = await runDalal(cfg, { write: io.stdout, ...(io.stdin ? { stdin: io.stdin } : {}) });
      return await dalal.done;
    } catch (err) {
      if (err instanceof LockHeldError || err instanceof DatabaseInUseError) {
        io.stderr(`${err.message}\n`);
        return 1;
      }
      if (err instanceof BrokerError) {
        // The broker refused the login or could not be reached: say which, never how the secrets read.
        io.stderr(`Angel One: ${err.message}\n`);
        return 1;
      }
      if (err instanceof ReplayRangeError) {
        io.stderr(`${err.message}\n`);
        return 2;
      }
      throw err;
    }
  },
};
