/**
 * Neutral fallbacks and whether one is worth asking again. A fallback is stored
 * with its reason only (article_sentiments has no cause column), so the reason's
 * opening words carry the cause: the transient ones below are re-scored later,
 * any other fallback (an invalid answer, already asked twice) stays.
 */

export const NO_KEY_REASON = "no OPENAI_API_KEY set";

export const budgetReason = (budget: number, used: number, date: string): string =>
  `daily token budget of ${budget} tokens used up (${used} used on ${date} IST)`;

export const NOT_SCORED_YET = "not scored yet";

const TRANSIENT = [
  /^timeout after /,
  /^model server unreachable/,
  /^rate-limited/,
  /^the model server refused the API key/,
  /^HTTP (5\d\d|408|409) /,
  /^unexpected error/,
  /^daily token budget/,
  /^no OPENAI_API_KEY set/,
  /^not scored yet/,
];

export function isTransientReason(reason: string | null): boolean {
  return reason !== null && TRANSIENT.some((re) => re.test(reason));
}

/** Fallbacks decided without asking the model: repeating one changes nothing. */
export function isLocalReason(reason: string): boolean {
  return /^(daily token budget|no OPENAI_API_KEY set|rate-limited \(429\): waiting|not scored yet)/.test(reason);
}
