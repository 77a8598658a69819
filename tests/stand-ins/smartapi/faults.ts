/**
 * Faults on demand for the SmartAPI stand-in: queued ones (`next`) and seeded
 * random ones (`random`). The server asks `take(path)` once per request; a
 * queued fault for the path wins over a random one.
 */

/**
 * - timeout: hold the request unanswered (longer than any client timeout), then destroy the socket; nothing is done.
 * - 5xx: HTTP 503 (or the status given) before doing anything.
 * - rateLimit: HTTP 403 "Access denied because of exceeding access rate"; nothing is done.
 * - expiredToken: HTTP 200 with the AG8001 "Invalid Token" envelope; nothing is done.
 * - drop: destroy the socket before doing anything.
 * - dropAfterAccept: do the work (an order enters the book), then destroy the socket unanswered.
 * - timeoutAfterAccept: do the work, then hold the request unanswered like "timeout".
 */
export type FaultKind = "timeout" | "5xx" | "rateLimit" | "expiredToken" | "drop" | "dropAfterAccept" | "timeoutAfterAccept";

export const FAULT_KINDS: readonly FaultKind[] = ["timeout", "5xx", "rateLimit", "expiredToken", "drop", "dropAfterAccept", "timeoutAfterAccept"];

export interface Fault {
  kind: FaultKind;
  /** HTTP status for "5xx" (502 or 503; default 503). */
  status?: number;
}

export interface RandomFaults {
  /** Share of matching calls that fail, 0..1. */
  rate: number;
  seed: number;
  /** Kinds drawn from (uniformly); default: timeout, 5xx, rateLimit, drop. */
  kinds?: readonly FaultKind[];
  /** Paths it applies to (full path or last segment, e.g. "placeOrder"); default every path. */
  paths?: readonly string[];
}

export interface ServedFault {
  path: string;
  kind: FaultKind;
  at: Date;
  random: boolean;
}

/** A path matches a key given as the full path ("/rest/.../placeOrder"), its last segment ("placeOrder"), or "*". */
export function pathMatches(key: string, path: string): boolean {
  if (key === "*" || key === path) return true;
  const k = key.startsWith("/") ? key : `/${key}`;
  // details/{id}: "details" matches "/rest/.../details/abc".
  return path.endsWith(k) || path.includes(`${k}/`);
}

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private readonly queued: Array<{ key: string; fault: Fault; left: number }> = [];
  private randomSpec: (RandomFaults & { draw: () => number }) | null = null;
  private partialRatio: number | null = null;
  /** Every fault served, oldest first. */
  readonly served: ServedFault[] = [];
  /** How long a "timeout" holds the request before the socket is destroyed. */
  holdMs = 30_000;

  /** The next `times` calls to `path` (full path, last segment, or "*") fail with `kind`. */
  next(path: string, kind: FaultKind, times = 1, opts: { status?: number } = {}): this {
    if (!FAULT_KINDS.includes(kind)) throw new RangeError(`unknown fault kind: ${kind}`);
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`times must be a whole number ≥ 1: ${times}`);
    this.queued.push({ key: path, fault: { kind, ...(opts.status !== undefined ? { status: opts.status } : {}) }, left: times });
    return this;
  }

  /** Fails a seeded share of matching calls; the same seed and call order give the same faults. */
  random(spec: RandomFaults): this {
    if (!(spec.rate >= 0 && spec.rate <= 1)) throw new RangeError(`rate must be within 0..1: ${spec.rate}`);
    const kinds = spec.kinds ?? ["timeout", "5xx", "rateLimit", "drop"];
    if (kinds.length === 0) throw new RangeError("kinds must not be empty");
    this.randomSpec = { ...spec, kinds, draw: prng(spec.seed) };
    return this;
  }

  /** The next market order fills only `ratio` of its quantity (whole lots, at least one); the rest fills at the next tick. */
  partial(ratio: number): this {
    if (!(ratio > 0 && ratio < 1)) throw new RangeError(`ratio must be between 0 and 1: ${ratio}`);
    this.partialRatio = ratio;
    return this;
  }

  clear(): this {
    this.queued.length = 0;
    this.randomSpec = null;
    this.partialRatio = null;
    return this;
  }

  /** Called by the server once per request: the fault to serve, if any. */
  take(path: string): Fault | null {
    const i = this.queued.findIndex((q) => pathMatches(q.key, path));
    if (i >= 0) {
      const q = this.queued[i]!;
      q.left -= 1;
      if (q.left === 0) this.queued.splice(i, 1);
      this.served.push({ path, kind: q.fault.kind, at: new Date(), random: false });
      return q.fault;
    }
    const r = this.randomSpec;
    if (r && (!r.paths || r.paths.some((p) => pathMatches(p, path)))) {
      // Two draws per matching call whatever the outcome, so the sequence depends only on the call order.
      const hit = r.draw() < r.rate;
      const pick = r.kinds![Math.floor(r.draw() * r.kinds!.length)]!;
      if (hit) {
        this.served.push({ path, kind: pick, at: new Date(), random: true });
        return { kind: pick };
      }
    }
    return null;
  }

  /** Called by the market for each market order: the share to fill now, or null for all of it. */
  takePartial(): number | null {
    const r = this.partialRatio;
    this.partialRatio = null;
    return r;
  }
}
