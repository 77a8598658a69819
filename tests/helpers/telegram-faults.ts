/**
 * Telegram faults at random for reliability tests: a seeded plan of faults, each
 * due at a call number of the Bot API stand-in (getUpdates not counted), served
 * through the stand-in's own fault injection (failNext, setOffline) as the calls
 * arrive. The plan is fixed by the seed; which message a fault meets depends on
 * the order the calls come in.
 */
import type { Failure, TelegramStandIn } from "../stand-ins/telegram/server.js";
import { prng } from "./prng.js";

export type PlannedFault = { atCall: number } & ({ kind: "failure"; failure: Failure } | { kind: "offline"; ms: number });

export interface FaultMix {
  /** Calls between two faults, drawn evenly from [min, max]. */
  gap: [number, number];
  /** Relative weights of the kinds of fault. */
  weights: { "429": number; "5xx": number; "5xx-html": number; drop: number; offline: number };
  /** How long an offline spell lasts, drawn evenly from [min, max] ms. */
  offlineMs: [number, number];
  /** retry_after of a 429, in seconds. */
  retryAfter: number;
}

/** The plan for `calls` calls: a fault every few calls, of a kind drawn by weight. */
export function faultPlan(seed: number, calls: number, mix: FaultMix): PlannedFault[] {
  const draw = prng(seed);
  const between = (lo: number, hi: number) => lo + Math.floor(draw() * (hi - lo + 1));
  const kinds = Object.entries(mix.weights) as Array<[keyof FaultMix["weights"], number]>;
  const total = kinds.reduce((s, [, w]) => s + w, 0);
  const plan: PlannedFault[] = [];
  for (let at = between(...mix.gap); at < calls; at += between(...mix.gap)) {
    let r = draw() * total;
    const kind = kinds.find(([, w]) => (r -= w) < 0)?.[0] ?? kinds[0]![0];
    if (kind === "offline") plan.push({ atCall: at, kind: "offline", ms: between(...mix.offlineMs) });
    else if (kind === "429") plan.push({ atCall: at, kind: "failure", failure: { kind: "429", retryAfter: mix.retryAfter } });
    else if (kind === "5xx") plan.push({ atCall: at, kind: "failure", failure: { kind: "5xx", status: [500, 502, 503][between(0, 2)]! } });
    else if (kind === "5xx-html") plan.push({ atCall: at, kind: "failure", failure: { kind: "5xx", status: 502, html: true } });
    else plan.push({ atCall: at, kind: "failure", failure: { kind: "drop" } });
  }
  return plan;
}

/** A short label of a planned fault, for the printed findings. */
export function faultLabel(f: PlannedFault): string {
  if (f.kind === "offline") return `offline ${f.ms} ms`;
  const x = f.failure;
  return x.kind === "429" ? `429 retry_after ${x.retryAfter}` : x.kind === "5xx" ? `${x.status ?? 500}${x.html ? " (HTML page)" : ""}` : "drop";
}

export interface FaultInjector {
  /** Faults of the plan put in place so far. */
  readonly applied: PlannedFault[];
  /** Stops injecting and brings the stand-in back online (a failure already put in place is still served, to the next call). */
  stop(): void;
}

const countCalls = (tg: TelegramStandIn) => {
  let n = 0;
  for (const c of tg.calls) if (c.method !== "getUpdates") n++;
  return n;
};

/**
 * Puts each planned fault in place once the stand-in has seen its call number:
 * the next call (any method but getUpdates) is the one it meets, and the one
 * after waits until it has been met. An offline
 * spell drops every connection, polls included, for its length.
 */
export function injectFaults(tg: TelegramStandIn, plan: readonly PlannedFault[]): FaultInjector {
  const applied: PlannedFault[] = [];
  let next = 0;
  let offlineUntil = 0;
  let stopped = false;
  let failures = 0;
  let offTimer: NodeJS.Timeout | undefined;
  const timer = setInterval(() => {
    if (stopped || Date.now() < offlineUntil) return;
    // One failure waiting at a time: the next is put in place once a call has met it.
    if (tg.faults.filter((x) => x.kind !== "offline").length < failures) return;
    const f = plan[next];
    if (!f || countCalls(tg) < f.atCall) return;
    next++;
    applied.push(f);
    if (f.kind === "offline") {
      tg.setOffline(true);
      offlineUntil = Date.now() + f.ms;
      offTimer = setTimeout(() => tg.setOffline(false), f.ms);
    } else {
      failures++;
      tg.failNext("*", 1, f.failure);
    }
  }, 5);
  return {
    applied,
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(offTimer);
      tg.setOffline(false);
    },
  };
}
