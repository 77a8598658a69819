import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "../config.js";
import { BacktestRangeError, runBacktest } from "../engine/backtest/backtester.js";
import { equityCsv, tradesCsv } from "../engine/backtest/csv.js";
import { loadUniverse, UniverseError } from "../engine/market/universe.js";
import type { Desk } from "../engine/desk.js";
import { loadIndiaVix } from "../engine/fno/india-vix.js";
import { loadNseCalendar } from "../engine/market/calendar.js";
import { BANKNIFTY } from "../engine/market/shipped-data.js";
import { formatRupees, toPaise } from "../engine/money.js";
import { parseStrategyParams, ScanError } from "../engine/scan/scanner.js";
import { STRATEGIES } from "../engine/strategies/registry.js";
import { isIstDate, istDate } from "../engine/time/ist.js";
import { renderEquityPng } from "../report/equity-chart.js";
import { UsageError, parseCommandArgs, type Command, type CommandIO } from "./command.js";
import { backtestIntelligence, intelligenceRows, summariseIntelligence, type BacktestIntelligence } from "./backtest-intelligence.js";
import type { SignalStatus } from "../engine/views.js";

const ALL_STATUSES: SignalStatus[] = ["alerted", "proposed", "approved", "rejected", "expired", "refused", "skipped", "ordered", "filled", "failed"];

const HELP = `Usage: dalal backtest --strategy NAME --from YYYY-MM-DD --to YYYY-MM-DD [--universe nifty50|banknifty|FILE] [--capital RUPEES] [--params JSON] [--intelligence on|off] [--json] [--out DIR]

Runs the live engine (strategy, sizing, risk limits, position rules, paper
broker, charges) over the shipped history on a simulated clock, auto-accepting
the strategy's signals. Positions still open on the last day close at its
close (exit reason end_of_test).

Options:
  --strategy NAME     ${[...STRATEGIES.keys()].join(" | ")}
  --from, --to        the first and last day replayed (bars before --from warm up the indicators)
  --universe U        nifty50, banknifty or a file of symbols (default: the strategy's own)
  --capital RUPEES    starting capital (default: the CAPITAL setting)
  --params JSON       strategy parameters (defaults otherwise)
  --intelligence on|off  with the intelligence layer (default off): sentiment replayed
                      from the stored cache (neutral without it, and the report says so),
                      the regime from the trained model with REGIME_SIZING, the allocator
  --json              print the metrics as JSON
  --out DIR           also write metrics.json, trades.csv, equity.csv and equity.png there

Risk settings (RISK_PER_TRADE_PCT, MAX_*_PCT, ...) come from the environment and .env.`;

function parseCapital(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return toPaise(fallback);
  if (!/^\d+(\.\d{1,2})?$/.test(raw.trim())) throw new UsageError(`--capital must be rupees, e.g. 500000 or 500000.50, got "${raw}"`);
  const p = toPaise(raw.trim());
  if (p <= 0) throw new UsageError(`--capital must be more than 0, got "${raw}"`);
  return p;
}

/** A plain-text progress bar on a terminal, overwritten in place. */
function progress(io: CommandIO): ((done: number, total: number) => void) | undefined {
  if (!io.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last && done !== total) return;
    last = pct;
    const width = 30;
    const fill = Math.round((done / total) * width);
    io.stderr(`\r[${"#".repeat(fill)}${" ".repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} days${done === total ? "\n" : ""}`);
  };
}

