import { z } from "zod/v4";

import { type Logger } from "../logger.server";

/**
 * The Admin GraphQL client as the app uses it: one query at a time within the
 * shop's cost budget (waiting for the bucket to refill, retrying THROTTLED
 * answers, asking for smaller pages when one costs more than any bucket
 * holds), and what its failures are called. The variant sync
 * (app/catalog/shopify-variant-sync.server.ts), reconciliation, fulfillment
 * holds and write-back, and order edits call Shopify through it.
 */

/**
 * The admin client's `graphql` function, as `authenticate.admin(request)` and
 * `unauthenticated.admin(shop)` give it. It throws for GraphQL errors
 * (GraphqlQueryError, with the body) and HTTP errors.
 */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown>; signal?: AbortSignal },
) => Promise<Response>;

/**
 * The admin client's `graphql` with one deadline for every call made through
 * it: a webhook that reads Shopify before answering must still answer well
 * inside Shopify's 5 seconds, and falls back to the worker when the read is
 * cut short (the calls then fail like any other Admin API failure).
 */
export function withDeadline(graphql: AdminGraphql, ms: number): AdminGraphql {
  const signal = AbortSignal.timeout(ms);
  return (query, options) => graphql(query, { ...options, signal });
}

// ---------------------------------------------------------------------------
// Shopify's answers

const ThrottleStatusSchema = z.object({
  maximumAvailable: z.number(),
  currentlyAvailable: z.number(),
  restoreRate: z.number(),
});

const CostSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: ThrottleStatusSchema.nullish(),
});

type ThrottleStatus = z.infer<typeof ThrottleStatusSchema>;
type QueryCost = z.infer<typeof CostSchema>;

// ---------------------------------------------------------------------------
// Errors

/** Shopify kept answering THROTTLED (or 429) after every wait we allowed. */
export class ShopifyThrottledError extends Error {
  override name = "ShopifyThrottledError";
}

/** Shopify answered something other than what the query asks for. */
export class UnexpectedShopifyAnswerError extends Error {
  override name = "UnexpectedShopifyAnswerError";
}

/** One query costs more than the shop's whole bucket holds (MAX_COST_EXCEEDED). */
export class QueryTooCostlyError extends Error {
  override name = "QueryTooCostlyError";
}

// ---------------------------------------------------------------------------
// Talking to Shopify, within its cost budget

interface Throttling {
  sleep: (ms: number) => Promise<void>;
  maxThrottleRetries: number;
  maxWaitMs: number;
  log: Logger;
}

interface Answer<T> {
  data: T;
  cost: QueryCost | null;
}

/** What a failed call tells us: how Shopify throttled it, or that the query costs more than any bucket holds. */
interface ThrottleSignal {
  kind: "throttled" | "max_cost_exceeded";
  requestedQueryCost: number | null;
  throttleStatus: ThrottleStatus | null;
  retryAfterMs: number | null;
}

const FALLBACK_WAIT_MS = 1_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function graphqlErrorsOf(body: unknown): unknown[] {
  if (!isRecord(body)) return [];
  // A plain GraphQL body has `errors: [...]`; the library's GraphqlQueryError
  // body has `errors: { graphQLErrors: [...] }`.
  const errors = body.errors;
  if (Array.isArray(errors)) return errors;
  if (isRecord(errors) && Array.isArray(errors.graphQLErrors)) return errors.graphQLErrors;
  return [];
}

function costOf(body: unknown): QueryCost | null {
  if (!isRecord(body) || !isRecord(body.extensions)) return null;
  const parsed = CostSchema.safeParse(body.extensions.cost);
  return parsed.success ? parsed.data : null;
}

function errorCodes(body: unknown): string[] {
  return graphqlErrorsOf(body).flatMap((error) =>
    isRecord(error) && isRecord(error.extensions) && typeof error.extensions.code === "string"
      ? [error.extensions.code]
      : [],
  );
}

