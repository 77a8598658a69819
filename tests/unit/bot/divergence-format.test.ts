/**
 * /divergence's pages from a report with known numbers: both tracks side by
 * side, the terms that part them adding up to the paisa, execution counts, the
 * last ten slippages, the rollover history, the modelled label on every page.
 */
import { describe, expect, it } from "vitest";
import { againstUs, divergencePages, MODELLED_LABEL, rolloverLine, slippageLine, unitPnl, type DivergenceView } from "../../../src/bot/divergence-format.js";
import { htmlToText } from "../../../src/bot/console-chat.js";
import type { SlippageRow, TheoreticalUnit } from "../../../src/engine/fno/divergence.js";
import type { RolloverRecord } from "../../../src/engine/fno/synthetic-desk.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import { parseTelegramHtml } from "../../stand-ins/telegram/server.js";

const unit = (signalId: string, n: number, executed: boolean, status: string, entry = 4_000_000, exit: number | null = null): TheoreticalUnit => ({
  signalId,
  unit: n,
  side: "long",
  qty: 25,
  entryAt: fromIst("2021-10-14", "13:00"),
  entry,
  exitAt: exit === null ? null : fromIst("2021-10-27", "14:15"),
  exit,
  executed,
  status,
  fillEntry: null,
  fillExit: null,
});

/** Twelve slippages, given newest first so the formatter has to sort them. */
const slips: SlippageRow[] = Array.from({ length: 12 }, (_, i) => ({
  signalId: `s${i}`,
  unit: i % 3,
  kind: i % 2 ? ("exit" as const) : ("entry" as const),
  at: fromIst(`2021-10-${String(10 + i).padStart(2, "0")}`, "09:15"),
  signal: 4_000_000 + i * 100,
  fill: 4_000_000 + i * 100 + (i === 11 ? -1_000 : 2_550),
  points: i === 11 ? -1_000 : 2_550,
  amount: i === 11 ? -25_000 : 63_750,
})).reverse();

const report = (over: Partial<DivergenceView> = {}): DivergenceView => ({
  strategy: "banknifty-trend",
  underlying: "BANKNIFTY",
  capital: 500_000_000,
  theoretical: 1_000_000,
  executedTheoretical: 800_000,
  actual: 500_000,
  realized: 400_000,
  unrealized: 100_000,
  charges: 100_000,
  slippage: 150_000,
  rolloverCost: 45_000,
  rolloverSpread: 40_000,
  divergencePct: 0.1,
  units: [unit("a", 0, true, "filled"), unit("b", 1, true, "filled"), unit("c", 2, false, "refused: not enough margin")],
  slippages: slips,
  pyramids: { signalled: 2, executed: 1 },
  bases: { signalled: 1, executed: 1 },
  track: { theoreticalPeak: 0, actualPeak: 0, theoreticalMaxDdPct: 3.2, actualMaxDdPct: 4.567, alerted: false },
  ...over,
});

const roll = (over: Partial<RolloverRecord>): RolloverRecord => ({
  id: "R1",
  strategy: "banknifty-trend",
  underlying: "BANKNIFTY",
  unit: 0,
  side: "long",
  qty: 25,
  fromExpiry: "2021-10-28",
  toExpiry: "2021-11-25",
  at: fromIst("2021-10-21", "15:00").toISOString(),
  reason: "schedule",
  orders: {},
  ...over,
});
const rollovers = [
  roll({ cost: { spread: 40_000, charges: 5_000, total: 45_000 } }),
  roll({ id: "R2", unit: 1, at: fromIst("2021-10-22", "15:30").toISOString(), fromExpiry: "2021-11-25", toExpiry: "2021-12-30", reason: "by @trader" }),
  roll({ id: "R3", strategy: "someone-else" }),
];

const opts = { mode: "paper" as const, alertPct: 5, modelled: true, rollovers };
const plain = (pages: string[]) => pages.map(htmlToText).join("\n");

