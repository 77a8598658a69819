/**
 * Angel One's instrument master (the "scrip master": one JSON array of
 * records, every field a string) parsed into typed instruments, and an index
 * over them for the lookups the desk needs.
 *
 * Format facts the parser relies on:
 * - strike and tick_size are in paise: strike "2440000.000000" is ₹24,400 and
 *   tick_size "5.000000" is ₹0.05. Non-options carry strike "-1.000000"
 *   (equities, futures) or "0.000000" (indices); their strike is ignored.
 * - expiry is DDMMMYYYY ("28OCT2025"), empty for equities and indices.
 * - instrumenttype is "" for cash-market rows, AMXIDX for indices, FUT* for
 *   futures, OPT* for options (the symbol ends in CE or PE). Index rows have
 *   tick_size "0.000000": they are not tradable.
 *
 * Decisions:
 * - A bad record is skipped and reported with its array index and a reason
 *   naming the field; nothing is dropped silently.
 * - Unknown exch_seg values and unknown instrument types are skipped (with a
 *   reason), because guessing a segment would route an order to the wrong
 *   exchange.
 * - Amounts must be whole paise. A fractional paise value (possible for
 *   currency derivatives) is skipped rather than rounded.
 * - A token or an (exchange, symbol) seen twice keeps the first record; the
 *   later one is reported. The `instruments` table keys on both.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { Paise } from "../money.js";
import { isIstDate, type IstDate } from "../time/ist.js";
import { DATA_DIR } from "./shipped-data.js";

export const EXCHANGES = ["NSE", "NFO", "BSE", "BFO", "MCX", "CDS", "NCDEX"] as const;
export type Exchange = (typeof EXCHANGES)[number];

export type InstrumentKind = "equity" | "index" | "future" | "option";
export type OptionType = "CE" | "PE";

export interface Instrument {
  token: string;
  symbol: string;
  /** Underlying name: "RELIANCE", "NIFTY", "BANKNIFTY". */
  name: string;
  exchange: Exchange;
  kind: InstrumentKind;
  /** As in the master: "", "AMXIDX", "FUTIDX", "OPTSTK", ... */
  instrumentType: string;
  optionType?: OptionType;
  expiry: IstDate | null;
  /** Options only. */
  strike: Paise | null;
  lotSize: number;
  /** 0 for indices (not tradable). */
  tick: Paise;
}

export interface SkippedRecord {
  index: number;
  reason: string;
}

export interface ParsedScripMaster {
  instruments: Instrument[];
  skipped: SkippedRecord[];
}

export const SCRIP_MASTER_SAMPLE = join(DATA_DIR, "instruments", "scrip_master_sample.json");

const digits = z.string().regex(/^\d+$/, "expected digits");

