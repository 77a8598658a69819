import type { AngelOneBroker } from "../execution/angelone/angel-broker.js";
import { AngelWs, type AngelWsState } from "./angel-ws.js";
import type { LiveTick } from "./live-feed.js";
import { EXCHANGE_TYPE, MODE, type Tick } from "./tick-packet.js";

export interface AngelTicksOptions {
  angel: AngelOneBroker;
  apiKey: string;
  url: string;
  /** Our symbols to stream (unknown ones are reported and skipped). */
  symbols: readonly string[];
  onTick: (t: LiveTick) => void;
  onState?: (state: AngelWsState, detail: string) => void;
  onError?: (problem: string) => void;
}

const EXCHANGE_TYPE_OF: Record<string, number> = { NSE: EXCHANGE_TYPE.nse_cm, NFO: EXCHANGE_TYPE.nse_fo, BSE: EXCHANGE_TYPE.bse_cm, BFO: EXCHANGE_TYPE.bse_fo, MCX: EXCHANGE_TYPE.mcx_fo };

/**
 * Angel One's WebSocket ticks for our symbols: tokens from the instrument list,
 * Quote mode (it carries the day's volume for the bars), each tick handed on
 * under our symbol with its exchange time.
 */
export async function streamAngelTicks(opts: AngelTicksOptions): Promise<{ ws: AngelWs; skipped: string[] }> {
  const instruments = await opts.angel.instruments();
  const bySlot = new Map<string, string>();
  const groups = new Map<number, string[]>();
  const skipped: string[] = [];
  for (const symbol of opts.symbols) {
    const i = instruments.find(symbol);
    const type = i ? EXCHANGE_TYPE_OF[i.exchange] : undefined;
    if (!i || type === undefined) {
      skipped.push(symbol);
      continue;
    }
    bySlot.set(`${type}:${i.token}`, symbol);
    groups.set(type, [...(groups.get(type) ?? []), i.token]);
  }
  const s = opts.angel.session;
  if (!s.jwt || !s.feedToken) throw new Error("live ticks need an Angel One session: log in first");
  const ws = new AngelWs({
    url: opts.url,
    credentials: { jwt: s.jwt, feedToken: s.feedToken, clientCode: s.clientCode, apiKey: opts.apiKey },
    onTick: (t: Tick) => {
      const symbol = bySlot.get(`${t.exchangeType}:${t.token}`);
      if (!symbol) return;
      opts.onTick({ symbol, price: t.ltp, at: t.exchangeTime, ...("volume" in t ? { dayVolume: t.volume } : {}) });
    },
    ...(opts.onState ? { onState: opts.onState } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
  ws.subscribe(MODE.QUOTE, [...groups.entries()].map(([exchangeType, tokens]) => ({ exchangeType, tokens })));
  ws.start();
  return { ws, skipped };
}
