/**
 * A local stand-in for the Telegram Bot API, for tests.
 *
 * It speaks the real wire format (`POST /bot<token>/<method>`, JSON,
 * form-urlencoded or multipart bodies, `{ok, result}` / `{ok:false,
 * error_code, description}` answers) so the real grammY client runs against
 * it unchanged: `new Bot(token, { client: { apiRoot: standIn.apiRoot } })`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// ───────────────────────────── public types ─────────────────────────────

export type JsonObject = Record<string, unknown>;

export interface StandInOptions {
  /** Bot token the stand-in accepts; any other token gets 401. */
  token?: string;
  botUsername?: string;
  /** The bot's first_name in getMe. */
  botName?: string;
  /**
   * Also reject a bare `&` or `>` in HTML (default true). The real server
   * shows those literally, but the product escapes every dynamic value, so a
   * bare one means an escape was missed (and the same value containing `<`
   * would fail in production).
   */
  strictHtml?: boolean;
}

export type Failure =
  | { kind: "429"; retryAfter: number }
  /** `html: true` answers with an nginx-style HTML page instead of JSON. */
  | { kind: "5xx"; status?: number; html?: boolean }
  /** Destroys the socket without answering. */
  | { kind: "drop" };

export type FaultKind = "429" | "5xx" | "drop" | "offline";

export interface RecordedCall {
  method: string;
  /** Parsed params; uploaded files appear as {@link FileRef}. */
  params: JsonObject;
  at: number;
  /** HTTP status answered; unset while a getUpdates is held or when dropped. */
  status?: number;
  /** The error description when the answer was not ok. */
  error?: string;
  /** Set when an injected fault (or offline mode) served this call. */
  fault?: FaultKind;
}

export interface FileRef {
  filename: string;
  size: number;
  /** The content type the client declared for the part (grammY always sends application/octet-stream). */
  mimeType: string;
  fileId: string;
}

export interface UploadedFile extends FileRef {
  method: string;
  /** Param the file was attached to, e.g. "photo" or "document". */
  field: string;
  bytes: Buffer;
  at: number;
}

export interface ServedFault {
  method: string;
  kind: FaultKind;
  at: number;
  status?: number;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  user?: JsonObject;
}

export interface InlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [key: string]: unknown;
}

export interface ReplyMarkup {
  inline_keyboard?: InlineButton[][];
  [key: string]: unknown;
}

/** A message's visible state; `history` keeps one of these per edit. */
export interface MessageSnapshot {
  /** Text as the user sees it (markup parsed out), for text messages. */
  text?: string;
  /** Caption as the user sees it, for photos and documents. */
  caption?: string;
  /** Text or caption exactly as sent, markup included. */
  source?: string;
  parse_mode?: string;
  entities?: MessageEntity[];
  reply_markup?: ReplyMarkup;
}

export interface StandInMessage extends MessageSnapshot {
  message_id: number;
  chat_id: number;
  from_bot: boolean;
  from_id: number;
  kind: "text" | "photo" | "document";
  file?: {
    fileId: string;
    fileUniqueId: string;
    filename?: string;
    size?: number;
    mimeType?: string;
    width?: number;
    height?: number;
  };
  reply_to_message_id?: number;
  date: number;
  edit_date?: number;
  /** Number of successful edits. */
  edits: number;
  /** State before each edit, oldest first; the current state is the message itself. */
  history: Array<MessageSnapshot & { replacedAt: number; by: string }>;
  deleted: boolean;
}

export interface AnsweredCallback {
  id: string;
  text?: string;
  show_alert?: boolean;
  url?: string;
  cache_time?: number;
  at: number;
}

export interface UpdateRecord {
  update_id: number;
  type: "message" | "callback_query";
  update: JsonObject;
  queuedAt: number;
  /** First time a getUpdates answer carried it. */
  deliveredAt?: number;
  /** When a getUpdates offset confirmed it (the bot asked for the next ones). */
  confirmedAt?: number;
  /** Not delivered because allowed_updates excluded its type. */
  filtered?: boolean;
}

export interface SendTextOptions {
  chatId: number;
  userId: number;
  text: string;
  chatType?: "private" | "group" | "supergroup";
  username?: string;
  firstName?: string;
  replyToMessageId?: number;
}

export interface PressButtonOptions {
  chatId: number;
  userId: number;
  /** Defaults to the newest bot message in the chat that has a matching button. */
  messageId?: number;
  /** callback_data of the button. Give this or `text`. */
  data?: string;
  /** Label of the button (exact string or pattern). */
  text?: string | RegExp;
  /** Skip the check that the message shows such a button (simulates a stale or forged press). */
  force?: boolean;
  username?: string;
}

export type MessageMatcher = string | RegExp | ((m: StandInMessage) => boolean);

export interface WaitForMessageOptions {
  timeoutMs?: number;
  /** Only messages with a larger message_id count. */
  afterMessageId?: number;
}

// ───────────────────────────── internals ─────────────────────────────

const DEFAULT_TOKEN = "123456:TEST-TOKEN-not-a-secret";
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const CONFLICT_POLL =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const CONFLICT_WEBHOOK =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
const QUERY_INVALID =
  "query is too old and response timeout expired or query ID is invalid";
const MAX_BODY = 60 * 1024 * 1024;

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
  ) {
    super(description);
  }
}

const bad = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

interface FilePart {
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

interface ChatState {
  id: number;
  type: "private" | "group" | "supergroup";
  firstName?: string;
  username?: string;
  nextMessageId: number;
  messages: StandInMessage[];
}

interface UserInfo {
  id: number;
  firstName: string;
  username?: string;
}

interface HeldPoll {
  call: RecordedCall;
  req: IncomingMessage;
  res: ServerResponse;
  limit: number;
  timer: NodeJS.Timeout;
}

interface FaultRule {
  method: string;
  remaining: number;
  failure: Failure;
}

type Handler = (p: JsonObject, files: Map<string, FilePart>) => unknown;

// Multipart and form bodies carry every value as a string; the real server
// coerces by parameter type, so the stand-in does too.
const INT_KEYS = new Set([
  "chat_id", "message_id", "reply_to_message_id", "message_thread_id", "offset", "limit",
  "timeout", "cache_time", "from_chat_id", "user_id", "max_connections",
]);
const JSON_KEYS = new Set([
  "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
  "link_preview_options", "reply_parameters", "media", "message_ids",
]);
const BOOL_KEYS = new Set([
  "show_alert", "disable_notification", "protect_content", "drop_pending_updates",
  "disable_web_page_preview", "has_spoiler", "show_caption_above_media",
  "allow_sending_without_reply", "disable_content_type_detection",
]);

function normalizeValue(key: string, v: unknown): unknown {
  if (typeof v !== "string") return v;
  if (INT_KEYS.has(key) && /^-?\d+$/.test(v)) return Number(v);
  if (JSON_KEYS.has(key)) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v; // left as a string so validation reports it
    }
  }
  if (BOOL_KEYS.has(key) && (v === "true" || v === "false")) return v === "true";
  return v;
}

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
  "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const BUTTON_ACTIONS = [
  "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
];