function signalFromBody(body: unknown): ThrottleSignal | null {
  const codes = errorCodes(body);
  const kind = codes.includes("THROTTLED")
    ? "throttled"
    : codes.includes("MAX_COST_EXCEEDED")
      ? "max_cost_exceeded"
      : null;
  if (!kind) return null;
  const cost = costOf(body);
  return {
    kind,
    requestedQueryCost: cost?.requestedQueryCost ?? null,
    throttleStatus: cost?.throttleStatus ?? null,
    retryAfterMs: null,
  };
}

/**
 * Throttling as the admin client reports it: a GraphqlQueryError whose body
 * holds THROTTLED (Shopify answers it with HTTP 200), an HTTP 429 as an
 * HttpThrottlingError (unauthenticated.admin) or as a thrown Response
 * (authenticate.admin).
 */
function throttleSignalOf(thrown: unknown): ThrottleSignal | null {
  if (thrown instanceof Response) {
    if (thrown.status !== 429) return null;
    const retryAfter = Number(thrown.headers.get("retry-after"));
    return {
      kind: "throttled",
      requestedQueryCost: null,
      throttleStatus: null,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
    };
  }
  if (!isRecord(thrown)) return null;
  const fromBody = signalFromBody(thrown.body);
  if (fromBody) return fromBody;
  const response = thrown.response;
  if (isRecord(response) && response.code === 429) {
    const retryAfter = typeof response.retryAfter === "number" ? response.retryAfter : null;
    return {
      kind: "throttled",
      requestedQueryCost: null,
      throttleStatus: null,
      retryAfterMs: retryAfter ? retryAfter * 1000 : null,
    };
  }
  return null;
}

function refusalOf(body: unknown): UnexpectedShopifyAnswerError | null {
  const first = graphqlErrorsOf(body)[0];
  if (first === undefined) return null;
  const message = isRecord(first) && typeof first.message === "string" ? first.message : "GraphQL error";
  return new UnexpectedShopifyAnswerError(`Shopify refused the query: ${message}`);
}

/** How long until the bucket holds `needed` points again. */
function waitForPoints(status: ThrottleStatus, needed: number): number {
  const missing = needed - status.currentlyAvailable;
  if (missing <= 0) return 0;
  if (status.restoreRate <= 0) return Number.POSITIVE_INFINITY;
  // +1 point: Shopify rounds the points it reports down.
  return Math.ceil(((missing + 1) / status.restoreRate) * 1000);
}

/**
 * One query, retried while Shopify throttles it, waiting as long as its
 * bucket needs to refill (not a blind backoff).
 */
async function query<T>(
  graphql: AdminGraphql,
  operation: string,
  variables: Record<string, unknown>,
  schema: z.ZodType<T>,
  throttling: Throttling,
  estimatedCost: number | null,
): Promise<Answer<T>> {
  for (let attempt = 0; ; attempt++) {
    let body: unknown;
    let signal: ThrottleSignal | null = null;
    try {
      const response = await graphql(operation, { variables });
      body = await response.json();
      signal = signalFromBody(body);
    } catch (thrown) {
      signal = throttleSignalOf(thrown);
      if (!signal) {
        // GraphqlQueryError: the body holds Shopify's GraphQL errors.
        const refusal = isRecord(thrown) ? refusalOf(thrown.body) : null;
        if (refusal) throw refusal;
        throw thrown;
      }
    }

    if (signal) {
      if (signal.kind === "max_cost_exceeded") {
        throw new QueryTooCostlyError("The query costs more than Shopify allows at once");
      }
      if (attempt >= throttling.maxThrottleRetries) {
        throw new ShopifyThrottledError(
          `Shopify kept throttling the app's requests (${attempt + 1} tries); try again in a minute.`,
        );
      }
      const needed = signal.requestedQueryCost ?? estimatedCost;
      const wait =
        signal.retryAfterMs ??
        (signal.throttleStatus && needed !== null
          ? waitForPoints(signal.throttleStatus, needed)
          : FALLBACK_WAIT_MS * 2 ** Math.min(attempt, 5));
      const waitMs = Math.min(Math.max(wait, 1), throttling.maxWaitMs);
      throttling.log.info({ attempt: attempt + 1, waitMs }, "Shopify throttled the query; waiting");
      await throttling.sleep(waitMs);
      continue;
    }

    const refusal = refusalOf(body);
    if (refusal) throw refusal;
    const data = schema.safeParse(isRecord(body) ? body.data : undefined);
    if (!data.success) {
      throw new UnexpectedShopifyAnswerError(
        `Shopify's answer is not what the query asks for (${data.error.issues
          .map((issue) => issue.path.join("."))
          .slice(0, 3)
          .join(", ")})`,
      );
    }
    return { data: data.data, cost: costOf(body) };
  }
}

