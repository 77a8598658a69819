/**
 * The desk's switches: the admin's halt, the trader's pause and (with the risk
 * engine) the daily-loss circuit breaker. Each survives a restart (stored in
 * settings) and is audited as an event.
 */
import type { Store } from "../db/store.js";
import type { Clock } from "./clock.js";
import type { Paise } from "./money.js";
import { armBreaker, describe as describeBreaker, onEquity, parseBreaker, reset as resetBreaker, type BreakerState } from "./risk/breaker.js";
import { formatIst, toIsoIst, type IstDate } from "./time/ist.js";

export interface Switch {
  by: string;
  at: string;
  reason?: string;
}

const KEYS = { halted: "control.halted", paused: "control.paused" } as const;
const BREAKER_KEY = "risk.breaker";
const PEAK_KEY = "risk.peakEquity";
export type SwitchName = keyof typeof KEYS;

export class Controls {
  private state: Record<SwitchName, Switch | null> = { halted: null, paused: null };
  private breakerState: BreakerState | null = null;
  /** Highest equity marked so far: the drawdown limit's yardstick. */
  peakEquity: Paise | null = null;

  constructor(
    private readonly repo: Pick<Store, "getSetting" | "setSetting" | "event">,
    private readonly wallClock: Clock,
    readonly maxDailyLossPct: number,
  ) {}

  async load(): Promise<void> {
    for (const name of Object.keys(KEYS) as SwitchName[]) this.state[name] = (await this.repo.getSetting<Switch | false>(KEYS[name])) || null;
    const stored = await this.repo.getSetting<unknown>(BREAKER_KEY);
    this.breakerState = stored ? parseBreaker(stored) : null;
    this.peakEquity = (await this.repo.getSetting<Paise>(PEAK_KEY)) ?? null;
  }

  get breaker(): BreakerState | null {
    return this.breakerState;
  }

  /**
   * Marks equity at market time `now`: the breaker's day baseline and trip, and the
   * peak. Returns the breaker's reason when it tripped on this mark.
   */
  async markEquity(now: Date, day: IstDate, equity: Paise): Promise<string | null> {
    const before = this.breakerState;
    const { state, tripped } = before ? onEquity(before, { now, day, equity, maxDailyLossPct: this.maxDailyLossPct }) : { state: armBreaker(day, equity), tripped: false };
    if (JSON.stringify(state) !== JSON.stringify(before)) await this.repo.setSetting(BREAKER_KEY, state, this.wallClock.now(), "risk");
    this.breakerState = state;
    if (this.peakEquity === null || equity > this.peakEquity) {
      this.peakEquity = equity;
      await this.repo.setSetting(PEAK_KEY, equity, this.wallClock.now(), "risk");
    }
    if (!tripped) return null;
    await this.repo.event("breaker.tripped", state.reason ?? "tripped", this.wallClock.now(), "risk", { equity, dayStartEquity: state.dayStartEquity });
    return state.reason ?? "the daily-loss circuit breaker tripped";
  }

  /** The admin trips the breaker by hand (`/breaker trip`); false when already tripped. */
  async tripBreaker(by: string, now: Date, day: IstDate, equity: Paise): Promise<boolean> {
    const current = this.breakerState ?? armBreaker(day, equity);
    if (current.tripped) return false;
    this.breakerState = { ...current, tripped: true, trippedAt: toIsoIst(now), reason: `tripped by hand by ${by}` };
    await this.repo.setSetting(BREAKER_KEY, this.breakerState, this.wallClock.now(), by);
    await this.repo.event("breaker.tripped", `tripped by hand by ${by}`, this.wallClock.now(), by);
    return true;
  }

  /** The admin's reset: today's baseline restarts at current equity. False when it was not tripped. */
  async resetBreaker(by: string, now: Date, day: IstDate, equity: Paise): Promise<boolean> {
    if (!this.breakerState?.tripped) return false;
    this.breakerState = resetBreaker(this.breakerState, { now, by, equity, day });
    await this.repo.setSetting(BREAKER_KEY, this.breakerState, this.wallClock.now(), by);
    await this.repo.event("breaker.reset", `reset by ${by}`, this.wallClock.now(), by, { equity });
    return true;
  }

  describeBreaker(): string {
    return this.breakerState ? describeBreaker(this.breakerState, this.maxDailyLossPct) : `armed: no equity marked yet (trips at a ${this.maxDailyLossPct}% loss of the day's starting equity)`;
  }

  get(name: SwitchName): Switch | null {
    return this.state[name];
  }

  /** Turns a switch on or off; false when it already was. */
  async set(name: SwitchName, on: boolean, by: string, reason?: string): Promise<boolean> {
    if ((this.state[name] !== null) === on) return false;
    const now = this.wallClock.now();
    const value: Switch | null = on ? { by, at: now.toISOString(), ...(reason ? { reason } : {}) } : null;
    // Stored as false when off: a JSON null is not a storable setting value.
    await this.repo.setSetting(KEYS[name], value ?? false, now, by);
    await this.repo.event(`control.${name}`, `${name} ${on ? "on" : "off"} by ${by}${reason ? `: ${reason}` : ""}`, now, by);
    this.state[name] = value;
    return true;
  }

  /** Why a new entry may not be ordered now, or null. Exits are never blocked. */
  entryBlock(): string | null {
    const h = this.state.halted;
    if (h) return `trading is halted by ${h.by} since ${formatIst(new Date(h.at))}${h.reason ? ` (${h.reason})` : ""}; only exits go through`;
    const b = this.breakerState;
    if (b?.tripped) return `the daily-loss circuit breaker tripped${b.trippedAt ? ` at ${formatIst(new Date(b.trippedAt))}` : ""}${b.reason ? ` (${b.reason})` : ""}; only the admin can /reset_breaker`;
    const p = this.state.paused;
    if (p) return `new entries are paused by ${p.by} since ${formatIst(new Date(p.at))}; /resume to take them again`;
    return null;
  }
}
