/**
 * The block's talk with the app and what it says, kept apart from the UI so it
 * can be tested without Shopify's extension runtime. The extension runtime's
 * fetch resolves a path against the app's URL and adds the session token.
 *
 * Nothing here holds merchant-facing text: it answers with `Message`s, keys of
 * `locales/en.default.json` (plus their values), which the block turns into
 * words through `shopify.i18n.translate` (see `say`). Text that comes from the
 * app itself (the state's label, the reason, the next step's label, a refused
 * retry's reason) is passed through as `{ text }`.
 */

// What GET /api/orders/:id/sync answers, and the ids it takes: one definition,
// shared with the app (a pure module; the extension's bundler follows the import).
import { numericOrderId, type OrderSyncStatus } from "../../../app/orders/sync-status";
// Types only (erased from the bundle): the keys a Message may name are the
// locale file's, so a key missing from it does not compile.
import type en from "../locales/en.default.json";

export { numericOrderId };
export type SyncStatus = OrderSyncStatus;

// ---------------------------------------------------------------------------
// Messages

type LeafKeys<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : LeafKeys<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

/** A key of locales/en.default.json the block shows (`name` is the extension's name, read by the CLI). */
export type MessageKey = Exclude<LeafKeys<typeof en>, "name">;
export type MessageParams = Record<string, string | number>;
/** Something to tell the merchant: a translation key and its values, or the app's own words. */
export type Message = { key: MessageKey; params?: MessageParams } | { text: string };
/** `shopify.i18n.translate`, or a stand-in for it in tests. */
export type Translate = (key: string, params?: MessageParams) => string;

export function msg(key: MessageKey, params?: MessageParams): Message {
  return params ? { key, params } : { key };
}

/** The words for a message. */
export function say(translate: Translate, message: Message): string {
  return "text" in message ? message.text : translate(message.key, message.params);
}

// ---------------------------------------------------------------------------
// Talking to the app

export type LoadResult =
  { kind: "ok"; status: SyncStatus } | { kind: "not_found" } | { kind: "error"; message: Message };

export type RetryResult =
  | { kind: "ok"; status: SyncStatus }
  | { kind: "refused"; message: Message; status: SyncStatus | null }
  | { kind: "not_found" }
  | { kind: "error"; message: Message };

type Fetch = (
  input: string,
  init?: { method?: string; headers?: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export function syncPath(orderGid: string): string | null {
  const id = numericOrderId(orderGid);
  return id ? `/api/orders/${id}/sync` : null;
}

function isStatus(value: unknown): value is SyncStatus {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SyncStatus).state === "string" &&
    typeof (value as SyncStatus).appPath === "string"
  );
}

