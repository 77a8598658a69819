/**
 * Indicator library: pure functions and streaming classes, no I/O, no clock.
 * Conventions (input shapes, NaN warm-up, alignment) are in types.ts.
 */
export * from "./types.js";
export * from "./moving-averages.js";
export * from "./rsi.js";
export * from "./atr.js";
export * from "./dmi.js";
export * from "./supertrend.js";
export * from "./efficiency-ratio.js";
export * from "./donchian.js";
export * from "./camarilla.js";
export * from "./doji.js";
export * from "./volume-ratio.js";
export { RollingExtreme } from "./rolling.js";
