/**
 * A refusal the stand-in answers in SmartAPI's error envelope:
 * HTTP 200 `{status: false, message, errorcode, data: null}`. Nothing was
 * placed or changed.
 */
export class StandInApiError extends Error {
  constructor(
    readonly errorcode: string,
    message: string,
  ) {
    super(message);
    this.name = "StandInApiError";
  }
}

/**
 * Codes used. AB1007, AB1008, AB1009, AB1012, AB1013, AB2002, AB4008, AB8050,
 * AB8051 and the AB90xx GTT codes are SmartAPI's documented ones; AB1050 (wrong
 * TOTP) and AG8004 (wrong API key) are what the real service answers. SmartAPI
 * documents no code for a malformed field (a quantity of "abc", an unknown order
 * type): the stand-in answers those with AB2000 and a message naming the field.
 */
export const CODES = {
  invalidLogin: "AB1007",
  orderDetailsNotFound: "AB1007",
  invalidVariety: "AB1008",
  symbolNotFound: "AB1009",
  invalidProduct: "AB1012",
  orderNotFound: "AB1013",
  invalidField: "AB2000",
  roboBlocked: "AB2002",
  orderTagTooLong: "AB4008",
  invalidTotp: "AB1050",
  invalidRefreshToken: "AB8050",
  refreshTokenExpired: "AB8051",
  gttInvalidParameters: "AB9001",
  gttInvalidStatusArray: "AB9004",
  gttInvalidQuantity: "AB9006",
  gttInvalidDisclosed: "AB9007",
  gttInvalidPrice: "AB9008",
  gttInvalidTrigger: "AB9009",
  gttInvalidExchange: "AB9010",
  gttInvalidToken: "AB9011",
  gttInvalidSymbol: "AB9012",
  gttInvalidRuleId: "AB9013",
  gttInvalidSide: "AB9014",
  gttInvalidProduct: "AB9015",
  gttInvalidTimePeriod: "AB9016",
  gttInvalidPage: "AB9017",
  gttInvalidCount: "AB9018",
} as const;
