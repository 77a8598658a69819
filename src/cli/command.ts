import { parseArgs, type ParseArgsConfig } from "node:util";

/** Where a command reads and writes: injected so tests run commands in-process. */
export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  /** True when stdout is a terminal (progress bars, colours). */
  isTTY?: boolean;
}

export interface Command {
  name: string;
  /** One line for `dalal --help`. */
  summary: string;
  /** Usage line(s) and options, printed by `dalal NAME --help` and on a usage error. */
  help: string;
  /** Resolves to the process exit code. */
  run(args: string[], io: CommandIO): Promise<number>;
}

/** A bad argument: the CLI prints the message and the command's help, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** node:util parseArgs with strict checking; its errors become UsageErrors naming the option. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}

export function wantsHelp(args: string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}
