/**
 * The block's talk with the app and what it says, kept apart from the UI so it
 * can be tested without Shopify's extension runtime. The extension runtime's
 * fetch resolves a path against the app's URL and adds the session token.
 */

// What GET /api/orders/:id/sync answers, and the ids it takes: one definition,
// shared with the app (a pure module; the extension's bundler follows the import).
import { numericOrderId, type OrderSyncStatus } from "../../../app/models/order-sync-status";

export { numericOrderId };
export type SyncStatus = OrderSyncStatus;

export type LoadResult =
  { kind: "ok"; status: SyncStatus } | { kind: "not_found" } | { kind: "error"; message: string };

export type RetryResult =
  | { kind: "ok"; status: SyncStatus }
  | { kind: "refused"; message: string; status: SyncStatus | null }
  | { kind: "not_found" }
  | { kind: "error"; message: string };

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

const UNREACHABLE = "Brilliant Sync could not be reached. Reload the page to try again.";

export async function loadSyncStatus(fetchImpl: Fetch, orderGid: string): Promise<LoadResult> {
  const path = syncPath(orderGid);
  if (!path) return { kind: "not_found" };
  try {
    const response = await fetchImpl(path, { headers: { Accept: "application/json" } });
    if (response.status === 404) return { kind: "not_found" };
    const answer = await body(response);
    if (response.ok && isStatus(answer.status)) return { kind: "ok", status: answer.status };
    return { kind: "error", message: `Brilliant Sync answered HTTP ${response.status}.` };
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
        message: typeof answer.error === "string" ? answer.error : "Nothing to retry.",
        status: isStatus(answer.status) ? answer.status : null,
      };
    }
    return { kind: "error", message: `Retry failed: Brilliant Sync answered HTTP ${response.status}.` };
  } catch {
    return { kind: "error", message: UNREACHABLE };
  }
}

export type Tone = "success" | "critical" | "warning" | "info";

export interface StatusView {
  tone: Tone;
  /** "Forwarded to Brilliant", "Held: needs you", … */
  headline: string;
  /** Why, in the merchant's words. */
  detail: string | null;
  /** "Brilliant code 2502: Variant not found", when there is one. */
  codeLine: string | null;
  /** The retry button's label, or null when there is nothing to retry. */
  retryLabel: string | null;
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

const HEADLINES: Record<string, string> = {
  forwarded: "Forwarded to Brilliant",
  held: "Held: needs you",
  retrying: "Brilliant did not take it yet; trying again",
  unknown: "Checking whether Brilliant has it",
  received: "Received; about to be checked",
  waiting: "Waiting before it is sent",
  ready: "Ready to send",
  sending: "Sending to Brilliant",
  cancelled: "Cancelled before it reached Brilliant",
  skipped: "Not sent to Brilliant",
};

export function appHref(path: string): string {
  return `app:${path.replace(/^\/+/, "")}`;
}

export function describeStatus(status: SyncStatus): StatusView {
  const codeLine =
    status.code !== null
      ? `Brilliant code ${status.code}${status.message ? `: ${status.message}` : ""}`
      : status.message
        ? `Brilliant said: ${status.message}`
        : null;
  return {
    tone: TONES[status.state] ?? "info",
    headline: HEADLINES[status.state] ?? status.stateLabel,
    detail:
      status.state === "forwarded" && status.brilliantOrderId
        ? `Brilliant order ${status.brilliantOrderId}.`
        : status.reason,
    codeLine,
    retryLabel:
      status.retry === "resubmit" ? "Check again and send" : status.retry === "retry" ? "Retry now" : null,
    appHref: appHref(status.appPath),
    nextStep: status.nextStep ? { label: status.nextStep.label, href: appHref(status.nextStep.url) } : null,
  };
}
