/**
 * Watches live prices against open positions' protective stops and targets.
 *
 * Per symbol the levels are split by the direction that fires them:
 * - "below" levels fire when the price falls to them (a long's stop, a short's target);
 * - "above" levels fire when the price rises to them (a long's target, a short's stop).
 * Each side is kept sorted with the nearest level last, and the nearest
 * level's price is held, so a tick that crosses nothing (nearly every tick)
 * costs one map lookup and two comparisons. A crossed level is reported once,
 * then dropped until set() arms it again. Touching a level counts as crossing it.
 */
import type { Paise } from "../money.js";

export interface StopSpec {
  symbol: string;
  side: "long" | "short";
  stop: Paise | null;
  targets: readonly Paise[];
}

export interface StopHit {
  key: string;
  kind: "stop" | "target";
  level: Paise;
}

interface Level extends StopHit {
  fired: boolean;
}

interface SymbolLevels {
  /** Fire at price <= level; ascending, so the highest (nearest from above) is last. */
  below: Level[];
  /** Fire at price >= level; descending, so the lowest is last. */
  above: Level[];
  /** Highest "below" level, or -Infinity. */
  lo: number;
  /** Lowest "above" level, or +Infinity. */
  hi: number;
}

const EMPTY: readonly StopHit[] = Object.freeze([]);

export class StopWatch {
  private readonly bySymbol = new Map<string, SymbolLevels>();
  private readonly byKey = new Map<string, { symbol: string; levels: Level[] }>();

  /** Arms (or re-arms) a position's levels, replacing whatever the key had. */
  set(key: string, spec: StopSpec): void {
    checkSpec(key, spec);
    this.remove(key);
    let s = this.bySymbol.get(spec.symbol);
    if (!s) this.bySymbol.set(spec.symbol, (s = { below: [], above: [], lo: -Infinity, hi: Infinity }));
    const levels: Level[] = [];
    const long = spec.side === "long";
    if (spec.stop !== null) {
      const l: Level = { key, kind: "stop", level: spec.stop, fired: false };
      levels.push(l);
      if (long) insertAscending(s.below, l);
      else insertDescending(s.above, l);
    }
    for (const target of new Set(spec.targets)) {
      const l: Level = { key, kind: "target", level: target, fired: false };
      levels.push(l);
      if (long) insertDescending(s.above, l);
      else insertAscending(s.below, l);
    }
    refresh(s);
    this.byKey.set(key, { symbol: spec.symbol, levels });
  }

  /** Stops watching a position (closed or cancelled). */
  remove(key: string): void {
    const held = this.byKey.get(key);
    if (!held) return;
    this.byKey.delete(key);
    const s = this.bySymbol.get(held.symbol);
    if (!s) return; // every level already fired and the symbol's entry went with another key
    const mine = new Set(held.levels.filter((l) => !l.fired));
    if (mine.size > 0) {
      s.below = s.below.filter((l) => !mine.has(l));
      s.above = s.above.filter((l) => !mine.has(l));
      refresh(s);
    }
    if (s.below.length === 0 && s.above.length === 0) this.bySymbol.delete(held.symbol);
  }

  /** The levels this price crossed, each reported once. */
  onTick(symbol: string, price: Paise): readonly StopHit[] {
    const s = this.bySymbol.get(symbol);
    if (s === undefined || (price > s.lo && price < s.hi)) return EMPTY;
    const hits: StopHit[] = [];
    while (s.below.length > 0 && price <= s.below[s.below.length - 1]!.level) hits.push(fire(s.below.pop()!));
    while (s.above.length > 0 && price >= s.above[s.above.length - 1]!.level) hits.push(fire(s.above.pop()!));
    refresh(s);
    return hits;
  }

  /** The armed (not yet crossed) levels of a position. */
  armed(key: string): StopHit[] {
    return (this.byKey.get(key)?.levels ?? []).filter((l) => !l.fired).map(({ key: k, kind, level }) => ({ key: k, kind, level }));
  }

  /** Positions watched. */
  get size(): number {
    return this.byKey.size;
  }
}

function fire(l: Level): StopHit {
  l.fired = true;
  return { key: l.key, kind: l.kind, level: l.level };
}

function refresh(s: SymbolLevels): void {
  s.lo = s.below.length > 0 ? s.below[s.below.length - 1]!.level : -Infinity;
  s.hi = s.above.length > 0 ? s.above[s.above.length - 1]!.level : Infinity;
}

/** Binary-search insert keeping `xs` ascending by level. */
function insertAscending(xs: Level[], l: Level): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]!.level <= l.level) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, l);
}

function insertDescending(xs: Level[], l: Level): void {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]!.level >= l.level) lo = mid + 1;
    else hi = mid;
  }
  xs.splice(lo, 0, l);
}

function checkSpec(key: string, spec: StopSpec): void {
  const prices = spec.stop === null ? [...spec.targets] : [spec.stop, ...spec.targets];
  for (const p of prices) if (!Number.isInteger(p) || p <= 0) throw new RangeError(`${key}: levels must be positive whole paise, got ${p}`);
  if (spec.stop === null || spec.targets.length === 0) return;
  // A stop on the far side of a target would fire both on one tick.
  if (spec.side === "long" && spec.stop >= Math.min(...spec.targets)) throw new RangeError(`${key}: a long's stop ${spec.stop} must be below its targets`);
  if (spec.side === "short" && spec.stop <= Math.max(...spec.targets)) throw new RangeError(`${key}: a short's stop ${spec.stop} must be above its targets`);
}