describe("/divergence pages", () => {
  it("puts both tracks side by side and the divergence against the threshold", () => {
    const pages = divergencePages([report()], opts);
    expect(pages).toHaveLength(1);
    const text = plain(pages);
    expect(text.split("\n").slice(0, 7)).toEqual([
      "📝 PAPER · theoretical vs actual",
      `🧮 ${MODELLED_LABEL}`,
      "banknifty-trend · BANKNIFTY",
      "              Theoretical      Actual",
      "P&L           +₹10,000.00  +₹5,000.00",
      "Max drawdown        3.20%       4.57%",
      "Divergence 0.10% of capital ₹50,00,000.00: ✅ within the 5% alert threshold.",
    ]);
    expect(plain(divergencePages([report({ divergencePct: 6.25 })], opts))).toContain("Divergence 6.25% of capital ₹50,00,000.00: ⚠️ over the 5% alert threshold.");
    expect(plain(divergencePages([report({ track: undefined })], opts))).toMatch(/^Max drawdown\s+n\/a\s+n\/a$/m);
  });

  it("breaks theoretical − actual into terms that add up to it, to the paisa", () => {
    const text = plain(divergencePages([report()], opts));
    expect(text).toContain(
      [
        "Theoretical − actual = +₹5,000.00, made of:",
        "• units not executed: +₹2,000.00 (1 refused)",
        "• slippage: +₹1,500.00",
        "• charges: +₹1,000.00",
        "• rollover spreads: +₹400.00 (1 rollover cost ₹450.00 with their charges)",
        "• open legs at option prices (time value, basis): +₹100.00",
      ].join("\n"),
    );
    // With nothing left over (books flat), the last term is not shown.
    const flat = plain(divergencePages([report({ actual: 510_000, unrealized: 0 })], opts));
    expect(flat).toContain("• rollover spreads: +₹400.00");
    expect(flat).not.toContain("open legs at option prices");
    expect(plain(divergencePages([report({ theoretical: 800_000, units: [unit("a", 0, true, "filled")] })], opts))).toContain("• units not executed: ₹0.00 (every unit was executed)");
  });

  it("counts bases and pyramids signalled and executed, with the pyramid execution rate", () => {
    expect(plain(divergencePages([report()], opts))).toContain("Bases: 1 signalled, 1 executed · pyramids: 2 signalled, 1 executed (pyramid execution rate 50%)");
    expect(plain(divergencePages([report({ pyramids: { signalled: 0, executed: 0 } })], opts))).toContain("(pyramid execution rate n/a)");
  });

  it("lists the last ten slippages in time order and the strategy's own rollovers", () => {
    const lines = plain(divergencePages([report()], opts)).split("\n");
    expect(lines).toContain("Slippage per trade (the last 10 of 12; signal → fill on the synthetic price strike + call − put):");
    const rows = lines.filter((l) => / · unit \d (entry|exit) · /.test(l));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toBe("12 Oct 2021 09:15 IST · unit 2 entry · ₹40,002.00 → ₹40,027.50 · +25.50 pts · ₹637.50 against us");
    expect(rows[9]).toBe("21 Oct 2021 09:15 IST · unit 2 exit · ₹40,011.00 → ₹40,001.00 · -10.00 pts · ₹250.00 in our favour");
    expect(lines).toContain("Rollovers (2; their cost is kept apart from trading P&L):");
    expect(lines).toContain("21 Oct 2021 15:00 IST · unit 0 × 25 · 28 Oct 2021 → 25 Nov 2021 · cost ₹450.00 (spread +₹400.00, charges ₹50.00)");
    expect(lines).toContain("22 Oct 2021 15:30 IST · unit 1 × 25 · 25 Nov 2021 → 30 Dec 2021 · fills pending, cost not known yet · by @trader");
    const none = plain(divergencePages([report({ slippages: [] })], { ...opts, rollovers: [] }));
    expect(none).toContain("Slippage per trade: no filled unit yet.");
    expect(none).toContain("Rollovers: none yet.");
  });

  it("labels modelled prices on every page, only when modelled, and pages long output whole", () => {
    expect(plain(divergencePages([report()], { ...opts, modelled: false }))).not.toContain("modelled");
    const pages = divergencePages([report(), report({ strategy: "<b&d>" })], { ...opts, maxChars: 900 });
    expect(pages.length).toBeGreaterThan(2);
    for (const [i, p] of pages.entries()) {
      expect(p.length).toBeLessThanOrEqual(900);
      expect(p.startsWith(`📝 <b>PAPER</b> · <b>theoretical vs actual</b>\n🧮 <i>${MODELLED_LABEL}</i>\n`), `page ${i + 1}`).toBe(true);
      expect(p).toContain(`Page ${i + 1} of ${pages.length}`);
      expect(parseTelegramHtml(p, { strict: true }).ok, p).toBe(true);
    }
    // No row is cut: every slippage row of both reports is whole on some page.
    expect(plain(pages).split("\n").filter((l) => / · unit \d (entry|exit) · .* (against us|in our favour)$/.test(l))).toHaveLength(20);
    expect(pages.join("\n")).toContain("<b>&lt;b&amp;d&gt; · BANKNIFTY</b>");
  });
});

describe("the pieces", () => {
  it("says slippage plainly", () => {
    expect(againstUs(12_345)).toBe("₹123.45 against us");
    expect(againstUs(-5)).toBe("₹0.05 in our favour");
    expect(againstUs(0)).toBe("₹0.00");
    expect(htmlToText(slippageLine({ ...slips[0]!, points: 0, amount: 0, fill: slips[0]!.signal }))).toMatch(/ · 0\.00 pts · ₹0\.00$/);
    expect(htmlToText(rolloverLine(roll({ reason: "by M&M's <desk>" })))).toMatch(/ · by M&M's <desk>$/);
  });

  it("reckons a theoretical unit's P&L at its exit, or at the index now while open", () => {
    expect(unitPnl(unit("a", 0, true, "filled", 4_000_000, 4_010_000), 9)).toBe(250_000);
    expect(unitPnl({ ...unit("a", 0, true, "filled", 4_000_000), side: "short" }, 3_990_000)).toBe(250_000);
    expect(unitPnl(unit("a", 0, true, "filled", 4_000_000), undefined)).toBe(0);
  });
});
