/**
 * A local stand-in for an OpenAI-compatible chat completions server, for tests.
 *
 * It speaks the real wire format of `POST /v1/chat/completions` (the
 * `chat.completion` envelope with `usage`, OpenAI's `{error: {...}}` bodies, the
 * Bearer key check, `retry-after` on 429) so the real openai SDK runs against it
 * unchanged: `new OpenAI({apiKey: llm.apiKey, baseURL: llm.url})`. What it
 * answers is set per test with `mode` (every request) and `next()` (one-shot
 * modes taken first); it records every request.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LlmAnswer {
  score: number;
  confidence: number;
  reasoning?: string;
  topics?: string[];
}

/** What the stand-in sees of a request, for answer rules. */
export interface LlmRequestView {
  /** The `Title:` line of the last user message ("" when absent). */
  title: string;
  /** The last user message. */
  user: string;
  model: string;
}

export type LlmMode =
  /** A well-formed answer: from `answer`, else the scripted score for the title, else the title rule. */
  | { kind: "answer"; answer?: (req: LlmRequestView) => LlmAnswer }
  /** `content` as sent (default: JSON cut off halfway). */
  | { kind: "malformed"; content?: string }
  /** Valid JSON that breaks the schema (default: score 3). */
  | { kind: "mismatch"; body?: Record<string, unknown> }
  /** `message.content` null and `message.refusal` set. */
  | { kind: "refusal"; text?: string }
  /** Holds the request `delayMs` then answers (default: never, until close). */
  | { kind: "slow"; delayMs?: number }
  /** 429 with OpenAI's rate-limit body and `retry-after` (seconds, default 20). */
  | { kind: "rate-limit"; retryAfter?: number }
  /** An HTTP error with OpenAI's error envelope (default 500). */
  | { kind: "error"; status?: number };

export interface LlmRequest {
  at: number;
  /** The Bearer key matched. */
  authorized: boolean;
  /** HTTP status answered; unset while held. */
  status?: number;
  path: string;
  model: string;
  title: string;
  /** The parsed JSON body (null when it was not JSON). */
  body: Record<string, unknown> | null;
  /** The mode that answered. */
  mode: LlmMode["kind"] | "unauthorized" | "bad-request" | "not-found";
}

export interface LlmStandInOptions {
  /** The key it accepts (default a random `sk-test-...`). */
  apiKey?: string;
  /** Tokens each answer reports (default prompt 120, completion 30). */
  usage?: { prompt: number; completion: number };
}

export interface LlmStandIn {
  /** The API root for `baseURL`: http://127.0.0.1:PORT/v1 */
  url: string;
  apiKey: string;
  requests: LlmRequest[];
  /** Answers every request without a one-shot mode queued. */
  mode: LlmMode;
  /** Tokens reported per answer (prompt + completion = total). */
  usage: { prompt: number; completion: number };
  /** Scripted answers by exact title. */
  scores: Map<string, LlmAnswer>;
  /** Queues one-shot modes, used in order before `mode`. */
  next(...modes: LlmMode[]): void;
  /** Back to well-formed answers; clears requests, queue and scripts. */
  reset(): void;
  /** Completed chat requests (answered with any status). */
  chatRequests(): LlmRequest[];
  close(): Promise<void>;
}

/** The default rule on a title: good words positive, bad words negative, else neutral. */
export function titleRule(req: LlmRequestView): LlmAnswer {
  const t = req.title.toLowerCase();
  if (/(fraud|probe|plunge|loss|downgrade|default|raid|penalty|slump)/.test(t)) return { score: -0.7, confidence: 0.8, reasoning: `Negative news: "${req.title}".`, topics: ["risk"] };
  if (/(record|surge|profit|wins|upgrade|beats|order|rally)/.test(t)) return { score: 0.7, confidence: 0.8, reasoning: `Positive news: "${req.title}".`, topics: ["earnings"] };
  return { score: 0, confidence: 0.4, reasoning: "Nothing here that moves the price.", topics: [] };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "x-request-id": `req_${randomBytes(12).toString("hex")}`, ...headers });
  res.end(text);
};

const errorBody = (message: string, type: string, code: string | null, param: string | null = null) => ({ error: { message, type, param, code } });

