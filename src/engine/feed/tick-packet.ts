/**
 * SmartAPI WebSocket V2 binary tick packets (little-endian), per Angel One's
 * "WebSocket Streaming 2.0" layout and smartapi-javascript's lib/websocket2.0.js:
 *
 *   0 mode (1 LTP, 2 Quote, 3 SnapQuote) · 1 exchange type · 2-26 token (NUL-padded ASCII)
 *   27 sequence (int64) · 35 exchange time (int64 ms epoch) · 43 LTP (int64 paise)  → 51 bytes
 *   51 last traded qty · 59 average price · 67 volume (int64) · 75 total buy qty ·
 *   83 total sell qty (double) · 91 open · 99 high · 107 low · 115 close (int64 paise) → 123 bytes
 *   123 last trade time (int64 ms) · 131 open interest (int64) · 139 OI change (double, a dummy) ·
 *   147 best five (200 bytes, not decoded) · 347 upper circuit · 355 lower circuit ·
 *   363 52-week high · 371 52-week low (int64 paise) → 379 bytes
 *
 * Decoding never throws: a bad packet comes back as `{ok: false, error}` so a
 * socket handler can report it and carry on.
 */
import type { Paise } from "../money.js";

export const MODE = { LTP: 1, QUOTE: 2, SNAP_QUOTE: 3, DEPTH: 4 } as const;
export type TickMode = 1 | 2 | 3;

/** Exchange type bytes as the feed numbers them. */
export const EXCHANGE_TYPE = { nse_cm: 1, nse_fo: 2, bse_cm: 3, bse_fo: 4, mcx_fo: 5, ncx_fo: 7, cde_fo: 13 } as const;
const KNOWN_EXCHANGE_TYPES = new Set<number>(Object.values(EXCHANGE_TYPE));

export const LTP_PACKET_BYTES = 51;
export const QUOTE_PACKET_BYTES = 123;
export const SNAP_QUOTE_PACKET_BYTES = 379;
const TOKEN_OFFSET = 2;
const TOKEN_BYTES = 25;

export interface LtpTick {
  mode: 1;
  exchangeType: number;
  token: string;
  /** The exchange's sequence number (0 for index feeds, which carry none). */
  seq: number;
  exchangeTime: Date;
  ltp: Paise;
}

export interface QuoteFields {
  lastTradedQty: number;
  avgPrice: Paise;
  /** The day's traded volume so far (cumulative). */
  volume: number;
  totalBuyQty: number;
  totalSellQty: number;
  /** The day's open, high and low. */
  open: Paise;
  high: Paise;
  low: Paise;
  /** The previous session's close. */
  close: Paise;
}

export interface QuoteTick extends Omit<LtpTick, "mode">, QuoteFields {
  mode: 2;
}

export interface SnapQuoteTick extends Omit<LtpTick, "mode">, QuoteFields {
  mode: 3;
  lastTradedTime: Date;
  openInterest: number;
  upperCircuit: Paise;
  lowerCircuit: Paise;
  high52w: Paise;
  low52w: Paise;
}

export type Tick = LtpTick | QuoteTick | SnapQuoteTick;

export type DecodeResult = { ok: true; tick: Tick } | { ok: false; error: string };

class PacketError extends Error {}

/**
 * Reads a signed int64 as two 32-bit halves (no BigInt on the hot path). The
 * sum is exact whenever the value is within 2^53; beyond that it cannot be
 * held exactly, so it is an error rather than a rounded number.
 */
function int64(buf: Buffer, at: number, what: string): number {
  const v = buf.readInt32LE(at + 4) * 4_294_967_296 + buf.readUInt32LE(at);
  if (!Number.isSafeInteger(v)) throw new PacketError(`${what} ${buf.readBigInt64LE(at)} at byte ${at} is beyond exact range`);
  return v;
}

function decodeToken(buf: Buffer): string {
  let end = TOKEN_OFFSET;
  const limit = TOKEN_OFFSET + TOKEN_BYTES;
  while (end < limit && buf[end] !== 0) {
    const c = buf[end]!;
    if (c < 0x21 || c > 0x7e) throw new PacketError(`token byte ${end - TOKEN_OFFSET} is 0x${c.toString(16).padStart(2, "0")}, not printable ASCII`);
    end++;
  }
  // Past the first NUL only padding may follow.
  for (let i = end; i < limit; i++) if (buf[i] !== 0) throw new PacketError("token has bytes after its NUL padding");
  if (end === TOKEN_OFFSET) throw new PacketError("token is empty");
  return buf.toString("latin1", TOKEN_OFFSET, end);
}

function needed(mode: number): number {
  return mode === MODE.LTP ? LTP_PACKET_BYTES : mode === MODE.QUOTE ? QUOTE_PACKET_BYTES : SNAP_QUOTE_PACKET_BYTES;
}

