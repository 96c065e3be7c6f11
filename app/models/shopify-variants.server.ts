import { Prisma, type ShopifyVariant, type SyncRun } from "@prisma/client";
import { z } from "zod/v4";

import prisma, { databaseKind } from "../db.server";
import { SYNC_RUN_ABANDONED_AFTER_MS, failSyncRun, lastSyncRun, liveSyncRun } from "./sync-run.server";
import { placeholders, rowAs, sqlFor, type Row } from "../db/sql.server";
import { newId } from "../db/ids";
import { logger as rootLogger, type Logger } from "../logger.server";
import { canonicalShopifyId, shopifyId } from "./shopify-id";

/**
 * The shop's Shopify variants (id, titles, SKU, barcode, image), mirrored for
 * the mapping page: read in full through the Admin GraphQL API
 * (`syncShopifyVariants`), kept fresh by products/update and products/delete,
 * which the worker applies from their queue (`applyProductWebhook`,
 * `markProductDeleted`; app/models/product-update-queue.server.ts).
 *
 * Ids are stored as the number at the end of Shopify's GID
 * ("gid://shopify/ProductVariant/45000000001" → "45000000001"), the form
 * orders' line items and REST webhooks use.
 *
 * `syncedAt` is when we learnt what a row says. A write never replaces a row
 * learnt later than what it carries: a sync page read before a products/update
 * or products/delete webhook arrived does not undo it.
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

export const SHOPIFY_PRODUCTS_SYNC = "shopify_products";

const PAGE_SIZE = 250;

// API 2026-10: a variant has up to 20 barcodes (`barcodes`; the single
// `barcode` is deprecated and returns the first) and a product's featured
// image is its featured media's preview (`featuredImage` is deprecated). The
// app keeps one barcode per variant: the first, as before. See
// docs/shopify-api-2026-10.md.
const VARIANTS_PAGE_QUERY = `#graphql
  query ShopifyVariantsPage($first: Int!, $cursor: String) {
    productVariants(first: $first, after: $cursor) {
      nodes {
        id
        title
        sku
        barcodes(first: 1) {
          nodes {
            value
          }
        }
        image {
          url
        }
        product {
          id
          title
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const VARIANTS_COUNT_QUERY = `#graphql
  query ShopifyVariantsCount {
    productVariantsCount(limit: null) {
      count
      precision
    }
  }
`;

// ---------------------------------------------------------------------------
// Shopify's answers

const ImageSchema = z.object({ url: z.string() }).nullish();

const VariantNodeSchema = z.object({
  id: z.string(),
  title: z.string().nullish(),
  sku: z.string().nullish(),
  barcodes: z.object({ nodes: z.array(z.object({ value: z.string() })) }).nullish(),
  image: ImageSchema,
  product: z.object({
    id: z.string(),
    title: z.string(),
    featuredMedia: z.object({ preview: z.object({ image: ImageSchema }).nullish() }).nullish(),
  }),
});

const VariantsPageSchema = z.object({
  productVariants: z.object({
    nodes: z.array(VariantNodeSchema),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
  }),
});

const VariantsCountSchema = z.object({
  productVariantsCount: z.object({ count: z.number().int(), precision: z.string() }).nullish(),
});

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

export class InvalidVariantCursorError extends Error {
  override name = "InvalidVariantCursorError";
}

// ---------------------------------------------------------------------------
// Mapping Shopify's shapes to rows

export interface VariantFields {
  shopifyVariantId: string;
  shopifyProductId: string;
  productTitle: string;
  variantTitle: string | null;
  sku: string | null;
  barcode: string | null;
  imageUrl: string | null;
}

/** "gid://shopify/ProductVariant/45000000001" → "45000000001"; a numeric id stays as it is. */
export function numericShopifyId(id: string | number): string {
  const text = String(id).trim();
  const match = /(\d+)(?:\?.*)?$/.exec(text);
  // Canonical, as webhooks' ids are: "0123" is 123, and 0 or an id past 2^53 is no id.
  const canonical = match ? canonicalShopifyId(match[1]) : null;
  if (canonical === null) throw new UnexpectedShopifyAnswerError(`Not a Shopify id: ${text}`);
  return canonical;
}

function blankToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === "" ? null : value;
}

/** Shopify names the only variant of a product without options "Default Title"; the merchant never sees it. */
function variantTitleOf(title: string | null | undefined): string | null {
  const blank = blankToNull(title);
  return blank === "Default Title" ? null : blank;
}

function fieldsFromNode(node: z.infer<typeof VariantNodeSchema>): VariantFields {
  return {
    shopifyVariantId: numericShopifyId(node.id),
    shopifyProductId: numericShopifyId(node.product.id),
    productTitle: node.product.title,
    variantTitle: variantTitleOf(node.title),
    sku: blankToNull(node.sku),
    barcode: blankToNull(node.barcodes?.nodes[0]?.value),
    imageUrl: node.image?.url ?? node.product.featuredMedia?.preview?.image?.url ?? null,
  };
}

// Canonical ids, as orders use them (app/models/shopify-id.ts).
const RestIdSchema = shopifyId;

/** products/update (and products/create) as Shopify's REST webhooks send it, the fields we read. */
const ProductWebhookSchema = z.object({
  id: RestIdSchema,
  title: z.string(),
  variants: z.array(
    z.object({
      id: RestIdSchema,
      title: z.string().nullish(),
      sku: z.string().nullish(),
      barcode: z.string().nullish(),
      image_id: RestIdSchema.nullish(),
    }),
  ),
  images: z.array(z.object({ id: RestIdSchema, src: z.string(), position: z.number().nullish() })).nullish(),
  image: z.object({ src: z.string() }).nullish(),
});

export type ProductWebhook = z.infer<typeof ProductWebhookSchema>;

export function parseProductWebhook(payload: unknown) {
  return ProductWebhookSchema.safeParse(payload);
}

/**
 * What products/create and products/update check in the web process before
 * the product is queued for the worker, which parses it in full with
 * ProductWebhookSchema: the product's own fields by that schema, its variants
 * by hand by the same rules. zod over Shopify's 2,048 variants costs more
 * than parsing the body (~3 ms against ~2 ms), on the event loop that also
 * answers orders/paid.
 */
const ProductEnvelopeSchema = ProductWebhookSchema.extend({
  variants: z.array(z.unknown()),
  updated_at: z.unknown(),
});

export type ProductEnvelopeCheck =
  { ok: true; productId: string; updatedAt: Date | null } | { ok: false; issues: string[] };

export function checkProductWebhook(payload: unknown): ProductEnvelopeCheck {
  const envelope = ProductEnvelopeSchema.safeParse(payload);
  if (!envelope.success) {
    return { ok: false, issues: envelope.error.issues.map((issue) => issue.path.join(".")) };
  }
  const { variants, updated_at: updatedAtText } = envelope.data;
  for (let index = 0; index < variants.length; index++) {
    const field = variantIssue(variants[index]);
    if (field !== null) return { ok: false, issues: [`variants.${index}${field ? `.${field}` : ""}`] };
  }
  const updatedAt = typeof updatedAtText === "string" ? new Date(updatedAtText) : null;
  return {
    ok: true,
    productId: numericShopifyId(envelope.data.id),
    updatedAt: updatedAt && !Number.isNaN(updatedAt.getTime()) ? updatedAt : null,
  };
}

/** RestIdSchema's rule, without zod. */
const isRestId = (value: unknown) => canonicalShopifyId(value) !== null;
const isTextOrNothing = (value: unknown) =>
  value === undefined || value === null || typeof value === "string";

/** The field of one variant that breaks ProductWebhookSchema's rules ("" for the variant itself), or null. */
function variantIssue(variant: unknown): string | null {
  if (typeof variant !== "object" || variant === null || Array.isArray(variant)) return "";
  const fields = variant as Record<string, unknown>;
  if (!isRestId(fields.id)) return "id";
  for (const key of ["title", "sku", "barcode"] as const) if (!isTextOrNothing(fields[key])) return key;
  if (fields.image_id !== undefined && fields.image_id !== null && !isRestId(fields.image_id))
    return "image_id";
  return null;
}

