import type { z } from "zod/v4";
import { codedBodySchema, createSuccessBodySchema, type BrilliantCreatedOrder } from "./schemas";

// Every answer from Brilliant (or the lack of one) becomes one of these
// outcomes. The client never throws for them: the forwarding state machine
// decides what to do from `kind`, and stores the attempt's fields as they are.
//
// Did POST /store/order create the order?
//   created      accepted (1200)
//   not created  needs_merchant_action (2501/2502/2503/2506), rejected
//                (2504/2505), retryable (3501 "validated but not inserted",
//                HTTP 503 maintenance, connection refused before anything was
//                sent), throttled (429), bad_credentials (401): Brilliant
//                says so, or never took the request.
//   maybe        unknown: timeout, connection reset mid-request, 1500, 3502,
//                3503, HTTP 500, an undocumented code, a body we cannot read.
//                Brilliant may have inserted the order before failing, and
//                there is no idempotency key: look it up by custom_data
//                before any resubmission (see find-order.server.ts).
// `creationCertainty()` below encodes exactly this table.
//
// Reads (GET) have no side effects, so what is "unknown" for a POST (timeout,
// reset, 5xx, 1500/3502/3503) is simply "retryable" for a GET. Answers we do
// not understand stay "unknown" for both: they need a human, not a retry.

/** What the app stores for every call, whatever the outcome. Never holds the API secret. */
export interface AttemptRecord {
  request: {
    method: "GET" | "POST";
    /** Path and query as sent, including the base path's version, e.g. "/V2/store/order". */
    path: string;
    /** The JSON body exactly as sent; null for GETs. */
    body: unknown;
  };
  /** null when no HTTP answer arrived (timeout, reset, refused). */
  httpStatus: number | null;
  /** The full response text, kept even when it is not JSON. */
  rawBody: string | null;
  /** The body's code, when it carried one. */
  code: number | null;
  message: string | null;
  durationMs: number;
  /** ISO 8601. */
  startedAt: string;
}

export type MerchantActionReason = "address" | "unknown_variant" | "stock" | "inactive_variant";
export type RejectedReason = "duplicate_variant" | "no_items";
export type RetryableReason =
  "not_inserted" | "maintenance" | "server_error" | "timeout" | "connection_error" | "unreachable";
export type UnknownCause =
  | "timeout"
  | "connection_error"
  | "server_error"
  | "undocumented_code"
  | "non_json"
  | "invalid_response"
  | "unexpected_http_status";

export interface AcceptedOutcome extends AttemptRecord {
  kind: "accepted";
  /** null when the 1200 payload carries no id (the docs' example has none): find it by custom_data. */
  brilliantOrderId: string | null;
  order: BrilliantCreatedOrder;
}

export interface OkOutcome<T> extends AttemptRecord {
  kind: "ok";
  value: T;
}

export interface NeedsMerchantActionOutcome extends AttemptRecord {
  kind: "needs_merchant_action";
  reason: MerchantActionReason;
  invalidRecords: unknown[];
}

/** Our own bug (2504, 2505): resending the same payload cannot succeed. */
export interface RejectedOutcome extends AttemptRecord {
  kind: "rejected";
  reason: RejectedReason;
  invalidRecords: unknown[];
}

export interface RetryableOutcome extends AttemptRecord {
  kind: "retryable";
  reason: RetryableReason;
  /** Suggested wait before trying again (Retry-After when the server sent one). */
  retryAfterMs: number;
}

export interface UnknownOutcome extends AttemptRecord {
  kind: "unknown";
  cause: UnknownCause;
  /** Why, in words: the network error, the validation issues, the undocumented code. */
  detail: string | null;
}

export interface BadCredentialsOutcome extends AttemptRecord {
  kind: "bad_credentials";
}

export interface ThrottledOutcome extends AttemptRecord {
  kind: "throttled";
  /** From Retry-After; null when the server did not say. */
  retryAfterMs: number | null;
}

export interface NotFoundOutcome extends AttemptRecord {
  kind: "not_found";
}

export type CreateOrderOutcome =
  | AcceptedOutcome
  | NeedsMerchantActionOutcome
  | RejectedOutcome
  | RetryableOutcome
  | UnknownOutcome
  | BadCredentialsOutcome
  | ThrottledOutcome;

export type ReadOutcome<T> =
  | OkOutcome<T>
  | NotFoundOutcome
  | RetryableOutcome
  | UnknownOutcome
  | BadCredentialsOutcome
  | ThrottledOutcome;

export type BrilliantOutcome = CreateOrderOutcome | ReadOutcome<unknown>;

export type CreationCertainty = "created" | "not_created" | "unknown";

/** Whether a POST /store/order attempt created the order (see the table above). */
export function creationCertainty(outcome: CreateOrderOutcome): CreationCertainty {
  switch (outcome.kind) {
    case "accepted":
      return "created";
    case "unknown":
      return "unknown";
    case "needs_merchant_action":
    case "rejected":
    case "retryable":
    case "throttled":
    case "bad_credentials":
      return "not_created";
  }
}