const MODE_NAME: Record<number, string> = { 1: "LTP", 2: "Quote", 3: "SnapQuote" };

/** Decodes one binary frame of the feed. */
export function decodeTickPacket(buf: Buffer): DecodeResult {
  try {
    if (buf.length < LTP_PACKET_BYTES) return { ok: false, error: `packet too short: ${buf.length} bytes (an LTP packet has ${LTP_PACKET_BYTES})` };
    const mode = buf[0]!;
    if (mode === MODE.DEPTH) return { ok: false, error: "depth packets (mode 4) are not decoded" };
    if (mode !== MODE.LTP && mode !== MODE.QUOTE && mode !== MODE.SNAP_QUOTE) return { ok: false, error: `unknown subscription mode ${mode}` };
    if (buf.length < needed(mode)) return { ok: false, error: `${MODE_NAME[mode]} packet too short: ${buf.length} bytes (needs ${needed(mode)})` };
    const exchangeType = buf[1]!;
    if (!KNOWN_EXCHANGE_TYPES.has(exchangeType)) return { ok: false, error: `unknown exchange type ${exchangeType}` };
    const token = decodeToken(buf);
    const seq = int64(buf, 27, "sequence number");
    const time = int64(buf, 35, "exchange timestamp");
    if (time < 0) return { ok: false, error: `exchange timestamp ${time} is before 1970` };
    const exchangeTime = new Date(time);
    const ltp = int64(buf, 43, "LTP");
    if (mode === MODE.LTP) return { ok: true, tick: { mode, exchangeType, token, seq, exchangeTime, ltp } };

    // Fields are listed in full (no spread): this runs for every tick.
    const lastTradedQty = int64(buf, 51, "last traded quantity");
    const avgPrice = int64(buf, 59, "average price");
    const volume = int64(buf, 67, "volume");
    const totalBuyQty = buf.readDoubleLE(75);
    const totalSellQty = buf.readDoubleLE(83);
    const open = int64(buf, 91, "open");
    const high = int64(buf, 99, "high");
    const low = int64(buf, 107, "low");
    const close = int64(buf, 115, "close");
    if (mode === MODE.QUOTE) {
      return { ok: true, tick: { mode, exchangeType, token, seq, exchangeTime, ltp, lastTradedQty, avgPrice, volume, totalBuyQty, totalSellQty, open, high, low, close } };
    }
    return {
      ok: true,
      tick: {
        mode,
        exchangeType,
        token,
        seq,
        exchangeTime,
        ltp,
        lastTradedQty,
        avgPrice,
        volume,
        totalBuyQty,
        totalSellQty,
        open,
        high,
        low,
        close,
        lastTradedTime: new Date(int64(buf, 123, "last trade timestamp")),
        openInterest: int64(buf, 131, "open interest"),
        upperCircuit: int64(buf, 347, "upper circuit"),
        lowerCircuit: int64(buf, 355, "lower circuit"),
        high52w: int64(buf, 363, "52-week high"),
        low52w: int64(buf, 371, "52-week low"),
      },
    };
  } catch (err) {
    if (err instanceof PacketError) return { ok: false, error: err.message };
    return { ok: false, error: `undecodable packet: ${(err as Error).message}` };
  }
}

/**
 * Writes a tick in the feed's layout (benchmarks and tests). A SnapQuote's
 * best-five block is left zeroed.
 */
export function encodeTickPacket(tick: Tick): Buffer {
  const buf = Buffer.alloc(needed(tick.mode));
  buf[0] = tick.mode;
  buf[1] = tick.exchangeType;
  if (tick.token.length === 0 || tick.token.length > TOKEN_BYTES) throw new RangeError(`token must be 1-${TOKEN_BYTES} characters: ${tick.token}`);
  buf.write(tick.token, TOKEN_OFFSET, "latin1");
  const put = (v: number, at: number) => buf.writeBigInt64LE(BigInt(v), at);
  put(tick.seq, 27);
  put(tick.exchangeTime.getTime(), 35);
  put(tick.ltp, 43);
  if (tick.mode === MODE.LTP) return buf;
  put(tick.lastTradedQty, 51);
  put(tick.avgPrice, 59);
  put(tick.volume, 67);
  buf.writeDoubleLE(tick.totalBuyQty, 75);
  buf.writeDoubleLE(tick.totalSellQty, 83);
  put(tick.open, 91);
  put(tick.high, 99);
  put(tick.low, 107);
  put(tick.close, 115);
  if (tick.mode === MODE.QUOTE) return buf;
  put(tick.lastTradedTime.getTime(), 123);
  put(tick.openInterest, 131);
  put(tick.upperCircuit, 347);
  put(tick.lowerCircuit, 355);
  put(tick.high52w, 363);
  put(tick.low52w, 371);
  return buf;
}
