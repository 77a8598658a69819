/**
 * Composition root: config → database → broker → engine → bot, HTTP, replay.
 * `runDalal` returns a handle so tests and the CLI drive the same start-up.
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { allowedChats, tradingMode, type Config } from "./config.js";
import { BOT_COMMANDS, createBot } from "./bot/create-bot.js";
import { CONSOLE_BOT, ConsoleChat } from "./bot/console-chat.js";
import { Notifier } from "./bot/notifier.js";
import { InputFile } from "grammy";
import { notificationApi } from "./bot/outbox.js";
import { acquireHomeLock } from "./db/lock.js";
import { migrateDatabase, openDatabase, type Database } from "./db/connection.js";
import { Repo } from "./db/repo.js";
import { ManualClock, systemClock, type Clock } from "./engine/clock.js";
import { deliveryFillCharges, roundTripEstimate } from "./engine/costs/index.js";
import { Desk } from "./engine/desk.js";
import { EventBus } from "./engine/events.js";
import { paperBroker } from "./engine/execution/paper-setup.js";
import { ReplayFeed } from "./engine/feed/replay-feed.js";
import { LiveFeed } from "./engine/feed/live-feed.js";
import { streamAngelTicks } from "./engine/feed/angel-ticks.js";
import { LtpPoller } from "./engine/feed/ltp-poller.js";
import type { AngelWs } from "./engine/feed/angel-ws.js";
import { AngelOneBroker } from "./engine/execution/angelone/angel-broker.js";
import type { CrashPoint } from "./engine/execution/order-manager.js";
import { BANKNIFTY } from "./engine/market/shipped-data.js";
import { loadNseCalendar, marketWindow } from "./engine/market/calendar.js";
import { buildIntelligence, dailyRegime } from "./intelligence-wiring.js";
import { RegimeDetector } from "./engine/intelligence/regime/detector.js";
import { JOB_NAMES, JOB_TABLE, type JobName } from "./engine/schedule/jobs.js";
import { istDate } from "./engine/time/ist.js";
import { MarketSchedule, type ScheduledRun } from "./engine/schedule/market-schedule.js";
import { buildDigest, equityHistory, rolloverSettingsOf } from "./engine/digest.js";
import { digestChart, digestText } from "./bot/digest-format.js";
import { esc } from "./bot/format.js";
import { checkCandles } from "./engine/market/candle-check.js";
import { loadBankNifty75m, loadShippedDaily } from "./engine/market/shipped-data.js";
import { toPaise } from "./engine/money.js";
import { strategyByName } from "./engine/strategies/registry.js";
import { startHttpServer } from "./http/server.js";
import { loadIndiaVix } from "./engine/fno/india-vix.js";
import { HealthChecks, TelegramWatch } from "./http/health.js";
import { DeskMetrics } from "./http/metrics.js";
import { TradingViewIntake } from "./engine/intake/intake.js";
import { tradingViewWebhook, WEBHOOK_PATH } from "./http/webhook.js";
import { createLogger, makeRedactor, type Logger } from "./log.js";

export interface RunIO {
  write: (text: string) => void;
  stdin?: NodeJS.ReadableStream;
  /** Wall clock for signal expiry (tests move it). */
  wallClock?: Clock;
  /** Set false in tests that call shutdown themselves. */
  handleSignals?: boolean;
}

export interface RunningDalal {
  desk: Desk;
  feed: ReplayFeed | LiveFeed;
  repo: Repo;
  database: Database;
  httpUrl: string;
  log: Logger;
  /** Resolves with the exit code once Dalal has stopped. */
  done: Promise<number>;
  shutdown(reason: string): Promise<number>;
}

export const CONSOLE_CHAT_ID = 1;