const ProductDeleteWebhookSchema = z.object({ id: RestIdSchema });

export function parseProductDeleteWebhook(payload: unknown) {
  return ProductDeleteWebhookSchema.safeParse(payload);
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

/** The same budgeted reads for the app's other Admin API calls (reconciliation, fulfillment write-back). */
export { query as throttledAdminQuery, readPagesWithinBudget, failureSummary as adminFailureSummary };
export type { Throttling as AdminThrottling };

// ---------------------------------------------------------------------------
// Writing what we read

interface PageWrite {
  created: number;
  changed: number;
}

const WRITTEN_FIELDS = [
  "shopifyProductId",
  "productTitle",
  "variantTitle",
  "sku",
  "barcode",
  "imageUrl",
] as const satisfies ReadonlyArray<keyof VariantFields>;

function differs(row: ShopifyVariant, fields: VariantFields): boolean {
  return row.deletedAt !== null || WRITTEN_FIELDS.some((key) => row[key] !== fields[key]);
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/**
 * Writes one page of variants read at `readAt`: new ones are created, changed
 * ones updated, and every one not learnt of later is marked as seen
 * (`syncedAt`), which is what tells the end of a full sync which are gone.
 */
async function writeVariants(shop: string, variants: VariantFields[], readAt: Date): Promise<PageWrite> {
  const write = () =>
    prisma.$transaction(
      async (tx) => {
        const ids = variants.map((variant) => variant.shopifyVariantId);
        const existing = await tx.shopifyVariant.findMany({ where: { shop, shopifyVariantId: { in: ids } } });
        const byId = new Map(existing.map((row) => [row.shopifyVariantId, row]));
        const fresh = variants.filter((variant) => !byId.has(variant.shopifyVariantId));
        if (fresh.length > 0) {
          await tx.shopifyVariant.createMany({
            data: fresh.map((variant) => ({ shop, ...variant, syncedAt: readAt })),
          });
        }
        let changed = 0;
        for (const variant of variants) {
          const row = byId.get(variant.shopifyVariantId);
          if (!row || !differs(row, variant)) continue;
          const updated = await tx.shopifyVariant.updateMany({
            where: { id: row.id, syncedAt: { lte: readAt } },
            data: { ...variant, deletedAt: null, syncedAt: readAt },
          });
          changed += updated.count;
        }
        if (existing.length > 0) {
          await tx.shopifyVariant.updateMany({
            where: { id: { in: existing.map((row) => row.id) }, syncedAt: { lt: readAt } },
            data: { syncedAt: readAt },
          });
        }
        return { created: fresh.length, changed };
      },
      { timeout: 30_000 },
    );
  try {
    return await write();
  } catch (error) {
    // A webhook created one of these variants meanwhile: it exists now, so
    // the second go updates it instead.
    if (!isUniqueViolation(error)) throw error;
    return write();
  }
}

// ---------------------------------------------------------------------------
// The full sync

export interface SyncShopifyVariantsOptions {
  /** Variants per query, 250 (Shopify's most) by default. */
  pageSize?: number;
  /** Throttled answers in a row before giving up. */
  maxThrottleRetries?: number;
  /** Longest single wait for the bucket to refill. */
  maxWaitMs?: number;
  /** Tests pass a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  logger?: Logger;
}

export type ShopifyVariantSyncResult =
  | {
      ok: true;
      runId: string;
      variants: number;
      products: number;
      created: number;
      changed: number;
      deleted: number;
      summary: string;
    }
  /** Another sync of this shop is under way; nothing was started. */
  | { ok: false; runId: string; reason: "already_running"; summary: string }
  | { ok: false; runId: string; reason: "failed"; summary: string };

export { SYNC_RUN_ABANDONED_AFTER_MS };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const count = (n: number) => n.toLocaleString("en-US");

/**
 * Reads every variant of the shop through the Admin GraphQL API, page by page,
 * within the shop's query-cost budget, and mirrors them: new and changed ones
 * are written, ones Shopify no longer has are marked deleted. Progress and the
 * outcome are kept in a SyncRun ("shopify_products").
 *
 * Failures end the run as failed with the reason, and come back as
 * `{ ok: false }`; only a Response thrown by the admin client (authenticate.admin
 * asking Remix to re-authenticate) is thrown on.
 */
export async function syncShopifyVariants(
  shop: string,
  graphql: AdminGraphql,
  options: SyncShopifyVariantsOptions = {},
): Promise<ShopifyVariantSyncResult> {
  const begun = await beginSync(shop);
  if (!begun.ok) return begun;
  return runSync(shop, graphql, begun.run, options);
}

const ALREADY_RUNNING = "A sync of the shop's products is already under way.";

/** A new running SyncRun for the shop, unless one is already under way. */
async function beginSync(
  shop: string,
): Promise<
  { ok: true; run: SyncRun } | { ok: false; runId: string; reason: "already_running"; summary: string }
> {
  const running = await liveSyncRun(shop, SHOPIFY_PRODUCTS_SYNC);
  if (running) return { ok: false, runId: running.id, reason: "already_running", summary: ALREADY_RUNNING };
  const run = await prisma.syncRun.create({
    data: { shop, kind: SHOPIFY_PRODUCTS_SYNC, status: "running", startedAt: new Date() },
  });
  return { ok: true, run };
}

/** Syncs started by `startShopifyVariantSync` that have not ended yet, in this process. */
const inFlight = new Set<Promise<unknown>>();

/**
 * Starts a full sync in the background of this process and returns at once,
 * with the run the admin shows progress of (`processed` of `total`, then the
 * summary). "Sync Shopify products now" uses it, so a catalog of 50k variants
 * (minutes within Shopify's query budget) never holds a request open. A
 * process that ends mid-sync leaves the run "running" until
 * SYNC_RUN_ABANDONED_AFTER_MS, after which a new one may start.
 */
export async function startShopifyVariantSync(
  shop: string,
  graphql: AdminGraphql,
  options: SyncShopifyVariantsOptions = {},
): Promise<{ started: boolean; runId: string; summary: string }> {
  const begun = await beginSync(shop);
  if (!begun.ok) return { started: false, runId: begun.runId, summary: begun.summary };
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: begun.run.id });
  const job = runSync(shop, graphql, begun.run, options)
    .catch((error: unknown) => {
      // The run is already marked failed; a Response here is the admin client
      // asking for a new OAuth, which the merchant gets on the next page load.
      log.warn(
        { err: error instanceof Error ? { name: error.name, message: error.message } : String(error) },
        "background Shopify products sync ended with an error",
      );
    })
    .finally(() => inFlight.delete(job));
  inFlight.add(job);
  return { started: true, runId: begun.run.id, summary: "Reading your Shopify products in the background." };
}

/** Resolves once every background sync this process started has ended (tests, shutdown). */
export async function backgroundSyncsSettled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

async function runSync(
  shop: string,
  graphql: AdminGraphql,
  run: SyncRun,
  options: SyncShopifyVariantsOptions,
): Promise<ShopifyVariantSyncResult> {
  const startedAt = run.startedAt;
  const log = (options.logger ?? rootLogger).child({ shop, syncRunId: run.id, sync: SHOPIFY_PRODUCTS_SYNC });
  const throttling: Throttling = {
    sleep: options.sleep ?? sleepFor,
    maxThrottleRetries: options.maxThrottleRetries ?? 10,
    maxWaitMs: options.maxWaitMs ?? 60_000,
    log,
  };

  try {
    const total = await countVariants(graphql, throttling, log);
    if (total !== null) await prisma.syncRun.update({ where: { id: run.id }, data: { total } });

    let variants = 0;
    let created = 0;
    let changed = 0;
    const products = new Set<string>();

    await readPagesWithinBudget({
      graphql,
      operation: VARIANTS_PAGE_QUERY,
      schema: VariantsPageSchema,
      throttling,
      pageSize: Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE),
      variables: (first, cursor) => ({ first, cursor }),
      pageInfo: (data) => data.productVariants.pageInfo,
      items: "variants",
      onPage: async (data, readAt) => {
        const page = data.productVariants.nodes.map(fieldsFromNode);
        const written = await writeVariants(shop, page, readAt);
        variants += page.length;
        created += written.created;
        changed += written.changed;
        for (const variant of page) products.add(variant.shopifyProductId);
        await prisma.syncRun.update({
          where: { id: run.id },
          data: { processed: variants, ...(total !== null && variants > total ? { total: variants } : {}) },
        });
      },
    });

    // Every variant Shopify still has was marked seen by this run (or by a
    // webhook during it); the rest are gone.
    const deleted = await prisma.shopifyVariant.updateMany({
      where: { shop, deletedAt: null, syncedAt: { lt: startedAt } },
      data: { deletedAt: new Date() },
    });

    const summary =
      `Read ${count(variants)} variant${variants === 1 ? "" : "s"} of ${count(products.size)} ` +
      `product${products.size === 1 ? "" : "s"}: ${count(created)} new, ${count(changed)} changed, ` +
      `${count(deleted.count)} no longer in Shopify.`;
    await prisma.syncRun.update({
      where: { id: run.id },
      data: { status: "succeeded", finishedAt: new Date(), processed: variants, total: variants, summary },
    });
    log.info({ variants, created, changed, deleted: deleted.count }, "Shopify products synced");
    return {
      ok: true,
      runId: run.id,
      variants,
      products: products.size,
      created,
      changed,
      deleted: deleted.count,
      summary,
    };
  } catch (error) {
    const summary = failureSummary(error);
    await failSyncRun(run.id, summary);
    log.warn({ err: error instanceof Error ? { name: error.name, message: error.message } : error }, summary);
    if (error instanceof Response) throw error;
    return { ok: false, runId: run.id, reason: "failed", summary };
  }
}

