/**
 * Our symbols ↔ Angel One's instruments, from the scrip master.
 *
 * Our symbols: a cash equity by its NSE name without the series
 * ("RELIANCE" → RELIANCE-EQ, token 2885), an index by its F&O name
 * ("BANKNIFTY" → Nifty Bank, token 99926009), an F&O contract by its
 * tradingsymbol ("NIFTY28OCT2524400CE").
 *
 * The master is downloaded from ANGEL_SCRIP_MASTER_URL, by default Angel's
 * public OpenAPIScripMaster.json (refreshed by Angel every evening).
 */
import { BrokerError } from "../broker.js";
import { InstrumentMaster, type Exchange, type Instrument, type SkippedRecord } from "../../market/instruments.js";

export const DEFAULT_SCRIP_MASTER_URL = "https://margincalculator.angelbroking.com/OpenAPI_File/files/OpenAPIScripMaster.json";

/** The URL to fetch: an explicit one, else ANGEL_SCRIP_MASTER_URL, else Angel's. */
export function scripMasterUrl(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit || env.ANGEL_SCRIP_MASTER_URL || DEFAULT_SCRIP_MASTER_URL;
}

/** The full master is tens of megabytes. */
const DOWNLOAD_TIMEOUT_MS = 120_000;

export async function fetchScripMaster(url: string, timeoutMs = DOWNLOAD_TIMEOUT_MS): Promise<{ master: InstrumentMaster; skipped: SkippedRecord[] }> {
  let json: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`);
    }
    json = (await res.json()) as unknown;
  } catch (err) {
    throw new BrokerError("unavailable", `could not download Angel One's instrument list from ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return InstrumentMaster.fromJson(json);
  } catch (err) {
    throw new BrokerError("unavailable", `Angel One's instrument list from ${url} is not usable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** What an order or a quote needs of an instrument. */
export interface AngelInstrument {
  /** Ours. */
  symbol: string;
  exchange: Exchange;
  token: string;
  /** Angel's name for it (RELIANCE-EQ). */
  tradingsymbol: string;
  /** Price step in paise; 0 for an index (not tradable). */
  tick: number;
  lot: number;
  instrument: Instrument;
}

export class AngelInstruments {
  constructor(readonly master: InstrumentMaster) {}

  /** The instrument behind one of our symbols, or undefined. */
  find(symbol: string): AngelInstrument | undefined {
    const m = this.master;
    const i = m.equity(symbol) ?? m.bySymbol("NFO", symbol) ?? m.bySymbol("BFO", symbol) ?? m.index(symbol) ?? m.bySymbol("NSE", symbol) ?? m.bySymbol("BSE", symbol);
    return i ? this.wrap(i) : undefined;
  }

  /** As find, but an unknown symbol is a refusal naming it. */
  resolve(symbol: string): AngelInstrument {
    const found = this.find(symbol);
    if (!found) throw new BrokerError("rejected", `${symbol}: not in Angel One's instrument list`);
    return found;
  }

  /** Our symbol for an exchange token; falls back on Angel's tradingsymbol without "-EQ". */
  symbolOf(exchange: string, token: string | null | undefined, tradingsymbol: string): string {
    const i = token ? this.master.byToken(token) : undefined;
    if (i && i.exchange === exchange) return ourSymbol(i);
    const bySymbol = this.master.bySymbol(exchange as Exchange, tradingsymbol);
    if (bySymbol) return ourSymbol(bySymbol);
    return tradingsymbol.replace(/-EQ$/, "");
  }

  private wrap(i: Instrument): AngelInstrument {
    return { symbol: ourSymbol(i), exchange: i.exchange, token: i.token, tradingsymbol: i.symbol, tick: i.tick, lot: i.lotSize, instrument: i };
  }
}

function ourSymbol(i: Instrument): string {
  if (i.kind === "equity") return i.symbol.replace(/-EQ$/, "");
  if (i.kind === "index") return i.name;
  return i.symbol;
}

/** F&O segments: CARRYFORWARD by default; cash: DELIVERY. */
export function isDerivativeSegment(exchange: Exchange): boolean {
  return exchange === "NFO" || exchange === "BFO" || exchange === "MCX" || exchange === "CDS" || exchange === "NCDEX";
}