/** The record's shape; conversions that need more than one field follow below. */
const RawRecord = z.object({
  token: digits,
  symbol: z.string().min(1, "empty"),
  name: z.string().min(1, "empty"),
  expiry: z.string(),
  strike: z.string(),
  lotsize: digits,
  instrumenttype: z.string(),
  exch_seg: z.string(),
  tick_size: z.string(),
});
type RawRecord = z.infer<typeof RawRecord>;

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/** "2440000.000000" → 2440000, by string, so no float error. Whole paise only. */
function wholePaise(field: string, s: string): Paise {
  const m = DECIMAL_RE.exec(s);
  if (!m) throw new FieldError(field, `not a number: ${JSON.stringify(s)}`);
  if (m[3] && /[^0]/.test(m[3])) throw new FieldError(field, `fractional paise not supported: ${s}`);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new FieldError(field, `too large: ${s}`);
  return m[1] && n !== 0 ? -n : n;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** "28OCT2025" → "2025-10-28"; rejects dates that do not exist ("31FEB2025"). */
export function parseMasterExpiry(s: string): IstDate {
  const m = /^(\d{2})([A-Z]{3})(\d{4})$/.exec(s);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  const iso = m && month >= 0 ? `${m[3]}-${String(month + 1).padStart(2, "0")}-${m[1]}` : "";
  if (!isIstDate(iso)) throw new FieldError("expiry", `not a date (DDMMMYYYY): ${JSON.stringify(s)}`);
  return iso;
}

function kindOf(instrumentType: string): InstrumentKind {
  if (instrumentType === "") return "equity";
  if (instrumentType === "AMXIDX") return "index";
  if (instrumentType.startsWith("FUT")) return "future";
  if (instrumentType.startsWith("OPT")) return "option";
  throw new FieldError("instrumenttype", `unsupported: ${JSON.stringify(instrumentType)}`);
}

function toInstrument(r: RawRecord): Instrument {
  if (!(EXCHANGES as readonly string[]).includes(r.exch_seg)) {
    throw new FieldError("exch_seg", `unknown segment ${JSON.stringify(r.exch_seg)} (known: ${EXCHANGES.join(", ")})`);
  }
  const exchange = r.exch_seg as Exchange;
  const kind = kindOf(r.instrumenttype);
  const lotSize = Number(r.lotsize);
  if (lotSize < 1 || !Number.isSafeInteger(lotSize)) throw new FieldError("lotsize", `must be a positive whole number: ${r.lotsize}`);
  const tick = wholePaise("tick_size", r.tick_size);
  if (kind === "index" ? tick < 0 : tick <= 0) throw new FieldError("tick_size", `must be positive: ${r.tick_size}`);

  const derivative = kind === "future" || kind === "option";
  let expiry: IstDate | null = null;
  if (derivative) {
    if (r.expiry === "") throw new FieldError("expiry", `missing for ${r.instrumenttype}`);
    expiry = parseMasterExpiry(r.expiry);
  } else if (r.expiry !== "") {
    throw new FieldError("expiry", `unexpected for ${kind}: ${JSON.stringify(r.expiry)}`);
  }

  const out: Instrument = { token: r.token, symbol: r.symbol, name: r.name, exchange, kind, instrumentType: r.instrumenttype, expiry, strike: null, lotSize, tick };
  if (kind === "option") {
    const strike = wholePaise("strike", r.strike);
    if (strike <= 0) throw new FieldError("strike", `must be positive for an option: ${r.strike}`);
    const suffix = r.symbol.slice(-2);
    if (suffix !== "CE" && suffix !== "PE") throw new FieldError("symbol", `option symbol must end in CE or PE: ${r.symbol}`);
    out.strike = strike;
    out.optionType = suffix;
  }
  return out;
}

export function parseScripMaster(json: unknown): ParsedScripMaster {
  if (!Array.isArray(json)) throw new TypeError("scrip master: expected a JSON array of records");
  const instruments: Instrument[] = [];
  const skipped: SkippedRecord[] = [];
  const tokens = new Map<string, number>();
  const symbols = new Map<string, number>();
  json.forEach((rec: unknown, index) => {
    const parsed = RawRecord.safeParse(rec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? issue.path.join(".") : "record";
      skipped.push({ index, reason: `${field}: ${issue.message}` });
      return;
    }
    let inst: Instrument;
    try {
      inst = toInstrument(parsed.data);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      skipped.push({ index, reason: err.message });
      return;
    }
    const firstToken = tokens.get(inst.token);
    if (firstToken !== undefined) {
      skipped.push({ index, reason: `token: duplicate ${inst.token} (first at record ${firstToken})` });
      return;
    }
    const key = `${inst.exchange}:${inst.symbol}`;
    const firstSymbol = symbols.get(key);
    if (firstSymbol !== undefined) {
      skipped.push({ index, reason: `symbol: duplicate ${key} (first at record ${firstSymbol})` });
      return;
    }
    tokens.set(inst.token, index);
    symbols.set(key, index);
    instruments.push(inst);
  });
  return { instruments, skipped };
}

/** Reads a scrip master JSON file (the full download or the shipped sample). */
export function loadScripMasterFile(path: string = SCRIP_MASTER_SAMPLE): ParsedScripMaster {
  return parseScripMaster(JSON.parse(readFileSync(path, "utf8")) as unknown);
}

const byExpiryThenStrike = (a: Instrument, b: Instrument): number =>
  (a.expiry ?? "").localeCompare(b.expiry ?? "") || (a.strike ?? 0) - (b.strike ?? 0) || a.symbol.localeCompare(b.symbol);

/**
 * Lookups over a parsed master. Derivative lookups default to NFO (the desk
 * trades NSE F&O); pass "BFO" for BSE contracts. Finders return undefined or
 * [] when nothing matches; methods that return a number throw instead.
 */
export class InstrumentMaster {
  private readonly tokens = new Map<string, Instrument>();
  private readonly symbols = new Map<string, Instrument>();
  private readonly indices: Instrument[] = [];
  /** "NFO:BANKNIFTY" → that underlying's futures and options, sorted by expiry then strike. */
  private readonly derivatives = new Map<string, Instrument[]>();

  constructor(readonly instruments: readonly Instrument[]) {
    for (const i of instruments) {
      const key = `${i.exchange}:${i.symbol}`;
      if (this.tokens.has(i.token)) throw new RangeError(`duplicate token ${i.token}`);
      if (this.symbols.has(key)) throw new RangeError(`duplicate symbol ${key}`);
      this.tokens.set(i.token, i);
      this.symbols.set(key, i);
      if (i.kind === "index") this.indices.push(i);
      if (i.kind === "future" || i.kind === "option") {
        const underlying = `${i.exchange}:${i.name}`;
        const list = this.derivatives.get(underlying) ?? [];
        list.push(i);
        this.derivatives.set(underlying, list);
      }
    }
    for (const list of this.derivatives.values()) list.sort(byExpiryThenStrike);
  }

  static fromJson(json: unknown): { master: InstrumentMaster; skipped: SkippedRecord[] } {
    const { instruments, skipped } = parseScripMaster(json);
    return { master: new InstrumentMaster(instruments), skipped };
  }

  get size(): number {
    return this.tokens.size;
  }

  byToken(token: string): Instrument | undefined {
    return this.tokens.get(token);
  }

  bySymbol(exchange: Exchange, symbol: string): Instrument | undefined {
    return this.symbols.get(`${exchange}:${symbol}`);
  }

  /** The NSE cash row of the EQ series: "RELIANCE" → RELIANCE-EQ. Other series (BE, SM, ...) are not equities here. */
  equity(name: string): Instrument | undefined {
    const i = this.bySymbol("NSE", `${name}-EQ`);
    return i?.kind === "equity" ? i : undefined;
  }

  /** By underlying name ("BANKNIFTY", as F&O rows name it) or by the index's own symbol ("Nifty Bank"); NSE first. */
  index(name: string): Instrument | undefined {
    const wanted = name.toUpperCase();
    const hits = this.indices.filter(
      (i) => i.kind === "index" && (i.name.toUpperCase() === wanted || i.symbol.toUpperCase() === wanted),
    );
    return hits.find((i) => i.exchange === "NSE") ?? hits[0];
  }

  /** Futures of an underlying, nearest expiry first; with an expiry, only that one. */
  futures(underlying: string, expiry?: IstDate, exchange: Exchange = "NFO"): Instrument[] {
    return this.contracts(underlying, exchange).filter((i) => i.kind === "future" && (expiry === undefined || i.expiry === expiry));
  }

  option(underlying: string, expiry: IstDate, strike: Paise, type: OptionType, exchange: Exchange = "NFO"): Instrument | undefined {
    return this.contracts(underlying, exchange).find(
      (i) => i.kind === "option" && i.expiry === expiry && i.strike === strike && i.optionType === type,
    );
  }

  /** Distinct expiries of an underlying's futures or options, ascending. */
  expiries(underlying: string, kind: "future" | "option", exchange: Exchange = "NFO"): IstDate[] {
    const set = new Set<IstDate>();
    for (const i of this.contracts(underlying, exchange)) if (i.kind === kind) set.add(i.expiry!);
    return [...set].sort();
  }

  /** Distinct option strikes (CE or PE) for an expiry, ascending, in paise. */
  strikes(underlying: string, expiry: IstDate, exchange: Exchange = "NFO"): Paise[] {
    const set = new Set<Paise>();
    for (const i of this.contracts(underlying, exchange)) if (i.kind === "option" && i.expiry === expiry) set.add(i.strike!);
    return [...set].sort((a, b) => a - b);
  }

  /**
   * The listed strike closest to spot (paise). A spot exactly between two
   * strikes takes the lower one, so the answer is deterministic and does not
   * depend on list order. Throws if the expiry has no strikes.
   */
  nearestStrike(underlying: string, expiry: IstDate, spot: Paise, exchange: Exchange = "NFO"): Paise {
    const strikes = this.strikes(underlying, expiry, exchange);
    if (strikes.length === 0) throw new RangeError(`no ${exchange} option strikes for ${underlying} expiring ${expiry}`);
    let best = strikes[0]!;
    for (const s of strikes) if (Math.abs(s - spot) < Math.abs(best - spot)) best = s;
    return best;
  }

  /**
   * Lot size of a token, or, given an expiry, of an underlying's contracts
   * expiring that day (futures and options share it). Throws when unknown or
   * when that expiry's contracts disagree.
   */
  lotSize(tokenOrUnderlying: string, expiry?: IstDate, exchange: Exchange = "NFO"): number {
    if (expiry === undefined) return this.require(tokenOrUnderlying).lotSize;
    const lots = new Set(this.contracts(tokenOrUnderlying, exchange).filter((i) => i.expiry === expiry).map((i) => i.lotSize));
    if (lots.size === 0) throw new RangeError(`no ${exchange} contracts for ${tokenOrUnderlying} expiring ${expiry}`);
    if (lots.size > 1) throw new RangeError(`${tokenOrUnderlying} ${expiry}: contracts disagree on lot size (${[...lots].join(", ")})`);
    return [...lots][0]!;
  }

  /** Price step in paise. Indices have none (tick 0 in the master), so they throw: no order can be priced on them. */
  tickFor(token: string): Paise {
    const i = this.require(token);
    if (i.tick <= 0) throw new RangeError(`${i.symbol} (token ${token}) is not tradable: no tick size`);
    return i.tick;
  }

  private require(token: string): Instrument {
    const i = this.tokens.get(token);
    if (!i) throw new RangeError(`unknown instrument token ${token}`);
    return i;
  }

  private contracts(underlying: string, exchange: Exchange): readonly Instrument[] {
    return this.derivatives.get(`${exchange}:${underlying}`) ?? [];
  }
}
