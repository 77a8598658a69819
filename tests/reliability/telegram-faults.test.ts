/**
 * Reliability: Telegram failing at random while the desk talks. The real bot
 * (createBot, long polling) and the real Notifier with its outbox run over a
 * real Desk on PGlite, against the Bot API stand-in. A replay plays on with
 * auto-accept (signal cards, their decisions edited in, orders, fills, closed
 * positions), numbered notifications join the stream, and users in three chats
 * send commands. Meanwhile the stand-in serves a seeded plan of faults: 429 with
 * retry_after, 5xx (JSON and an nginx HTML page), dropped connections and
 * offline spells (polls included).
 *
 * Afterwards each chat must hold exactly what the same run without a single
 * fault holds: every notification once, in the order sent, each card edited
 * once; and one answer per command, in the order the commands were sent.
 * Every message in a chat must be one that a client was told went through
 * (none sent twice behind a retry).
 */
import type { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { Notifier } from "../../src/bot/notifier.js";
import { notificationApi } from "../../src/bot/outbox.js";
import { deliveryFillCharges, roundTripEstimate } from "../../src/engine/costs/index.js";
import { prng, seedFromEnv } from "../helpers/prng.js";
import { faultLabel, faultPlan, injectFaults, type PlannedFault } from "../helpers/telegram-faults.js";
import { IDS, startHarness, type Harness } from "../security/helpers.js";

const SEED = seedFromEnv(20260311);
/** Replayed days after the harness's own (the rest of its data); each adds desk events and numbered notifications. */
const DAYS = 60;
const NUMBERED_PER_DAY = 2;
const CHATS = [IDS.chat, IDS.adminChat, IDS.otherAllowedChat] as const;
/** Who types in each chat. */
const USER_OF: Record<number, number> = { [IDS.chat]: IDS.user, [IDS.adminChat]: IDS.adminUser, [IDS.otherAllowedChat]: IDS.otherUser };
/** Commands that answer with one message each, and how to know that answer. */
const COMMANDS: Array<{ text: string; answer: RegExp }> = [
  { text: "/status", answer: /^📝 PAPER · broker paper/ },
  { text: "/pnl week", answer: /^📝 PAPER · P&L week/ },
  { text: "/trades 3", answer: /^Last 3 trades/ },
  { text: "/strategies", answer: /^sma-cross · 1d · auto-accept on/ },
];

type Client = "notifications" | "replies";

interface RunResult {
  /** Per chat, the bot's messages in order: who sent each, its text, and how often it was edited. */
  chats: Map<number, Array<{ id: number; client: Client | undefined; text: string; edits: number }>>;
  /** Per chat, the commands in the order they were sent. */
  commands: Map<number, Array<(typeof COMMANDS)[number]>>;
  numbered: number;
  applied: PlannedFault[];
  served: Record<string, number>;
}

/** Remembers each message a client was told went through (outermost, so after its own retries). */
function recordSends(api: Api, client: Client, into: Map<string, Client>): void {
  api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (res.ok && method === "sendMessage") {
      const m = res.result as unknown as { chat: { id: number }; message_id: number };
      into.set(`${m.chat.id}:${m.message_id}`, client);
    }
    return res;
  });
}

