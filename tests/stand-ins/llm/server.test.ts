/** The LLM stand-in speaks what the real openai SDK expects, in every mode. */
import OpenAI, { APIConnectionTimeoutError, AuthenticationError, InternalServerError, RateLimitError } from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLlmStandIn, type LlmStandIn } from "./server.js";

describe("LLM stand-in", () => {
  let llm: LlmStandIn;
  let client: OpenAI;
  const ask = (title: string) => client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: `Symbols: TCS\nTitle: ${title}` }] });

  beforeAll(async () => {
    llm = await startLlmStandIn({ usage: { prompt: 200, completion: 40 } });
    client = new OpenAI({ apiKey: llm.apiKey, baseURL: llm.url, maxRetries: 0, timeout: 1000, logLevel: "off" });
  });
  beforeEach(() => llm.reset());
  afterAll(async () => {
    await llm.close();
  });

  it("answers a chat completion in the real envelope, scored by the title rule or a script", async () => {
    const c = await ask("TCS wins record order");
    expect(c).toMatchObject({ object: "chat.completion", model: "gpt-4o-mini", usage: { prompt_tokens: 200, completion_tokens: 40, total_tokens: 240 } });
    expect(c.choices[0]).toMatchObject({ index: 0, finish_reason: "stop", message: { role: "assistant", refusal: null } });
    expect(JSON.parse(c.choices[0]!.message.content!)).toMatchObject({ score: 0.7, confidence: 0.8 });
    llm.scores.set("TCS flat", { score: -0.2, confidence: 0.3, reasoning: "meh", topics: ["x"] });
    expect(JSON.parse((await ask("TCS flat")).choices[0]!.message.content!)).toEqual({ score: -0.2, confidence: 0.3, reasoning: "meh", topics: ["x"] });
    expect(llm.requests.map((r) => [r.title, r.authorized, r.status])).toEqual([
      ["TCS wins record order", true, 200],
      ["TCS flat", true, 200],
    ]);
  });

  it("refuses a wrong key with OpenAI's 401 body, showing only the key's ends", async () => {
    const wrong = new OpenAI({ apiKey: "sk-wrong-0123456789abcdef", baseURL: llm.url, maxRetries: 0, logLevel: "off" });
    const e = await wrong.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthenticationError);
    expect((e as AuthenticationError).code).toBe("invalid_api_key");
    expect((e as Error).message).not.toContain("sk-wrong-0123456789abcdef");
    expect(llm.requests[0]).toMatchObject({ authorized: false, status: 401 });
  });

  it("serves malformed JSON, a schema mismatch and a refusal as 200 answers", async () => {
    llm.next({ kind: "malformed" }, { kind: "mismatch" }, { kind: "refusal" });
    const malformed = (await ask("a")).choices[0]!.message.content!;
    expect(() => JSON.parse(malformed)).toThrow();
    expect(JSON.parse((await ask("b")).choices[0]!.message.content!)).toMatchObject({ score: 3 });
    const refusal = (await ask("c")).choices[0]!.message;
    expect(refusal.content).toBeNull();
    expect(refusal.refusal).toMatch(/can't help/);
    // The queue is used up: back to well-formed answers.
    expect(JSON.parse((await ask("d")).choices[0]!.message.content!)).toMatchObject({ score: 0 });
  });

  it("rate-limits with a retry-after header, fails with 500, and holds a slow request past the client's timeout", async () => {
    llm.next({ kind: "rate-limit", retryAfter: 7 }, { kind: "error" }, { kind: "slow" });
    const limited = await ask("x").catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).headers.get("retry-after")).toBe("7");
    expect((limited as RateLimitError).code).toBe("rate_limit_exceeded");
    expect(await ask("y").catch((e: unknown) => e)).toBeInstanceOf(InternalServerError);
    expect(await ask("z").catch((e: unknown) => e)).toBeInstanceOf(APIConnectionTimeoutError);
    expect(llm.requests.map((r) => r.mode)).toEqual(["rate-limit", "error", "slow"]);
  });
});
