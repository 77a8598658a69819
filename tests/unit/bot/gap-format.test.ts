/**
 * /performance's gap lines: units decided after the close meet the next open,
 * and their signals record the verdict (sizing.gap). Counted by kind, with the
 * entry slippage of those that went in and what the skipped ones would have
 * made on the theoretical track.
 */
import { describe, expect, it } from "vitest";
import { htmlToText } from "../../../src/bot/console-chat.js";
import { gapLines, gapOf, gapSummary } from "../../../src/bot/gap-format.js";
import type { DivergenceReport, TheoreticalUnit } from "../../../src/engine/fno/divergence.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import type { SignalView } from "../../../src/engine/views.js";
import { parseTelegramHtml } from "../../stand-ins/telegram/server.js";

function signal(id: string, unit: number, status: SignalView["status"], gap: Record<string, unknown> | undefined, over: Partial<SignalView> = {}): SignalView {
  return {
    id,
    strategy: "banknifty-trend",
    symbol: "BANKNIFTY",
    intelligence: null,
    timeframe: "75m",
    barTime: fromIst("2022-07-19", "14:15"),
    side: "long",
    kind: "entry",
    unit,
    entry: 3_570_000,
    stop: 3_500_000,
    targets: [],
    strength: 100,
    conditions: {},
    qty: 25,
    sizing: gap ? { gap } : {},
    status,
    statusReason: null,
    decidedBy: "auto",
    decidedAt: null,
    createdAt: fromIst("2022-07-19", "15:30"),
    expiresAt: null,
    positionId: null,
    ...over,
  };
}

const theo = (signalId: string, unit: number, entry: number, exit: number | null): TheoreticalUnit => ({
  signalId,
  unit,
  side: "long",
  qty: 25,
  entryAt: fromIst("2022-07-19", "14:15"),
  entry,
  exitAt: null,
  exit,
  executed: false,
  status: "skipped",
  fillEntry: null,
  fillExit: null,
});

const signals = [
  signal("quiet-1", 0, "filled", { kind: "none", gapPct: 0.42, open: 3_585_000 }),
  signal("quiet-2", 1, "filled", { kind: "none", gapPct: -0.1, open: 3_566_500 }),
  signal("in-session", 2, "filled", undefined),
  signal("adjusted", 3, "filled", { kind: "adjust", gapPct: 1.5, open: 3_623_600 }, { barTime: fromIst("2022-07-20", "14:15") }),
  signal("through-stop", 4, "skipped", { kind: "adjust", gapPct: -1.8, open: 3_505_800 }),
  signal("skipped-closed", 0, "skipped", { kind: "skip", gapPct: 2.4, open: 3_655_700 }, { barTime: fromIst("2022-08-01", "14:15") }),
  signal("skipped-open", 1, "skipped", { kind: "skip", gapPct: -2.2, open: 3_491_500 }, { barTime: fromIst("2022-08-02", "14:15") }),
  // A rollover's own entry and an exit never count.
  signal("R20220825-1", 0, "ordered", { kind: "skip", gapPct: 9, open: 1 }, { decidedBy: "rollover" }),
  signal("exit", 0, "ordered", { kind: "skip", gapPct: 9, open: 1 }, { kind: "exit" }),
];

const report: DivergenceReport = {
  strategy: "banknifty-trend",
  underlying: "BANKNIFTY",
  capital: 500_000_000,
  theoretical: 0,
  executedTheoretical: 0,
  actual: 0,
  realized: 0,
  unrealized: 0,
  charges: 0,
  slippage: 0,
  rolloverCost: 0,
  rolloverSpread: 0,
  divergencePct: 0,
  // The skipped units in theory: one exited ₹200 higher, one still open.
  units: [theo("skipped-closed", 0, 3_570_000, 3_590_000), theo("skipped-open", 1, 3_570_000, null)],
  slippages: [
    { signalId: "quiet-1", unit: 0, kind: "entry", at: new Date(0), signal: 0, fill: 0, points: 1_000, amount: 25_000 },
    { signalId: "quiet-1", unit: 0, kind: "exit", at: new Date(0), signal: 0, fill: 0, points: 1_000, amount: 99_999 },
    { signalId: "quiet-2", unit: 1, kind: "entry", at: new Date(0), signal: 0, fill: 0, points: -200, amount: -5_000 },
    { signalId: "adjusted", unit: 3, kind: "entry", at: new Date(0), signal: 0, fill: 0, points: 3_000, amount: 75_000 },
  ],
  pyramids: { signalled: 0, executed: 0 },
  bases: { signalled: 0, executed: 0 },
};