const MIME_BY_EXT: Record<string, string> = {
  csv: "text/csv", txt: "text/plain", json: "application/json", pdf: "application/pdf",
  png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", gif: "image/gif", webp: "image/webp",
  zip: "application/zip", html: "text/html",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const now = (): number => Date.now();
const unixNow = (): number => Math.floor(Date.now() / 1000);

function asInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// ───────────────────────────── HTML checker ─────────────────────────────

export type HtmlParseResult =
  | { ok: true; text: string; entities: MessageEntity[] }
  | { ok: false; error: string };

const HTML_TAGS = new Set([
  "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
  "tg-spoiler", "span", "blockquote", "tg-emoji",
]);
const NAMED_ENTITIES: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
const ENTITY_TYPE: Record<string, string> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough",
  "tg-spoiler": "spoiler", span: "spoiler", code: "code",
};

const isSpace = (c: string): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";

/** Decodes `&...` at `i`; null when it is not a supported entity. */
function decodeEntityAt(s: string, i: number, strict: boolean): { ch: string; end: number } | null {
  let j = i + 1;
  let code: number | undefined;
  if (s.charAt(j) === "#") {
    j++;
    const hex = s.charAt(j) === "x" || s.charAt(j) === "X";
    if (hex) j++;
    const start = j;
    const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
    while (j < s.length && digit.test(s.charAt(j))) j++;
    if (j === start || j - start > 8) return null;
    code = parseInt(s.slice(start, j), hex ? 16 : 10);
    if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return null;
  } else {
    const start = j;
    while (j < s.length && /[A-Za-z]/.test(s.charAt(j))) j++;
    code = NAMED_ENTITIES[s.slice(start, j)];
    if (code === undefined) return null;
  }
  // The real server accepts a missing ';'; strict mode wants the proper form.
  if (s.charAt(j) === ";") j++;
  else if (strict) return null;
  return { ch: String.fromCodePoint(code), end: j };
}

/**
 * Parses Telegram's HTML subset the way the Bot API does (tag rules and error
 * texts follow the server's parser) and returns the visible text plus
 * entities (offsets in UTF-16 code units), or the "can't parse entities"
 * reason. `strict` (default true) additionally rejects a bare `&` or `>`.
 */
