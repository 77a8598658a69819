import { createHash } from "node:crypto";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/**
 * A client order id derived from what the order is for, so asking twice for the
 * same order yields the same id and the unique index refuses the second. 16
 * characters: fits SmartAPI's 20-character order tag.
 */
export function clientOrderId(...parts: Array<string | number>): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest();
  let s = "D";
  for (let i = 0; i < 15; i++) s += ALPHABET[h[i]! & 31];
  return s;
}
