/**
 * Theoretical and actual tracks of each synthetic strategy, watched after every
 * index bar: their peaks and worst drawdowns are kept (in settings, so a
 * restart keeps them), and an alert fires once when they part by more than
 * DIVERGENCE_ALERT_PCT of the strategy's capital, again only after they have
 * come back under it.
 */
import type { Store } from "../../db/store.js";
import type { Paise } from "../money.js";
import type { DivergenceReport } from "./divergence.js";

export interface TrackState {
  theoreticalPeak: Paise;
  actualPeak: Paise;
  /** Worst drawdown from the peak so far, % of the peak equity. */
  theoreticalMaxDdPct: number;
  actualMaxDdPct: number;
  alerted: boolean;
}

const key = (r: Pick<DivergenceReport, "strategy" | "underlying">) => `divergence:${r.strategy}:${r.underlying}`;
const ddPct = (equity: Paise, peak: Paise) => (peak > 0 ? Math.round(((peak - equity) / peak) * 10_000) / 100 : 0);

export class DivergenceWatch {
  private readonly states = new Map<string, TrackState>();

  constructor(
    private readonly repo: Store,
    private readonly alertPct: number,
  ) {}

  /** Folds a fresh report into its track; returns an alert text when the tracks have just parted. */
  async mark(r: DivergenceReport, at: Date): Promise<string | null> {
    const k = key(r);
    const prev = this.states.get(k) ?? (await this.repo.getSetting<TrackState>(k)) ?? { theoreticalPeak: r.capital, actualPeak: r.capital, theoreticalMaxDdPct: 0, actualMaxDdPct: 0, alerted: false };
    const theo = r.capital + r.theoretical;
    const act = r.capital + r.actual;
    const next: TrackState = {
      theoreticalPeak: Math.max(prev.theoreticalPeak, theo),
      actualPeak: Math.max(prev.actualPeak, act),
      theoreticalMaxDdPct: 0,
      actualMaxDdPct: 0,
      alerted: prev.alerted,
    };
    next.theoreticalMaxDdPct = Math.max(prev.theoreticalMaxDdPct, ddPct(theo, next.theoreticalPeak));
    next.actualMaxDdPct = Math.max(prev.actualMaxDdPct, ddPct(act, next.actualPeak));
    let alert: string | null = null;
    if (r.divergencePct > this.alertPct && !prev.alerted) {
      next.alerted = true;
      alert = `theoretical and actual ${r.underlying} tracks of ${r.strategy} differ by ${r.divergencePct}% of capital (over ${this.alertPct}%)`;
    } else if (r.divergencePct <= this.alertPct) next.alerted = false;
    this.states.set(k, next);
    if (JSON.stringify(prev) !== JSON.stringify(next)) await this.repo.setSetting(k, next, at, "desk");
    return alert;
  }

  async state(r: Pick<DivergenceReport, "strategy" | "underlying">): Promise<TrackState | undefined> {
    const k = key(r);
    return this.states.get(k) ?? (await this.repo.getSetting<TrackState>(k));
  }
}
