/**
 * Seed 002's alert JSON, as TradingView posts it, checked field by field.
 * The shared secret is not part of it: the HTTP layer takes it off the body
 * and checks it first, so nothing here can ever echo it.
 */
import { z } from "zod";

export const SIGNAL_TYPES = ["BASE_ENTRY", "PYRAMID", "EXIT", "STOP"] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** Bounds a price must sit in, in rupees: a paisa to a crore (₹1,00,00,000); anything else is a units mistake. */
export const MIN_PRICE_RUPEES = 0.01;
export const MAX_PRICE_RUPEES = 10_000_000;
const MAX_LOTS = 100_000;
const MAX_CONDITIONS = 50;

/** A validated signal; times as Dates, prices still in rupees as sent. */
export interface TradingViewSignal {
  timestamp: Date;
  signalType: SignalType;
  /** Without an exchange prefix ("NSE:SBIN" arrives as "SBIN"). */
  symbol: string;
  price: number;
  conditions: Record<string, number | string | boolean>;
  theoreticalLots: number;
  /** Required for entries; ignored on exits. */
  stopLoss: number | null;
}

// ISO 8601 with a zone: a time without one could be read in two ways.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
// NSE symbols: capitals, digits, & and - (M&M, BAJAJ-AUTO), at most 30 characters.
// The database refuses NUL and half a surrogate pair in JSON text: a condition carrying one is refused here, by name.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const storable = (s: string) => !UNSTORABLE.test(s);
const STORABLE_ERROR = "a text cannot hold a NUL character or half a Unicode surrogate pair";
const SYMBOL = /^(NSE:)?([A-Z0-9][A-Z0-9&_-]{0,29})$/;
const EARLIEST_SIGNAL = Date.parse("2000-01-01T00:00:00Z");

const rupees = (what: string) =>
  z
    .number()
    .min(MIN_PRICE_RUPEES, { error: `expected ${what} in rupees from ${MIN_PRICE_RUPEES} to ${MAX_PRICE_RUPEES}` })
    .max(MAX_PRICE_RUPEES, { error: `expected ${what} in rupees from ${MIN_PRICE_RUPEES} to ${MAX_PRICE_RUPEES}` });

const body = z
  .object({
    timestamp: z
      .string()
      .max(40, { error: "expected an ISO 8601 time with a zone, like 2025-11-17T04:45:00Z", abort: true })
      .regex(ISO_WITH_ZONE, { error: "expected an ISO 8601 time with a zone, like 2025-11-17T04:45:00Z", abort: true })
      .refine((s) => isRealInstant(s), { error: "not a real date and time", abort: true })
      // The database cannot store year 0, and nothing NSE trades is older than 2000.
      .refine((s) => Date.parse(s) >= EARLIEST_SIGNAL, { error: "expected a time from 2000 on" }),
    signal_type: z.enum(SIGNAL_TYPES, { error: `expected one of ${SIGNAL_TYPES.join(", ")}` }),
    symbol: z.string().regex(SYMBOL, { error: "expected an NSE symbol in capitals, like SBIN or BANKNIFTY" }),
    price: rupees("a price"),
    conditions: z
      .record(
        z.string().min(1).max(64).refine(storable),
        z.union([z.number(), z.string().max(200, { error: "expected a text of at most 200 characters" }).refine(storable, { error: STORABLE_ERROR }), z.boolean()]),
      )
      .refine((c) => Object.keys(c).length <= MAX_CONDITIONS, { error: `expected at most ${MAX_CONDITIONS} conditions` })
      .optional(),
    theoretical_lots: z
      .number()
      .int({ error: "expected a whole number of lots" })
      .min(0, { error: "expected a whole number of lots, 0 or more" })
      .max(MAX_LOTS, { error: `expected at most ${MAX_LOTS} lots` }),
    stop_loss: rupees("a stop").optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.signal_type !== "BASE_ENTRY" && b.signal_type !== "PYRAMID") return;
    // An exit is never refused over its lot count (it must close what is held); an entry must size something.
    if (b.theoretical_lots === 0) ctx.addIssue({ code: "custom", path: ["theoretical_lots"], message: `expected 1 or more lots for ${b.signal_type}` });
    if (b.stop_loss === undefined) ctx.addIssue({ code: "custom", path: ["stop_loss"], message: `required for ${b.signal_type}` });
    else if (b.stop_loss >= b.price && b.price >= MIN_PRICE_RUPEES && b.price <= MAX_PRICE_RUPEES) ctx.addIssue({ code: "custom", path: ["stop_loss"], message: `expected below price (${b.price}) for a long entry, got ${b.stop_loss}` });
  });

