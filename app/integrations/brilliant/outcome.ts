import type { BrilliantCreatedOrder } from "./schemas";

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
// `creationCertainty()` below encodes exactly this table; classify.ts reads
// each exchange into its outcome.

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
