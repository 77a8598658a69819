/**
 * Seed 000's sentiment rule for a trade. For a BUY (long): skip when the news is
 * clearly bad (score < −0.3 with confidence > 0.6); size ×1.2 when it is clearly
 * good (score > 0.5 with confidence > 0.6); otherwise ×1. The seed only defined
 * longs; a SELL (short) mirrors it: skip when score > 0.3 with confidence > 0.6,
 * ×1.2 when score < −0.5 with confidence > 0.6. Every inequality is strict: a
 * value exactly on a threshold does not trigger.
 */
export const SKIP_SCORE = 0.3;
export const BOOST_SCORE = 0.5;
export const MIN_CONFIDENCE = 0.6;
export const BOOST_MULTIPLIER = 1.2;

export interface SentimentReading {
  score: number;
  confidence: number;
}

export interface TradeAdjustment {
  trade: boolean;
  /** 0 when the trade is skipped. */
  multiplier: number;
  reason: string;
}

const n2 = (x: number): string => (Object.is(x, -0) ? 0 : x).toFixed(2);

export function sentimentAdjustment(side: "long" | "short", s: SentimentReading): TradeAdjustment {
  const { score, confidence } = s;
  const sure = confidence > MIN_CONFIDENCE;
  const what = side === "long" ? "BUY" : "SELL";
  const nums = `score ${n2(score)}, confidence ${n2(confidence)}`;
  // For a short, news against the trade is good news: mirror the score's sign.
  const against = side === "long" ? score < -SKIP_SCORE : score > SKIP_SCORE;
  const forIt = side === "long" ? score > BOOST_SCORE : score < -BOOST_SCORE;
  if (sure && against) {
    const rule = side === "long" ? `score < -${SKIP_SCORE}` : `score > ${SKIP_SCORE}`;
    return { trade: false, multiplier: 0, reason: `${what} skipped: news sentiment ${nums} (${rule} with confidence > ${MIN_CONFIDENCE})` };
  }
  if (sure && forIt) {
    const rule = side === "long" ? `score > ${BOOST_SCORE}` : `score < -${BOOST_SCORE}`;
    return { trade: true, multiplier: BOOST_MULTIPLIER, reason: `${what} sized ×${BOOST_MULTIPLIER}: news sentiment ${nums} (${rule} with confidence > ${MIN_CONFIDENCE})` };
  }
  const why = sure ? "score within the thresholds" : `confidence not above ${MIN_CONFIDENCE}`;
  return { trade: true, multiplier: 1, reason: `${what} sized ×1: news sentiment ${nums} (${why})` };
}
