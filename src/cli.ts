/**
 * `dalal <command>`: one dispatcher; each command lives in src/cli/. Usage and
 * configuration errors exit 2 with a line naming the problem, never a stack trace.
 */
import { ConfigError } from "./config.js";
import { type Command, type CommandIO, UsageError, wantsHelp } from "./cli/command.js";
import { configCommand } from "./cli/config.js";
import { costsCommand } from "./cli/costs.js";
import { dbCommand } from "./cli/db.js";
import { scanCommand } from "./cli/scan.js";
import { backtestCommand } from "./cli/backtest.js";
import { startCommand } from "./cli/start.js";
import { regimeCommand } from "./cli/regime.js";

export const COMMANDS: readonly Command[] = [startCommand, scanCommand, backtestCommand, dbCommand, configCommand, costsCommand, regimeCommand];

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "Dalal: a Telegram-first trading desk for NSE cash and F&O.",
    "",
    "Usage: dalal <command> [options]     (npm start = dalal start)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "`dalal <command> --help` shows a command's options.",
  ].join("\n");
}

export async function runCli(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(mainHelp() + "\n");
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`dalal: unknown command "${name}"; valid: ${COMMANDS.map((c) => c.name).join(", ")}\n`);
    return 2;
  }
  if (wantsHelp(rest)) {
    io.stdout(command.help + "\n");
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`dalal ${name}: ${err.message}\n\n${command.help}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr(`Dalal's settings have ${err.problems.length === 1 ? "a problem" : `${err.problems.length} problems`}:\n${err.problems.map((p) => `  ${p}`).join("\n")}\n`);
      return 2;
    }
    io.stderr(`dalal ${name} failed: ${(err as Error).message}\n`);
    return 1;
  }
}

const isMain = process.argv[1] && /(?:dalal(?:\.js)?|cli\.ts)$/.test(process.argv[1]);
if (isMain) {
  const code = await runCli(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY),
  });
  // Let stdout drain, then leave with the command's code (stray handles must not keep us alive).
  process.stdout.write("", () => process.exit(code));
}