export const backtestCommand: Command = {
  name: "backtest",
  summary: "Run a strategy through the whole engine over history and report its metrics",
  help: HELP,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(args, {
      strategy: { type: "string" },
      universe: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      capital: { type: "string" },
      params: { type: "string" },
      intelligence: { type: "string" },
      json: { type: "boolean" },
      out: { type: "string" },
    });
    if (!values.strategy) throw new UsageError(`missing --strategy; valid: ${[...STRATEGIES.keys()].join(", ")}`);
    const strategy = STRATEGIES.get(values.strategy);
    if (!strategy) throw new UsageError(`unknown strategy "${values.strategy}"; valid: ${[...STRATEGIES.keys()].join(", ")}`);
    for (const k of ["from", "to"] as const) {
      if (values[k] === undefined) throw new UsageError(`missing --${k} (a date as YYYY-MM-DD)`);
      if (!isIstDate(values[k]!)) throw new UsageError(`--${k} must be a date as YYYY-MM-DD, got "${values[k]}"`);
    }
    if (values.from! > values.to!) throw new UsageError(`--from ${values.from} is after --to ${values.to}`);
    const intelligenceOn = values.intelligence === undefined ? false : values.intelligence === "on" ? true : values.intelligence === "off" ? false : null;
    if (intelligenceOn === null) throw new UsageError(`--intelligence must be on or off, got "${values.intelligence}"`);
    const cfg = loadConfig(io.env, io.cwd);
    let layer: BacktestIntelligence | null = null;
    try {
      const params = parseStrategyParams(strategy, values.params);
      const universe = loadUniverse(values.universe ?? strategy.defaultUniverse, strategy.timeframe, io.cwd);
      // Bank Nifty trades as synthetic futures on its own capital, its option legs priced by the model.
      const synthetic = universe.series.has(BANKNIFTY);
      const capital = parseCapital(values.capital, synthetic ? cfg.BANKNIFTY_CAPITAL : cfg.CAPITAL);
      if (strategy.needsVolume && !universe.hasVolume) throw new UsageError(`${strategy.name} needs volume, and the ${universe.name} universe has none (an index)`);
      const dates = [...universe.series.values()].flat().map((c) => istDate(c.time));
      const first = dates.reduce((a, b) => (a < b ? a : b));
      const lastDay = dates.reduce((a, b) => (a > b ? a : b));
      if (values.to! < first || values.from! > lastDay) throw new UsageError(`--from ${values.from} --to ${values.to} is outside the data: ${universe.name} ${strategy.timeframe} bars run from ${first} to ${lastDay}`);
      const onProgress = progress(io);
      const calendar = loadNseCalendar();
      layer = intelligenceOn ? await backtestIntelligence(cfg, { strategy: strategy.name, capital, calendar }) : null;
      const r = await runBacktest({
        strategy,
        params,
        series: universe.series,
        from: values.from!,
        to: values.to!,
        capital,
        riskPct: cfg.RISK_PER_TRADE_PCT,
        limits: {
          MAX_POSITION_PCT: cfg.MAX_POSITION_PCT,
          MAX_OPEN_RISK_PCT: cfg.MAX_OPEN_RISK_PCT,
          MAX_DRAWDOWN_PCT: cfg.MAX_DRAWDOWN_PCT,
          MAX_OPEN_POSITIONS: cfg.MAX_OPEN_POSITIONS,
          MAX_EXPOSURE_PCT: cfg.MAX_EXPOSURE_PCT,
          MAX_ORDERS_PER_MINUTE: cfg.MAX_ORDERS_PER_MINUTE,
        },
        maxDailyLossPct: cfg.MAX_DAILY_LOSS_PCT,
        riskFreePct: cfg.RISK_FREE_RATE_PCT,
        slippage: cfg.SLIPPAGE,
        ...(synthetic
          ? {
              synthetic: {
                underlyings: [BANKNIFTY],
                capital,
                riskPct: cfg.BANKNIFTY_RISK_PCT,
                marginPct: cfg.FNO_MARGIN_PCT,
                rolloverDaysBefore: cfg.ROLLOVER_DAYS_BEFORE_EXPIRY,
                ratePct: cfg.OPTION_RATE_PCT,
                calendar,
                vix: loadIndiaVix(),
                gapAdjustPct: cfg.GAP_ADJUST_PCT,
                gapSkipPct: cfg.GAP_SKIP_PCT,
                divergenceAlertPct: cfg.DIVERGENCE_ALERT_PCT,
              },
            }
          : {}),
        ...(onProgress ? { onProgress } : {}),
        ...(layer ? { intelligence: layer.build } : {}),
      });
      const intel = layer ? summariseIntelligence(await r.desk.repo.signalsByStatus(ALL_STATUSES, 1_000_000), layer) : null;
      const fno = synthetic ? await syntheticSummary(r.desk, cfg.OPTION_RATE_PCT) : null;
      if (values.out) {
        const dir = resolve(io.cwd, values.out);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "metrics.json"), JSON.stringify(r.metrics, null, 2) + "\n");
        writeFileSync(join(dir, "trades.csv"), tradesCsv(r.trades));
        writeFileSync(join(dir, "equity.csv"), equityCsv(r.equity));
        writeFileSync(join(dir, "equity.png"), renderEquityPng({ title: `${strategy.name} · ${universe.name} · ${values.from} to ${values.to}`, equity: r.equity, drawdownPct: r.drawdownPct }));
      }
      if (values.json) {
        io.stdout(JSON.stringify({ ...r.metrics, ...(fno ? { synthetic: fno.json } : {}), ...(intel ? { intelligence: intel } : {}) }, null, 2) + "\n");
      } else {
        const m = r.metrics;
        const rows: Array<[string, string]> = [
          ["Strategy", `${strategy.name} on ${universe.name}, ${values.from} to ${values.to}`],
          ["Capital", `${formatRupees(toPaise(m.startingCapital))} → ${formatRupees(toPaise(m.endingCapital))}`],
          ["CAGR", m.cagrPct === null ? "n/a" : `${m.cagrPct}%`],
          ["Max drawdown", `${m.maxDrawdownPct}% over ${m.maxDrawdownDays} trading days`],
          ["Sharpe / Sortino / Calmar", [m.sharpe, m.sortino, m.calmar].map((x) => (x === null ? "n/a" : String(x))).join(" / ")],
          ["Trades", `${m.trades} (win rate ${m.winRatePct ?? "n/a"}%, profit factor ${m.profitFactor ?? "n/a"}, avg R ${m.avgR ?? "n/a"})`],
          ["Expectancy", m.expectancy === null ? "n/a" : `${formatRupees(toPaise(m.expectancy))} a trade`],
          ["Charges / turnover", `${formatRupees(toPaise(m.totalCharges))} on ${formatRupees(toPaise(m.turnover))}`],
          ["Exposure", m.exposurePct === null ? "n/a" : `${m.exposurePct}% of days`],
          ...(fno ? fno.rows : []),
          ...(intel ? intelligenceRows(intel) : [["Intelligence", "off (--intelligence on to compare)"] as [string, string]]),
        ];
        const w = Math.max(...rows.map(([k]) => k.length));
        io.stdout(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n" + (values.out ? `Wrote metrics.json, trades.csv, equity.csv and equity.png to ${values.out}\n` : ""));
      }
      return 0;
    } catch (err) {
      if (err instanceof ScanError || err instanceof UniverseError || err instanceof BacktestRangeError) throw new UsageError(err.message);
      throw err;
    } finally {
      await layer?.close();
    }
  },
};