interface PagedRead<T> {
  graphql: AdminGraphql;
  operation: string;
  schema: z.ZodType<T>;
  throttling: Throttling;
  /** The largest page to ask for; halved while one page costs more than any bucket holds. */
  pageSize: number;
  variables: (pageSize: number, cursor: string | null) => Record<string, unknown>;
  pageInfo: (data: T) => { hasNextPage: boolean; endCursor?: string | null };
  /** Each page in turn, with when it was asked for. */
  onPage: (data: T, readAt: Date) => Promise<void>;
  /** What the pages are, for the log ("variants", "orders"). */
  items: string;
}

/**
 * Reads a connection page by page within the shop's query budget: a page that
 * costs more than Shopify allows at once is asked again smaller, and before
 * each next page it waits for the bucket to hold that page's cost rather than
 * be refused.
 */
async function readPagesWithinBudget<T>(read: PagedRead<T>): Promise<void> {
  const { throttling } = read;
  let pageSize = Math.max(1, read.pageSize);
  let cursor: string | null = null;
  let nextCost: number | null = null;
  for (;;) {
    const readAt = new Date();
    let answer: Answer<T>;
    try {
      answer = await query(
        read.graphql,
        read.operation,
        read.variables(pageSize, cursor),
        read.schema,
        throttling,
        nextCost,
      );
    } catch (error) {
      if (error instanceof QueryTooCostlyError && pageSize > 1) {
        pageSize = Math.max(1, Math.floor(pageSize / 2));
        nextCost = null;
        throttling.log.info(
          { pageSize },
          `a page costs more than Shopify allows at once; asking for fewer ${read.items}`,
        );
        continue;
      }
      throw error;
    }
    await read.onPage(answer.data, readAt);

    const pageInfo = read.pageInfo(answer.data);
    if (!pageInfo.hasNextPage || !pageInfo.endCursor) return;
    cursor = pageInfo.endCursor;
    nextCost = answer.cost?.requestedQueryCost ?? nextCost;
    const status = answer.cost?.throttleStatus;
    if (status && nextCost !== null) {
      const wait = Math.min(waitForPoints(status, nextCost), throttling.maxWaitMs);
      if (wait > 0) {
        throttling.log.debug(
          { waitMs: wait, currentlyAvailable: status.currentlyAvailable },
          "waiting for query budget",
        );
        await throttling.sleep(wait);
      }
    }
  }
}

function failureSummary(error: unknown): string {
  if (
    error instanceof ShopifyThrottledError ||
    error instanceof UnexpectedShopifyAnswerError ||
    error instanceof QueryTooCostlyError
  ) {
    return error.message;
  }
  if (error instanceof Response) return `Shopify answered HTTP ${error.status}.`;
  if (isRecord(error) && isRecord(error.response) && typeof error.response.code === "number") {
    const code = error.response.code;
    if (code === 401 || code === 403) {
      return `Shopify refused the app's access (HTTP ${code}); open the app from the Shopify admin to renew it.`;
    }
    return `Shopify answered HTTP ${code}; try again later.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `The sync stopped: ${message}`;
}

/** The names the app's Admin API callers use (variant sync, reconciliation, fulfillment holds and write-back, order edits). */
export { query as throttledAdminQuery, readPagesWithinBudget, failureSummary as adminFailureSummary };
export type { Throttling as AdminThrottling };
