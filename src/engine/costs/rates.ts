/**
 * Indian trading charges as data: statutory and exchange rate cards (dated,
 * per segment) and a broker's brokerage plan (a separate, replaceable object).
 *
 * Every rate is a percentage written as a decimal string exactly as printed on
 * the published card ("0.00297" means 0.00297%), so no float ever touches it;
 * the calculator turns it into an exact integer fraction.
 *
 * A card applies to trades ON or AFTER its effectiveFrom date, until the next
 * card of the same segment. Cards begin on 2020-07-01, when stamp duty became
 * uniform across states; earlier dates have no card and are refused.
 */
import { z } from "zod";
import type { Paise } from "../money.js";
import { isIstDate, type IstDate } from "../time/ist.js";

export const SEGMENTS = ["equity-delivery", "equity-intraday", "futures", "options"] as const;
export type Segment = (typeof SEGMENTS)[number];

export function isSegment(s: string): s is Segment {
  return (SEGMENTS as readonly string[]).includes(s);
}

/** A percentage as a decimal string, e.g. "0.00297" for 0.00297%. */
export type Percent = string;
export const PERCENT_RE = /^\d+(?:\.\d+)?$/;

export interface RateCard {
  segment: Segment;
  effectiveFrom: IstDate;
  /** Securities Transaction Tax on buy and on sell turnover (premium, for options). */
  sttBuy: Percent;
  sttSell: Percent;
  /** NSE transaction charge, each side. */
  exchange: Percent;
  /** SEBI turnover fee, each side. */
  sebi: Percent;
  /** NSE Investor Protection Fund Trust levy, each side. */
  ipft: Percent;
  /** Stamp duty, buy side only. */
  stampBuy: Percent;
  /** GST on brokerage, exchange charge, SEBI fee, IPFT and DP charge. */
  gst: Percent;
  /** Where the numbers come from. */
  note: string;
}

// Sources, cited once and referred to from the cards below.
const STAMP = "Stamp: Indian Stamp Act 1899 as amended by Finance Act 2019, uniform from 2020-07-01";
const SEBI_HALF =
  "SEBI: ₹5/crore, the 50% COVID relief on the ₹10/crore turnover fee for June 2020 to March 2021 (SEBI PR 24/2020; Payment of Fees (Amendment) Regulations 2020)";
const SEBI_FULL = "SEBI: ₹10/crore turnover fee";
const IPFT_OLD =
  "IPFT: the ₹0.01/crore contribution was not billed as its own line and is below a paisa on any real trade, so zero";
const IPFT_NEW = "IPFT: ₹10/crore cash and futures, ₹50/crore options premium (NSE, from 2023-04-01)";
const NSE_2020 =
  "NSE: volume-slab era; first-slab rates cash 0.00325%, futures 0.0019%, options 0.05% of premium (as on broker cards of the time)";
const NSE_2021 =
  "NSE: charges raised 6% from 2021-01-01 to grow the IPFT corpus; cash 0.00345%, futures 0.002%, options 0.053% as passed through on broker cards (slab-dependent: some brokers showed 0.00335%/0.00195%)";
const NSE_2023 =
  "NSE: 6% rise rolled back from 2023-04-01 (NSE board, 23 March 2023); slab era, so the client rate depended on the broker's volume; cash 0.00322%, futures 0.00188%, options 0.0495% as passed through by large discount brokers (NSE first slab, shown on some cards: 0.00325%/0.0019%/0.05%)";
const NSE_2024 =
  "NSE circular of 27 Sep 2024 (SEBI circular of 1 July 2024 on uniform MII charges): flat ₹2.97/lakh cash, ₹1.73/lakh futures, ₹35.03/lakh options premium, from 2024-10-01";
const STT_2004 = "STT: Finance (No. 2) Act 2004, s. 98";
const STT_2023 = "STT: Finance Act 2023 raised futures 0.01%→0.0125% and options 0.05%→0.0625% from 2023-04-01";
const STT_2024 = "STT: Finance (No. 2) Act 2024 raised futures to 0.02% and options to 0.1% of premium from 2024-10-01";
const STT_2026 =
  "STT: Finance Act 2026 (Budget of 1 Feb 2026) raised futures to 0.05% and options to 0.15% of premium from 2026-04-01; confirmed from secondary sources only";

const note = (...parts: string[]) => parts.join(". ") + ".";

/**
 * Rate cards per segment, oldest first. Each card is complete, so any single
 * change (an NSE circular, a Finance Act, a SEBI fee) starts a new card.
 */
