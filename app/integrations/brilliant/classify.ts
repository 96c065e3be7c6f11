import type { z } from "zod/v4";
import type {
  AttemptRecord,
  BadCredentialsOutcome,
  CreateOrderOutcome,
  MerchantActionReason,
  ReadOutcome,
  RejectedReason,
  RetryableOutcome,
  RetryableReason,
  ThrottledOutcome,
  UnknownCause,
  UnknownOutcome,
} from "./outcome";
import { codedBodySchema, createSuccessBodySchema } from "./schemas";

// Reads one HTTP exchange with Brilliant (or the lack of one) into its outcome
// (outcome.ts). A GET has no side effects, so what is "unknown" for a POST
// (timeout, reset, 5xx, 1500/3502/3503) is "retryable" for a GET; answers not
// understood stay "unknown" for both: they need a human, not a retry.

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