export async function runDalal(cfg: Config, io: RunIO): Promise<RunningDalal> {
  const home = resolve(cfg.DALAL_HOME);
  mkdirSync(home, { recursive: true });
  const consoleMode = cfg.TELEGRAM_BOT_TOKEN === undefined;
  const redact = makeRedactor([
    cfg.TELEGRAM_BOT_TOKEN,
    cfg.DATABASE_URL,
    ...(cfg.DATABASE_URL ? [new URL(cfg.DATABASE_URL).password] : []),
    cfg.ANGEL_API_KEY,
    cfg.ANGEL_PIN,
    cfg.ANGEL_TOTP_SECRET,
    cfg.WEBHOOK_SECRET,
    cfg.OPENAI_API_KEY,
  ]);
  const mode = tradingMode(cfg);
  // The console is the chat: logs go to a file there, to stderr otherwise.
  const log = createLogger({ level: cfg.LOG_LEVEL, file: join(home, "dalal.log"), stderr: !consoleMode, redact });

  const release = cfg.DATABASE_URL ? () => {} : acquireHomeLock(home);
  let database: Database;
  try {
    database = cfg.DATABASE_URL ? await openDatabase({ url: cfg.DATABASE_URL, exclusive: true }) : await openDatabase({ dataDir: join(home, "pgdata") });
    await migrateDatabase(database);
  } catch (err) {
    release();
    throw err;
  }
  const repo = new Repo(database.db);
  const wall = io.wallClock ?? systemClock;

  if ((await repo.countCandles("1d")) === 0) {
    const shipped = loadShippedDaily();
    await repo.upsertCandles(shipped.candles);
    for (const s of shipped.skipped) log.warn("skipped a shipped bar", { row: s });
    log.info("loaded the shipped daily bars", { bars: shipped.candles.length });
  }
  if ((await repo.countCandles("75m")) === 0) {
    const shipped = loadBankNifty75m();
    await repo.upsertCandles(shipped.candles);
    for (const s of shipped.skipped) log.warn("skipped a shipped bar", { row: s });
    log.info("loaded the shipped Bank Nifty 75-minute bars", { bars: shipped.candles.length });
  }
  // Strategies read bars as if no day were missing: say so when one is.
  for (const tf of ["1d", "75m"] as const) {
    for (const p of checkCandles(await repo.loadCandles(tf), tf, loadNseCalendar())) log.warn("gap in the stored candles", { symbol: p.symbol, timeframe: tf, problem: p.text });
  }

  // Angel One: real orders only with LIVE_TRADING=yes; otherwise its prices drive paper orders.
  const angel =
    cfg.BROKER === "angelone" || cfg.FEED === "angelone"
      ? new AngelOneBroker({
          apiKey: cfg.ANGEL_API_KEY!,
          clientCode: cfg.ANGEL_CLIENT_CODE!,
          pin: cfg.ANGEL_PIN!,
          totpSecret: cfg.ANGEL_TOTP_SECRET!,
          apiRoot: cfg.ANGEL_API_ROOT,
          scripMasterUrl: cfg.ANGEL_SCRIP_MASTER_URL,
          live: mode === "live",
          now: () => wall.now(),
          log: { info: (m, f) => log.info(m, f), warn: (m, f) => log.warn(m, f), error: (m, f) => log.error(m, f) },
        })
      : null;
  if (angel) {
    try {
      await angel.connect();
    } catch (err) {
      await database.close();
      release();
      throw err;
    }
  }
  const crashAt = cfg.DALAL_CRASH_AT;
  const crashPoint = crashAt ? (p: CrashPoint) => void (p === crashAt && process.kill(process.pid, "SIGKILL")) : undefined;

  const bus = new EventBus((event, err) => log.error("event listener failed", { event, error: (err as Error).message }));
  // The broker reads volumes from the desk's own series, which exists once the desk does.
  const deskRef: { current: Desk | null } = { current: null };
  const calendar = loadNseCalendar();
  const intel = buildIntelligence(cfg, { store: repo, db: database.db, calendar, clock: wall, log, regime: dailyRegime(new RegimeDetector({ modelPath: cfg.REGIME_MODEL ?? join(home, "regime-model.json"), calendar })), regimeOff: "" });
  const desk = new Desk({
    repo,
    broker: mode === "live" && angel ? angel : paperBroker(cfg.SLIPPAGE, (symbol) => deskRef.current?.series.bars(symbol, "1d") ?? []),
    marketClock: new ManualClock(),
    wallClock: wall,
    capital: toPaise(cfg.CAPITAL),
    riskPct: cfg.RISK_PER_TRADE_PCT,
    limits: {
      MAX_POSITION_PCT: cfg.MAX_POSITION_PCT,
      MAX_OPEN_RISK_PCT: cfg.MAX_OPEN_RISK_PCT,
      MAX_DRAWDOWN_PCT: cfg.MAX_DRAWDOWN_PCT,
      MAX_OPEN_POSITIONS: cfg.MAX_OPEN_POSITIONS,
      MAX_EXPOSURE_PCT: cfg.MAX_EXPOSURE_PCT,
      MAX_ORDERS_PER_MINUTE: cfg.MAX_ORDERS_PER_MINUTE,
    },
    maxDailyLossPct: cfg.MAX_DAILY_LOSS_PCT,
    signalTtlMinutes: cfg.SIGNAL_TTL_MINUTES,
    strategies: cfg.ENABLED_STRATEGIES.map(strategyByName),
    autoAccept: cfg.AUTO_ACCEPT_STRATEGIES,
    intraday: cfg.INTRADAY_STRATEGIES,
    synthetic: {
      underlyings: ["BANKNIFTY"],
      capital: toPaise(cfg.BANKNIFTY_CAPITAL),
      riskPct: cfg.BANKNIFTY_RISK_PCT,
      marginPct: cfg.FNO_MARGIN_PCT,
      rolloverDaysBefore: cfg.ROLLOVER_DAYS_BEFORE_EXPIRY,
      ratePct: cfg.OPTION_RATE_PCT,
      calendar,
      // Paper legs are priced by the option model from the index (labelled modelled); a live broker's fills price them.
      vix: mode === "live" ? null : loadIndiaVix(),
      gapAdjustPct: cfg.GAP_ADJUST_PCT,
      gapSkipPct: cfg.GAP_SKIP_PCT,
      divergenceAlertPct: cfg.DIVERGENCE_ALERT_PCT,
    },
    charges: deliveryFillCharges,
    mode,
    bus,
    ...(intel.intelligence ? { intelligence: intel.intelligence } : {}),
    ...(crashPoint ? { crashPoint } : {}),
    // A real exchange takes orders in its session only: what is decided outside it waits for the open.
    ...(mode === "live" && angel ? { orderWindow: () => marketWindow(calendar, wall.now()) } : {}),
    ...(cfg.BROKER === "angelone" && mode === "paper" ? { brokerNote: "paper orders on Angel One's prices (LIVE_TRADING is not yes)" } : {}),
  });
  deskRef.current = desk;
  const resumed = await desk.init();
  // The market-day schedule runs on the replay's clock. Only the digest has work in a replay;
  // the other jobs (instrument refresh, scans, index watch) wait for a live feed.
  const digestJob = { fn: async (_run: ScheduledRun) => {} };
  const schedule = new MarketSchedule({
    calendar,
    store: repo,
    clock: desk.opts.marketClock,
    mode: "simulated",
    log,
    table: JOB_TABLE.filter((j) => j.name === "eodDigest"),
    jobs: Object.fromEntries(JOB_NAMES.map((n) => [n, n === "eodDigest" ? (run: ScheduledRun) => digestJob.fn(run) : async () => {}])) as Record<JobName, (run: ScheduledRun) => Promise<void>>,
    onFailure: (run, err) => bus.emit("alert", { level: "error", text: `Scheduled ${run.key} failed: ${err.message}` }),
  });
  let feed: ReplayFeed | LiveFeed;
  let prepared: Awaited<ReturnType<ReplayFeed["prepare"]>> | null = null;
  let ticks: AngelWs | null = null;
  let poller: LtpPoller | null = null;
  if (cfg.FEED === "replay") {
    const replay = new ReplayFeed(repo, desk, { from: cfg.REPLAY_FROM, ...(cfg.REPLAY_TO ? { to: cfg.REPLAY_TO } : {}), paceMs: cfg.REPLAY_PACE_MS, schedule });
    feed = replay;
    try {
      prepared = await replay.prepare();
    } catch (err) {
      await database.close();
      release();
      throw err;
    }
  } else {
    // The stored bars are the strategies' history; live bars join them as they close.
    desk.addHistory(await repo.loadCandles("1d"));
    desk.addHistory(await repo.loadCandles("75m"));
    const live = new LiveFeed(desk, {
      calendar,
      persist: (bars) => repo.upsertCandles([...bars]),
      wallNow: () => wall.now(),
      onError: (problem) => log.warn("live feed", { problem }),
    });
    feed = live;
    const symbols = [...new Set([...desk.series.symbols("1d"), BANKNIFTY])];
    const streamed = await streamAngelTicks({
      angel: angel!,
      apiKey: cfg.ANGEL_API_KEY!,
      url: cfg.ANGEL_WS_URL,
      symbols,
      onTick: (t) => void live.tick(t).catch((err: Error) => log.error("live tick failed", { symbol: t.symbol, error: err.message })),
      onState: (state, detail) => log.info("live ticks", { state, detail }),
      onError: (problem) => log.warn("live ticks", { problem }),
    });
    ticks = streamed.ws;
    if (streamed.skipped.length) log.warn("symbols not in Angel One's instrument list: no ticks for them", { symbols: streamed.skipped });
    if (cfg.LTP_POLL_SECONDS > 0) {
      // While the socket is down, prices still come: batched over REST.
      const ws = streamed.ws;
      poller = new LtpPoller({
        quotes: (list) => angel!.quotes(list),
        symbols: symbols.filter((s) => !streamed.skipped.includes(s)),
        onTick: (t) => live.tick(t),
        needed: () => ws.state !== "open" && marketWindow(calendar, wall.now()) === null,
        everyMs: cfg.LTP_POLL_SECONDS * 1000,
        onError: (problem) => log.warn("live prices", { problem }),
      });
      poller.start();
    }
  }
  // A real broker: its fills are read from the trade book, and its books are compared with ours.
  const brokerTimers: NodeJS.Timeout[] = [];
  if (!desk.opts.broker.inProcess) {
    brokerTimers.push(
      setInterval(() => void desk.pollBroker().catch((err: Error) => log.warn("reading fills failed", { error: err.message })), cfg.FILL_POLL_SECONDS * 1000),
      setInterval(() => void desk.reconcile("periodic").catch((err: Error) => log.error("reconciliation failed", { error: err.message })), cfg.RECONCILE_EVERY_SECONDS * 1000),
    );
    for (const t of brokerTimers) t.unref();
  }

  const estimateCharges = (qty: number, price: number, time: Date) => roundTripEstimate(deliveryFillCharges, qty, price, time);
  const access = consoleMode
    ? { allowedChats: new Set([CONSOLE_CHAT_ID]), allowedUsers: new Set<number>(), adminChatId: CONSOLE_CHAT_ID }
    : {
        allowedChats: allowedChats(cfg),
        allowedUsers: new Set(cfg.TELEGRAM_ALLOWED_USER_IDS),
        ...(cfg.TELEGRAM_ADMIN_CHAT_ID !== undefined ? { adminChatId: cfg.TELEGRAM_ADMIN_CHAT_ID } : {}),
      };
  const bot = createBot({
    token: cfg.TELEGRAM_BOT_TOKEN ?? "0:console",
    ...(consoleMode ? { botInfo: CONSOLE_BOT } : { apiRoot: cfg.TELEGRAM_API_ROOT }),
    desk,
    mode,
    access,
    estimateCharges,
    log,
    sentiment: intel.sentiment,
  });
  const chat = consoleMode ? new ConsoleChat(bot, { chatId: CONSOLE_CHAT_ID, userId: CONSOLE_CHAT_ID, write: io.write }) : null;
  // /health reads Telegram's state off the notifications' client.
  const telegramWatch = consoleMode ? null : new TelegramWatch();
  const notifier = new Notifier({
    // Its own client (bounded retries, outages reported); the console answers through the bot's.
    api: cfg.TELEGRAM_BOT_TOKEN === undefined ? bot.api : telegramWatch!.watch(notificationApi(cfg.TELEGRAM_BOT_TOKEN, cfg.TELEGRAM_API_ROOT)),
    // Telegram's flood limits; a terminal has none.
    ...(!consoleMode && cfg.NOTIFY_MAX_PER_MINUTE > 0 ? { perChatPerMinute: cfg.NOTIFY_MAX_PER_MINUTE } : {}),
    desk,
    mode,
    chats: [...access.allowedChats],
    ...(access.adminChatId !== undefined ? { adminChatId: access.adminChatId } : {}),
    estimateCharges,
    log,
  });

  digestJob.fn = async (run) => {
    const date = istDate(run.at);
    const d = await buildDigest({ date, store: repo, capital: desk.opts.capital, calendar, breaker: desk.controls.describeBreaker(), book: await desk.ledger(), rollover: rolloverSettingsOf(desk.fno) });
    notifier.notify("digest", digestText(d, mode));
    const png = digestChart(await equityHistory(repo, date, 60));
    if (png) for (const chatId of access.allowedChats) await bot.api.sendPhoto(chatId, new InputFile(png, "equity.png"), { caption: `Equity, up to 60 trading days to ${date}` }).catch((err: Error) => log.warn("digest chart not sent", { chatId, error: err.message }));
  };

  let ready = false;
  const health = new HealthChecks({
    database: { kind: database.kind, ping: () => repo.getSetting("health.ping") },
    broker: { name: desk.opts.broker.name },
    telegram: telegramWatch ? () => ({ ...telegramWatch.state(), pending: notifier.pending }) : null,
    // Longer than a replay stands still on purpose: a signal waiting out its TTL, then the pace.
    feed: { state: () => desk.feed, staleAfterMs: cfg.SIGNAL_TTL_MINUTES * 60_000 + 2 * cfg.REPLAY_PACE_MS + 60_000 },
    redact,
  });
  const metrics = new DeskMetrics({ desk, now: () => wall.now().getTime() });
  // TradingView alerts enter the desk's pipeline in arrival order (off without WEBHOOK_SECRET).
  const intake = new TradingViewIntake({ desk, clock: wall, log, resumeWithinMs: cfg.SIGNAL_TTL_MINUTES * 60_000 });
  const webhook = tradingViewWebhook({ intake, secret: cfg.WEBHOOK_SECRET, ready: () => ready, log });
  const http = await startHttpServer(cfg.HTTP_HOST, cfg.HTTP_PORT, { ready: () => ready, health, metrics, webhook });
  log.info("http listening", { url: http.url });
  const webhookOff = intake.offReason();
  const webhookLine = cfg.WEBHOOK_SECRET === undefined ? null : `TradingView webhook: ${http.url}${WEBHOOK_PATH}${webhookOff ? " (off: the tradingview strategy is not in ENABLED_STRATEGIES)" : ""}`;
  if (webhookLine && webhookOff) log.warn("webhook intake off", { reason: webhookOff });

  let polling: Promise<void> | null = null;
  if (!consoleMode) {
    await bot.init();
    await bot.api.setMyCommands(BOT_COMMANDS);
    polling = bot.start({ allowed_updates: ["message", "callback_query"], drop_pending_updates: false }).catch((err) => {
      log.error("telegram polling stopped", { error: (err as Error).message });
    });
  }

  const expiryTimer = setInterval(() => {
    desk.expireDue().catch((err) => log.error("expiring signals failed", { error: (err as Error).message }));
  }, 5_000);
  expiryTimer.unref();

  // News: each round stores the feeds' new articles and scores them, so the desk reads sentiment from the cache.
  let newsRound: Promise<void> | null = null;
  const pollNews = (): void => {
    if (!intel.poller || newsRound) return;
    newsRound = intel.poller
      .poll()
      .then((r) => {
        for (const f of r.feeds) if (!f.ok) log.warn("news feed failed", { feed: f.label, reason: f.reason });
        log.info("news polled", { added: r.added, duplicates: r.duplicates, scored: r.scored, fallbacks: r.fallbacks });
      })
      .catch((err) => log.error("news poll failed", { error: (err as Error).message }))
      .finally(() => (newsRound = null));
  };
  const newsTimer = intel.poller && cfg.NEWS_POLL_MINUTES > 0 ? setInterval(pollNews, cfg.NEWS_POLL_MINUTES * 60_000) : null;
  newsTimer?.unref();
  if (newsTimer) pollNews();

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let stopping: Promise<number> | null = null;
  const shutdown = (reason: string): Promise<number> => {
    if (stopping) return stopping;
    stopping = (async () => {
      log.info("stopping", { reason });
      ready = false;
      clearInterval(expiryTimer);
      if (newsTimer) clearInterval(newsTimer);
      await newsRound;
      for (const t of brokerTimers) clearInterval(t);
      await ticks?.close();
      await poller?.stop();
      await feed.stop();
      await schedule.stop();
      // Webhooks now answer 503; those already taken reach the desk before it settles.
      await intake.idle();
      if (polling) {
        await bot.stop().catch(() => {});
        await polling;
      }
      await desk.idle();
      await angel?.close().catch((err: Error) => log.warn("angel one logout failed", { error: err.message }));
      // The admin hears that the desk is going away (and why) before the last flush.
      notifier.notify(
        "error",
        feed instanceof ReplayFeed
          ? `🛑 Dalal stopping (${esc(reason)}): the replay is paused at ${desk.feed.at ? desk.feed.at.toISOString().slice(0, 10) : "its start"}; open positions and orders are kept.`
          : `🛑 Dalal stopping (${esc(reason)}): live ticks stop; open positions and orders are kept${mode === "live" ? " (working orders stay at the broker)" : ""}.`,
      );
      await notifier.flush();
      notifier.close();
      await http.close();
      await database.close();
      release();
      log.info("stopped", { reason });
      resolveDone(0);
      return 0;
    })();
    return stopping;
  };

  if (io.handleSignals !== false) {
    const onSignal = (sig: string) => void shutdown(sig);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }

  // Alerts answered before a stop or a crash but never acted on go first, before new ones are taken.
  const webhooks = await intake.resume();
  ready = true;
  feed.start();
  {
    const b = desk.controls.breaker;
    const halt = desk.controls.get("halted");
    notifier.notify(
      "error",
      `✅ Dalal started (${mode === "live" ? "LIVE: real orders at Angel One" : cfg.BROKER === "angelone" ? "paper on Angel One's prices" : "paper"}). Resumed ${resumed.openPositions} open position(s), ${resumed.pendingSignals} pending signal(s), ${resumed.resumedOrders} working order(s).` +
        `${webhooks.taken ? ` Took ${webhooks.taken} TradingView signal(s) received before the stop.` : ""}${webhooks.expired ? ` ${webhooks.expired} TradingView signal(s) received before the stop were too old to act on (see the audit log).` : ""}` +
        `${b?.tripped ? " The circuit breaker is TRIPPED." : ""}${halt ? ` Trading is HALTED (by ${esc(halt.by)}).` : ""}`,
    );
  }
  const banner =
    `Dalal · ${mode === "live" ? "LIVE trading: real orders at Angel One" : cfg.BROKER === "angelone" ? "PAPER trading on Angel One's prices (LIVE_TRADING is not yes: no order reaches the broker)" : "PAPER trading"} · ${database.kind === "pglite" ? `embedded database in ${database.where}` : `PostgreSQL ${database.where}`}\n` +
    (feed instanceof ReplayFeed && prepared
      ? prepared.days > 0
        ? `Replaying ${prepared.resumeFrom} → ${feed.last} (${prepared.days} trading days, one every ${cfg.REPLAY_PACE_MS} ms).`
        : `The replay has played all its days (data ${prepared.dataFrom} → ${prepared.dataTo}).`
      : `Live ticks from Angel One; bars are built from them and stored.`) +
    (resumed.openPositions || resumed.pendingSignals ? ` Resumed ${resumed.openPositions} open position(s), ${resumed.pendingSignals} pending signal(s).` : "") +
    `\nHealth: ${http.url}/health` +
    (webhookLine ? `\n${webhookLine}` : "");
  log.info("ready", { http: http.url, mode, feed: cfg.FEED, ...(prepared ? { replayDays: prepared.days } : {}), ...resumed });
  if (chat) {
    io.write(`${banner}\nConsole chat: type /help. Numbers in [brackets] are buttons. Ctrl-D quits.\n`);
    void chat.run(io.stdin ?? process.stdin).then(() => shutdown("end of input"));
  } else {
    io.write(`${banner}\nTelegram bot @${bot.botInfo.username} is polling.\n`);
  }
  return { desk, feed, repo, database, httpUrl: http.url, log, done, shutdown };
}
