/**
 * Keeps the adapter's secrets (API key, PIN, TOTP secret, and the session
 * tokens once they exist) out of every log line and error message: both pass
 * through `redact`, which masks each secret wherever it appears. Nothing here
 * puts a secret in a message on purpose; the mask is for what a server or a
 * library might echo. It errs on the side of hiding: a 4-digit PIN is masked
 * inside a longer number too.
 */
import { BrokerError } from "../broker.js";

export interface BrokerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const quietLog: BrokerLog = { info() {}, warn() {}, error() {} };

export class SecretBox {
  private list: string[] = [];

  /** Remembers secrets to mask; empty and very short strings are ignored (masking them would garble every message). */
  add(...secrets: Array<string | null | undefined>): void {
    for (const s of secrets) if (typeof s === "string" && s.length >= 4 && !this.list.includes(s)) this.list.push(s);
    this.list.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.list) out = out.split(s).join("***");
    return out;
  }

  /** The same error with its message masked (a BrokerError keeps its kind and code). */
  redactError(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const message = this.redact(err.message);
    if (message === err.message) return err;
    if (err instanceof BrokerError) {
      const copy = new BrokerError(err.kind, message, err.code);
      Object.setPrototypeOf(copy, Object.getPrototypeOf(err));
      copy.name = err.name;
      return copy;
    }
    return new Error(message);
  }

  /** A logger that masks the message and every field (serialised) before the real one sees them. */
  wrap(log: BrokerLog): BrokerLog {
    const clean = (fields?: Record<string, unknown>): Record<string, unknown> | undefined => {
      if (!fields) return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(fields)) {
        if (typeof v === "string") out[k] = this.redact(v);
        else if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) out[k] = v;
        else if (v instanceof Error) out[k] = this.redact(v.message);
        else out[k] = JSON.parse(this.redact(JSON.stringify(v) ?? "null")) as unknown;
      }
      return out;
    };
    return {
      info: (m, f) => log.info(this.redact(m), clean(f)),
      warn: (m, f) => log.warn(this.redact(m), clean(f)),
      error: (m, f) => log.error(this.redact(m), clean(f)),
    };
  }
}
