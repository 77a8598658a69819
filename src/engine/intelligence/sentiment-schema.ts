/**
 * The model's answer about one article, as it must be. The same schema is sent
 * as the response format (strict JSON schema) and checks what comes back, since
 * an OpenAI-compatible server may ignore the format.
 */
import { z } from "zod";

export const SentimentAnswer = z.object({
  score: z
    .number({ message: "expected a number from -1 to 1" })
    .min(-1, { message: "expected a number from -1 to 1" })
    .max(1, { message: "expected a number from -1 to 1" }),
  confidence: z
    .number({ message: "expected a number from 0 to 1" })
    .min(0, { message: "expected a number from 0 to 1" })
    .max(1, { message: "expected a number from 0 to 1" }),
  reasoning: z.string({ message: "expected a string" }),
  topics: z.array(z.string({ message: "expected a string" }), { message: "expected a list of strings" }),
});

export type SentimentAnswer = z.infer<typeof SentimentAnswer>;

/** One line naming each field that was wrong and the value it had. */
export function describeMismatch(error: z.ZodError, value: unknown): string {
  return error.issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path.length ? i.path.map(String).join(".") : "(the answer)";
      const got = valueAt(value, i.path);
      return `${path}: ${i.message}${got === undefined ? " (missing)" : `, got ${short(got)}`}`;
    })
    .join("; ");
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = value;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
