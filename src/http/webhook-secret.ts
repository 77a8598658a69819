/**
 * The webhook's shared secret, compared in constant time: both sides are
 * hashed first, so the comparison never depends on where they differ nor on
 * the length of what was sent.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export class SharedSecret {
  private readonly expected: Buffer;

  constructor(secret: string) {
    this.expected = digest(secret);
  }

  matches(given: string): boolean {
    return timingSafeEqual(digest(given), this.expected);
  }
}