/** What a synthetic-futures run adds to the report: the model's label, both tracks, the rollovers. */
async function syntheticSummary(desk: Desk, ratePct: number): Promise<{ rows: Array<[string, string]>; json: Record<string, unknown> }> {
  const [d] = await desk.divergence();
  const rolls = await desk.fno!.rolls.records();
  const rollCost = rolls.reduce((s, r) => s + (r.cost?.total ?? 0), 0);
  const label = `synthetic futures (bought ATM call + sold ATM put, monthly); option prices MODELLED: Black-Scholes on India VIX, rate ${ratePct}%`;
  const rows: Array<[string, string]> = [["Instrument", label]];
  if (d) {
    rows.push(
      ["Theoretical / actual", `${formatRupees(d.theoretical)} / ${formatRupees(d.actual)} (divergence ${d.divergencePct}% of capital)`],
      ["Units executed", `bases ${d.bases.executed}/${d.bases.signalled}, pyramids ${d.pyramids.executed}/${d.pyramids.signalled}`],
      ["Slippage / charges", `${formatRupees(d.slippage)} / ${formatRupees(d.charges)}`],
    );
  }
  rows.push(["Rollovers", `${rolls.length} unit rolls, cost ${formatRupees(rollCost)} (kept apart from trading P&L)`]);
  return {
    rows,
    json: {
      modelled: true,
      model: `Black-Scholes on India VIX, rate ${ratePct}%`,
      theoretical: d ? d.theoretical / 100 : null,
      actual: d ? d.actual / 100 : null,
      divergencePct: d?.divergencePct ?? null,
      bases: d?.bases ?? null,
      pyramids: d?.pyramids ?? null,
      rollovers: rolls.length,
      rolloverCost: rollCost / 100,
    },
  };
}
