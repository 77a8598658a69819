import { describe, expect, it } from "vitest";
import { htmlToText } from "../../../src/bot/console-chat.js";
import { actorLabel, decisionLine, esc, pnlText, positionLines, refusedCard, signalCard, tradeLine } from "../../../src/bot/format.js";
import { CB, decisionKeyboard, expiredKeyboard, parseCallback } from "../../../src/bot/keyboards.js";
import type { PnlReport, PositionLine } from "../../../src/engine/reports.js";
import { signalId } from "../../../src/engine/strategies/signal.js";
import { fromIst } from "../../../src/engine/time/ist.js";
import type { SignalStatus, SignalView, TradeView } from "../../../src/engine/views.js";

function signal(over: Partial<SignalView> = {}): SignalView {
  return {
    id: "sma-cross-abcdefgh",
    strategy: "sma-cross",
    symbol: "M&M",
    intelligence: null,
    timeframe: "1d",
    barTime: fromIst("2025-01-03", "09:15"),
    side: "long",
    kind: "entry",
    entry: 12_345_678, // ₹1,23,456.78
    stop: 12_000_000, // ₹1,20,000.00
    targets: [13_000_000],
    strength: 70,
    conditions: { smaFast: 1234.5678912, "a<b": "x&y" },
    qty: 10,
    sizing: { riskAmount: 3_456_780 },
    status: "proposed",
    statusReason: null,
    decidedBy: null,
    decidedAt: null,
    createdAt: fromIst("2025-01-03", "15:30"),
    expiresAt: fromIst("2025-01-03", "15:45"),
    positionId: null,
    unit: null,
    ...over,
  };
}

