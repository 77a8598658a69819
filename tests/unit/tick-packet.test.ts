import { describe, expect, it } from "vitest";
import { decodeTickPacket, encodeTickPacket, type QuoteTick, type SnapQuoteTick, type Tick } from "../../src/engine/feed/tick-packet.js";

/** Little-endian bytes of a non-negative int64 below 2^53, written without Buffer helpers. */
function le64(n: number): number[] {
  const out: number[] = [];
  let v = n;
  for (let i = 0; i < 8; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

function tokenBytes(t: string): number[] {
  return [...t].map((c) => c.charCodeAt(0)).concat(new Array(25 - t.length).fill(0));
}

const T = Date.UTC(2025, 8, 15, 4, 0, 0, 123); // 09:30:00.123 IST

// SBIN on nse_cm at ₹812.35, sequence 1,234,567, built byte by byte.
const LTP_BYTES = Buffer.from([1, 1, ...tokenBytes("3045"), ...le64(1_234_567), ...le64(T), ...le64(81_235)]);

describe("decodeTickPacket", () => {
  it("reads an LTP packet built by hand", () => {
    expect(LTP_BYTES.length).toBe(51);
    expect(decodeTickPacket(LTP_BYTES)).toEqual({
      ok: true,
      tick: { mode: 1, exchangeType: 1, token: "3045", seq: 1_234_567, exchangeTime: new Date(T), ltp: 81_235 },
    });
  });

  it("reads a Quote packet's fields at their offsets", () => {
    const b = Buffer.alloc(123);
    LTP_BYTES.copy(b);
    b[0] = 2;
    b[1] = 2;
    b.write("58784\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 2, "latin1");
    b.set(le64(75), 51); // last traded qty
    b.set(le64(81_190), 59); // average price
    b.set(le64(9_876_543), 67); // volume
    b.writeDoubleLE(120_450.5, 75);
    b.writeDoubleLE(98_000, 83);
    b.set(le64(80_500), 91);
    b.set(le64(81_600), 99);
    b.set(le64(80_100), 107);
    b.set(le64(80_900), 115);
    const r = decodeTickPacket(b);
    expect(r.ok).toBe(true);
    const q = (r as { tick: QuoteTick }).tick;
    expect(q).toEqual({
      mode: 2,
      exchangeType: 2,
      token: "58784",
      seq: 1_234_567,
      exchangeTime: new Date(T),
      ltp: 81_235,
      lastTradedQty: 75,
      avgPrice: 81_190,
      volume: 9_876_543,
      totalBuyQty: 120_450.5,
      totalSellQty: 98_000,
      open: 80_500,
      high: 81_600,
      low: 80_100,
      close: 80_900,
    });
  });

  it("reads a SnapQuote packet's extra fields and skips the best-five block", () => {
    const b = Buffer.alloc(379);
    LTP_BYTES.copy(b);
    b[0] = 3;
    b.set(le64(T - 2_000), 123); // last trade time
    b.set(le64(1_500_000), 131); // open interest
    b.fill(0xff, 147, 347); // best five: noise that must not leak into other fields
    b.set(le64(89_350), 347);
    b.set(le64(73_110), 355);
    b.set(le64(91_200), 363);
    b.set(le64(55_000), 371);
    const r = decodeTickPacket(b);
    const s = (r as { tick: SnapQuoteTick }).tick;
    expect(s).toMatchObject({ mode: 3, token: "3045", ltp: 81_235, openInterest: 1_500_000, upperCircuit: 89_350, lowerCircuit: 73_110, high52w: 91_200, low52w: 55_000 });
    expect(s.lastTradedTime).toEqual(new Date(T - 2_000));
  });

  it("keeps a negative int64 negative (read as signed, not as a huge unsigned)", () => {
    const b = Buffer.from(LTP_BYTES);
    b.writeBigInt64LE(-125n, 43);
    expect(decodeTickPacket(b)).toMatchObject({ ok: true, tick: { ltp: -125 } });
  });

  it("reads a 25-character token that fills its field", () => {
    const b = Buffer.from(LTP_BYTES);
    b.write("ABCDEFGHIJKLMNOPQRSTUVWXY", 2, "latin1");
    expect(decodeTickPacket(b)).toMatchObject({ ok: true, tick: { token: "ABCDEFGHIJKLMNOPQRSTUVWXY", ltp: 81_235 } });
  });

  it.each([
    ["an empty buffer", Buffer.alloc(0), "packet too short: 0 bytes (an LTP packet has 51)"],
    ["a 50-byte LTP packet", LTP_BYTES.subarray(0, 50), "packet too short: 50 bytes (an LTP packet has 51)"],
    ["a Quote packet cut at the LTP", Buffer.concat([Buffer.from([2]), LTP_BYTES.subarray(1)]), "Quote packet too short: 51 bytes (needs 123)"],
    ["a SnapQuote packet cut at 123 bytes", Buffer.concat([Buffer.from([3]), LTP_BYTES.subarray(1), Buffer.alloc(72)]), "SnapQuote packet too short: 123 bytes (needs 379)"],
    ["mode 0", Buffer.concat([Buffer.from([0]), LTP_BYTES.subarray(1)]), "unknown subscription mode 0"],
    ["a depth packet", Buffer.concat([Buffer.from([4]), LTP_BYTES.subarray(1)]), "depth packets (mode 4) are not decoded"],
    ["exchange type 9", Buffer.concat([Buffer.from([1, 9]), LTP_BYTES.subarray(2)]), "unknown exchange type 9"],
    ["an all-NUL token", Buffer.concat([LTP_BYTES.subarray(0, 2), Buffer.alloc(25), LTP_BYTES.subarray(27)]), "token is empty"],
  ])("names what is wrong with %s", (_name, buf, error) => {
    expect(decodeTickPacket(buf)).toEqual({ ok: false, error });
  });

  it("refuses a token with a control byte or bytes after its padding", () => {
    const ctl = Buffer.from(LTP_BYTES);
    ctl[3] = 0x07;
    expect(decodeTickPacket(ctl)).toEqual({ ok: false, error: "token byte 1 is 0x07, not printable ASCII" });
    const tail = Buffer.from(LTP_BYTES);
    tail[20] = 0x41;
    expect(decodeTickPacket(tail)).toEqual({ ok: false, error: "token has bytes after its NUL padding" });
  });

  it("refuses a value past 2^53 rather than rounding it, and a timestamp before 1970", () => {
    const big = Buffer.from(LTP_BYTES);
    big.writeBigInt64LE(2n ** 53n + 1n, 27);
    expect(decodeTickPacket(big)).toEqual({ ok: false, error: "sequence number 9007199254740993 at byte 27 is beyond exact range" });
    const early = Buffer.from(LTP_BYTES);
    early.writeBigInt64LE(-1n, 35);
    expect(decodeTickPacket(early)).toEqual({ ok: false, error: "exchange timestamp -1 is before 1970" });
  });
});

describe("encodeTickPacket", () => {
  it("writes the same bytes as the hand-built LTP packet", () => {
    const tick: Tick = { mode: 1, exchangeType: 1, token: "3045", seq: 1_234_567, exchangeTime: new Date(T), ltp: 81_235 };
    expect(encodeTickPacket(tick).equals(LTP_BYTES)).toBe(true);
  });

  it("round-trips Quote and SnapQuote ticks", () => {
    const quote: QuoteTick = {
      mode: 2, exchangeType: 2, token: "58784", seq: 9, exchangeTime: new Date(T), ltp: 12_005,
      lastTradedQty: 75, avgPrice: 11_990, volume: 1_200, totalBuyQty: 300, totalSellQty: 450.5, open: 11_800, high: 12_100, low: 11_750, close: 11_500,
    };
    expect(decodeTickPacket(encodeTickPacket(quote))).toEqual({ ok: true, tick: quote });
    const snap: SnapQuoteTick = { ...quote, mode: 3, lastTradedTime: new Date(T - 5), openInterest: 42, upperCircuit: 13_800, lowerCircuit: 9_200, high52w: 20_000, low52w: 5_000 };
    expect(decodeTickPacket(encodeTickPacket(snap))).toEqual({ ok: true, tick: snap });
  });
});