export const RATE_CARDS: Readonly<Record<Segment, readonly RateCard[]>> = {
  "equity-delivery": [
    { segment: "equity-delivery", effectiveFrom: "2020-07-01", sttBuy: "0.1", sttSell: "0.1", exchange: "0.00325", sebi: "0.00005", ipft: "0", stampBuy: "0.015", gst: "18", note: note(NSE_2020, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-delivery", effectiveFrom: "2021-01-01", sttBuy: "0.1", sttSell: "0.1", exchange: "0.00345", sebi: "0.00005", ipft: "0", stampBuy: "0.015", gst: "18", note: note(NSE_2021, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-delivery", effectiveFrom: "2021-04-01", sttBuy: "0.1", sttSell: "0.1", exchange: "0.00345", sebi: "0.0001", ipft: "0", stampBuy: "0.015", gst: "18", note: note(NSE_2021, SEBI_FULL, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-delivery", effectiveFrom: "2023-04-01", sttBuy: "0.1", sttSell: "0.1", exchange: "0.00322", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.015", gst: "18", note: note(NSE_2023, SEBI_FULL, IPFT_NEW, STT_2004, STAMP) },
    { segment: "equity-delivery", effectiveFrom: "2024-10-01", sttBuy: "0.1", sttSell: "0.1", exchange: "0.00297", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.015", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2004, STAMP) },
  ],
  "equity-intraday": [
    { segment: "equity-intraday", effectiveFrom: "2020-07-01", sttBuy: "0", sttSell: "0.025", exchange: "0.00325", sebi: "0.00005", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2020, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-intraday", effectiveFrom: "2021-01-01", sttBuy: "0", sttSell: "0.025", exchange: "0.00345", sebi: "0.00005", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2021, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-intraday", effectiveFrom: "2021-04-01", sttBuy: "0", sttSell: "0.025", exchange: "0.00345", sebi: "0.0001", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2021, SEBI_FULL, IPFT_OLD, STT_2004, STAMP) },
    { segment: "equity-intraday", effectiveFrom: "2023-04-01", sttBuy: "0", sttSell: "0.025", exchange: "0.00322", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.003", gst: "18", note: note(NSE_2023, SEBI_FULL, IPFT_NEW, STT_2004, STAMP) },
    { segment: "equity-intraday", effectiveFrom: "2024-10-01", sttBuy: "0", sttSell: "0.025", exchange: "0.00297", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.003", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2004, STAMP) },
  ],
  futures: [
    { segment: "futures", effectiveFrom: "2020-07-01", sttBuy: "0", sttSell: "0.01", exchange: "0.0019", sebi: "0.00005", ipft: "0", stampBuy: "0.002", gst: "18", note: note(NSE_2020, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "futures", effectiveFrom: "2021-01-01", sttBuy: "0", sttSell: "0.01", exchange: "0.002", sebi: "0.00005", ipft: "0", stampBuy: "0.002", gst: "18", note: note(NSE_2021, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "futures", effectiveFrom: "2021-04-01", sttBuy: "0", sttSell: "0.01", exchange: "0.002", sebi: "0.0001", ipft: "0", stampBuy: "0.002", gst: "18", note: note(NSE_2021, SEBI_FULL, IPFT_OLD, STT_2004, STAMP) },
    { segment: "futures", effectiveFrom: "2023-04-01", sttBuy: "0", sttSell: "0.0125", exchange: "0.00188", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.002", gst: "18", note: note(NSE_2023, SEBI_FULL, IPFT_NEW, STT_2023, STAMP) },
    { segment: "futures", effectiveFrom: "2024-10-01", sttBuy: "0", sttSell: "0.02", exchange: "0.00173", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.002", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2024, STAMP) },
    { segment: "futures", effectiveFrom: "2026-04-01", sttBuy: "0", sttSell: "0.05", exchange: "0.00173", sebi: "0.0001", ipft: "0.0001", stampBuy: "0.002", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2026, STAMP) },
  ],
  options: [
    { segment: "options", effectiveFrom: "2020-07-01", sttBuy: "0", sttSell: "0.05", exchange: "0.05", sebi: "0.00005", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2020, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "options", effectiveFrom: "2021-01-01", sttBuy: "0", sttSell: "0.05", exchange: "0.053", sebi: "0.00005", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2021, SEBI_HALF, IPFT_OLD, STT_2004, STAMP) },
    { segment: "options", effectiveFrom: "2021-04-01", sttBuy: "0", sttSell: "0.05", exchange: "0.053", sebi: "0.0001", ipft: "0", stampBuy: "0.003", gst: "18", note: note(NSE_2021, SEBI_FULL, IPFT_OLD, STT_2004, STAMP) },
    { segment: "options", effectiveFrom: "2023-04-01", sttBuy: "0", sttSell: "0.0625", exchange: "0.0495", sebi: "0.0001", ipft: "0.0005", stampBuy: "0.003", gst: "18", note: note(NSE_2023, SEBI_FULL, IPFT_NEW, STT_2023, STAMP) },
    { segment: "options", effectiveFrom: "2024-10-01", sttBuy: "0", sttSell: "0.1", exchange: "0.03503", sebi: "0.0001", ipft: "0.0005", stampBuy: "0.003", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2024, STAMP) },
    { segment: "options", effectiveFrom: "2026-04-01", sttBuy: "0", sttSell: "0.15", exchange: "0.03503", sebi: "0.0001", ipft: "0.0005", stampBuy: "0.003", gst: "18", note: note(NSE_2024, SEBI_FULL, IPFT_NEW, STT_2026, STAMP) },
  ],
};

// ---------------------------------------------------------------------------
// Brokerage: what one broker charges, kept apart from the statutory cards so a
// different plan can be swapped in from configuration.

export type BrokerageRule =
  /** A fixed fee per executed order. */
  | { kind: "flat"; perOrder: Paise }
  /** A percentage of the order's value, then at most `cap`, then at least `minimum`. */
  | { kind: "percent"; percent: Percent; cap?: Paise; minimum?: Paise };

export interface BrokerageEntry {
  effectiveFrom: IstDate;
  rule: BrokerageRule;
  note: string;
}

export interface BrokeragePlan {
  name: string;
  note: string;
  /** Depository charge per scrip per day sold out of the demat account (delivery sells). */
  dpPerScrip: Paise;
  /** Dated rules per segment, oldest first. */
  segments: Readonly<Record<Segment, readonly BrokerageEntry[]>>;
}

/**
 * Angel One's published plan (angelone.in, "exchange-transaction-charges").
 * Earlier intraday/F&O cards ("₹20 or 0.25%") are not modelled: the current
 * rules are carried back to the start of the covered period.
 */
export const ANGEL_ONE_PLAN: BrokeragePlan = {
  name: "Angel One",
  note: "Angel One published charges; DP ₹20 per scrip per day on delivery sells.",
  dpPerScrip: 2000,
  segments: {
    "equity-delivery": [
      { effectiveFrom: "2020-07-01", rule: { kind: "flat", perOrder: 0 }, note: "₹0 brokerage on delivery" },
      {
        effectiveFrom: "2024-11-01",
        rule: { kind: "percent", percent: "0.1", cap: 2000, minimum: 200 },
        note: "₹20 or 0.1% per executed order, whichever is lower, minimum ₹2 (from 2024-11-01)",
      },
    ],
    "equity-intraday": [
      {
        effectiveFrom: "2020-07-01",
        rule: { kind: "percent", percent: "0.03", cap: 2000 },
        note: "₹20 or 0.03% per executed order, whichever is lower",
      },
    ],
    futures: [{ effectiveFrom: "2020-07-01", rule: { kind: "flat", perOrder: 2000 }, note: "₹20 per executed order" }],
    options: [{ effectiveFrom: "2020-07-01", rule: { kind: "flat", perOrder: 2000 }, note: "₹20 per executed order" }],
  },
};

const paiseSchema = z.number().int().nonnegative();
const entrySchema = z.object({
  effectiveFrom: z.string().refine(isIstDate, "not a date (YYYY-MM-DD)"),
  rule: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("flat"), perOrder: paiseSchema }),
    z.object({
      kind: z.literal("percent"),
      percent: z.string().regex(PERCENT_RE, "a percentage like \"0.1\""),
      cap: paiseSchema.optional(),
      minimum: paiseSchema.optional(),
    }),
  ]),
  note: z.string(),
});
const entriesSchema = z
  .array(entrySchema)
  .min(1)
  .refine((es) => es.every((e, i) => i === 0 || es[i - 1]!.effectiveFrom < e.effectiveFrom), "entries must be in date order");
const planSchema = z.object({
  name: z.string().min(1),
  note: z.string(),
  dpPerScrip: paiseSchema,
  segments: z.object({
    "equity-delivery": entriesSchema,
    "equity-intraday": entriesSchema,
    futures: entriesSchema,
    options: entriesSchema,
  }),
});

/** Checks a plan read from configuration (amounts in paise); throws a RangeError naming the bad field. */
export function parseBrokeragePlan(input: unknown): BrokeragePlan {
  const r = planSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join(".") || "plan"}: ${i.message}`).join("; ");
    throw new RangeError(`bad brokerage plan: ${msg}`);
  }
  return r.data;
}
