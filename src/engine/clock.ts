/** Time is injected: strategies, replay, backtest and live share one code path. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told: the replay's market time, and tests. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | number = 0) {
    this.t = typeof start === "number" ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(t: Date | number): void {
    this.t = typeof t === "number" ? t : t.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
