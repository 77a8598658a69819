/**
 * SmartAPI's per-second limits per endpoint (Angel One's published table,
 * "Changes in API Rate Limit"); the per-minute and per-hour caps are left out.
 * Over the limit, the real service answers HTTP 403 "Access denied because of
 * exceeding access rate".
 */
export const PER_SECOND: Readonly<Record<string, number>> = {
  loginByPassword: 1,
  generateTokens: 1,
  getProfile: 3,
  logout: 1,
  getRMS: 2,
  placeOrder: 20,
  modifyOrder: 20,
  cancelOrder: 20,
  getOrderBook: 1,
  getTradeBook: 1,
  getPosition: 1,
  searchScrip: 1,
  details: 10,
  getHolding: 1,
  getAllHolding: 1,
  quote: 10,
  getCandleData: 3,
  createRule: 10,
  modifyRule: 10,
  cancelRule: 10,
  ruleDetails: 10,
  ruleList: 10,
};

/** A sliding one-second window per endpoint, on the wall clock. */
export class RateLimiter {
  private readonly seen = new Map<string, number[]>();

  /** True when a call to `endpoint` now stays within its limit (and counts it). */
  allow(endpoint: string, now = Date.now()): boolean {
    const limit = PER_SECOND[endpoint];
    if (limit === undefined) return true;
    const recent = (this.seen.get(endpoint) ?? []).filter((t) => now - t < 1000);
    if (recent.length >= limit) {
      this.seen.set(endpoint, recent);
      return false;
    }
    recent.push(now);
    this.seen.set(endpoint, recent);
    return true;
  }
}
