import { describeConfig, loadConfig } from "../config.js";
import { type Command, parseCommandArgs } from "./command.js";

export const configCommand: Command = {
  name: "config",
  summary: "Print the effective settings (secrets as ***) and where each came from",
  help: `Usage: dalal config

Prints every setting as NAME=value (source), source being env, .env or default.
Secrets print as ***. A bad value exits 2 with one line per problem.`,
  async run(args, io) {
    parseCommandArgs(args, {});
    const cfg = loadConfig(io.env, io.cwd);
    io.stdout(describeConfig(cfg).join("\n") + "\n");
    return 0;
  },
};
