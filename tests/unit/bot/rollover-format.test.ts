/**
 * /rollover's preview and its answer after the confirm button: each unit's
 * legs now and what they become, and every order as it stands once sent.
 */
import { describe, expect, it } from "vitest";
import { htmlToText } from "../../../src/bot/console-chat.js";
import { MODELLED_LABEL } from "../../../src/bot/divergence-format.js";
import { LEG_ORDER, rolloverPreviewText, rolloverSentText, type SentRoll } from "../../../src/bot/rollover-format.js";
import type { RolloverPreview } from "../../../src/engine/fno/synthetic-desk.js";
import type { OrderView } from "../../../src/engine/views.js";
import { parseTelegramHtml } from "../../stand-ins/telegram/server.js";

const plans: RolloverPreview[] = [
  {
    strategy: "banknifty-trend",
    unit: 0,
    side: "long",
    qty: 225,
    fromExpiry: "2021-11-25",
    toExpiry: "2021-12-30",
    from: [
      { symbol: "BANKNIFTY25NOV2139600CE", side: "long" },
      { symbol: "BANKNIFTY25NOV2139600PE", side: "short" },
    ],
    to: [
      { symbol: "BANKNIFTY30DEC2140300CE", side: "buy" },
      { symbol: "BANKNIFTY30DEC2140300PE", side: "sell" },
    ],
  },
];

const order = (over: Partial<OrderView>): OrderView => ({
  id: 1,
  clientOrderId: "DABC",
  brokerOrderId: null,
  signalId: null,
  positionId: null,
  symbol: "X",
  side: "buy",
  qty: 225,
  orderType: "market",
  limitPrice: null,
  purpose: "entry",
  status: "submitted",
  filledQty: 0,
  avgFillPrice: null,
  reason: null,
  placedAt: new Date(0),
  updatedAt: new Date(0),
  ...over,
});

describe("/rollover's messages", () => {
  it("previews each unit's legs now and next month's, with the market's state and the modelled label", () => {
    const html = rolloverPreviewText(plans, { mode: "paper", modelled: true, marketOpen: false });
    expect(parseTelegramHtml(html, { strict: true }).ok).toBe(true);
    expect(htmlToText(html).split("\n")).toEqual([
      "📝 PAPER · 🔄 Rollover preview: 1 unit into the next monthly, at market",
      `🧮 ${MODELLED_LABEL}`,
      "banknifty-trend unit 0 long × 225 · 25 Nov 2021 → 30 Dec 2021",
      "  now: long BANKNIFTY25NOV2139600CE, short BANKNIFTY25NOV2139600PE",
      "  becomes: buy BANKNIFTY30DEC2140300CE, sell BANKNIFTY30DEC2140300PE (× 225 each)",
      LEG_ORDER,
      "The market is closed now: the orders wait for the next open.",
      "The rollover's cost (spread and charges) is kept apart from trading P&L. Roll now?",
    ]);
    const live = htmlToText(rolloverPreviewText(plans, { mode: "live", modelled: false, marketOpen: true }));
    expect(live).toMatch(/^🔴 LIVE · /);
    expect(live).not.toContain("modelled");
    expect(live).not.toContain("market is closed");
  });

  it("answers the confirm with every order as it stands", () => {
    const sent: SentRoll[] = [
      {
        strategy: "banknifty-trend",
        unit: 0,
        qty: 225,
        fromExpiry: "2021-11-25",
        toExpiry: "2021-12-30",
        legs: [
          { role: "open", symbol: "BANKNIFTY30DEC2140300CE", side: "buy", qty: 225, order: order({ status: "filled", avgFillPrice: 61_250 }) },
          { role: "close", symbol: "BANKNIFTY25NOV2139600PE", side: "buy", qty: 225, order: order({ status: "new" }) },
          { role: "open", symbol: "BANKNIFTY30DEC2140300PE", side: "sell", qty: 225, order: order({ status: "rejected", reason: "margin <short>" }) },
          { role: "close", symbol: "BANKNIFTY25NOV2139600CE", side: "sell", qty: 225, order: undefined },
        ],
      },
    ];
    const html = rolloverSentText(sent, "@trader", { mode: "paper", modelled: false });
    expect(parseTelegramHtml(html, { strict: true }).ok).toBe(true);
    expect(htmlToText(html).split("\n")).toEqual([
      "📝 PAPER · 🔄 Rollover sent by @trader: 1 unit, 3 orders",
      "banknifty-trend unit 0 × 225: 25 Nov 2021 → 30 Dec 2021",
      "  buy 225 BANKNIFTY30DEC2140300CE (next month): filled at ₹612.50",
      "  buy 225 BANKNIFTY25NOV2139600PE (this month, closed): queued for the next open",
      "  sell 225 BANKNIFTY30DEC2140300PE (next month): refused: margin <short>",
      "  sell 225 BANKNIFTY25NOV2139600CE (this month, closed): not sent (the roll of this unit stopped before it)",
      "Fills, and the rollover's cost, follow as they come; /divergence keeps the rollover history.",
    ]);
    expect(htmlToText(rolloverSentText([], "@trader", { mode: "paper", modelled: false }))).toBe(
      "📝 PAPER · Nothing was rolled: no unit is held now, or each one already has closing orders working (mid-roll or mid-exit).",
    );
  });
});
