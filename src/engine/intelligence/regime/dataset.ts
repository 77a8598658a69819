/**
 * Training samples (date, morning features, realized day type) from the
 * NIFTY 50 index bars and India VIX closes. A day enters only when every
 * feature and its label are known; the rest are counted with their reason.
 */
import type { Regime } from "../../../config.js";
import type { VixSeries } from "../../fno/india-vix.js";
import { addDays, type IstDate } from "../../time/ist.js";
import { morningFeatures, type MorningFeatures } from "./features.js";
import { labelOn } from "./labels.js";
import { loadNiftyIndex, type IndexBar } from "./nifty-index.js";
import { loadVixHistory } from "./vix-history.js";

/** The index series has volume from this day on (0 before: data/README.md). */
export const DATASET_FROM: IstDate = "2013-01-21";

export interface Sample {
  date: IstDate;
  features: MorningFeatures;
  label: Regime;
}

export interface Dataset {
  samples: Sample[];
  /** Days in range left out, each with why (e.g. no volume the day before). */
  skipped: Array<{ date: IstDate; reason: string }>;
}

export function buildDataset(bars: readonly IndexBar[], vix: VixSeries, from: IstDate = DATASET_FROM, to?: IstDate): Dataset {
  const samples: Sample[] = [];
  const skipped: Dataset["skipped"] = [];
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    if (bar.date < from || (to !== undefined && bar.date > to)) continue;
    const f = morningFeatures({ date: bar.date, barsBefore: bars.slice(0, i), open: bar.open, vixBefore: vix.on(addDays(bar.date, -1)), sentiment: 0 });
    if ("unknown" in f) {
      skipped.push({ date: bar.date, reason: f.reason });
      continue;
    }
    if (f.features.volumeRatio === null) {
      skipped.push({ date: bar.date, reason: "unknown: no volume on the day before (or too few days with volume before it)" });
      continue;
    }
    // The day's own VIX close; a day the file lacks takes the latest earlier close (as the option model does).
    const l = labelOn(bars, i, vix.on(bar.date));
    if ("unknown" in l) {
      skipped.push({ date: bar.date, reason: l.reason });
      continue;
    }
    samples.push({ date: bar.date, features: f.features, label: l.label });
  }
  return { samples, skipped };
}

/** Samples from the shipped files (data/nifty50_index, data/india_vix). */
export function shippedDataset(to?: IstDate): Dataset {
  return buildDataset(loadNiftyIndex(), loadVixHistory(), DATASET_FROM, to);
}