describe("gaps at the next open", () => {
  it("reads a signal's recorded verdict, and nothing else", () => {
    expect(gapOf(signals[0]!)).toEqual({ kind: "none", gapPct: 0.42, open: 3_585_000 });
    expect(gapOf(signals[2]!)).toBeNull();
    expect(gapOf({ sizing: { gap: { kind: "maybe", gapPct: 1, open: 1 } } })).toBeNull();
    expect(gapOf({ sizing: { gap: { kind: "skip", gapPct: "1", open: 1 } } })).toBeNull();
  });

  it("counts each kind with its effect", () => {
    // The open skipped unit is marked at the index now: ₹35,600 − ₹35,700 = −₹100 × 25.
    const g = gapSummary(signals, report, 3_560_000);
    expect(g).toEqual({
      strategy: "banknifty-trend",
      underlying: "BANKNIFTY",
      met: 6,
      quiet: { count: 2, entered: 2, slippage: 20_000 },
      adjusted: { count: 2, entered: 1, throughStop: 1, slippage: 75_000 },
      skipped: { count: 2, theoretical: 25 * 20_000 - 25 * 10_000 },
      gapped: [
        { signalId: "adjusted", unit: 3, barTime: fromIst("2022-07-20", "14:15"), gap: { kind: "adjust", gapPct: 1.5, open: 3_623_600 }, status: "filled" },
        { signalId: "through-stop", unit: 4, barTime: fromIst("2022-07-19", "14:15"), gap: { kind: "adjust", gapPct: -1.8, open: 3_505_800 }, status: "skipped" },
        { signalId: "skipped-closed", unit: 0, barTime: fromIst("2022-08-01", "14:15"), gap: { kind: "skip", gapPct: 2.4, open: 3_655_700 }, status: "skipped" },
        { signalId: "skipped-open", unit: 1, barTime: fromIst("2022-08-02", "14:15"), gap: { kind: "skip", gapPct: -2.2, open: 3_491_500 }, status: "skipped" },
      ],
    });
  });

  it("says it in lines for the chat", () => {
    const lines = gapLines(gapSummary(signals, report, 3_560_000), { adjustPct: 1, skipPct: 2 });
    for (const l of lines) expect(parseTelegramHtml(l, { strict: true }).ok, l).toBe(true);
    expect(lines.map(htmlToText)).toEqual([
      "banknifty-trend · BANKNIFTY: gaps at the next open: 6 units decided after the close met it",
      "• within 1%: 2, 2 entered at market · entry slippage ₹200.00 against us",
      "• over 1%: 2, 1 entered at limit prices · entry slippage ₹750.00 against us · 1 skipped, opened through the stop",
      "• over 2%: 2 skipped · their theoretical P&L +₹2,500.00 (what skipping gave up, or saved when negative)",
      "  unit 3 signalled 20 Jul 2022 14:15 IST: the open gapped +1.50% to ₹36,236.00 → limit prices, filled",
      "  unit 4 signalled 19 Jul 2022 14:15 IST: the open gapped -1.80% to ₹35,058.00 → skipped, opened through the stop",
      "  unit 0 signalled 01 Aug 2022 14:15 IST: the open gapped +2.40% to ₹36,557.00 → skipped",
      "  unit 1 signalled 02 Aug 2022 14:15 IST: the open gapped -2.20% to ₹34,915.00 → skipped",
    ]);
    expect(gapLines(gapSummary(signals, report, 3_560_000), { adjustPct: 1, skipPct: 2 }, 2).slice(-3).map(htmlToText)).toEqual([
      "  unit 0 signalled 01 Aug 2022 14:15 IST: the open gapped +2.40% to ₹36,557.00 → skipped",
      "  unit 1 signalled 02 Aug 2022 14:15 IST: the open gapped -2.20% to ₹34,915.00 → skipped",
      "  …and 2 earlier",
    ]);
    expect(gapLines(gapSummary([signals[2]!], report, undefined), { adjustPct: 1, skipPct: 2 }).map(htmlToText)).toEqual([
      "banknifty-trend · BANKNIFTY: gaps at the next open: no unit decided after the close has met the next open yet.",
    ]);
  });
});