export function attemptRecordOf(outcome: AttemptRecord): AttemptRecord {
  const { request, httpStatus, rawBody, code, message, durationMs, startedAt } = outcome;
  return { request, httpStatus, rawBody, code, message, durationMs, startedAt };
}

// Suggested waits when the server gives none. Brilliant publishes no numbers;
// these only keep a retry loop from hammering it.
export const SUGGESTED_RETRY_MS: Readonly<Record<RetryableReason, number>> = {
  not_inserted: 30_000,
  maintenance: 60_000,
  server_error: 15_000,
  timeout: 10_000,
  connection_error: 10_000,
  unreachable: 30_000,
};

/** What came back from one HTTP exchange, before interpretation. */
export type Exchange =
  | { type: "response"; status: number; retryAfter: string | null; text: string }
  | { type: "error"; error: unknown; status: number | null };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Verdict<O> {
  verdict: DistributiveOmit<O, keyof AttemptRecord>;
  code: number | null;
  message: string | null;
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

// Errors raised before a connection existed: the request never left us.
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

interface TransportFailure {
  kind: "timeout" | "unreachable" | "connection_error";
  detail: string;
}

export function describeTransportError(error: unknown): TransportFailure {
  const name = error instanceof Error || error instanceof DOMException ? error.name : "Error";
  const text = error instanceof Error || error instanceof DOMException ? error.message : String(error);
  if (name === "TimeoutError" || name === "AbortError")
    return { kind: "timeout", detail: `${name}: ${text}` };
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const causeText = typeof cause?.message === "string" ? cause.message : null;
  const detail = [`${name}: ${text}`, code, causeText].filter(Boolean).join(" / ");
  if (cause && (cause as { name?: unknown }).name === "TimeoutError") return { kind: "timeout", detail };
  return {
    kind: code !== null && UNREACHABLE_CODES.has(code) ? "unreachable" : "connection_error",
    detail,
  };
}

type Json = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): Json {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function bodyCode(json: Json): { code: number; message: string | null; invalidRecords: unknown[] } | null {
  if (!json.ok) return null;
  const parsed = codedBodySchema.safeParse(json.value);
  if (!parsed.success) return null;
  const { code, message, invalid_records: invalidRecords } = parsed.data;
  return {
    code,
    message: typeof message === "string" ? message : null,
    invalidRecords: Array.isArray(invalidRecords) ? invalidRecords : [],
  };
}

function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
}

const MERCHANT_ACTION_CODES: Readonly<Record<number, MerchantActionReason>> = {
  2501: "address",
  2502: "unknown_variant",
  2503: "stock",
  2506: "inactive_variant",
};
const REJECTED_CODES: Readonly<Record<number, RejectedReason>> = {
  2504: "duplicate_variant",
  2505: "no_items",
};
const SERVER_ERROR_CODES = new Set([1500, 3502, 3503]);

type SharedOutcome = RetryableOutcome | UnknownOutcome | BadCredentialsOutcome | ThrottledOutcome;

/** Answers every call shares: no answer, 401, 429, 503. */
function classifyCommon(
  exchange: Exchange,
  onTransport: (failure: TransportFailure) => Verdict<SharedOutcome>["verdict"],
): Verdict<SharedOutcome> | null {
  if (exchange.type === "error") {
    return {
      verdict: onTransport(describeTransportError(exchange.error)),
      code: null,
      message: null,
    };
  }
  const json = parseJson(exchange.text);
  const coded = bodyCode(json);
  const code = coded?.code ?? null;
  const message = coded?.message ?? null;
  if (exchange.status === 401) return { verdict: { kind: "bad_credentials" }, code, message };
  if (exchange.status === 429) {
    return {
      verdict: { kind: "throttled", retryAfterMs: parseRetryAfter(exchange.retryAfter) },
      code,
      message,
    };
  }
  if (exchange.status === 503) {
    return {
      verdict: {
        kind: "retryable",
        reason: "maintenance",
        retryAfterMs: parseRetryAfter(exchange.retryAfter) ?? SUGGESTED_RETRY_MS.maintenance,
      },
      code,
      message,
    };
  }
  return null;
}