/** The key as OpenAI's 401 text shows it: the first and last few characters. */
const maskKey = (k: string) => (k.length > 8 ? `${k.slice(0, 5)}${"*".repeat(Math.min(20, k.length - 9))}${k.slice(-4)}` : "****");

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startLlmStandIn(o: LlmStandInOptions = {}): Promise<LlmStandIn> {
  const apiKey = o.apiKey ?? `sk-test-${randomBytes(16).toString("hex")}`;
  const queue: LlmMode[] = [];
  const held = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const envelope = (model: string, message: Record<string, unknown>, finish: string) => {
    const { prompt, completion } = state.usage;
    return {
      id: `chatcmpl-${randomBytes(12).toString("hex")}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", annotations: [], ...message }, logprobs: null, finish_reason: finish }],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
      service_tier: "default",
      system_fingerprint: "fp_standin",
    };
  };

  const answer = (res: ServerResponse, rec: LlmRequest, mode: LlmMode, view: LlmRequestView) => {
    const model = view.model;
    const content = (c: string) => envelope(model, { content: c, refusal: null }, "stop");
    rec.mode = mode.kind;
    switch (mode.kind) {
      case "answer": {
        const a = mode.answer?.(view) ?? state.scores.get(view.title) ?? titleRule(view);
        rec.status = 200;
        return json(res, 200, content(JSON.stringify({ score: a.score, confidence: a.confidence, reasoning: a.reasoning ?? "", topics: a.topics ?? [] })));
      }
      case "malformed":
        rec.status = 200;
        return json(res, 200, content(mode.content ?? '{"score": 0.4, "confidence": 0.7, "reasoning": "Orders are up'));
      case "mismatch":
        rec.status = 200;
        return json(res, 200, content(JSON.stringify(mode.body ?? { score: 3, confidence: 0.9, reasoning: "Very good.", topics: [] })));
      case "refusal":
        rec.status = 200;
        return json(res, 200, envelope(model, { content: null, refusal: mode.text ?? "I'm sorry, but I can't help with that request." }, "stop"));
      case "slow": {
        held.add(res);
        res.on("close", () => held.delete(res));
        if (mode.delayMs !== undefined) {
          const t = setTimeout(() => {
            timers.delete(t);
            held.delete(res);
            if (res.destroyed) return;
            answer(res, rec, { kind: "answer" }, view);
            rec.mode = "slow";
          }, mode.delayMs);
          timers.add(t);
        }
        return;
      }
      case "rate-limit": {
        const after = mode.retryAfter ?? 20;
        rec.status = 429;
        return json(
          res,
          429,
          errorBody(
            `Rate limit reached for ${model} in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${after}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            "requests",
            "rate_limit_exceeded",
          ),
          { "retry-after": String(after), "x-ratelimit-limit-requests": "3", "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": `${after}s`, "x-should-retry": "true" },
        );
      }
      case "error": {
        const status = mode.status ?? 500;
        rec.status = status;
        if (status >= 500) return json(res, status, errorBody("The server had an error while processing your request. Sorry about that!", "server_error", null));
        return json(res, status, errorBody(`The stand-in was told to answer ${status}.`, "invalid_request_error", null));
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const raw = await readBody(req);
    let body: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(raw) as unknown;
      body = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    } catch {
      body = null;
    }
    const messages = Array.isArray(body?.["messages"]) ? (body!["messages"] as Array<{ role?: unknown; content?: unknown }>) : [];
    const user = [...messages].reverse().find((m) => m.role === "user");
    const userText = typeof user?.content === "string" ? user.content : "";
    const title = /^Title: (.*)$/m.exec(userText)?.[1]?.trim() ?? "";
    const model = typeof body?.["model"] === "string" ? (body["model"] as string) : "";
    const auth = req.headers["authorization"] ?? "";
    const authorized = auth === `Bearer ${apiKey}`;
    const rec: LlmRequest = { at: Date.now(), authorized, path, model, title, body, mode: "answer" };
    state.requests.push(rec);

    if (!authorized) {
      rec.mode = "unauthorized";
      rec.status = 401;
      const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      return json(
        res,
        401,
        given
          ? errorBody(`Incorrect API key provided: ${maskKey(given)}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key")
          : errorBody("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error", null),
      );
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      rec.mode = "not-found";
      rec.status = 404;
      return json(res, 404, errorBody(`Invalid URL (${req.method} ${path})`, "invalid_request_error", null));
    }
    if (!body || !model || messages.length === 0) {
      rec.mode = "bad-request";
      rec.status = 400;
      const param = !body ? null : !model ? "model" : "messages";
      return json(res, 400, errorBody(!body ? "We could not parse the JSON body of your request." : `Missing required parameter: '${param}'.`, "invalid_request_error", body ? "missing_required_parameter" : null, param));
    }
    answer(res, rec, queue.shift() ?? state.mode, { title, user: userText, model });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => json(res, 500, errorBody(`stand-in failure: ${e.message}`, "server_error", null)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  const state: LlmStandIn = {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests: [],
    mode: { kind: "answer" },
    usage: { ...(o.usage ?? { prompt: 120, completion: 30 }) },
    scores: new Map(),
    next: (...modes) => void queue.push(...modes),
    reset: () => {
      state.requests.length = 0;
      queue.length = 0;
      state.scores.clear();
      state.mode = { kind: "answer" };
    },
    chatRequests: () => state.requests.filter((r) => r.path === "/v1/chat/completions" && r.status !== undefined),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return state;
}
