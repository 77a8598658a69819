import { loadNseCalendar } from "../engine/market/calendar.js";
import { loadUniverse, UNIVERSE_NAMES, UniverseError } from "../engine/market/universe.js";
import { formatRupees, toRupees } from "../engine/money.js";
import { parseStrategyParams, scanUniverse, ScanError } from "../engine/scan/scanner.js";
import type { SignalDraft } from "../engine/strategies/signal.js";
import { STRATEGIES } from "../engine/strategies/registry.js";
import { isIstDate, toIsoIst } from "../engine/time/ist.js";
import { UsageError, parseCommandArgs, type Command, type CommandIO } from "./command.js";

const HELP = `Usage: dalal scan --strategy NAME [--universe nifty50|banknifty|FILE] [--on YYYY-MM-DD] [--params JSON] [--fno] [--json]

Runs one strategy over the shipped candles as of the close of a day and prints
the signals that fire on that day.

Options:
  --strategy NAME     ${[...STRATEGIES.keys()].join(" | ")}
  --universe U        nifty50 (the 50 shipped stocks), banknifty (the NIFTY BANK
                      index), or a text file with one symbol a line.
                      Default: the strategy's own (banknifty for banknifty-trend).
  --on YYYY-MM-DD     the trading day to scan (default: the last day of the data)
  --params JSON       strategy parameters, e.g. '{"targetR":2.5}' (defaults otherwise)
  --fno               treat the symbols as F&O: downside setups open shorts
  --json              print a JSON array of signals (prices in rupees)`;

/** One signal as the JSON output promises: prices are rupees, times ISO 8601 in IST. */
export function signalJson(s: SignalDraft) {
  return {
    id: s.id,
    strategy: s.strategy,
    symbol: s.symbol,
    timeframe: s.timeframe,
    barTime: toIsoIst(s.barTime),
    side: s.side,
    kind: s.kind,
    ...(s.unit !== undefined ? { unit: s.unit } : {}),
    entry: toRupees(s.entry),
    stop: s.stop === null ? null : toRupees(s.stop),
    targets: s.targets.map(toRupees),
    strength: s.strength,
    conditions: s.conditions,
    ...(s.note ? { note: s.note } : {}),
  };
}

function line(s: SignalDraft): string {
  const what = s.kind === "entry" ? (s.side === "long" ? "BUY" : "SELL") : s.kind === "exit" ? "EXIT" : "ALERT";
  const unit = s.unit ? ` unit ${s.unit}` : "";
  const levels = [`at ${formatRupees(s.entry)}`, s.stop !== null ? `stop ${formatRupees(s.stop)}` : "", s.targets.length ? `targets ${s.targets.map(formatRupees).join(", ")}` : ""].filter(Boolean).join(" · ");
  return `${what}${unit} ${s.symbol} (${s.timeframe} bar ${toIsoIst(s.barTime)}) ${levels} · strength ${s.strength}${s.note ? ` · ${s.note}` : ""}\n  id ${s.id}`;
}

export const scanCommand: Command = {
  name: "scan",
  summary: "Run a strategy over the shipped candles and print its signals",
  help: HELP,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(args, {
      strategy: { type: "string" },
      universe: { type: "string" },
      on: { type: "string" },
      params: { type: "string" },
      fno: { type: "boolean" },
      json: { type: "boolean" },
    });
    if (!values.strategy) throw new UsageError(`missing --strategy; valid: ${[...STRATEGIES.keys()].join(", ")}`);
    const strategy = STRATEGIES.get(values.strategy);
    if (!strategy) throw new UsageError(`unknown strategy "${values.strategy}"; valid: ${[...STRATEGIES.keys()].join(", ")}`);
    if (values.on !== undefined && !isIstDate(values.on)) throw new UsageError(`--on must be a date as YYYY-MM-DD, got "${values.on}"`);
    const universeName = values.universe ?? strategy.defaultUniverse;
    if (universeName.trim() === "") throw new UsageError(`--universe is empty; valid: ${UNIVERSE_NAMES.join(", ")} or a file`);
    try {
      const params = parseStrategyParams(strategy, values.params);
      const universe = loadUniverse(universeName, strategy.timeframe, io.cwd);
      const result = scanUniverse(strategy, params, universe, {
        ...(values.on ? { on: values.on } : {}),
        calendar: loadNseCalendar(),
        fno: values.fno ?? false,
      });
      const summary = `${strategy.name} on ${universe.name} as of the close of ${result.on}: ${result.signals.length} signal${result.signals.length === 1 ? "" : "s"} from ${result.scanned.length} symbol${result.scanned.length === 1 ? "" : "s"}${
        result.notListed.length ? ` (${result.notListed.map((n) => `${n.symbol} has bars from ${n.firstDay}`).join("; ")})` : ""
      }`;
      if (values.json) {
        io.stdout(JSON.stringify(result.signals.map(signalJson), null, 2) + "\n");
        io.stderr(summary + "\n");
      } else {
        io.stdout(summary + "\n" + result.signals.map((s) => line(s) + "\n").join(""));
      }
      return 0;
    } catch (err) {
      if (err instanceof ScanError || err instanceof UniverseError) throw new UsageError(err.message);
      throw err;
    }
  },
};