export function classifyCreate(exchange: Exchange): Verdict<CreateOrderOutcome> {
  const common = classifyCommon(exchange, (failure) =>
    failure.kind === "unreachable"
      ? { kind: "retryable", reason: "unreachable", retryAfterMs: SUGGESTED_RETRY_MS.unreachable }
      : { kind: "unknown", cause: failure.kind, detail: failure.detail },
  );
  if (common) return common;
  if (exchange.type === "error") throw new Error("unreachable: transport errors are classified above");

  const json = parseJson(exchange.text);
  const coded = bodyCode(json);
  const unknown = (cause: UnknownCause, detail: string | null): Verdict<CreateOrderOutcome> => ({
    verdict: { kind: "unknown", cause, detail },
    code: coded?.code ?? null,
    message: coded?.message ?? null,
  });

  if (!json.ok) {
    return exchange.status >= 500
      ? unknown("server_error", `HTTP ${exchange.status} with a non-JSON body`)
      : unknown("non_json", `HTTP ${exchange.status} with a non-JSON body`);
  }
  if (!coded) {
    if (exchange.status >= 500) return unknown("server_error", `HTTP ${exchange.status} without a body code`);
    if (exchange.status >= 200 && exchange.status < 300) return unknown("invalid_response", "no body code");
    return unknown("unexpected_http_status", `HTTP ${exchange.status} without a body code`);
  }

  const { code, message, invalidRecords } = coded;
  if (code === 1200) {
    const success = createSuccessBodySchema.safeParse(json.value);
    if (!success.success) return unknown("invalid_response", describeIssues(success.error.issues));
    const id = success.data.payload.id;
    return {
      verdict: {
        kind: "accepted",
        brilliantOrderId: id === null || id === undefined ? null : String(id),
        order: success.data.payload,
      },
      code,
      message,
    };
  }
  const merchantReason = MERCHANT_ACTION_CODES[code];
  if (merchantReason) {
    return {
      verdict: { kind: "needs_merchant_action", reason: merchantReason, invalidRecords },
      code,
      message,
    };
  }
  const rejectedReason = REJECTED_CODES[code];
  if (rejectedReason)
    return { verdict: { kind: "rejected", reason: rejectedReason, invalidRecords }, code, message };
  if (code === 3501) {
    return {
      verdict: {
        kind: "retryable",
        reason: "not_inserted",
        retryAfterMs: SUGGESTED_RETRY_MS.not_inserted,
      },
      code,
      message,
    };
  }
  if (SERVER_ERROR_CODES.has(code)) return unknown("server_error", `body code ${code}`);
  return unknown("undocumented_code", `body code ${code} is not in Brilliant's documentation`);
}

export function classifyRead<T>(
  exchange: Exchange,
  schema: z.ZodType<T, unknown>,
  options: { notFoundOn404: boolean },
): Verdict<ReadOutcome<T>> {
  const common = classifyCommon(exchange, (failure) => ({
    kind: "retryable",
    reason: failure.kind,
    retryAfterMs: SUGGESTED_RETRY_MS[failure.kind],
  }));
  if (common) return common;
  if (exchange.type === "error") throw new Error("unreachable: transport errors are classified above");

  const json = parseJson(exchange.text);
  const coded = bodyCode(json);
  const code = coded?.code ?? null;
  const message = coded?.message ?? null;
  const verdict = (v: Verdict<ReadOutcome<T>>["verdict"]): Verdict<ReadOutcome<T>> => ({
    verdict: v,
    code,
    message,
  });
  const serverError = verdict({
    kind: "retryable",
    reason: "server_error",
    retryAfterMs: SUGGESTED_RETRY_MS.server_error,
  });
  const isNotFound = exchange.status === 404 && options.notFoundOn404;

  if (!json.ok) {
    if (exchange.status >= 500) return serverError;
    if (isNotFound) return verdict({ kind: "not_found" });
    return verdict({
      kind: "unknown",
      cause: "non_json",
      detail: `HTTP ${exchange.status} with a non-JSON body`,
    });
  }
  if (coded && coded.code !== 1200) {
    if (coded.code === 1404) return verdict({ kind: "not_found" });
    if (SERVER_ERROR_CODES.has(coded.code)) return serverError;
    if (coded.code === 3501) {
      return verdict({
        kind: "retryable",
        reason: "not_inserted",
        retryAfterMs: SUGGESTED_RETRY_MS.not_inserted,
      });
    }
    return verdict({
      kind: "unknown",
      cause: "undocumented_code",
      detail: `body code ${coded.code} is not documented for this call`,
    });
  }
  if (exchange.status >= 500) return serverError;
  if (isNotFound) return verdict({ kind: "not_found" });
  if (exchange.status < 200 || exchange.status >= 300) {
    return verdict({
      kind: "unknown",
      cause: "unexpected_http_status",
      detail: `HTTP ${exchange.status}`,
    });
  }

  // GETs answer with the bare object; tolerate a {code: 1200, payload} envelope too.
  const envelope = json.value as { payload?: unknown };
  const candidate =
    coded && typeof envelope.payload === "object" && envelope.payload !== null
      ? envelope.payload
      : json.value;
  const parsed = schema.safeParse(candidate);
  if (!parsed.success) {
    return verdict({
      kind: "unknown",
      cause: "invalid_response",
      detail: describeIssues(parsed.error.issues),
    });
  }
  return verdict({ kind: "ok", value: parsed.data });
}