async function run(withFaults: boolean): Promise<RunResult> {
  const h: Harness = await startHarness();
  const sentBy = new Map<string, Client>();
  recordSends(h.bot.api, "replies", sentBy);
  const api = notificationApi(h.tg.token, h.tg.apiRoot);
  recordSends(api, "notifications", sentBy);
  const notifier = new Notifier({
    api,
    desk: h.desk,
    mode: "paper",
    chats: [...CHATS],
    adminChatId: IDS.adminChat,
    estimateCharges: (qty, price, time) => roundTripEstimate(deliveryFillCharges, qty, price, time),
    log: h.log,
    // Quick probes while Telegram is unreachable; the outage notice (which names clock times) only for long outages.
    outbox: { firstBackoffMs: 100, maxBackoffMs: 800, outageNoticeMs: 10 * 60_000 },
  });
  const plan = withFaults
    ? faultPlan(SEED, 2_000, {
        gap: [6, 18],
        weights: { "429": 3, "5xx": 1, "5xx-html": 2, drop: 3, offline: 2 },
        offlineMs: [150, 900],
        retryAfter: 1,
      })
    : [];
  const injector = injectFaults(h.tg, plan);
  const commands = new Map<number, Array<(typeof COMMANDS)[number]>>(CHATS.map((c) => [c, []]));
  try {
    await h.desk.setAuto("sma-cross", true, "reliability");
    const draw = prng(SEED ^ 0x5eed);
    let numbered = 0;
    for (let day = 0; day < DAYS && (await h.feed.step()); day++) {
      await h.desk.idle();
      for (let k = 0; k < NUMBERED_PER_DAY; k++) notifier.notify("alert", `stream #${++numbered} (day ${day + 1})`);
      // The signals the harness left waiting are approved on the way: a decision, an order and its fill each.
      const waiting = h.pendingIds[day / 5 - 1];
      if (day % 5 === 0 && waiting) expect((await h.desk.approve(waiting, "@reliability")).ok).toBe(true);
      // A command now and then, in a chat drawn at random.
      if (draw() < 0.6) {
        const chatId = CHATS[Math.floor(draw() * CHATS.length)]!;
        const c = COMMANDS[Math.floor(draw() * COMMANDS.length)]!;
        commands.get(chatId)!.push(c);
        h.tg.sendText({ chatId, userId: USER_OF[chatId]!, text: c.text, username: `u${USER_OF[chatId]}` });
      }
      // The stream keeps a few messages in flight rather than queueing the whole run at once.
      await h.tg.waitFor(() => notifier.pending < 12, 120_000, "the outbox to catch up");
    }
    const sentCommands = [...commands.values()].reduce((s, l) => s + l.length, 0);
    await h.tg.waitFor(() => notifier.pending === 0, 120_000, "every notification out");
    await h.tg.waitFor(() => h.tg.updates.every((u) => u.confirmedAt !== undefined), 120_000, "every command handled");
    const replies = () => [...sentBy.values()].filter((c) => c === "replies").length;
    await h.tg.waitFor(() => replies() >= sentCommands, 120_000, "every command answered");
    injector.stop();
    const served: Record<string, number> = {};
    for (const f of h.tg.faults) served[f.kind] = (served[f.kind] ?? 0) + 1;
    const chats = new Map(
      CHATS.map((chatId) => [
        chatId,
        h.tg.messages(chatId).map((m) => ({ id: m.message_id, client: sentBy.get(`${chatId}:${m.message_id}`), text: m.text ?? "", edits: m.edits })),
      ]),
    );
    return { chats, commands, numbered, applied: injector.applied, served };
  } finally {
    injector.stop();
    notifier.close();
    await h.close();
  }
}

