import type { Bot } from "grammy";
import type { Desk } from "../engine/desk.js";
import { PNL_PERIODS, type PnlPeriod } from "../engine/reports.js";
import { loadNseCalendar } from "../engine/market/calendar.js";
import { formatIst, istDate } from "../engine/time/ist.js";
import { allocationLines } from "./intelligence-format.js";
import type { DalalContext } from "./access.js";
import { COMMANDS, helpText, usageOf } from "./commands.js";
import { decisionLine, esc, modeTag, pnlText, positionLines, rs, signalCard, srs, tradeLine } from "./format.js";
import { decisionKeyboard, parseCallback, SIGNAL_ID_RE } from "./keyboards.js";
import { paginate, sendPaginated } from "./pagination.js";

export interface HandlerDeps {
  desk: Desk;
  mode: "paper" | "live";
  /** Estimated round-trip charges for a signal card. */
  estimateCharges(qty: number, price: number, time: Date): number;
}

const HTML = { parse_mode: "HTML" as const };

function args(ctx: DalalContext): string[] {
  const m = typeof ctx.match === "string" ? ctx.match : "";
  return m.trim() === "" ? [] : m.trim().split(/\s+/);
}

async function usage(ctx: DalalContext, command: string, problem: string): Promise<void> {
  await ctx.reply(`${esc(problem)}\nUsage: <code>${esc(usageOf(command))}</code>`, HTML);
}