describe("esc", () => {
  it("escapes & < > and double quotes", () => {
    expect(esc(`a & b < c > d "e"`)).toBe("a &amp; b &lt; c &gt; d &quot;e&quot;");
    expect(esc("M&M")).toBe("M&amp;M");
    expect(esc("&amp;")).toBe("&amp;amp;");
    expect(esc(12.5)).toBe("12.5");
    expect(esc(null)).toBe("null");
  });

  it("leaves no raw markup characters", () => {
    const out = esc(`<script>alert("x&y")</script>`);
    expect(out).not.toMatch(/[<>"]/);
    expect(out.replace(/&(amp|lt|gt|quot);/g, "")).not.toContain("&");
  });
});

describe("signalCard", () => {
  const card = signalCard(signal(), { mode: "paper", capital: 40_000_000, estCharges: 12_345 });

  it("escapes the symbol M&M", () => {
    expect(card).toContain("<b>BUY M&amp;M</b> × 10");
    expect(card).not.toContain("&M");
    expect(card).not.toContain("M&M");
  });

  it("shows prices, risk, value and charges with Indian grouping", () => {
    expect(card).toContain("Entry ≈ ₹1,23,456.78 · Stop ₹1,20,000.00 · Target ₹1,30,000.00");
    // ₹34,567.80 of ₹4,00,000 is 8.64%.
    expect(card).toContain("At risk ₹34,567.80 (8.64% of capital) · value ₹12,34,567.80");
    expect(card).toContain("Est. charges ₹123.45 (both sides at these prices)");
  });

  it("names the mode, the id, the bar date, the expiry time and the conditions (escaped)", () => {
    expect(card).toContain("📝 <b>PAPER</b> · signal <code>sma-cross-abcdefgh</code>");
    expect(card).toContain("1d bar of 03 Jan 2025");
    expect(card).toContain("Waiting for a decision until 15:45 IST.");
    expect(card).toContain("Why: smaFast 1234.5679 · a&lt;b x&amp;y");
    expect(signalCard(signal(), { mode: "live", capital: 40_000_000 })).toContain("🔴 <b>LIVE</b>");
  });

  it("falls back to qty × (entry − stop) when sizing has no risk amount", () => {
    const c = signalCard(signal({ sizing: {}, qty: 3, entry: 10_000, stop: 9_700 }), { mode: "paper", capital: 1_000_000 });
    expect(c).toContain("At risk ₹9.00 (0.09% of capital) · value ₹300.00");
  });

  it("says SELL for a short, and leaves out stop, targets, expiry and charges when absent", () => {
    const c = signalCard(signal({ side: "short", stop: null, targets: [], status: "approved", conditions: {} }), { mode: "paper", capital: 40_000_000 });
    expect(c).toContain("<b>SELL M&amp;M</b>");
    expect(c).not.toContain("Stop");
    expect(c).not.toContain("Target");
    expect(c).not.toContain("Waiting");
    expect(c).not.toContain("Est. charges");
    expect(c).not.toContain("Why:");
  });

  it("pluralises several targets", () => {
    expect(signalCard(signal({ targets: [13_000_000, 14_000_000] }), { mode: "paper", capital: 1 })).toContain("Targets ₹1,30,000.00, ₹1,40,000.00");
  });

  it("reads as plain text in the console", () => {
    const text = htmlToText(card);
    expect(text).toContain("BUY M&M × 10");
    expect(text).not.toMatch(/<\/?(b|code)>/);
    expect(text).toContain("a<b x&y");
  });
});

describe("decisionLine", () => {
  const at = fromIst("2025-01-03", "10:05");
  const cases: Array<[SignalStatus, Partial<SignalView>, string]> = [
    ["approved", { decidedBy: "@owner", decidedAt: at }, "✅ Approved by @owner at 03 Jan 2025 10:05 IST. Order placed; it fills at the next bar's open."],
    ["ordered", { decidedBy: "@owner", decidedAt: at }, "✅ Approved by @owner at 03 Jan 2025 10:05 IST. Order placed; it fills at the next bar's open."],
    ["filled", { decidedBy: "auto" }, "✅ Approved by auto. Filled."],
    ["rejected", { decidedBy: "@owner", decidedAt: at }, "❌ Rejected by @owner at 03 Jan 2025 10:05 IST."],
    ["rejected", { decidedBy: "@owner", statusReason: "too <risky>" }, "❌ Rejected by @owner: too &lt;risky&gt;"],
    ["expired", { decidedAt: at }, "⌛ Expired at 03 Jan 2025 10:05 IST: nothing was ordered."],
    ["expired", {}, "⌛ Expired: nothing was ordered."],
    ["refused", { statusReason: "the risk budget buys less than one share" }, "⛔ Refused by risk: the risk budget buys less than one share."],
    ["refused", {}, "⛔ Refused by risk: no reason recorded."],
    ["failed", { statusReason: "broker said <no>" }, "⚠️ Order failed: broker said &lt;no&gt;."],
    ["proposed", {}, "Status: proposed."],
    ["skipped", {}, "Status: skipped."],
  ];
  it.each(cases)("%s %j", (status, over, want) => {
    expect(decisionLine(signal({ status, ...over }))).toBe(want);
  });

  it("says someone when the decider is unknown, and escapes the decider", () => {
    expect(decisionLine(signal({ status: "rejected" }))).toBe("❌ Rejected by someone.");
    expect(decisionLine(signal({ status: "rejected", decidedBy: "<b>x</b>" }))).toBe("❌ Rejected by &lt;b&gt;x&lt;/b&gt;.");
  });
});

describe("refusedCard, actorLabel, tradeLine", () => {
  it("refusedCard escapes symbol and reason", () => {
    const c = refusedCard(signal({ status: "refused", statusReason: "cash < one share" }), "paper");
    expect(c).toContain("BUY M&amp;M (sma-cross) at ≈ ₹1,23,456.78: cash &lt; one share.");
    expect(c).not.toContain("&M");
  });

  it("actorLabel prefers the username", () => {
    expect(actorLabel({ id: 5, username: "owner", first_name: "Owner" })).toBe("@owner");
    expect(actorLabel({ id: 5, first_name: "Owner" })).toBe("Owner (5)");
    expect(actorLabel({ id: 5 })).toBe("user (5)");
    expect(actorLabel(undefined)).toBe("unknown");
  });

  it("tradeLine shows prices, signed net and R", () => {
    const t: TradeView = {
      id: 1,
      positionId: 1,
      symbol: "M&M",
      strategy: "sma-cross",
      side: "long",
      qty: 15,
      entryTime: new Date(0),
      entryPrice: 10_005,
      exitTime: new Date(0),
      exitPrice: 10_500,
      gross: 7_425,
      charges: 425,
      net: 7_000,
      r: 1.23456,
      exitReason: "stop",
    };
    expect(tradeLine(t)).toBe("M&amp;M × 15: ₹100.05 → ₹105.00 · net +₹70.00 (stop, 1.23R)");
    expect(tradeLine({ ...t, net: -123_456, r: null })).toBe("M&amp;M × 15: ₹100.05 → ₹105.00 · net -₹1,234.56 (stop)");
  });
});

describe("positionLines", () => {
  const line = (over: Partial<PositionLine> = {}): PositionLine => ({
    id: 1,
    symbol: "M&M",
    strategy: "sma-cross",
    side: "long",
    status: "open",
    qty: 150,
    costBasis: 150 * 12_345_678,
    openCharges: 0,
    initialStop: 12_000_000,
    stop: 12_000_000,
    targets: [],
    lastPrice: 12_500_000,
    realized: 0,
    signalId: null,
    unit: null,
    openedAt: new Date(0),
    closedAt: null,
    avgPrice: 12_345_678,
    unrealized: 23_148_300,
    unrealizedPct: 1.25,
    daysHeld: 1,
    ...over,
  });

  it("says so when there are none", () => {
    expect(positionLines([])).toBe("No open positions.");
  });

  it("shows each position with Indian grouping, escaped symbol and signed P&L", () => {
    const text = positionLines([line()]);
    expect(text).toBe(
      "<b>M&amp;M</b> long × 150 · sma-cross\n" +
        "  avg ₹1,23,456.78 · LTP ₹1,25,000.00 · +₹2,31,483.00 (+1.25%)\n" +
        "  stop ₹1,20,000.00 · held 1 day",
    );
  });

  it("handles losses, no LTP, no stop, several days and several positions", () => {
    const text = positionLines([line({ lastPrice: null, stop: null, unrealized: -5_000_050, unrealizedPct: -0.5, daysHeld: 3 }), line({ symbol: "TCS", side: "short", daysHeld: 0 })]);
    expect(text).toContain("LTP — · -₹50,000.50 (-0.50%)");
    expect(text).toContain("stop none · held 3 days");
    expect(text).toContain("<b>TCS</b> short × 150");
    expect(text).toContain("held 0 days");
    expect(text.split("\n")).toHaveLength(6);
  });
});

describe("pnlText", () => {
  const report = (over: Partial<PnlReport> = {}): PnlReport => ({
    period: "today",
    from: "2025-01-03",
    to: "2025-01-03",
    realized: 123_456_789,
    charges: 98_765,
    trades: 2,
    wins: 1,
    unrealized: -1_000_000,
    total: 122_456_789,
    ...over,
  });

  it("shows P&L with Indian grouping and signs", () => {
    expect(pnlText(report(), "paper").split("\n")).toEqual([
      "📝 <b>PAPER</b> · P&amp;L today (2025-01-03)",
      "Realized +₹12,34,567.89 net of ₹987.65 charges · 2 trades, 1 won",
      "Unrealized now -₹10,000.00",
      "<b>Equity change +₹12,24,567.89</b>",
    ]);
  });

  it("shows a range, all time, and a single trade", () => {
    expect(pnlText(report({ period: "week", from: "2024-12-30" }), "live")).toContain("🔴 <b>LIVE</b> · P&amp;L week (2024-12-30 → 2025-01-03)");
    expect(pnlText(report({ period: "all", from: null }), "paper")).toContain("P&amp;L all (all time → 2025-01-03)");
    expect(pnlText(report({ trades: 1, realized: 0 }), "paper")).toContain("Realized ₹0.00 net of ₹987.65 charges · 1 trade, 1 won");
  });
});

describe("parseCallback and keyboards", () => {
  it("accepts approve, reject and spent data", () => {
    expect(parseCallback("a:sma-cross-abcdefgh")).toEqual({ kind: "approve", id: "sma-cross-abcdefgh" });
    expect(parseCallback("r:sma-cross-abcdefgh")).toEqual({ kind: "reject", id: "sma-cross-abcdefgh" });
    expect(parseCallback("x")).toEqual({ kind: "spent" });
  });

  it.each([
    "a:",
    "a:../../x",
    "z:abc",
    "a:ID WITH SPACES",
    "a:UPPER-CASE",
    "a:ab",
    `a:${"a".repeat(68)}`,
    `a:${"a".repeat(41)}`,
    "a:abc\nr:def",
    "a:abc\n",
    " a:abc",
    "a:abc;drop",
    "a:sma_cross",
    "ar:abc",
    "A:abc",
    "xx",
    "",
  ])("rejects forged data %j", (data) => {
    expect(parseCallback(data)).toBeNull();
  });

  it("rejects missing data", () => {
    expect(parseCallback(undefined)).toBeNull();
  });

  it("accepts ids of 3 and 40 characters", () => {
    expect(parseCallback("a:abc")).toEqual({ kind: "approve", id: "abc" });
    expect(parseCallback(`r:${"z".repeat(40)}`)).toEqual({ kind: "reject", id: "z".repeat(40) });
  });

  it("round-trips every real signal id through the buttons, within 64 bytes", () => {
    const ids = [
      signalId("sma-cross", { fast: 20 }, "M&M", "1d", new Date("2025-01-03T03:45:00Z")),
      signalId("sma-cross", { fast: 20 }, "M&M", "1d", new Date("2025-01-03T03:45:00Z"), "exit"),
      signalId("a-strategy-name-longer-than-thirty-chars", {}, "BAJAJ-AUTO", "1d", new Date(0)),
    ];
    for (const id of ids) {
      const kb = decisionKeyboard(id);
      const buttons = kb.inline_keyboard.flat();
      expect(buttons.map((b) => b.text)).toEqual(["✅ Approve", "❌ Reject"]);
      const data = buttons.map((b) => ("callback_data" in b ? b.callback_data : undefined));
      expect(data).toEqual([CB.approve(id), CB.reject(id)]);
      for (const d of data) {
        expect(Buffer.byteLength(d!, "utf8")).toBeLessThanOrEqual(64);
        expect(parseCallback(d)).toEqual({ kind: d!.startsWith("a:") ? "approve" : "reject", id });
      }
    }
  });

  it("the expired keyboard carries the spent marker", () => {
    const buttons = expiredKeyboard().inline_keyboard.flat();
    expect(buttons).toHaveLength(1);
    const d = "callback_data" in buttons[0]! ? buttons[0]!.callback_data : undefined;
    expect(d).toBe("x");
    expect(parseCallback(d)).toEqual({ kind: "spent" });
  });
});

describe("htmlToText", () => {
  it("strips tags and decodes the entities", () => {
    expect(htmlToText("<b>BUY M&amp;M</b> <code>id</code>")).toBe("BUY M&M id");
    expect(htmlToText("&lt;x&gt; &quot;q&quot; &#39;s")).toBe(`<x> "q" 's`);
    expect(htmlToText('<a href="https://x.y/?a=1&amp;b=2">link</a>')).toBe("link");
  });

  it("decodes &amp; last, so escaped entities come back literally", () => {
    expect(htmlToText("&amp;lt;")).toBe("&lt;");
    expect(htmlToText("&amp;amp;")).toBe("&amp;");
  });

  it("undoes esc for any text", () => {
    for (const s of ["M&M", "a < b > c", `"quoted" & 'single'`, "&lt; literal", "<b>not a tag</b>", "₹1,23,456.78", "&amp;&quot;"]) {
      expect(htmlToText(esc(s))).toBe(s);
    }
  });
});
