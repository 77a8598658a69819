import { formatRupees, toPaise, toRupees, type Paise } from "../engine/money.js";
import { istDate, isIstDate, type IstDate } from "../engine/time/ist.js";
import {
  ANGEL_ONE_PLAN,
  CHARGE_KEYS,
  RATE_CARDS,
  SEGMENTS,
  brokerageEntryFor,
  computeCharges,
  isSegment,
  rateCardFor,
  type Charges,
  type RateCard,
  type Segment,
} from "../engine/costs/index.js";
import { UsageError, parseCommandArgs, type Command, type CommandIO } from "./command.js";

const LABELS: Record<(typeof CHARGE_KEYS)[number], string> = {
  brokerage: "Brokerage",
  stt: "STT",
  exchange: "Exchange txn",
  sebi: "SEBI fee",
  stamp: "Stamp duty",
  ipft: "IPFT",
  gst: "GST",
  dp: "DP charge",
  total: "Total",
};

const EARLIEST = Object.values(RATE_CARDS)
  .map((cards) => cards[0]!.effectiveFrom)
  .sort()
  .at(-1)!;

const HELP = `Usage: dalal costs --segment SEGMENT --buy RUPEES --sell RUPEES [--on YYYY-MM-DD] [--json]

Exact charges on one trade at NSE: brokerage (Angel One's plan), STT, exchange
transaction charge, SEBI fee, stamp duty, IPFT, GST and the DP charge.

Options:
  --segment SEGMENT   ${SEGMENTS.join(" | ")}
  --buy RUPEES        buy turnover in rupees, e.g. 100000 or 1,00,000.50 (0 if none)
  --sell RUPEES       sell turnover in rupees (0 if none); for options, premium turnover
  --on YYYY-MM-DD     trade date, which picks the rate card (default: today in IST)
  --json              print {brokerage, stt, exchange, sebi, stamp, ipft, gst, dp, total} in rupees

One executed order per side and, on a delivery sell, one scrip are assumed.
Rate cards start ${EARLIEST}.`;

// Plain digits, or digits grouped the Indian (1,00,000) or international (100,000) way.
const RUPEES_RE = /^(?:\d+|\d{1,2}(?:,\d{2})*,\d{3}|\d{1,3}(?:,\d{3})+)(?:\.\d{1,2})?$/;

function parseRupees(option: string, raw: string | undefined): Paise {
  if (raw === undefined) throw new UsageError(`missing ${option} (rupees; use 0 for none)`);
  const s = raw.trim();
  if (/^-/.test(s)) throw new UsageError(`${option} must not be negative: ${raw}`);
  if (!RUPEES_RE.test(s)) throw new UsageError(`${option} must be an amount in rupees with at most 2 decimals, e.g. 100000.50: ${raw}`);
  const paise = toPaise(s.replaceAll(",", ""));
  if (!Number.isSafeInteger(paise)) throw new UsageError(`${option} is too large: ${raw}`);
  return paise;
}

/**
 * Today's IST date. DALAL_TODAY overrides the clock so tests and replays get a
 * fixed date; otherwise the system clock, converted to IST because the
 * machine's own zone need not be India's.
 */
function today(io: CommandIO): IstDate {
  const fixed = io.env.DALAL_TODAY;
  if (fixed !== undefined && fixed !== "") {
    if (!isIstDate(fixed)) throw new UsageError(`DALAL_TODAY must be a date (YYYY-MM-DD): ${fixed}`);
    return fixed;
  }
  return istDate(Date.now());
}

function rateSummary(card: RateCard): string {
  const stt =
    card.sttBuy !== "0" && card.sttSell !== "0"
      ? `${card.sttBuy}% buy and sell`
      : card.sttBuy !== "0"
        ? `${card.sttBuy}% buy`
        : `${card.sttSell}% sell`;
  const on = card.segment === "options" ? " of premium" : "";
  return [
    `STT ${stt}${on}`,
    `exchange ${card.exchange}%`,
    `SEBI ${card.sebi}%`,
    `IPFT ${card.ipft}%`,
    `stamp ${card.stampBuy}% buy`,
    `GST ${card.gst}%`,
  ].join(", ");
}

function table(charges: Charges): string {
  const width = Math.max(...CHARGE_KEYS.map((k) => LABELS[k].length)) + 2;
  const amounts = CHARGE_KEYS.map((k) => formatRupees(charges[k]));
  const amountWidth = Math.max(...amounts.map((a) => a.length));
  const rows = CHARGE_KEYS.map((k, i) => `  ${LABELS[k].padEnd(width)}${amounts[i]!.padStart(amountWidth)}`);
  rows.splice(rows.length - 1, 0, `  ${"".padEnd(width + amountWidth, "-")}`);
  return rows.join("\n");
}

export const costsCommand: Command = {
  name: "costs",
  summary: "Exact trading charges (brokerage, STT, exchange, SEBI, stamp, IPFT, GST, DP) for a trade",
  help: HELP,
  async run(args: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs(args, {
      segment: { type: "string" },
      buy: { type: "string" },
      sell: { type: "string" },
      on: { type: "string" },
      json: { type: "boolean" },
    });

    if (values.segment === undefined) throw new UsageError(`missing --segment (one of ${SEGMENTS.join(", ")})`);
    if (!isSegment(values.segment)) {
      throw new UsageError(`unknown --segment ${JSON.stringify(values.segment)}: use one of ${SEGMENTS.join(", ")}`);
    }
    const segment: Segment = values.segment;
    const buyValue = parseRupees("--buy", values.buy);
    const sellValue = parseRupees("--sell", values.sell);

    let on: IstDate;
    if (values.on !== undefined) {
      if (!isIstDate(values.on)) throw new UsageError(`--on must be a date (YYYY-MM-DD): ${values.on}`);
      on = values.on;
    } else {
      on = today(io);
    }
    if (on < EARLIEST) throw new UsageError(`--on ${on}: rate cards start ${EARLIEST}`);

    const charges = computeCharges({ segment, buyValue, sellValue, on });

    if (values.json) {
      const out: Record<string, number> = {};
      for (const k of CHARGE_KEYS) out[k] = toRupees(charges[k]);
      io.stdout(JSON.stringify(out) + "\n");
      return 0;
    }

    const card = rateCardFor(segment, on);
    const rule = brokerageEntryFor(ANGEL_ONE_PLAN, segment, on);
    const lines = [
      `${segment} on ${on}: buy ${formatRupees(buyValue)}, sell ${formatRupees(sellValue)}`,
      "",
      table(charges),
      "",
      `Rate card: ${segment} from ${card.effectiveFrom} (${rateSummary(card)})`,
      `Brokerage: ${ANGEL_ONE_PLAN.name}, ${rule.note}`,
      `Sources: ${card.note}`,
    ];
    io.stdout(lines.join("\n") + "\n");
    return 0;
  },
};
