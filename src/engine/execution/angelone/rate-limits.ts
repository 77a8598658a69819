/**
 * Per-endpoint request queues at Angel One's published rate limits, so a
 * burst of calls waits its turn instead of drawing 403s ("Access denied
 * because of exceeding access rate"). Angel counts per user, per endpoint.
 *
 * Limits: SmartAPI's rate-limit table as announced on its forum ("Changes in
 * API Rate Limit", topic 4387): per second / per minute / per hour.
 *
 * Each window is a p-queue in strict (sliding-window) mode, so no rolling
 * second ever holds more than the cap, and a window is a little longer than
 * its nominal length. Within the second, calls are also spaced by 1/cap of it
 * rather than sent in a burst: a burst reaches the server spread out by the
 * network and by its own handling, and the tail of one second's burst can then
 * land within a second of the next burst's head, which the server counts as
 * one second over the limit.
 */
import PQueue from "p-queue";

export type Endpoint =
  | "login"
  | "generateTokens"
  | "logout"
  | "profile"
  | "rms"
  | "placeOrder"
  | "modifyOrder"
  | "cancelOrder"
  | "orderBook"
  | "tradeBook"
  | "positions"
  | "holdings"
  | "orderDetails"
  | "quote"
  | "candles"
  | "gttCreate"
  | "gttModify"
  | "gttCancel"
  | "gttDetails"
  | "gttList";

export interface RateLimit {
  perSecond: number;
  perMinute?: number;
  perHour?: number;
}

export type RateLimits = Record<Endpoint, RateLimit>;

const ORDERS: RateLimit = { perSecond: 20, perMinute: 500, perHour: 1000 };
const GTT: RateLimit = { perSecond: 10, perMinute: 500, perHour: 5000 };

export const ANGEL_RATE_LIMITS: RateLimits = {
  login: { perSecond: 1 },
  generateTokens: { perSecond: 1, perHour: 1000 },
  logout: { perSecond: 1 },
  profile: { perSecond: 3, perHour: 1000 },
  rms: { perSecond: 2 },
  placeOrder: ORDERS,
  modifyOrder: ORDERS,
  cancelOrder: ORDERS,
  orderBook: { perSecond: 1 },
  tradeBook: { perSecond: 1 },
  positions: { perSecond: 1 },
  holdings: { perSecond: 1 },
  orderDetails: { perSecond: 10, perMinute: 500, perHour: 5000 },
  quote: { perSecond: 10, perMinute: 500, perHour: 5000 },
  candles: { perSecond: 3, perMinute: 500, perHour: 5000 },
  gttCreate: GTT,
  gttModify: GTT,
  gttCancel: GTT,
  gttDetails: GTT,
  gttList: GTT,
};

export interface RateLimiterOptions {
  /** Per-endpoint limits; default Angel's. Tests pass their own. */
  limits?: Partial<RateLimits>;
  /** Added to every window (ms) against network jitter; default 100. */
  marginMs?: number;
}

const shared = new Map<string, RateLimiter>();

/**
 * The limiter of an account (Angel counts per user): brokers of one account in
 * this process queue together instead of each spending the whole allowance.
 */
export function accountLimiter(account: string, limits?: Partial<RateLimits>): RateLimiter {
  const key = limits ? `${account}\u0000${JSON.stringify(limits)}` : account;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = new RateLimiter({ limits });
    shared.set(key, limiter);
  }
  return limiter;
}

/** One queue per window of an endpoint; a call passes the longest window first and the spacing within the second last, right before it goes out. */
export class RateLimiter {
  private readonly chains = new Map<Endpoint, PQueue[]>();
  private readonly limits: RateLimits;
  private readonly marginMs: number;

  constructor(opts: RateLimiterOptions = {}) {
    this.limits = { ...ANGEL_RATE_LIMITS, ...opts.limits };
    this.marginMs = opts.marginMs ?? 100;
    for (const [endpoint, limit] of Object.entries(this.limits) as Array<[Endpoint, RateLimit]>) {
      for (const [name, cap] of [["perSecond", limit.perSecond], ["perMinute", limit.perMinute], ["perHour", limit.perHour]] as const) {
        if (cap !== undefined && !(Number.isInteger(cap) && cap >= 1)) {
          throw new RangeError(`rate limit ${endpoint}.${name} must be a whole number of at least 1, got ${cap}`);
        }
      }
    }
  }

  /** Runs `fn` when the endpoint's windows allow one more request. */
  run<T>(endpoint: Endpoint, fn: () => Promise<T>): Promise<T> {
    const queues = this.chain(endpoint);
    const through = (i: number): Promise<T> => (i === queues.length ? fn() : queues[i]!.add(() => through(i + 1)));
    return through(0);
  }

  /** Calls of an endpoint waiting for their turn. */
  waiting(endpoint: Endpoint): number {
    return (this.chains.get(endpoint) ?? []).reduce((n, q) => n + q.size, 0);
  }

  /** Drops calls still waiting (at close). */
  clear(): void {
    for (const queues of this.chains.values()) for (const q of queues) q.clear();
  }

  private chain(endpoint: Endpoint): PQueue[] {
    let queues = this.chains.get(endpoint);
    if (!queues) {
      const l = this.limits[endpoint];
      const windows: Array<[number | undefined, number]> = [
        [l.perHour, 3_600_000],
        [l.perMinute, 60_000],
        [l.perSecond, 1000],
      ];
      queues = windows
        .filter((w): w is [number, number] => w[0] !== undefined)
        .map(([cap, ms]) => new PQueue({ intervalCap: cap, interval: ms + this.marginMs, strict: true }));
      if (l.perSecond > 1) queues.push(new PQueue({ intervalCap: 1, interval: Math.floor(1000 / l.perSecond), strict: true }));
      this.chains.set(endpoint, queues);
    }
    return queues;
  }
}