function isRealInstant(s: string): boolean {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) return false;
  // Date.parse rolls 2025-02-30 over to March: the calendar date written must be the one parsed (in its own zone).
  const zone = /(Z|[+-]\d{2}:?\d{2})$/.exec(s)![1]!;
  const offsetMin = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const local = new Date(t + offsetMin * 60_000).toISOString().slice(0, 16);
  return local === s.slice(0, 16);
}

export type SchemaResult = { ok: true; signal: TradingViewSignal } | { ok: false; field: string; message: string };

/** Checks a parsed JSON body (its secret already taken off); a refusal names the first bad field, and says every problem. */
export function parseTradingViewSignal(input: unknown): SchemaResult {
  const r = body.safeParse(input, { reportInput: true });
  if (!r.success) {
    const problems = r.error.issues.map(describeIssue);
    return { ok: false, field: problems[0]!.field, message: problems.map((p) => `${p.field}: ${p.text}`).join("; ") };
  }
  const b = r.data;
  return {
    ok: true,
    signal: {
      timestamp: new Date(b.timestamp),
      signalType: b.signal_type,
      symbol: SYMBOL.exec(b.symbol)![2]!,
      price: b.price,
      conditions: b.conditions ?? {},
      theoreticalLots: b.theoretical_lots,
      stopLoss: b.stop_loss ?? null,
    },
  };
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; text: string } {
  const at = issue.path.map((p) => clip(String(p))).join(".");
  if (issue.input === undefined && issue.code !== "custom" && issue.code !== "unrecognized_keys") return { field: at, text: "required" };
  switch (issue.code) {
    case "unrecognized_keys":
      // A field named "" is named as such, not left out.
      return { field: [at, issue.keys[0] === "" ? '""' : clip(issue.keys[0] ?? "")].filter(Boolean).join("."), text: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.map((k) => `"${clip(k)}"`).join(", ")}` : ""}; seed 002's fields are timestamp, signal_type, symbol, price, conditions, theoretical_lots, stop_loss and secret` };
    case "invalid_type":
      if (issue.expected === "int") return { field: at, text: `expected a whole number, got ${shown(issue.input)}` };
      return { field: at || "body", text: `expected ${article(issue.expected)}, got ${shown(issue.input)}` };
    case "invalid_union":
      return { field: at, text: `expected a number, a string or true/false, got ${shown(issue.input)}` };
    case "invalid_key":
      return { field: at, text: `condition names are 1 to 64 characters; ${STORABLE_ERROR}` };
    case "invalid_value":
      return { field: at, text: `${issue.message}, got ${shown(issue.input)}` };
    case "too_big":
    case "too_small":
      // Custom bounds say what they want; a string too long is told by its length, not echoed.
      return { field: at, text: typeof issue.input === "string" ? `${issue.message === "" ? "out of bounds" : issue.message} (${issue.input.length} characters)` : `${issue.message}, got ${shown(issue.input)}` };
    case "invalid_format":
      return { field: at, text: `${issue.message}, got ${shown(issue.input)}` };
    default:
      return { field: at, text: issue.message };
  }
}

function article(type: string): string {
  if (type === "object") return "an object";
  if (type === "array") return "an array";
  if (type === "record") return "an object of names to numbers, texts or true/false";
  return `a ${type}`;
}

/** What was sent, short: a value is echoed only as far as it helps to find it. */
function shown(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `a string "${clip(v)}"`;
  if (typeof v === "object") return "an object";
  if (typeof v === "number") return String(v);
  return String(v);
}

/** Short, and storable: what a refusal quotes ends up in the audit log. */
function clip(s: string): string {
  const safe = s.replace(new RegExp(UNSTORABLE.source, "g"), "\uFFFD");
  const chars = [...safe]; // by code point: a cut never halves a surrogate pair
  return chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : safe;
}
