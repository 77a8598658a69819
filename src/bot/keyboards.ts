import { InlineKeyboard } from "grammy";

/** Callback data: "a:ID" approve, "r:ID" reject, "x" a spent button. At most 64 bytes. */
export const CB = {
  approve: (id: string) => `a:${id}`,
  reject: (id: string) => `r:${id}`,
  spent: "x",
} as const;

export const SIGNAL_ID_RE = /^[a-z0-9-]{3,40}$/;

export type Callback = { kind: "approve" | "reject"; id: string } | { kind: "spent" };

/** Parses button data; anything else (forged, stale format) is null. */
export function parseCallback(data: string | undefined): Callback | null {
  if (data === CB.spent) return { kind: "spent" };
  const m = /^([ar]):(.+)$/.exec(data ?? "");
  if (!m || !SIGNAL_ID_RE.test(m[2]!)) return null;
  return { kind: m[1] === "a" ? "approve" : "reject", id: m[2]! };
}

export function decisionKeyboard(id: string): InlineKeyboard {
  return new InlineKeyboard().text("✅ Approve", CB.approve(id)).text("❌ Reject", CB.reject(id));
}

export function expiredKeyboard(): InlineKeyboard {
  return new InlineKeyboard().text("⌛ Expired", CB.spent);
}