describe("Telegram faults at random while the desk notifies and answers", () => {
  it(`delivers every message once, in order per chat (seed ${SEED})`, async () => {
    const clean = await run(false);
    const faulty = await run(true);

    let notifications = 0;
    let replies = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let strays = 0;
    let lost = 0;
    const problems: string[] = [];
    for (const chatId of CHATS) {
      const got = faulty.chats.get(chatId)!;
      const want = clean.chats.get(chatId)!;
      // Every message in the chat is one a client was told went through: none delivered twice behind a retry.
      const unknown = got.filter((m) => m.client === undefined);
      strays += unknown.length;
      for (const m of unknown) problems.push(`chat ${chatId}: message ${m.id} "${m.text.slice(0, 60)}" was not reported as sent by either client`);

      // Notifications: the same as the run without faults, in the same order, each card edited as often.
      const notes = (list: typeof got) => list.filter((m) => m.client === "notifications").map((m) => `${m.text}${m.edits ? ` [edited ×${m.edits}]` : ""}`);
      const gotNotes = notes(got);
      const wantNotes = notes(want);
      notifications += gotNotes.length;
      if (JSON.stringify(gotNotes) !== JSON.stringify(wantNotes)) {
        const at = gotNotes.findIndex((t, i) => t !== wantNotes[i]);
        problems.push(`chat ${chatId}: notifications differ from the run without faults at #${at}: got "${gotNotes[at]?.slice(0, 80)}", wanted "${wantNotes[at]?.slice(0, 80)}" (${gotNotes.length} vs ${wantNotes.length})`);
      }
      // The numbered ones, counted directly.
      const numbers = gotNotes.flatMap((t) => [...t.matchAll(/^stream #(\d+) /g)].map((m) => Number(m[1])));
      duplicates += numbers.length - new Set(numbers).size;
      outOfOrder += numbers.filter((n, i) => i > 0 && n < numbers[i - 1]!).length;
      if (new Set(numbers).size !== faulty.numbered) problems.push(`chat ${chatId}: ${new Set(numbers).size} of ${faulty.numbered} numbered notifications arrived`);

      // Replies: one per command, in the order the commands were sent.
      const answers = got.filter((m) => m.client === "replies");
      const asked = faulty.commands.get(chatId)!;
      replies += answers.length;
      if (answers.length !== asked.length) problems.push(`chat ${chatId}: ${asked.length} commands, ${answers.length} answers`);
      asked.forEach((c, i) => {
        const a = answers[i];
        if (!a || !c.answer.test(a.text)) problems.push(`chat ${chatId}: answer ${i + 1} to ${c.text} was "${a?.text.slice(0, 60) ?? "(none)"}"`);
      });
      duplicates += Math.max(0, gotNotes.length - wantNotes.length);
      lost += Math.max(0, wantNotes.length - gotNotes.length) + Math.max(0, asked.length - answers.length);
    }

    const sentCommands = [...faulty.commands.values()].reduce((s, l) => s + l.length, 0);
    const kinds = faulty.applied.reduce<Record<string, number>>((acc, f) => {
      const k = f.kind === "offline" ? "offline spells" : f.failure.kind === "5xx" && f.failure.html ? "5xx html" : f.failure.kind;
      acc[k] = (acc[k] ?? 0) + 1;
      return acc;
    }, {});
    console.log(
      `[telegram-faults] seed ${SEED}: ${notifications + replies} messages in ${CHATS.length} chats ` +
        `(${notifications} notifications, ${faulty.numbered} of them numbered per chat, and ${replies} answers to ${sentCommands} commands); ` +
        `${faulty.applied.length} faults planned and put in place (${Object.entries(kinds).map(([k, n]) => `${n}× ${k}`).join(", ")}), ` +
        `${Object.values(faulty.served).reduce((s, n) => s + n, 0)} calls failed by them (${Object.entries(faulty.served).map(([k, n]) => `${n}× ${k}`).join(", ")}); ` +
        `delivered ${notifications + replies}, lost ${lost}, duplicates ${duplicates}, out of order ${outOfOrder}, strays ${strays}.`,
    );
    console.log(`[telegram-faults] first faults of the plan: ${faulty.applied.slice(0, 12).map((f) => `call ${f.atCall}: ${faultLabel(f)}`).join("; ")}`);
    if (problems.length) console.log(`[telegram-faults] problems:\n  ${problems.join("\n  ")}`);

    expect(problems).toEqual([]);
    expect({ lost, duplicates, outOfOrder, strays }).toEqual({ lost: 0, duplicates: 0, outOfOrder: 0, strays: 0 });
    // The run was a real test: a few hundred messages, and faults of every kind met.
    expect(notifications + replies).toBeGreaterThanOrEqual(250);
    for (const k of ["429", "5xx", "drop", "offline"]) expect(faulty.served[k] ?? 0, `faults of kind ${k} served`).toBeGreaterThan(0);
  }, 300_000);
});