export function registerHandlers(bot: Bot<DalalContext>, deps: HandlerDeps): void {
  const { desk, mode } = deps;

  bot.command("start", (ctx) =>
    ctx.reply(
      `${modeTag(mode)} · <b>Dalal</b>, your NSE trading desk.\n` +
        `Strategies scan the market and post signals here; you approve or reject them with the buttons, or let a strategy auto-accept.\n` +
        `Try /status, /signals, /positions or /help.`,
      HTML,
    ),
  );

  bot.command("help", (ctx) => ctx.reply(helpText(ctx.who.admin), HTML));

  bot.command("status", async (ctx) => {
    const book = await desk.ledger();
    const today = await desk.reports.pnl("today", book);
    const pending = await desk.pendingSignals();
    const open = await desk.repo.openPositions();
    const feed = desk.feed;
    const feedLine = feed.at
      ? `${esc(feed.kind)} at ${esc(formatIst(feed.at, false))}${feed.finished ? " (end of data)" : ""}`
      : `${esc(feed.kind)}, not started`;
    const auto = desk.strategies().filter((s) => desk.isAuto(s.name)).map((s) => s.name);
    // The market as of the feed's time: in a replay that is the replayed day, not today.
    const marketAt = desk.opts.marketClock.now();
    let market: string;
    try {
      const st = loadNseCalendar().marketStatus(marketAt);
      market = `${st.open ? "open" : "closed"} at ${formatIst(marketAt)} (${st.reason.replace(/^(open|closed): /, "")})`;
    } catch (err) {
      market = `unknown at ${formatIst(marketAt)} (${(err as Error).message})`;
    }
    const b = desk.controls.breaker;
    await ctx.reply(
      [
        `${modeTag(mode)} · broker ${esc(desk.opts.broker.name)}${desk.opts.brokerNote ? ` (${esc(desk.opts.brokerNote)})` : ""}`,
        `Feed: ${feedLine}`,
        `Market: ${esc(market)}`,
        `Last scan: ${feed.at ? esc(formatIst(feed.at)) : "none yet"} · strategies: ${esc(desk.strategies().map((s) => s.name).join(", ") || "none enabled")}`,
        `Breaker: ${b?.tripped ? `TRIPPED${b.trippedAt ? ` at ${esc(formatIst(new Date(b.trippedAt)))}` : ""}` : "armed"} · halted: ${desk.controls.get("halted") ? "yes" : "no"} · paused: ${desk.controls.get("paused") ? "yes" : "no"}`,
        `Open positions: ${open.length} · pending signals: ${pending.length}`,
        `Today's P&amp;L: ${srs(today.total)} (realized ${srs(today.realized)} net of charges)`,
        `Equity ${rs(book.equity)} · cash ${rs(book.cash)} · capital ${rs(book.capital)}`,
        `Auto-accept: ${auto.length ? esc(auto.join(", ")) : "off for every strategy"}`,
        `Orders: ${esc(desk.controls.entryBlock() ?? "taken (not halted, not paused)")}`,
      ].join("\n"),
      HTML,
    );
  });

  bot.command("signals", async (ctx) => {
    const pending = await desk.pendingSignals();
    if (pending.length === 0) return void (await ctx.reply("No signals are waiting for a decision."));
    for (const s of pending.slice(0, 20)) {
      const card = signalCard(s, { mode, capital: desk.opts.capital, estCharges: deps.estimateCharges(s.qty, s.entry, s.barTime) });
      const m = await ctx.reply(card, { ...HTML, reply_markup: decisionKeyboard(s.id) });
      // Remembered like the first card, so the decision is edited into this copy too.
      await desk.repo.saveChatMessage(s.id, m.chat.id, m.message_id, new Date(m.date * 1000));
    }
    if (pending.length > 20) await ctx.reply(`…and ${pending.length - 20} more; decide these first.`);
  });

  for (const command of ["approve", "reject"] as const) {
    bot.command(command, async (ctx) => {
      const [id, ...rest] = args(ctx);
      if (!id) return usage(ctx, command, "Which signal? Give its id (see /signals).");
      if (!SIGNAL_ID_RE.test(id)) return usage(ctx, command, `That is not a signal id: ids look like sma-cross-abcd2345 (see /signals).`);
      // A reason is free text: printable characters only, and not a novel.
      const reason = rest.join(" ").replace(/\p{Cc}/gu, "").slice(0, 200) || undefined;
      const d = command === "approve" ? await desk.approve(id, ctx.who.actor) : await desk.reject(id, ctx.who.actor, reason);
      await ctx.reply(d.ok ? decisionLine(d.signal) : esc(d.message), HTML);
    });
  }

  bot.command("positions", async (ctx) => {
    const lines = await desk.reports.positions(desk.opts.marketClock.now());
    if (lines.length === 0) return void (await ctx.reply(`${modeTag(mode)} · open positions\n${positionLines(lines)}`, HTML));
    // One item per position, so no position is split across pages.
    await sendPaginated(ctx, paginate(lines.map((p) => positionLines([p])), { header: `${modeTag(mode)} · open positions (${lines.length})`, perPage: 8 }));
  });

  bot.command("pnl", async (ctx) => {
    const [p, extra] = args(ctx);
    const period = (p ?? "today").toLowerCase();
    if (extra || !(PNL_PERIODS as readonly string[]).includes(period)) {
      return usage(ctx, "pnl", `Unknown period "${p ?? ""}${extra ? " " + extra : ""}".`);
    }
    await ctx.reply(pnlText(await desk.reports.pnl(period as PnlPeriod, await desk.ledger()), mode), HTML);
  });

  bot.command("trades", async (ctx) => {
    const [n, extra] = args(ctx);
    const count = n === undefined ? 10 : Number(n);
    if (extra || !Number.isInteger(count) || count < 1 || count > 100) return usage(ctx, "trades", `N must be a whole number from 1 to 100, got "${n}".`);
    const list = await desk.reports.recentTrades(count);
    if (list.length === 0) return void (await ctx.reply("No closed trades yet."));
    await sendPaginated(ctx, paginate(list.map(tradeLine), { header: `Last ${list.length} trade${list.length === 1 ? "" : "s"}`, perPage: 25 }));
  });

  bot.command("strategies", async (ctx) => {
    const lines = desk.strategies().map((s) => `<b>${esc(s.name)}</b> · ${esc(s.timeframe)} · auto-accept ${desk.isAuto(s.name) ? "on" : "off"}\n  ${esc(s.description)}`);
    const intel = desk.opts.intelligence;
    if (intel) lines.push("", ...allocationLines(await intel.allocationFor(istDate(desk.opts.marketClock.now()))));
    await ctx.reply(lines.join("\n"), HTML);
  });

  bot.command("auto", async (ctx) => {
    const [name, flag, extra] = args(ctx);
    const known = desk.strategies().map((s) => s.name);
    if (!name || !flag || extra) return usage(ctx, "auto", "Name a strategy and on or off.");
    if (!known.includes(name)) return usage(ctx, "auto", `Unknown strategy "${name}"; valid: ${known.join(", ")}.`);
    if (flag !== "on" && flag !== "off") return usage(ctx, "auto", `Say on or off, not "${flag}".`);
    await desk.setAuto(name, flag === "on", ctx.who.actor);
    await ctx.reply(`Auto-accept for <b>${esc(name)}</b> is now ${flag}.`, HTML);
  });

  bot.on("callback_query:data", async (ctx) => {
    const cb = parseCallback(ctx.callbackQuery.data);
    if (!cb) return void (await ctx.answerCallbackQuery({ text: "That button is not one of Dalal's.", show_alert: true }));
    if (cb.kind === "spent") return void (await ctx.answerCallbackQuery({ text: "This signal has expired; nothing was ordered." }));
    const d = cb.kind === "approve" ? await desk.approve(cb.id, ctx.who.actor) : await desk.reject(cb.id, ctx.who.actor);
    await ctx.answerCallbackQuery(d.ok ? { text: cb.kind === "approve" ? "Approved: order placed." : "Rejected." } : { text: d.message, show_alert: true });
  });

  bot.on("message:text", async (ctx) => {
    const text = ctx.message.text.trim();
    if (text.startsWith("/")) {
      const name = text.slice(1).split(/[\s@]/)[0] ?? "";
      const close = COMMANDS.filter((c) => c.command.startsWith(name.slice(0, 2))).map((c) => `/${c.command}`);
      return void (await ctx.reply(`Unknown command /${esc(name)}.${close.length ? ` Did you mean ${close.join(", ")}?` : ""} See /help.`, HTML));
    }
    await ctx.reply("Commands start with a slash: try /status or /help.");
  });
}