export function parseTelegramHtml(source: string, opts: { strict?: boolean } = {}): HtmlParseResult {
  const strict = opts.strict ?? true;
  const n = source.length;
  const byteAt = (i: number): number => Buffer.byteLength(source.slice(0, i), "utf8");
  const fail = (error: string): HtmlParseResult => ({ ok: false, error });
  const open: Array<{ tag: string; arg: string; offset: number }> = [];
  const entities: MessageEntity[] = [];
  const codeLanguage = new Map<MessageEntity, string>();
  let out = "";
  let i = 0;
  while (i < n) {
    const c = source.charAt(i);
    if (c === "&") {
      const d = decodeEntityAt(source, i, strict);
      if (d) {
        out += d.ch;
        i = d.end;
        continue;
      }
      if (strict) {
        return fail(
          `Character '&' must be escaped as "&amp;" at byte offset ${byteAt(i)} (stand-in strict check)`,
        );
      }
      out += c;
      i++;
      continue;
    }
    if (c === ">" && strict) {
      return fail(`Character '>' must be escaped as "&gt;" at byte offset ${byteAt(i)} (stand-in strict check)`);
    }
    if (c !== "<") {
      out += c;
      i++;
      continue;
    }
    const begin = i;
    if (source.charAt(i + 1) !== "/") {
      // start tag
      i++;
      while (i < n && !isSpace(source.charAt(i)) && source.charAt(i) !== ">") i++;
      if (i >= n) return fail(`Unclosed start tag at byte offset ${byteAt(begin)}`);
      const tag = source.slice(begin + 1, i).toLowerCase();
      if (!HTML_TAGS.has(tag)) return fail(`Unsupported start tag "${tag}" at byte offset ${byteAt(begin)}`);
      let arg = "";
      while (source.charAt(i) !== ">") {
        while (i < n && isSpace(source.charAt(i))) i++;
        if (source.charAt(i) === ">") break;
        const nameStart = i;
        while (i < n && !isSpace(source.charAt(i)) && source.charAt(i) !== "=" && source.charAt(i) !== ">") i++;
        const attr = source.slice(nameStart, i).toLowerCase();
        if (attr === "") return fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteAt(begin)}`);
        while (i < n && isSpace(source.charAt(i))) i++;
        if (source.charAt(i) !== "=") {
          if (tag === "blockquote" && attr === "expandable") {
            arg = "expandable";
            continue;
          }
          if (i >= n) return fail(`Unclosed start tag at byte offset ${byteAt(begin)}`);
          return fail(
            `Expected equal sign in declaration of an attribute of the tag "${tag}" at byte offset ${byteAt(begin)}`,
          );
        }
        i++;
        while (i < n && isSpace(source.charAt(i))) i++;
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteAt(begin)}`);
        let value = "";
        const quote = source.charAt(i);
        if (quote !== '"' && quote !== "'") {
          const tokenStart = i;
          while (i < n && /[A-Za-z0-9.-]/.test(source.charAt(i))) i++;
          value = source.slice(tokenStart, i).toLowerCase();
          if (!isSpace(source.charAt(i)) && source.charAt(i) !== ">") {
            return fail(`Unexpected end of name token at byte offset ${byteAt(tokenStart)}`);
          }
        } else {
          i++;
          while (i < n && source.charAt(i) !== quote) {
            if (source.charAt(i) === "&") {
              const d = decodeEntityAt(source, i, strict);
              if (d) {
                value += d.ch;
                i = d.end;
                continue;
              }
              if (strict) {
                return fail(
                  `Character '&' in an attribute value must be escaped as "&amp;" at byte offset ${byteAt(i)} (stand-in strict check)`,
                );
              }
            }
            value += source.charAt(i);
            i++;
          }
          if (source.charAt(i) === quote) i++;
        }
        if (i >= n) return fail(`Unclosed start tag at byte offset ${byteAt(begin)}`);
        if (tag === "a" && attr === "href") arg = value;
        else if (tag === "code" && attr === "class" && value.startsWith("language-")) arg = value.slice(9);
        else if (tag === "span" && attr === "class" && value.startsWith("tg-")) arg = value.slice(3);
        else if (tag === "tg-emoji" && attr === "emoji-id") arg = value;
        else if (tag === "blockquote" && attr === "expandable") arg = "expandable";
      }
      if (tag === "span" && arg !== "spoiler") {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteAt(begin)}`);
      }
      open.push({ tag, arg, offset: out.length });
      i++;
      continue;
    }
    // end tag
    if (open.length === 0) return fail(`Unexpected end tag at byte offset ${byteAt(begin)}`);
    i += 2;
    const nameStart = i;
    while (i < n && !isSpace(source.charAt(i)) && source.charAt(i) !== ">") i++;
    const endName = source.slice(nameStart, i);
    while (i < n && isSpace(source.charAt(i))) i++;
    if (source.charAt(i) !== ">") return fail(`Unclosed end tag at byte offset ${byteAt(begin)}`);
    i++;
    const top = open.pop();
    if (!top) return fail(`Unexpected end tag at byte offset ${byteAt(begin)}`);
    if (endName !== "" && endName.toLowerCase() !== top.tag) {
      return fail(
        `Unmatched end tag at byte offset ${byteAt(begin)}, expected "</${top.tag}>", found "</${endName}>"`,
      );
    }
    const length = out.length - top.offset;
    if (length === 0) continue;
    const offset = top.offset;
    const simple = ENTITY_TYPE[top.tag];
    if (simple !== undefined) {
      const entity: MessageEntity = { type: simple, offset, length };
      entities.push(entity);
      if (top.tag === "code" && top.arg !== "") codeLanguage.set(entity, top.arg);
    } else if (top.tag === "pre") {
      const entity: MessageEntity = { type: "pre", offset, length };
      // <pre><code class="language-x"> is one pre entity with a language
      const inner = entities.findIndex((e) => e.type === "code" && e.offset === offset && e.length === length);
      if (inner >= 0) {
        const innerEntity = entities[inner];
        const lang = innerEntity ? codeLanguage.get(innerEntity) : undefined;
        if (lang) entity.language = lang;
        entities.splice(inner, 1);
      }
      entities.push(entity);
    } else if (top.tag === "a") {
      const url = top.arg !== "" ? top.arg : out.slice(offset);
      const mention = /^tg:\/\/user\?id=(\d+)$/.exec(url);
      if (mention) {
        entities.push({
          type: "text_mention", offset, length,
          user: { id: Number(mention[1]), is_bot: false, first_name: out.slice(offset) },
        });
      } else {
        entities.push({ type: "text_link", offset, length, url });
      }
    } else if (top.tag === "blockquote") {
      entities.push({ type: top.arg === "expandable" ? "expandable_blockquote" : "blockquote", offset, length });
    } else if (top.tag === "tg-emoji") {
      entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: top.arg });
    }
  }
  const unclosed = open[open.length - 1];
  if (unclosed) return fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text: out, entities };
}

/** The server strips leading and trailing whitespace, shifting entities. */
function trimFormatted(text: string, entities: MessageEntity[]): { text: string; entities: MessageEntity[] } {
  const lead = text.length - text.replace(/^[ \t\r\n]+/, "").length;
  const trimmed = text.trim() === "" ? "" : text.slice(lead).replace(/[ \t\r\n]+$/, "");
  const end = trimmed.length;
  const shifted: MessageEntity[] = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const stop = Math.min(end, e.offset + e.length - lead);
    if (stop > start) shifted.push({ ...e, offset: start, length: stop - start });
  }
  return { text: trimmed, entities: shifted };
}

// ───────────────────────────── body parsing ─────────────────────────────

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, "Request Entity Too Large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("client aborted")));
  });
}

function parseMultipart(body: Buffer, boundary: string): { fields: JsonObject; parts: Map<string, FilePart> } {
  const fields: JsonObject = {};
  const parts = new Map<string, FilePart>();
  const opener = Buffer.from(`--${boundary}`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(opener);
  if (pos < 0) throw bad("can't parse multipart/form-data body");
  pos += opener.length;
  for (;;) {
    if (body.subarray(pos, pos + 2).toString("latin1") === "--") break;
    if (body.subarray(pos, pos + 2).toString("latin1") === "\r\n") pos += 2;
    const next = body.indexOf(separator, pos);
    if (next < 0) throw bad("can't parse multipart/form-data body");
    const part = body.subarray(pos, next);
    pos = next + separator.length;
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) continue;
    const headers = part.subarray(0, headerEnd).toString("utf8");
    const content = part.subarray(headerEnd + 4);
    const disposition = /content-disposition\s*:([^\r\n]*)/i.exec(headers)?.[1] ?? "";
    const name = /;\s*name\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(disposition);
    const fieldName = name?.[1] ?? name?.[2];
    if (fieldName === undefined) continue;
    // grammY writes the filename unquoted and last, so an unquoted one runs to the end
    const file = /;\s*filename\s*=\s*(?:"([^"]*)"|(.*))$/i.exec(disposition);
    if (file) {
      const mimeType = /content-type\s*:\s*([^\r\n;]*)/i.exec(headers)?.[1]?.trim() ?? "application/octet-stream";
      parts.set(fieldName, { filename: (file[1] ?? file[2] ?? "").trim(), mimeType, bytes: Buffer.from(content) });
    } else {
      fields[fieldName] = content.toString("utf8");
    }
  }
  return { fields, parts };
}

function imageInfo(bytes: Buffer): { type: string; width: number; height: number } | undefined {
  if (bytes.length >= 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.readUInt32BE(4) === 0x0d0a1a0a) {
    return { type: "png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    // walk JPEG segments to the first start-of-frame marker
    let p = 2;
    while (p + 9 < bytes.length) {
      if (bytes[p] !== 0xff) break;
      const marker = bytes[p + 1] ?? 0;
      const len = bytes.readUInt16BE(p + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { type: "jpeg", width: bytes.readUInt16BE(p + 7), height: bytes.readUInt16BE(p + 5) };
      }
      p += 2 + len;
    }
    return { type: "jpeg", width: 0, height: 0 };
  }
  if (bytes.length >= 10 && bytes.subarray(0, 4).toString("latin1") === "GIF8") {
    return { type: "gif", width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
  }
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") {
    return { type: "webp", width: 0, height: 0 };
  }
  return undefined;
}

// ───────────────────────────── the stand-in ─────────────────────────────

export class TelegramStandIn {
  readonly token: string;
  readonly botUsername: string;
  readonly botId: number;
  apiRoot = "";
  /** Every call received, in order. */
  readonly calls: RecordedCall[] = [];
  /** Every uploaded file with its bytes. */
  readonly files: UploadedFile[] = [];
  readonly answeredCallbacks: AnsweredCallback[] = [];
  /** Faults served by failNext and offline mode. */
  readonly faults: ServedFault[] = [];
  /** Every update queued, with its delivery state. */
  readonly updates: UpdateRecord[] = [];
  /** URL of the webhook while one is set (getUpdates then gets 409). */
  webhookUrl: string | undefined;

  private readonly botName: string;
  private readonly strictHtml: boolean;
  private readonly server: Server;
  private readonly chats = new Map<number, ChatState>();
  private readonly users = new Map<number, UserInfo>();
  private readonly allMessages: StandInMessage[] = [];
  private readonly pending: UpdateRecord[] = [];
  private readonly callbackQueries = new Map<string, { answered: boolean }>();
  private readonly commands = new Map<string, unknown[]>();
  private readonly blocked = new Set<number>();
  private readonly knownFiles = new Map<string, FileRef>();
  private readonly faultRules: FaultRule[] = [];
  private readonly handlers: Record<string, { name: string; fn: Handler }>;
  private allowedUpdates: Set<string> | undefined;
  private held: HeldPoll | undefined;
  private wakeScheduled: NodeJS.Immediate | undefined;
  private offline = false;
  private closed = false;
  private nextUpdateId = 1000;
  private nextCallbackId = 7_000_001;
  private nextFileNo = 1;

  constructor(opts: StandInOptions = {}) {
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.botUsername = opts.botUsername ?? "dalal_test_bot";
    this.botName = opts.botName ?? "Dalal Test";
    this.strictHtml = opts.strictHtml ?? true;
    this.botId = asInt(this.token.split(":")[0]) ?? 123456;
    const table: Record<string, Handler> = {
      getMe: () => this.botUser(true),
      getUpdates: () => [], // answered by getUpdates(), which may hold the request
      deleteWebhook: (p) => this.deleteWebhook(p),
      setWebhook: (p) => this.setWebhook(p),
      getWebhookInfo: () => ({
        url: this.webhookUrl ?? "",
        has_custom_certificate: false,
        pending_update_count: this.pending.length,
      }),
      sendMessage: (p) => this.sendMessage(p),
      editMessageText: (p) => this.editMessageText(p),
      editMessageCaption: (p) => this.editMessageCaption(p),
      editMessageReplyMarkup: (p) => this.editMessageReplyMarkup(p),
      deleteMessage: (p) => this.deleteMessage(p),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      sendPhoto: (p, f) => this.sendFile("photo", p, f),
      sendDocument: (p, f) => this.sendFile("document", p, f),
      setMyCommands: (p) => this.setMyCommands(p),
      getMyCommands: (p) => this.commands.get(this.commandsKey(p)) ?? [],
      deleteMyCommands: (p) => {
        this.commands.delete(this.commandsKey(p));
        return true;
      },
      sendChatAction: (p) => this.sendChatAction(p),
    };
    // Method names are case-insensitive on the real server.
    this.handlers = Object.fromEntries(
      Object.entries(table).map(([name, fn]) => [name.toLowerCase(), { name, fn }]),
    );
    this.server = createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        this.writeJson(res, undefined, 500, {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: stand-in failure: ${String(err)}`,
        });
      });
    });
    // grammY keeps connections alive; don't let the server's idle timer race a reused socket.
    this.server.keepAliveTimeout = 10 * 60_000;
    this.server.on("clientError", (_err, socket) => socket.destroy());
  }

  /** Starts listening on 127.0.0.1 with a random port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
    return this;
  }

  // ── test-side state ──

  /** The bot's messages (current state after edits), in send order; snapshots. */
  messages(chatId?: number, opts: { includeDeleted?: boolean } = {}): StandInMessage[] {
    const source = chatId === undefined ? this.allMessages : (this.chats.get(chatId)?.messages ?? []);
    return source
      .filter((m) => m.from_bot && (opts.includeDeleted === true || !m.deleted))
      .map((m) => structuredClone(m));
  }

  /** One message by id (bot's or user's), as a snapshot. */
  message(chatId: number, messageId: number): StandInMessage | undefined {
    const m = this.chats.get(chatId)?.messages.find((x) => x.message_id === messageId);
    return m ? structuredClone(m) : undefined;
  }

  /** Calls to one method. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** A readable log of a chat, both sides, for assertion messages. */
  transcript(chatId: number): string[] {
    return (this.chats.get(chatId)?.messages ?? []).map((m) => {
      const who = m.from_bot ? "bot" : `user ${m.from_id}`;
      const body = m.kind === "text" ? (m.text ?? "") : `[${m.kind}${m.file?.filename ? ` ${m.file.filename}` : ""}] ${m.caption ?? ""}`;
      const buttons = m.reply_markup?.inline_keyboard
        ?.flat()
        .map((b) => b.text)
        .join(" | ");
      const tags = [m.edits > 0 ? `edited ×${m.edits}` : "", m.deleted ? "deleted" : ""].filter(Boolean).join(", ");
      return `#${m.message_id} ${who}: ${truncate(body, 300)}${buttons ? ` [buttons: ${buttons}]` : ""}${tags ? ` (${tags})` : ""}`;
    });
  }

  // ── simulated users ──

  /** Queues a `message` update from a user; returns its update_id. */
  sendText(opts: SendTextOptions): number {
    const chatType = opts.chatType ?? "private";
    const user = this.rememberUser(opts.userId, opts.username, opts.firstName);
    const chat = this.chat(opts.chatId, chatType);
    if (chatType === "private") {
      chat.firstName = user.firstName;
      chat.username = user.username;
    }
    const msg: StandInMessage = {
      message_id: chat.nextMessageId++,
      chat_id: chat.id,
      from_bot: false,
      from_id: user.id,
      kind: "text",
      text: opts.text,
      source: opts.text,
      date: unixNow(),
      edits: 0,
      history: [],
      deleted: false,
    };
    const command = /^\/\S+/.exec(opts.text);
    if (command) msg.entities = [{ type: "bot_command", offset: 0, length: command[0].length }];
    if (opts.replyToMessageId !== undefined) msg.reply_to_message_id = opts.replyToMessageId;
    chat.messages.push(msg);
    this.allMessages.push(msg);
    return this.enqueue("message", { message: this.apiMessage(msg) });
  }

  /** Queues a `callback_query` update for a button press; returns the query id. */
  pressButton(opts: PressButtonOptions): string {
    if (opts.data === undefined && opts.text === undefined) throw new Error("pressButton: give data or text");
    const chat = this.chats.get(opts.chatId);
    if (!chat) throw new Error(`pressButton: no chat ${opts.chatId}`);
    const matches = (b: InlineButton): boolean =>
      (opts.data === undefined || b.callback_data === opts.data) &&
      (opts.text === undefined ||
        (typeof opts.text === "string" ? b.text === opts.text : opts.text.test(b.text)));
    const candidates =
      opts.messageId !== undefined
        ? chat.messages.filter((m) => m.message_id === opts.messageId)
        : chat.messages.filter((m) => m.from_bot && !m.deleted).reverse();
    let target: StandInMessage | undefined;
    let data = opts.data;
    for (const m of candidates) {
      const button = m.reply_markup?.inline_keyboard?.flat().find(matches);
      if (button || (opts.force === true && opts.messageId !== undefined)) {
        target = m;
        data = button?.callback_data ?? opts.data;
        break;
      }
    }
    if (!target) {
      const where = opts.messageId !== undefined ? `message ${opts.messageId}` : `any bot message`;
      throw new Error(
        `pressButton: no button ${opts.data !== undefined ? `data=${JSON.stringify(opts.data)} ` : ""}` +
          `${opts.text !== undefined ? `text=${String(opts.text)} ` : ""}on ${where} in chat ${opts.chatId}.\n` +
          this.transcript(opts.chatId).slice(-10).join("\n"),
      );
    }
    if (data === undefined) throw new Error("pressButton: that button has no callback_data (a URL button?)");
    if (target.deleted && opts.force !== true) throw new Error(`pressButton: message ${target.message_id} was deleted`);
    const user = this.rememberUser(opts.userId, opts.username);
    const id = String(this.nextCallbackId++);
    this.callbackQueries.set(id, { answered: false });
    this.enqueue("callback_query", {
      callback_query: {
        id,
        from: this.userObject(user),
        message: this.apiMessage(target),
        chat_instance: String(-Math.abs(chat.id) - 17),
        data,
      },
    });
    return id;
  }

  /** Makes the chat answer 403 (the user blocked the bot / the bot was removed). */
  setBlocked(chatId: number, on: boolean): void {
    if (on) this.blocked.add(chatId);
    else this.blocked.delete(chatId);
  }

  // ── waiting ──

  /** Polls state until `predicate` returns something truthy; rejects after `timeoutMs`. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000, label = "waitFor"): Promise<T> {
    const failure = new Error(label); // created here so the stack points at the test
    const started = now();
    return new Promise<T>((resolve, reject) => {
      const tick = (): void => {
        let value: T | undefined | null | false;
        try {
          value = predicate();
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        if (value) {
          resolve(value);
          return;
        }
        if (now() - started >= timeoutMs) {
          failure.message = `${label}: not satisfied within ${timeoutMs} ms.\nLast calls:\n${this.describeCalls(8)}`;
          reject(failure);
          return;
        }
        setTimeout(tick, 10);
      };
      tick();
    });
  }

  /** Waits for a bot message in the chat whose text/caption matches (substring, pattern or predicate). */
  waitForMessage(
    chatId: number,
    matcher: MessageMatcher,
    timeoutOrOpts: number | WaitForMessageOptions = {},
  ): Promise<StandInMessage> {
    const o = typeof timeoutOrOpts === "number" ? { timeoutMs: timeoutOrOpts } : timeoutOrOpts;
    const after = o.afterMessageId ?? 0;
    const test = (m: StandInMessage): boolean => {
      const shown = m.text ?? m.caption ?? "";
      if (typeof matcher === "string") return shown.includes(matcher);
      if (matcher instanceof RegExp) return matcher.test(shown);
      return matcher(m);
    };
    const label = `waitForMessage(chat ${chatId}, ${typeof matcher === "function" ? "predicate" : String(matcher)})`;
    return this.waitFor(
      () => this.messages(chatId).find((m) => m.message_id > after && test(m)),
      o.timeoutMs ?? 5000,
      label,
    ).catch((err: unknown) => {
      if (err instanceof Error && err.message.startsWith(label)) {
        err.message += `\nChat ${chatId}:\n${this.transcript(chatId).slice(-10).join("\n") || "(empty)"}`;
      }
      throw err;
    });
  }

  /** Waits for a call to `method` (optionally matching) made after call index `since`. */
  waitForCall(
    method: string,
    match: (c: RecordedCall) => boolean = () => true,
    opts: { timeoutMs?: number; since?: number } = {},
  ): Promise<RecordedCall> {
    return this.waitFor(
      () => this.calls.slice(opts.since ?? 0).find((c) => c.method === method && match(c)),
      opts.timeoutMs ?? 5000,
      `waitForCall(${method})`,
    );
  }

  // ── fault injection ──

  /**
   * The next `n` calls to `method` fail as described. "*" matches every method
   * except getUpdates, so a polling bot doesn't use up faults meant for sends;
   * name getUpdates explicitly to fail polls (grammY sleeps 3 s after each).
   */
  failNext(method: string, n: number, failure: Failure): void {
    this.faultRules.push({ method, remaining: n, failure });
  }

  /** While on, every call (and any held getUpdates) has its connection dropped. */
  setOffline(on: boolean): void {
    this.offline = on;
    if (on && this.held) {
      const held = this.held;
      this.held = undefined;
      clearTimeout(held.timer);
      this.serveFault(held.call, "offline");
      held.req.socket.destroy();
    }
  }

  /** Ends held polls (answering []), drops every connection, stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.wakeScheduled) clearImmediate(this.wakeScheduled);
    const held = this.held;
    this.held = undefined;
    if (held) {
      clearTimeout(held.timer);
      const finished = new Promise<void>((resolve) => {
        held.res.once("finish", resolve);
        held.res.once("close", resolve);
        setTimeout(resolve, 200).unref();
      });
      this.writeJson(held.res, held.call, 200, { ok: true, result: [] });
      await finished;
    }
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  // ── request plumbing ──

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://stand-in");
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof ApiError) this.writeJson(res, undefined, err.code, { ok: false, error_code: err.code, description: err.description });
      return;
    }
    const route = /^\/bot([^/]+)\/(?:test\/)?([^/]+)$/.exec(url.pathname);
    if (!route) {
      this.writeJson(res, undefined, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const token = decodeURIComponent(route[1] ?? "");
    const rawMethod = route[2] ?? "";
    const handler = this.handlers[rawMethod.toLowerCase()];
    const call: RecordedCall = { method: handler?.name ?? rawMethod, params: {}, at: now() };
    this.calls.push(call);

    let files = new Map<string, FilePart>();
    let parseError: ApiError | undefined;
    try {
      ({ params: call.params, files } = this.parseParams(req, url, body, call.method));
    } catch (err) {
      parseError = err instanceof ApiError ? err : bad(String(err));
    }

    if (this.offline) {
      this.serveFault(call, "offline");
      req.socket.destroy();
      return;
    }
    const rule = this.takeFaultRule(call.method);
    if (rule) {
      this.serveFailure(req, res, call, rule.failure);
      return;
    }
    if (token !== this.token) {
      this.writeJson(res, call, 401, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    if (!handler) {
      this.writeJson(res, call, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
      return;
    }
    if (parseError) {
      this.writeJson(res, call, parseError.code, { ok: false, error_code: parseError.code, description: parseError.description });
      return;
    }
    if (handler.name === "getUpdates") {
      this.getUpdates(call, req, res);
      return;
    }
    try {
      const result = handler.fn(call.params, files);
      this.writeJson(res, call, 200, { ok: true, result });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      this.writeJson(res, call, err.code, { ok: false, error_code: err.code, description: err.description });
    }
  }

  private parseParams(
    req: IncomingMessage,
    url: URL,
    body: Buffer,
    method: string,
  ): { params: JsonObject; files: Map<string, FilePart> } {
    const raw: JsonObject = Object.fromEntries(url.searchParams);
    let parts = new Map<string, FilePart>();
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (body.length > 0) {
      if (type.startsWith("application/json")) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          throw bad("can't parse JSON object");
        }
        if (!isObject(parsed)) throw bad("can't parse JSON object");
        Object.assign(raw, parsed);
      } else if (type.startsWith("application/x-www-form-urlencoded")) {
        Object.assign(raw, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
      } else if (type.startsWith("multipart/form-data")) {
        const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
        const b = boundary?.[1] ?? boundary?.[2];
        if (!b) throw bad("can't parse multipart/form-data body");
        const parsed = parseMultipart(body, b);
        Object.assign(raw, parsed.fields);
        parts = parsed.parts;
      }
    }
    const params: JsonObject = {};
    for (const [k, v] of Object.entries(raw)) params[k] = normalizeValue(k, v);
    // Resolve uploads: `photo: "attach://<part>"` (grammY) or a part named like the param.
    const files = new Map<string, FilePart>();
    const attached = new Set<string>();
    for (const [k, v] of Object.entries(params)) {
      const name = typeof v === "string" && v.startsWith("attach://") ? v.slice(9) : undefined;
      const part = name !== undefined ? parts.get(name) : undefined;
      if (name !== undefined && part) {
        files.set(k, part);
        attached.add(name);
      }
    }
    for (const [name, part] of parts) {
      if (!attached.has(name) && !(name in params)) files.set(name, part);
    }
    for (const [field, part] of files) {
      const fileId = `stand-in-file-${this.nextFileNo++}`;
      const ref: FileRef = { filename: part.filename, size: part.bytes.length, mimeType: part.mimeType, fileId };
      params[field] = ref;
      this.files.push({ ...ref, method, field, bytes: part.bytes, at: now() });
    }
    return { params, files };
  }

  private takeFaultRule(method: string): FaultRule | undefined {
    const rule = this.faultRules.find(
      (r) => r.remaining > 0 && (r.method === method || (r.method === "*" && method !== "getUpdates")),
    );
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining === 0) this.faultRules.splice(this.faultRules.indexOf(rule), 1);
    return rule;
  }

  private serveFault(call: RecordedCall, kind: FaultKind, status?: number): void {
    call.fault = kind;
    const served: ServedFault = { method: call.method, kind, at: now() };
    if (status !== undefined) served.status = status;
    this.faults.push(served);
  }

  private serveFailure(req: IncomingMessage, res: ServerResponse, call: RecordedCall, failure: Failure): void {
    if (failure.kind === "drop") {
      this.serveFault(call, "drop");
      req.socket.destroy();
      return;
    }
    if (failure.kind === "429") {
      this.serveFault(call, "429", 429);
      this.writeJson(res, call, 429, {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfter}`,
        parameters: { retry_after: failure.retryAfter },
      });
      return;
    }
    const status = failure.status ?? 500;
    const reason = status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : status === 504 ? "Gateway Timeout" : "Internal Server Error";
    this.serveFault(call, "5xx", status);
    if (failure.html === true) {
      const page = `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
      call.status = status;
      call.error = reason;
      res.writeHead(status, { "content-type": "text/html", "content-length": Buffer.byteLength(page) });
      res.end(page);
      return;
    }
    this.writeJson(res, call, status, { ok: false, error_code: status, description: reason });
  }

  private writeJson(res: ServerResponse, call: RecordedCall | undefined, status: number, body: JsonObject): void {
    if (call) {
      call.status = status;
      if (body.ok !== true && typeof body.description === "string") call.error = body.description;
    }
    if (res.headersSent || res.destroyed || res.socket?.destroyed === true) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  private describeCalls(count: number): string {
    const start = Math.max(0, this.calls.length - count);
    const lines = this.calls.slice(start).map((c, k) => {
      const outcome = c.fault ? `fault ${c.fault}` : c.status === undefined ? "pending" : c.error ? `${c.status} ${c.error}` : `${c.status}`;
      return `  #${start + k} ${c.method} → ${outcome} ${truncate(JSON.stringify(c.params), 200)}`;
    });
    return lines.length > 0 ? lines.join("\n") : "  (no calls)";
  }

  // ── updates and long polling ──

  private enqueue(type: UpdateRecord["type"], payload: JsonObject): number {
    const update_id = this.nextUpdateId++;
    const record: UpdateRecord = { update_id, type, update: { update_id, ...payload }, queuedAt: now() };
    this.updates.push(record);
    this.pending.push(record);
    // Deferred so updates queued in the same tick reach the bot as one batch.
    if (!this.wakeScheduled && !this.closed) {
      this.wakeScheduled = setImmediate(() => {
        this.wakeScheduled = undefined;
        this.wakeHeldPoll();
      });
    }
    return update_id;
  }

  private wakeHeldPoll(): void {
    const held = this.held;
    if (!held) return;
    const batch = this.takeBatch(held.limit);
    if (batch.length === 0) return;
    this.held = undefined;
    clearTimeout(held.timer);
    this.writeJson(held.res, held.call, 200, { ok: true, result: batch });
  }

  private takeBatch(limit: number): JsonObject[] {
    const batch: JsonObject[] = [];
    for (let k = 0; k < this.pending.length && batch.length < limit; ) {
      const record = this.pending[k];
      if (!record) break;
      if (this.allowedUpdates && !this.allowedUpdates.has(record.type)) {
        // the real server never creates updates of unrequested types
        record.filtered = true;
        this.pending.splice(k, 1);
        continue;
      }
      record.deliveredAt ??= now();
      batch.push(record.update);
      k++;
    }
    return batch;
  }

  private confirm(offset: number): void {
    if (offset === 0) return;
    const cut = offset > 0 ? this.pending.filter((r) => r.update_id < offset).length : Math.max(0, this.pending.length + offset);
    for (const r of this.pending.splice(0, cut)) r.confirmedAt = now();
  }

  private getUpdates(call: RecordedCall, req: IncomingMessage, res: ServerResponse): void {
    const p = call.params;
    if (this.webhookUrl !== undefined) {
      this.writeJson(res, call, 409, { ok: false, error_code: 409, description: CONFLICT_WEBHOOK });
      return;
    }
    const offset = asInt(p.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, asInt(p.limit) ?? 100));
    const timeout = Math.max(0, asInt(p.timeout) ?? 0);
    // An empty list means the default set; omitted means keep the previous setting.
    if (Array.isArray(p.allowed_updates)) {
      this.allowedUpdates = p.allowed_updates.length > 0 ? new Set(p.allowed_updates.map(String)) : undefined;
    }
    this.confirm(offset);
    if (this.held) {
      const older = this.held;
      this.held = undefined;
      clearTimeout(older.timer);
      this.writeJson(older.res, older.call, 409, { ok: false, error_code: 409, description: CONFLICT_POLL });
    }
    const batch = this.takeBatch(limit);
    if (batch.length > 0 || timeout === 0 || this.closed) {
      this.writeJson(res, call, 200, { ok: true, result: batch });
      return;
    }
    // Hold the request like the real server; answering at once would make grammY spin.
    const held: HeldPoll = {
      call,
      req,
      res,
      limit,
      timer: setTimeout(() => {
        if (this.held === held) this.held = undefined;
        this.writeJson(res, call, 200, { ok: true, result: [] });
      }, timeout * 1000),
    };
    this.held = held;
    res.on("close", () => {
      // the client aborted (bot.stop()) or the answer went out
      clearTimeout(held.timer);
      if (this.held === held) this.held = undefined;
    });
  }

  private deleteWebhook(p: JsonObject): true {
    this.webhookUrl = undefined;
    if (p.drop_pending_updates === true) this.confirm(this.nextUpdateId);
    return true;
  }

  private setWebhook(p: JsonObject): true {
    if (typeof p.url !== "string") throw bad("bad webhook: URL must be provided for webhook");
    this.webhookUrl = p.url === "" ? undefined : p.url;
    if (p.drop_pending_updates === true) this.confirm(this.nextUpdateId);
    return true;
  }

  // ── chats, users, messages ──

  private botUser(full = false): JsonObject {
    const user: JsonObject = { id: this.botId, is_bot: true, first_name: this.botName, username: this.botUsername };
    if (!full) return user;
    return {
      ...user,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
  }

  private rememberUser(id: number, username?: string, firstName?: string): UserInfo {
    const known = this.users.get(id);
    const user: UserInfo = {
      id,
      firstName: firstName ?? known?.firstName ?? `User${id}`,
      username: username ?? known?.username,
    };
    this.users.set(id, user);
    return user;
  }

  private userObject(user: UserInfo): JsonObject {
    const o: JsonObject = { id: user.id, is_bot: false, first_name: user.firstName, language_code: "en" };
    if (user.username !== undefined) o.username = user.username;
    return o;
  }

  private chat(id: number, type?: ChatState["type"]): ChatState {
    let chat = this.chats.get(id);
    if (!chat) {
      chat = {
        id,
        type: type ?? (id > 0 ? "private" : id <= -1_000_000_000_000 ? "supergroup" : "group"),
        nextMessageId: 1,
        messages: [],
      };
      this.chats.set(id, chat);
    } else if (type) {
      chat.type = type;
    }
    return chat;
  }

  private chatObject(chat: ChatState): JsonObject {
    if (chat.type === "private") {
      const o: JsonObject = { id: chat.id, type: "private", first_name: chat.firstName ?? `User${chat.id}` };
      if (chat.username !== undefined) o.username = chat.username;
      return o;
    }
    return { id: chat.id, type: chat.type, title: `Test ${chat.type} ${chat.id}` };
  }

  private apiMessage(m: StandInMessage, nested = false): JsonObject {
    const chat = this.chat(m.chat_id);
    const user = this.users.get(m.from_id);
    const o: JsonObject = {
      message_id: m.message_id,
      from: m.from_bot ? this.botUser() : this.userObject(user ?? { id: m.from_id, firstName: `User${m.from_id}` }),
      chat: this.chatObject(chat),
      date: m.date,
    };
    if (m.edit_date !== undefined) o.edit_date = m.edit_date;
    if (!nested && m.reply_to_message_id !== undefined) {
      const replied = chat.messages.find((x) => x.message_id === m.reply_to_message_id);
      if (replied) o.reply_to_message = this.apiMessage(replied, true);
    }
    if (m.kind === "text") {
      o.text = m.text;
      if (m.entities && m.entities.length > 0) o.entities = m.entities;
    } else {
      if (m.caption !== undefined) o.caption = m.caption;
      if (m.entities && m.entities.length > 0) o.caption_entities = m.entities;
      const f = m.file;
      if (f && m.kind === "photo") {
        o.photo = [{ file_id: f.fileId, file_unique_id: f.fileUniqueId, width: f.width ?? 0, height: f.height ?? 0, file_size: f.size ?? 0 }];
      } else if (f) {
        const doc: JsonObject = { file_id: f.fileId, file_unique_id: f.fileUniqueId, file_size: f.size ?? 0 };
        if (f.filename !== undefined) doc.file_name = f.filename;
        if (f.mimeType !== undefined) doc.mime_type = f.mimeType;
        o.document = doc;
      }
    }
    // Only inline keyboards come back in Message objects.
    if (m.reply_markup?.inline_keyboard) o.reply_markup = { inline_keyboard: m.reply_markup.inline_keyboard };
    return o;
  }

  private targetChat(p: JsonObject): ChatState {
    const raw = p.chat_id;
    if (raw === undefined || raw === null || raw === "") throw bad("chat_id is empty");
    let id = asInt(raw);
    if (id === undefined && typeof raw === "string" && raw.startsWith("@")) {
      const name = raw.slice(1).toLowerCase();
      id = [...this.chats.values()].find((c) => c.username?.toLowerCase() === name)?.id;
    }
    if (id === undefined) throw bad("chat not found");
    if (this.blocked.has(id)) {
      throw new ApiError(403, id > 0 ? "Forbidden: bot was blocked by the user" : "Forbidden: bot was kicked from the group chat");
    }
    return this.chat(id);
  }

  private findMessage(chat: ChatState, raw: unknown, missing: string): StandInMessage {
    const id = asInt(raw);
    if (id === undefined) throw bad("message identifier is not specified");
    const m = chat.messages.find((x) => x.message_id === id && !x.deleted);
    if (!m) throw bad(missing);
    return m;
  }

  /** Applies parse_mode the way the server does; returns visible text and entities. */
  private format(
    raw: unknown,
    parseMode: unknown,
    entitiesParam: unknown,
    what: "text" | "caption",
  ): { text: string; source: string; entities: MessageEntity[]; parse_mode?: string } {
    const source = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw : "";
    let text = source;
    let entities: MessageEntity[] = Array.isArray(entitiesParam) ? (entitiesParam as MessageEntity[]) : [];
    const mode = typeof parseMode === "string" && parseMode !== "" ? parseMode : undefined;
    if (mode !== undefined) {
      const lower = mode.toLowerCase();
      if (lower === "html") {
        const parsed = parseTelegramHtml(source, { strict: this.strictHtml });
        if (!parsed.ok) throw bad(`can't parse entities: ${parsed.error}`);
        text = parsed.text;
        entities = parsed.entities;
      } else if (lower !== "markdown" && lower !== "markdownv2") {
        throw bad("unsupported parse_mode");
      }
      // Markdown modes are stored as sent, unchecked.
    }
    const trimmed = trimFormatted(text, entities);
    if (what === "text") {
      if (trimmed.text === "") throw bad("message text is empty");
      if (trimmed.text.length > 4096) throw bad("message is too long");
    } else if (trimmed.text.length > 1024) {
      throw bad("message caption is too long");
    }
    const result: { text: string; source: string; entities: MessageEntity[]; parse_mode?: string } = {
      text: trimmed.text,
      source,
      entities: trimmed.entities,
    };
    if (mode !== undefined) result.parse_mode = mode;
    return result;
  }

  /** Validates and parses reply_markup; an empty inline keyboard counts as none. */
  private markup(raw: unknown, inlineOnly: boolean): ReplyMarkup | undefined {
    if (raw === undefined || raw === null || raw === "") return undefined;
    if (!isObject(raw)) throw bad("can't parse reply keyboard markup JSON object");
    if (inlineOnly && raw.inline_keyboard === undefined) throw bad("inline keyboard expected");
    if (raw.inline_keyboard !== undefined) {
      const rows = raw.inline_keyboard;
      if (!Array.isArray(rows) || !rows.every((r) => Array.isArray(r))) {
        throw bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
      }
      for (const row of rows as unknown[][]) {
        for (const button of row) {
          if (!isObject(button) || typeof button.text !== "string") {
            throw bad('can\'t parse inline keyboard button: Field "text" must be of type String');
          }
          if (!BUTTON_ACTIONS.some((k) => button[k] !== undefined)) {
            throw bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
          }
          if (button.callback_data !== undefined) {
            const data = button.callback_data;
            const size = typeof data === "string" ? Buffer.byteLength(data, "utf8") : 0;
            if (size < 1 || size > 64) throw bad("BUTTON_DATA_INVALID");
          }
          if (button.url !== undefined && (typeof button.url !== "string" || button.url === "")) {
            throw bad("BUTTON_URL_INVALID");
          }
        }
      }
      if ((rows as unknown[][]).every((r) => r.length === 0)) return undefined;
    }
    return structuredClone(raw) as ReplyMarkup;
  }

  private replyTarget(chat: ChatState, p: JsonObject): number | undefined {
    const params = isObject(p.reply_parameters) ? p.reply_parameters : undefined;
    const id = asInt(params?.message_id ?? p.reply_to_message_id);
    if (id === undefined) return undefined;
    const exists = chat.messages.some((m) => m.message_id === id && !m.deleted);
    if (exists) return id;
    if (p.allow_sending_without_reply === true || params?.allow_sending_without_reply === true) return undefined;
    throw bad("message to be replied not found");
  }

  private store(chat: ChatState, fields: Omit<StandInMessage, "message_id" | "chat_id" | "from_bot" | "from_id" | "date" | "edits" | "history" | "deleted">): StandInMessage {
    const msg: StandInMessage = {
      message_id: chat.nextMessageId++,
      chat_id: chat.id,
      from_bot: true,
      from_id: this.botId,
      date: unixNow(),
      edits: 0,
      history: [],
      deleted: false,
      ...fields,
    };
    chat.messages.push(msg);
    this.allMessages.push(msg);
    return msg;
  }

  private sendMessage(p: JsonObject): JsonObject {
    const chat = this.targetChat(p);
    const f = this.format(p.text, p.parse_mode, p.entities, "text");
    const reply_markup = this.markup(p.reply_markup, false);
    const replyTo = this.replyTarget(chat, p);
    const msg = this.store(chat, { kind: "text", text: f.text, source: f.source, entities: f.entities });
    if (f.parse_mode !== undefined) msg.parse_mode = f.parse_mode;
    if (reply_markup) msg.reply_markup = reply_markup;
    if (replyTo !== undefined) msg.reply_to_message_id = replyTo;
    return this.apiMessage(msg);
  }

  private sendFile(field: "photo" | "document", p: JsonObject, files: Map<string, FilePart>): JsonObject {
    const chat = this.targetChat(p);
    const f = this.format(p.caption, p.parse_mode, p.caption_entities, "caption");
    const reply_markup = this.markup(p.reply_markup, false);
    const replyTo = this.replyTarget(chat, p);
    const part = files.get(field);
    let file: NonNullable<StandInMessage["file"]>;
    if (part) {
      if (part.bytes.length === 0) throw bad("file must be non-empty");
      const ref = p[field] as FileRef;
      file = { fileId: ref.fileId, fileUniqueId: `u-${ref.fileId}`, filename: part.filename, size: part.bytes.length };
      if (field === "photo") {
        const info = imageInfo(part.bytes);
        if (!info) throw bad("IMAGE_PROCESS_FAILED");
        file.width = info.width;
        file.height = info.height;
        file.mimeType = `image/${info.type}`;
      } else {
        // the server guesses the type from the name; grammY always declares octet-stream
        const ext = /\.([A-Za-z0-9]+)$/.exec(part.filename)?.[1]?.toLowerCase() ?? "";
        file.mimeType = MIME_BY_EXT[ext] ?? "application/octet-stream";
      }
      this.knownFiles.set(ref.fileId, { ...ref, mimeType: file.mimeType });
    } else if (typeof p[field] === "string" && p[field] !== "") {
      const ref = p[field];
      const known = this.knownFiles.get(ref);
      if (known) {
        file = { fileId: known.fileId, fileUniqueId: `u-${known.fileId}`, filename: known.filename, size: known.size, mimeType: known.mimeType };
      } else if (/^https?:\/\//i.test(ref)) {
        file = { fileId: `stand-in-url-${this.nextFileNo++}`, fileUniqueId: `u-url-${this.nextFileNo}`, filename: ref.split("/").pop() ?? "" };
      } else {
        throw bad("wrong file identifier/HTTP URL specified");
      }
    } else {
      throw bad(`there is no ${field} in the request`);
    }
    const msg = this.store(chat, { kind: field, file, source: f.source, entities: f.entities });
    if (f.text !== "") msg.caption = f.text;
    if (f.parse_mode !== undefined) msg.parse_mode = f.parse_mode;
    if (reply_markup) msg.reply_markup = reply_markup;
    if (replyTo !== undefined) msg.reply_to_message_id = replyTo;
    return this.apiMessage(msg);
  }

  private sameContent(m: StandInMessage, shown: string | undefined, entities: MessageEntity[] | undefined, markup: ReplyMarkup | undefined): boolean {
    const current = m.kind === "text" ? m.text : m.caption;
    return (
      (current ?? "") === (shown ?? "") &&
      JSON.stringify(m.entities ?? []) === JSON.stringify(entities ?? []) &&
      JSON.stringify(m.reply_markup?.inline_keyboard ?? null) === JSON.stringify(markup?.inline_keyboard ?? null)
    );
  }

  private recordEdit(m: StandInMessage, by: string): void {
    const before: MessageSnapshot & { replacedAt: number; by: string } = { replacedAt: now(), by };
    if (m.text !== undefined) before.text = m.text;
    if (m.caption !== undefined) before.caption = m.caption;
    if (m.source !== undefined) before.source = m.source;
    if (m.parse_mode !== undefined) before.parse_mode = m.parse_mode;
    if (m.entities !== undefined) before.entities = structuredClone(m.entities);
    if (m.reply_markup !== undefined) before.reply_markup = structuredClone(m.reply_markup);
    m.history.push(before);
    m.edits++;
    m.edit_date = unixNow();
  }

  /** Edits replace the keyboard: an omitted reply_markup removes it, as on the real server. */
  private applyMarkup(m: StandInMessage, markup: ReplyMarkup | undefined): void {
    if (markup) m.reply_markup = markup;
    else delete m.reply_markup;
  }

  private editMessageText(p: JsonObject): JsonObject | true {
    return this.editContent(p, "text");
  }

  private editMessageCaption(p: JsonObject): JsonObject | true {
    return this.editContent(p, "caption");
  }

  /** editMessageText and editMessageCaption: the same rules, on the text or on a media caption. */
  private editContent(p: JsonObject, field: "text" | "caption"): JsonObject | true {
    if (p.inline_message_id !== undefined) return true;
    const chat = this.targetChat(p);
    const m = this.findMessage(chat, p.message_id, "message to edit not found");
    const f = field === "text" ? this.format(p.text, p.parse_mode, p.entities, "text") : this.format(p.caption, p.parse_mode, p.caption_entities, "caption");
    const markup = this.markup(p.reply_markup, true);
    if (!m.from_bot) throw bad("message can't be edited");
    if ((m.kind === "text") !== (field === "text")) throw bad(`there is no ${field} in the message to edit`);
    if (this.sameContent(m, f.text, f.entities, markup)) throw bad(NOT_MODIFIED);
    this.recordEdit(m, field === "text" ? "editMessageText" : "editMessageCaption");
    if (field === "text") m.text = f.text;
    else if (f.text !== "") m.caption = f.text;
    else delete m.caption;
    m.source = f.source;
    m.entities = f.entities;
    if (f.parse_mode !== undefined) m.parse_mode = f.parse_mode;
    else delete m.parse_mode;
    this.applyMarkup(m, markup);
    return this.apiMessage(m);
  }

  private editMessageReplyMarkup(p: JsonObject): JsonObject | true {
    if (p.inline_message_id !== undefined) return true;
    const chat = this.targetChat(p);
    const m = this.findMessage(chat, p.message_id, "message to edit not found");
    const markup = this.markup(p.reply_markup, true);
    if (!m.from_bot) throw bad("message can't be edited");
    if (JSON.stringify(m.reply_markup?.inline_keyboard ?? null) === JSON.stringify(markup?.inline_keyboard ?? null)) {
      throw bad(NOT_MODIFIED);
    }
    this.recordEdit(m, "editMessageReplyMarkup");
    this.applyMarkup(m, markup);
    return this.apiMessage(m);
  }

  private deleteMessage(p: JsonObject): true {
    const chat = this.targetChat(p);
    const m = this.findMessage(chat, p.message_id, "message to delete not found");
    m.deleted = true;
    return true;
  }

  private answerCallbackQuery(p: JsonObject): true {
    const id = typeof p.callback_query_id === "string" ? p.callback_query_id : undefined;
    if (id === undefined || id === "") throw bad("query_id is empty");
    const query = this.callbackQueries.get(id);
    if (!query || query.answered) throw bad(QUERY_INVALID);
    query.answered = true;
    const answer: AnsweredCallback = { id, at: now() };
    if (typeof p.text === "string") answer.text = p.text;
    if (typeof p.show_alert === "boolean") answer.show_alert = p.show_alert;
    if (typeof p.url === "string") answer.url = p.url;
    const cache = asInt(p.cache_time);
    if (cache !== undefined) answer.cache_time = cache;
    this.answeredCallbacks.push(answer);
    return true;
  }

  private commandsKey(p: JsonObject): string {
    const scope = isObject(p.scope) ? p.scope : { type: "default" };
    return `${JSON.stringify(scope)}|${typeof p.language_code === "string" ? p.language_code : ""}`;
  }

  private setMyCommands(p: JsonObject): true {
    if (!Array.isArray(p.commands)) throw bad("can't parse commands JSON object");
    if (p.commands.length > 100) throw bad("too many commands");
    for (const c of p.commands as unknown[]) {
      if (!isObject(c) || typeof c.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) {
        throw bad("BOT_COMMAND_INVALID");
      }
      if (typeof c.description !== "string" || c.description.trim() === "" || c.description.length > 256) {
        throw bad("command description is empty or too long");
      }
    }
    this.commands.set(this.commandsKey(p), structuredClone(p.commands));
    return true;
  }

  private sendChatAction(p: JsonObject): true {
    this.targetChat(p);
    if (typeof p.action !== "string" || !CHAT_ACTIONS.has(p.action)) throw bad("wrong parameter action in request");
    return true;
  }
}

/** Starts a stand-in on 127.0.0.1 with a random port. */
export function startTelegramStandIn(opts: StandInOptions = {}): Promise<TelegramStandIn> {
  return new TelegramStandIn(opts).listen();
}