/** The exact number of variants, for progress; null when Shopify cannot say. */
async function countVariants(
  graphql: AdminGraphql,
  throttling: Throttling,
  log: Logger,
): Promise<number | null> {
  try {
    const answer = await query(graphql, VARIANTS_COUNT_QUERY, {}, VariantsCountSchema, throttling, null);
    const counted = answer.data.productVariantsCount;
    return counted && counted.precision === "EXACT" ? counted.count : null;
  } catch (error) {
    // Progress without a total is still progress; the pages decide.
    if (!(error instanceof UnexpectedShopifyAnswerError)) throw error;
    log.info({ reason: error.message }, "variant count unavailable; syncing without a total");
    return null;
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

/** The shop's latest Shopify products sync (running, succeeded or failed), or null before the first. */
export async function lastSync(shop: string): Promise<SyncRun | null> {
  return lastSyncRun(shop, SHOPIFY_PRODUCTS_SYNC);
}

// ---------------------------------------------------------------------------
// Webhooks

/**
 * Shopify's product webhooks may carry only the first 100 variants of a
 * product; when a payload is that long we cannot tell a missing variant from
 * one left out, and leave it to the next full sync.
 */
const WEBHOOK_VARIANTS_MAYBE_TRUNCATED_AT = 100;

export interface ProductWebhookResult {
  upserted: number;
  deleted: number;
}

/** Variants per INSERT: 10 parameters each, far below either database's limit for one statement. */
const UPSERT_SLICE = 200;

/**
 * products/update, applied by the worker (app/models/product-update-queue.server.ts):
 * writes the product's variants as the webhook describes them, and marks
 * deleted those of the product it no longer lists, in one transaction, so a
 * reader sees the product as it was or as it is, never half of each.
 * `learntAt` is when the webhook came: a variant learnt of later (a full
 * sync's page read since) is left as it is. Applying the same webhook again
 * writes the same values.
 *
 * Direct SQL, a slice of variants per statement, yielding between slices:
 * 2,048 Prisma upserts held the worker's event loop for seconds.
 */
export async function applyProductWebhook(
  shop: string,
  product: ProductWebhook,
  learntAt: Date = new Date(),
): Promise<ProductWebhookResult> {
  const shopifyProductId = numericShopifyId(product.id);
  const images = [...(product.images ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  const imageById = new Map(images.map((image) => [numericShopifyId(image.id), image.src]));
  const featured = product.image?.src ?? images[0]?.src ?? null;

  // By id, the last listing of a variant winning: one statement may not write a row twice (PostgreSQL).
  const byId = new Map<string, VariantFields>();
  for (const variant of product.variants) {
    const shopifyVariantId = numericShopifyId(variant.id);
    byId.set(shopifyVariantId, {
      shopifyVariantId,
      shopifyProductId,
      productTitle: product.title,
      variantTitle: variantTitleOf(variant.title),
      sku: blankToNull(variant.sku),
      barcode: blankToNull(variant.barcode),
      imageUrl:
        (variant.image_id !== null && variant.image_id !== undefined
          ? imageById.get(numericShopifyId(variant.image_id))
          : undefined) ?? featured,
    });
  }
  const variants = [...byId.values()];

  return sqlFor().transaction(async (tx) => {
    let upserted = 0;
    for (let from = 0; from < variants.length; from += UPSERT_SLICE) {
      const slice = variants.slice(from, from + UPSERT_SLICE);
      upserted += await tx.run(
        `INSERT INTO "ShopifyVariant" ("id", "shop", "shopifyVariantId", "shopifyProductId", "productTitle",
           "variantTitle", "sku", "barcode", "imageUrl", "syncedAt")
         VALUES ${slice.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
         ON CONFLICT ("shop", "shopifyVariantId") DO UPDATE SET
           "shopifyProductId" = excluded."shopifyProductId", "productTitle" = excluded."productTitle",
           "variantTitle" = excluded."variantTitle", "sku" = excluded."sku", "barcode" = excluded."barcode",
           "imageUrl" = excluded."imageUrl", "deletedAt" = NULL, "syncedAt" = excluded."syncedAt"
         WHERE "ShopifyVariant"."syncedAt" <= excluded."syncedAt"`,
        slice.flatMap((variant) => [
          newId(),
          shop,
          variant.shopifyVariantId,
          variant.shopifyProductId,
          variant.productTitle,
          variant.variantTitle,
          variant.sku,
          variant.barcode,
          variant.imageUrl,
          learntAt,
        ]),
      );
      // The worker's other work (Brilliant's answers, its claims) gets a turn between slices.
      await new Promise((resolve) => setImmediate(resolve));
    }
    let deleted = 0;
    if (variants.length < WEBHOOK_VARIANTS_MAYBE_TRUNCATED_AT) {
      const listed = variants.map((variant) => variant.shopifyVariantId);
      deleted = await tx.run(
        `UPDATE "ShopifyVariant" SET "deletedAt" = ?, "syncedAt" = ?
         WHERE "shop" = ? AND "shopifyProductId" = ? AND "deletedAt" IS NULL AND "syncedAt" <= ?
           ${listed.length > 0 ? `AND "shopifyVariantId" NOT IN (${placeholders(listed.length)})` : ""}`,
        [learntAt, learntAt, shop, shopifyProductId, learntAt, ...listed],
      );
    }
    return { upserted, deleted };
  });
}

/**
 * products/delete: every variant of the product is marked deleted (kept, so
 * held orders can still name it), unless learnt of after `learntAt`.
 */
export async function markProductDeleted(
  shop: string,
  productId: string | number,
  learntAt: Date = new Date(),
): Promise<number> {
  const result = await prisma.shopifyVariant.updateMany({
    where: {
      shop,
      shopifyProductId: numericShopifyId(productId),
      deletedAt: null,
      syncedAt: { lte: learntAt },
    },
    data: { deletedAt: learntAt, syncedAt: learntAt },
  });
  return result.count;
}

// ---------------------------------------------------------------------------
// Listing, for the mapping page

export const SHOPIFY_VARIANT_FILTERS = ["active", "deleted", "all", "mapped", "unmapped"] as const;
export type ShopifyVariantFilter = (typeof SHOPIFY_VARIANT_FILTERS)[number];

/** A condition on the Brilliant variant a Shopify variant is mapped to. */
export type MappedToCondition =
  | { kind: "inactive" }
  /** Tracked, required, at or below the threshold, and still orderable: as the catalog's stock alerts count it. */
  | { kind: "low_stock"; threshold: number };

export interface ListShopifyVariantsOptions {
  /** `nextCursor` of the previous page: the page after it. None (and no `before`) for the first. */
  cursor?: string | null;
  /** `previousCursor` of a page: the page before it. */
  before?: string | null;
  /** 1 to 250, 50 by default. */
  limit?: number;
  /** Case-insensitive (ASCII) part of the product title, variant title, SKU or barcode, or an exact variant id. */
  search?: string | null;
  /**
   * active (default): not deleted · deleted · all · mapped / unmapped: not
   * deleted, with / without a Brilliant mapping.
   */
  filter?: ShopifyVariantFilter;
  /** Only variants (not deleted) mapped to a Brilliant variant in this condition. */
  mappedTo?: MappedToCondition;
}

export interface ListedShopifyVariant extends ShopifyVariant {
  mapping: { brilliantVariantId: string; source: string } | null;
}

export interface ShopifyVariantPage {
  variants: ListedShopifyVariant[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
  /** Pass as `before` for the previous page; null on the first. */
  previousCursor: string | null;
}

function encodeListCursor(row: Pick<ShopifyVariant, "productTitle" | "shopifyVariantId">): string {
  return Buffer.from(JSON.stringify([row.productTitle, row.shopifyVariantId]), "utf8").toString("base64url");
}

function decodeListCursor(cursor: string): { productTitle: string; shopifyVariantId: string } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((part) => typeof part === "string")) {
      return { productTitle: parsed[0] as string, shopifyVariantId: parsed[1] as string };
    }
  } catch {
    // falls through
  }
  throw new InvalidVariantCursorError("The page cursor is not one this list gave out");
}

/** A LIKE pattern for "contains `search`", lower-cased, with LIKE's wildcards taken literally (ESCAPE '\'). */
export function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function mappedToSql(condition: MappedToCondition): Prisma.Sql {
  return condition.kind === "inactive"
    ? Prisma.sql`(b."productInactive" = ${true} OR b."removedAt" IS NOT NULL)`
    : Prisma.sql`(b."inventoryRequired" = ${true} AND b."inventoryCount" >= 0
        AND b."inventoryCount" <= ${condition.threshold}
        AND b."productInactive" = ${false} AND b."removedAt" IS NULL)`;
}

/** The WHERE of a listing, without the page's place. */
function listConditions(shop: string, options: ListShopifyVariantsOptions): Prisma.Sql[] {
  const filter = options.mappedTo ? "active" : (options.filter ?? "active");
  const search = options.search?.trim() ?? "";
  const conditions: Prisma.Sql[] = [Prisma.sql`v."shop" = ${shop}`];
  if (filter === "deleted") conditions.push(Prisma.sql`v."deletedAt" IS NOT NULL`);
  else if (filter !== "all") conditions.push(Prisma.sql`v."deletedAt" IS NULL`);
  const mapped = Prisma.sql`EXISTS (SELECT 1 FROM "VariantMapping" m WHERE m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId")`;
  if (filter === "mapped") conditions.push(mapped);
  if (filter === "unmapped") conditions.push(Prisma.sql`NOT ${mapped}`);
  if (options.mappedTo) {
    // The few Brilliant variants in the condition first, then the mappings to
    // them (the (shop, brilliantVariantId) index), as one list, rather than a
    // probe of every mapping. CROSS JOIN keeps that order on SQLite, whose
    // planner has no statistics here; PostgreSQL plans it as any inner join.
    conditions.push(Prisma.sql`v."shopifyVariantId" IN (
      SELECT m."shopifyVariantId" FROM "BrilliantVariant" b CROSS JOIN "VariantMapping" m
      WHERE b."shop" = ${shop} AND ${mappedToSql(options.mappedTo)}
        AND m."shop" = b."shop" AND m."brilliantVariantId" = b."brilliantVariantId")`);
  }
  if (search !== "") {
    const pattern = containsPattern(search);
    const contains = (column: string) => {
      const value = Prisma.raw(`v."${column}"`);
      // SQLite's LIKE already ignores ASCII case (as its LOWER does), and bare
      // columns are read from the listing index alone; PostgreSQL's LIKE is
      // case-sensitive.
      return databaseKind() === "sqlite"
        ? Prisma.sql`${value} LIKE ${pattern} ESCAPE '\\'`
        : Prisma.sql`LOWER(${value}) LIKE ${pattern} ESCAPE '\\'`;
    };
    // Every column searched is in the listing index (ShopifyVariant_listing_idx),
    // walked in page order: the page's rows are found without reading the
    // table, and a search that matches little reads the index once per page
    // (50k entries: ~10 ms), not every row of the table.
    conditions.push(Prisma.sql`(
      ${contains("productTitle")} OR ${contains("variantTitle")} OR ${contains("sku")}
      OR ${contains("barcode")} OR v."shopifyVariantId" = ${search}
    )`);
  }
  return conditions;
}

/**
 * One page of the shop's variants, by product title then variant id, with
 * each one's mapping. Keyset paging both ways: `cursor` gives the page after
 * a page, `before` the page before it; a page's place does not move when rows
 * are added or removed elsewhere, and a deep page costs what the first does
 * (a seek in the listing index, ShopifyVariant_listing_idx, not a skip).
 *
 * One raw query written for both SQLite and PostgreSQL (the mapped/unmapped
 * filters need EXISTS over VariantMapping, which has no relation to join on)
 * reads the page's rows with their mappings; three Prisma queries per page
 * cost more than the query itself. Titles are ordered by the database's
 * collation (byte order on SQLite).
 */
export async function listShopifyVariants(
  shop: string,
  options: ListShopifyVariantsOptions = {},
): Promise<ShopifyVariantPage> {
  const limit = Math.max(1, Math.min(250, Math.floor(options.limit ?? 50)));
  const backwards = Boolean(options.before) && !options.cursor;
  const from = options.cursor ?? options.before;
  const place = from ? decodeListCursor(from) : null;

  const conditions = listConditions(shop, options);
  if (place) {
    // A row value, which both databases seek in the index.
    const key = Prisma.sql`(v."productTitle", v."shopifyVariantId")`;
    const at = Prisma.sql`(${place.productTitle}, ${place.shopifyVariantId})`;
    conditions.push(backwards ? Prisma.sql`${key} < ${at}` : Prisma.sql`${key} > ${at}`);
  }
  const order = backwards
    ? Prisma.sql`v."productTitle" DESC, v."shopifyVariantId" DESC`
    : Prisma.sql`v."productTitle", v."shopifyVariantId"`;
  // The page's rows and their mappings in the one query that picks them:
  // a seek in the listing index, then 51 row and mapping lookups.
  const picked = await prisma.$queryRaw<Row[]>`
    SELECT v.*, m."brilliantVariantId" AS "mappedTo", m."source" AS "mappedBy"
    FROM "ShopifyVariant" v
    LEFT JOIN "VariantMapping" m ON m."shop" = v."shop" AND m."shopifyVariantId" = v."shopifyVariantId"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY ${order}
    LIMIT ${limit + 1}
  `;
  const hasMore = picked.length > limit;
  const page = picked.slice(0, limit);
  if (backwards) page.reverse();
  const ordered: ListedShopifyVariant[] = page.map(({ mappedTo, mappedBy, ...row }) => ({
    ...rowAs<ShopifyVariant>("ShopifyVariant", row),
    mapping: typeof mappedTo === "string" ? { brilliantVariantId: mappedTo, source: String(mappedBy) } : null,
  }));
  const first = ordered[0];
  const last = ordered.at(-1);
  // Going back, there is an earlier page when more rows came, and a later one
  // (the page we came from); going forward, the other way round.
  const hasEarlier = backwards ? hasMore : Boolean(from);
  const hasLater = backwards ? true : hasMore;
  return {
    variants: ordered,
    nextCursor: hasLater && last ? encodeListCursor(last) : null,
    previousCursor: hasEarlier && first ? encodeListCursor(first) : null,
  };
}
