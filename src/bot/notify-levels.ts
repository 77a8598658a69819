/**
 * Which notifications a chat wants, and how loudly. Each kind is `on` (a normal
 * message), `silent` (delivered without a sound: `disable_notification`) or `off`
 * (not sent). Kept per chat in the settings table under `notify:<chatId>`; a kind
 * never set is `on`.
 */
import type { Store } from "../db/store.js";

export const NOTIFY_KINDS = [
  "signal",
  "order",
  "fill",
  "rejected",
  "stop",
  "partial",
  "closed",
  "breaker",
  "alert",
  "rollover",
  "divergence",
  "digest",
  "error",
] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export const NOTIFY_LEVELS = ["on", "silent", "off"] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];

export type ChatLevels = Record<NotifyKind, NotifyLevel>;

/** What each kind covers, for /notify. Plain text: escape before sending as HTML. */
export const KIND_DESCRIPTIONS: Record<NotifyKind, string> = {
  signal: "signals to approve, with buttons (decisions always edit the card)",
  order: "orders placed",
  fill: "fills and partial fills",
  rejected: "orders the broker rejected",
  stop: "stops moved",
  partial: "partial exits",
  closed: "exits and closed positions with net P&L",
  breaker: "circuit breaker tripped or reset, halt and pause",
  alert: "strategy alerts (near breakouts) and other desk news",
  rollover: "synthetic futures rolled to the next monthly (a roll that stops half-way is an error)",
  divergence: "theoretical and actual tracks parting past DIVERGENCE_ALERT_PCT",
  digest: "the digest",
  error: "errors (sent to the admin chat only, when there is one)",
};

export const LEVEL_DESCRIPTIONS: Record<NotifyLevel, string> = {
  on: "sent with a sound",
  silent: "sent without a sound",
  off: "not sent",
};

export function isNotifyKind(s: string): s is NotifyKind {
  return (NOTIFY_KINDS as readonly string[]).includes(s);
}

export function isNotifyLevel(s: string): s is NotifyLevel {
  return (NOTIFY_LEVELS as readonly string[]).includes(s);
}

export function defaultLevels(): ChatLevels {
  return Object.fromEntries(NOTIFY_KINDS.map((k) => [k, "on"])) as ChatLevels;
}

export function settingKey(chatId: number): string {
  return `notify:${chatId}`;
}

/**
 * Reads a stored value onto the defaults. Unknown kinds and bad levels (a kind
 * renamed since, a hand edit) are ignored rather than trusted.
 */
export function levelsFrom(stored: unknown): ChatLevels {
  const levels = defaultLevels();
  if (stored && typeof stored === "object" && !Array.isArray(stored)) {
    for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
      if (isNotifyKind(k) && typeof v === "string" && isNotifyLevel(v)) levels[k] = v;
    }
  }
  return levels;
}

/** The arguments of `/notify`: nothing (show), or KIND (or `all`) and a level. */
export type NotifyCommand = { show: true } | { show: false; kind: NotifyKind | "all"; level: NotifyLevel } | { error: string };

export function parseNotifyArgs(args: readonly string[]): NotifyCommand {
  if (args.length === 0) return { show: true };
  const [rawKind = "", rawLevel, ...extra] = args;
  const kind = rawKind.toLowerCase();
  if (kind !== "all" && !isNotifyKind(kind)) return { error: `Unknown kind "${rawKind}". Kinds: ${NOTIFY_KINDS.join(", ")}, or all.` };
  if (rawLevel === undefined) return { error: `Give a level for ${kind}: on, silent or off.` };
  const level = rawLevel.toLowerCase();
  if (!isNotifyLevel(level)) return { error: `Unknown level "${rawLevel}". Levels: on, silent or off.` };
  if (extra.length) return { error: `Only a kind and a level, please; "${extra.join(" ")}" is extra.` };
  return { show: false, kind, level };
}

/**
 * The levels of every chat, read from and written to the settings table. Each
 * lookup reads the database: the /notify handler and the notifier are wired
 * separately, and a cache in one would go stale when the other writes.
 */
export class NotifyLevels {
  constructor(
    private readonly repo: Pick<Store, "getSetting" | "setSetting">,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async of(chatId: number): Promise<ChatLevels> {
    return levelsFrom(await this.repo.getSetting<unknown>(settingKey(chatId)));
  }

  async levelOf(chatId: number, kind: NotifyKind): Promise<NotifyLevel> {
    return (await this.of(chatId))[kind];
  }

  /** Sets one kind (or every kind) for a chat; returns the chat's levels after. */
  async set(chatId: number, kind: NotifyKind | "all", level: NotifyLevel, actor: string | null = null): Promise<ChatLevels> {
    const levels = await this.of(chatId);
    for (const k of kind === "all" ? NOTIFY_KINDS : [kind]) levels[k] = level;
    // Only what differs from the default is stored, so a kind added later starts on.
    const stored = Object.fromEntries(Object.entries(levels).filter(([, v]) => v !== "on"));
    await this.repo.setSetting(settingKey(chatId), stored, this.now(), actor);
    return levels;
  }
}

/**
 * The kind of a desk `alert` event, from its level and its text's opening words.
 * The desk writes these texts (src/engine/desk.ts, src/engine/fno/synthetic-desk.ts);
 * the prefixes are its contract. A rollover that stopped half-way comes at level
 * "error" ("⚠️ Rollover of … stopped"): it stays an error, so it reaches the admin
 * chat, which must act on it, and muting rollovers never hides it.
 *
 * | level / text starts with                                   | kind       |
 * | ---------------------------------------------------------- | ---------- |
 * | level "error" (any text)                                   | error      |
 * | "Stop moved"                                               | stop       |
 * | "Partial exit"                                             | partial    |
 * | "Exit ·"                                                   | closed     |
 * | "⛔ Daily-loss circuit breaker", "⛔ Circuit breaker", "Circuit breaker" | breaker |
 * | "Trading HALTED", "Trading resumed", "New entries paused/resumed" | breaker |
 * | "🔄 Rolled", "⚠️ Rollover", "Rollover" (info or warn)        | rollover   |
 * | "⚠️ Divergence", "Divergence"                              | divergence |
 * | "Digest", "Daily digest"                                   | digest     |
 * | anything else (a position rule's alert, desk news)         | alert      |
 */
export function kindOfAlert(level: "info" | "warn" | "error", text: string): NotifyKind {
  if (level === "error") return "error";
  const t = text.trimStart();
  if (/^stop moved\b/i.test(t)) return "stop";
  if (/^partial exit\b/i.test(t)) return "partial";
  if (/^exit ·/i.test(t)) return "closed";
  if (/^(⛔\s*)?(daily-loss\s+)?circuit breaker\b/i.test(t)) return "breaker";
  if (/^trading (halted|resumed)\b/i.test(t) || /^new entries (paused|resumed)\b/i.test(t)) return "breaker";
  // ⚠ may come with or without its emoji variation selector (U+FE0F).
  if (/^🔄\s*rolled\b/iu.test(t) || /^(?:⚠\uFE0F?\s*)?rollover\b/iu.test(t)) return "rollover";
  if (/^(?:⚠\uFE0F?\s*)?divergence\b/iu.test(t)) return "divergence";
  if (/^(daily\s+)?digest\b/i.test(t)) return "digest";
  return "alert";
}
