/**
 * /why ID (every input behind a signal's size) and /regime (today's day type and
 * what it does to each strategy).
 */
import type { Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import { regimeFactor } from "../engine/intelligence/intelligence.js";
import { istDate } from "../engine/time/ist.js";
import type { DalalContext } from "./access.js";
import { usageOf } from "./commands.js";
import { esc, modeTag } from "./format.js";
import { regimeText, whyText } from "./intelligence-format.js";
import { SIGNAL_ID_RE } from "./keyboards.js";

const HTML = { parse_mode: "HTML" as const };

export function registerIntelligenceHandlers(bot: Bot<DalalContext>, deps: { desk: Desk; mode: "paper" | "live" }): void {
  const { desk, mode } = deps;

  bot.command("why", async (ctx) => {
    const parts = (typeof ctx.match === "string" ? ctx.match.trim() : "").split(/\s+/).filter(Boolean);
    if (parts.length !== 1) return void (await ctx.reply(`Name one signal id (it is on the signal's card).\nUsage: <code>${esc(usageOf("why"))}</code>`, HTML));
    const typed = parts[0]!;
    const id = typed.toLowerCase();
    // Name the word as it was typed: the lower-cased form is only for the lookup.
    if (!SIGNAL_ID_RE.test(id)) return void (await ctx.reply(`"${esc(typed.slice(0, 40))}" is not a signal id: ids are letters, digits and dashes, like sma-cross-1a2b3c4d.\nUsage: <code>${esc(usageOf("why"))}</code>`, HTML));
    const s = await desk.repo.signal(id);
    if (!s) return void (await ctx.reply(`No signal <code>${esc(id)}</code>. /signals lists the waiting ones.`, HTML));
    await ctx.reply(`${modeTag(mode)} · ${whyText(s)}`, HTML);
  });

  bot.command("regime", async (ctx) => {
    const text = typeof ctx.match === "string" ? ctx.match.trim() : "";
    if (text !== "") return void (await ctx.reply(`/regime takes no argument.\nUsage: <code>${esc(usageOf("regime"))}</code>`, HTML));
    const intel = desk.opts.intelligence;
    if (!intel) return void (await ctx.reply(`${modeTag(mode)} · The intelligence layer is off (INTELLIGENCE=off): no regime is called and no strategy is sized by one.`, HTML));
    const now = desk.opts.marketClock.now();
    const day = istDate(now);
    const r = await intel.regimeFor(day, now);
    const effects = r.unknown ? [] : desk.strategies().map((s) => ({ strategy: s.name, factor: regimeFactor(intel.opts.regimeSizing, r.dayType, s.name).factor }));
    await ctx.reply(`${modeTag(mode)} · ${regimeText(day, r, effects)}`, HTML);
  });
}