async function body(response: { json(): Promise<unknown> }): Promise<Record<string, unknown>> {
  try {
    const parsed = await response.json();
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const UNREACHABLE = msg("error.unreachable");

export async function loadSyncStatus(fetchImpl: Fetch, orderGid: string): Promise<LoadResult> {
  const path = syncPath(orderGid);
  if (!path) return { kind: "not_found" };
  try {
    const response = await fetchImpl(path, { headers: { Accept: "application/json" } });
    if (response.status === 404) return { kind: "not_found" };
    const answer = await body(response);
    if (response.ok && isStatus(answer.status)) return { kind: "ok", status: answer.status };
    return { kind: "error", message: msg("error.http", { status: response.status }) };
  } catch {
    return { kind: "error", message: UNREACHABLE };
  }
}

export async function retrySync(fetchImpl: Fetch, orderGid: string): Promise<RetryResult> {
  const path = syncPath(orderGid);
  if (!path) return { kind: "not_found" };
  try {
    const response = await fetchImpl(path, { method: "POST", headers: { Accept: "application/json" } });
    if (response.status === 404) return { kind: "not_found" };
    const answer = await body(response);
    if (response.ok && isStatus(answer.status)) return { kind: "ok", status: answer.status };
    if (response.status === 409) {
      return {
        kind: "refused",
        message: typeof answer.error === "string" ? { text: answer.error } : msg("retry.nothingToRetry"),
        status: isStatus(answer.status) ? answer.status : null,
      };
    }
    return { kind: "error", message: msg("error.retryHttp", { status: response.status }) };
  } catch {
    return { kind: "error", message: UNREACHABLE };
  }
}

// ---------------------------------------------------------------------------
// What the block shows

/** What the block is showing: the load's answer, or "loading" before it. */
export type View = { kind: "loading" } | LoadResult;

export interface Notice {
  tone: "success" | "critical" | "info";
  message: Message;
}

export interface BlockState {
  view: View;
  notice: Notice | null;
}

/**
 * The block after a retry, from the retry's answer alone (no reload, no second
 * GET): the new status when the app sends one, and a notice saying what happened.
 */
export function afterRetry(view: View, result: RetryResult): BlockState {
  switch (result.kind) {
    case "ok":
      return {
        view: { kind: "ok", status: result.status },
        notice: { tone: "success", message: msg("retry.sent", { state: result.status.stateLabel }) },
      };
    case "refused":
      return {
        view: result.status ? { kind: "ok", status: result.status } : view,
        notice: { tone: "info", message: result.message },
      };
    case "not_found":
      return { view: { kind: "not_found" }, notice: null };
    case "error":
      return { view, notice: { tone: "critical", message: result.message } };
  }
}

export type Tone = "success" | "critical" | "warning" | "info";

export interface StatusView {
  tone: Tone;
  /** The badge: the app's label for the state ("Held", "Forwarded", …). */
  badge: string;
  /** "Forwarded to Brilliant", "Held: needs you", … */
  headline: Message;
  /** Why, in the merchant's words. */
  detail: Message | null;
  /** "Brilliant code 2502: Variant not found", when there is one. */
  codeLine: Message | null;
  /** The retry button's label, or null when there is nothing to retry. */
  retryLabel: Message | null;
  /** Where "Open in Brilliant Sync" goes (the `app:` protocol opens the app at that path). */
  appHref: string;
  nextStep: { label: string; href: string } | null;
}

const TONES: Record<string, Tone> = {
  forwarded: "success",
  held: "critical",
  retrying: "warning",
  unknown: "warning",
  cancelled: "info",
  skipped: "info",
};

const HEADLINES: Record<string, MessageKey> = {
  forwarded: "headline.forwarded",
  held: "headline.held",
  retrying: "headline.retrying",
  unknown: "headline.unknown",
  received: "headline.received",
  waiting: "headline.waiting",
  ready: "headline.ready",
  sending: "headline.sending",
  cancelled: "headline.cancelled",
  skipped: "headline.skipped",
};

export function appHref(path: string): string {
  return `app:${path.replace(/^\/+/, "")}`;
}

function codeLine(status: SyncStatus): Message | null {
  if (status.code !== null) {
    return status.message
      ? msg("code.withMessage", { code: status.code, message: status.message })
      : msg("code.only", { code: status.code });
  }
  return status.message ? msg("code.messageOnly", { message: status.message }) : null;
}

export function describeStatus(status: SyncStatus): StatusView {
  const headline = HEADLINES[status.state];
  return {
    tone: TONES[status.state] ?? "info",
    badge: status.stateLabel,
    headline: headline ? msg(headline) : { text: status.stateLabel },
    detail:
      status.state === "forwarded" && status.brilliantOrderId
        ? msg("detail.brilliantOrder", { id: status.brilliantOrderId })
        : status.reason
          ? { text: status.reason }
          : null,
    codeLine: codeLine(status),
    retryLabel:
      status.retry === "resubmit"
        ? msg("retry.resubmit")
        : status.retry === "retry"
          ? msg("retry.retry")
          : null,
    appHref: appHref(status.appPath),
    nextStep: status.nextStep ? { label: status.nextStep.label, href: appHref(status.nextStep.url) } : null,
  };
}
