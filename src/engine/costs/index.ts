export {
  SEGMENTS,
  RATE_CARDS,
  ANGEL_ONE_PLAN,
  PERCENT_RE,
  isSegment,
  parseBrokeragePlan,
  type Segment,
  type Percent,
  type RateCard,
  type BrokerageRule,
  type BrokerageEntry,
  type BrokeragePlan,
} from "./rates.js";
export {
  computeCharges,
  rateCardFor,
  brokerageEntryFor,
  percentToRatio,
  CHARGE_KEYS,
  type ChargesInput,
  type Charges,
} from "./charges.js";
export { deliveryFillCharges, roundTripEstimate } from "./fill-charges.js";
