/**
 * The desk's switches: the admin's halt, the trader's pause and (with the risk
 * engine) the daily-loss circuit breaker. Each survives a restart (stored in
 * settings) and is audited as an event.
 */
import type { Repo } from "../db/repo.js";
import type { Clock } from "./clock.js";
import { formatIst } from "./time/ist.js";

export interface Switch {
  by: string;
  at: string;
  reason?: string;
}

const KEYS = { halted: "control.halted", paused: "control.paused" } as const;
export type SwitchName = keyof typeof KEYS;

export class Controls {
  private state: Record<SwitchName, Switch | null> = { halted: null, paused: null };

  constructor(
    private readonly repo: Pick<Repo, "getSetting" | "setSetting" | "event">,
    private readonly wallClock: Clock,
  ) {}

  async load(): Promise<void> {
    for (const name of Object.keys(KEYS) as SwitchName[]) this.state[name] = (await this.repo.getSetting<Switch | false>(KEYS[name])) || null;
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
    const p = this.state.paused;
    if (p) return `new entries are paused by ${p.by} since ${formatIst(new Date(p.at))}; /resume to take them again`;
    return null;
  }
}
