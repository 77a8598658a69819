/**
 * The real Angel One adapter pointed at a SmartAPI stand-in, with its test
 * credentials and the stand-in's market clock; tests change what they need.
 */
import { AngelOneBroker, type AngelOneBrokerOptions } from "../../../src/engine/execution/angelone/angel-broker.js";
import { ANGEL_RATE_LIMITS, type RateLimits } from "../../../src/engine/execution/angelone/rate-limits.js";
import { STANDIN_CREDENTIALS, type SmartApiStandIn } from "./server.js";

/** Far above Angel's own limits: for runs of hundreds of orders, where the queue is not what is tested. */
export const UNLIMITED_RATES = Object.fromEntries(Object.keys(ANGEL_RATE_LIMITS).map((k) => [k, { perSecond: 1000 }])) as unknown as RateLimits;

export function standInBroker(standIn: SmartApiStandIn, options: Partial<AngelOneBrokerOptions> = {}): AngelOneBroker {
  const c = STANDIN_CREDENTIALS;
  return new AngelOneBroker({
    apiKey: c.apiKey,
    clientCode: c.clientCode,
    pin: c.pin,
    totpSecret: c.totpSecret,
    apiRoot: standIn.url,
    scripMasterUrl: standIn.scripMasterUrl,
    timeoutMs: 5000,
    live: true,
    now: () => standIn.market.now,
    ...options,
  });
}
