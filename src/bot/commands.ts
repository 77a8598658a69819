/** Every bot command: one list feeds /help and setMyCommands. */
import { NEWS_COMMANDS } from "./news-handlers.js";
export interface CommandSpec {
  command: string;
  usage: string;
  description: string;
  admin?: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { command: "start", usage: "/start", description: "What Dalal is and how to begin" },
  { command: "help", usage: "/help", description: "Every command" },
  { command: "status", usage: "/status", description: "Mode, feed, positions and today's P&L" },
  { command: "signals", usage: "/signals", description: "Signals waiting for a decision, with buttons" },
  { command: "approve", usage: "/approve ID", description: "Approve a signal: places its order" },
  { command: "reject", usage: "/reject ID [reason]", description: "Reject a signal" },
  { command: "positions", usage: "/positions", description: "Open positions with P&L" },
  { command: "pnl", usage: "/pnl [today|week|month|all]", description: "Profit and loss net of charges" },
  { command: "trades", usage: "/trades [N]", description: "The last N closed trades (default 10)" },
  { command: "balance", usage: "/balance", description: "Funds: cash, positions at cost, equity" },
  { command: "performance", usage: "/performance", description: "Per strategy: trades, win rate, net P&L, Sharpe, average R; Bank Nifty's gaps at the next open" },
  { command: "scan", usage: "/scan STRATEGY", description: "Run a strategy now on the latest bars" },
  { command: "backtest", usage: "/backtest STRATEGY FROM TO", description: "Backtest over history (dates YYYY-MM-DD); replies with metrics and a chart" },
  { command: "strategies", usage: "/strategies", description: "Strategies, their auto-accept and their share of capital (allocator)" },
  { command: "why", usage: "/why ID", description: "Why a signal has its size: sentiment, regime, allocation, Kelly and every cap" },
  { command: "regime", usage: "/regime", description: "Today's market regime (day type) with its confidence and effect on sizing" },
  ...NEWS_COMMANDS,
  { command: "auto", usage: "/auto STRATEGY on|off", description: "Auto-accept a strategy's signals" },
  { command: "rollover", usage: "/rollover [BANKNIFTY]", description: "Roll the Bank Nifty synthetic units to the next monthly contract now (preview, then confirm)" },
  { command: "divergence", usage: "/divergence", description: "Bank Nifty synthetic futures: theoretical vs actual P&L, slippage, rollovers" },
  { command: "eod", usage: "/eod", description: "Today's end-of-day digest now" },
  { command: "export", usage: "/export", description: "The trades and open positions as CSV files" },
  { command: "chart", usage: "/chart SYMBOL [STRATEGY]", description: "A price chart with a strategy's levels and signals" },
  { command: "notify", usage: "/notify [KIND on|silent|off]", description: "Which notifications this chat gets: on, silent or off per kind" },
  { command: "pause", usage: "/pause", description: "Stop taking new entries (exits go on)" },
  { command: "resume", usage: "/resume", description: "Take new entries again" },
  { command: "exit", usage: "/exit SYMBOL|ID", description: "Exit a position at market (asks to confirm)" },
  { command: "breaker", usage: "/breaker [trip]", description: "The daily-loss circuit breaker's state (admin: trip it by hand)" },
  { command: "reset_breaker", usage: "/reset_breaker", description: "Admin: reset a tripped circuit breaker (asks to confirm)", admin: true },
  { command: "halt", usage: "/halt", description: "Admin: block every new order at once (exits go on)", admin: true },
  { command: "unhalt", usage: "/unhalt", description: "Admin: lift the halt", admin: true },
  { command: "reload", usage: "/reload", description: "Admin: check orders, trades and positions against the broker now and fix our books", admin: true },
  { command: "flatten", usage: "/flatten", description: "Admin: cancel all orders and exit everything (confirmed twice)", admin: true },
];

export function helpText(isAdmin: boolean): string {
  const lines = COMMANDS.filter((c) => !c.admin || isAdmin).map((c) => `${c.usage} — ${c.description}`);
  return ["<b>Dalal commands</b>", ...lines.map((l) => l.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"))].join("\n");
}

export function usageOf(command: string): string {
  return COMMANDS.find((c) => c.command === command)?.usage ?? `/${command}`;
}
