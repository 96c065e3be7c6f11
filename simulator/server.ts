import http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod/v4";
import { defaultCatalog, type SimProduct, type SimVariant } from "./catalog";
import {
  FaultPlan,
  faultRuleSchema,
  randomFaultConfigSchema,
  type Endpoint,
  type FaultRule,
  type FaultSpec,
  type RandomFaultConfig,
  type ScriptedRuleState,
} from "./faults";

// A stand-in for Brilliant's Storefront API V2 (docs/brilliant-api/contract.md)
// over real HTTP, so the app's client is exercised exactly as in production.
// Choices the contract leaves open are marked "Choice:" below.

export const SIM_API_KEY = "sim-key";
export const SIM_API_SECRET = "sim-secret";
export const SIM_STORE_NAME = "Brilliant Sync Demo Store";

export interface SimStoreConfig {
  key: string;
  secret: string;
  name?: string;
  inactive?: boolean;
  /** Defaults to a fresh copy of the default catalog. */
  products?: SimProduct[];
}

export interface SimulatorOptions {
  /** Default 127.0.0.1: the simulator is never reachable from outside the machine unless asked. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default "/V2". */
  basePath?: string;
  /** Default: one store with SIM_API_KEY / SIM_API_SECRET and the default catalog. */
  stores?: SimStoreConfig[];
  /** Fixed delay before every API answer. */
  latencyMs?: number;
  faults?: RandomFaultConfig | null;
  scriptedFaults?: FaultRule[];
  /** Answer 1200 with the docs' exact payload (no id, no timestamps), as Brilliant's example shows. */
  omitOrderIdInCreateResponse?: boolean;
  /** How long a status webhook POST may take. Default 5000. */
  webhookTimeoutMs?: number;
  /** Default 50001. */
  firstOrderId?: number;
}

export interface SimShippingAddress {
  name: string | null;
  company: string | null;
  address_1: string | null;
  address_2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
  phone: string | null;
}

export interface SimOrderItem {
  variant_id: number;
  quantity: number;
  /** Requests send `note`; Brilliant answers with `notes`. */
  notes: string | null;
}

export interface SimOrder {
  id: number;
  created_at: string;
  updated_at: string;
  /** Choice: "created" with ship_status null, as the docs' examples show for a new order. */
  status: string;
  ship_status: string | null;
  shipping_address: SimShippingAddress;
  order_items: SimOrderItem[];
  webhook_url: string | null;
  custom_data: Record<string, unknown> | null;
}

export interface AcceptedOrderRecord {
  storeKey: string;
  order: SimOrder;
  receivedAt: string;
  /** The fault the client got instead of 1200 (created-then-error), or null when it got 1200. */
  answeredWith: FaultSpec["kind"] | null;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  /** Path and query as received, including the base path. */
  path: string;
  storeKey: string | null;
  /** null when no answer was sent (timeout, reset). */
  httpStatus: number | null;
  /** The body's code, when the answer carried one. */
  code: number | null;
  fault: FaultSpec["kind"] | null;
}

export interface WebhookBody {
  id: number;
  status: string;
  ship_status: string | null;
  custom_data: Record<string, unknown> | null;
  updated_at: string;
}

export interface WebhookDelivery {
  orderId: number;
  url: string;
  body: WebhookBody;
  httpStatus: number | null;
  error: string | null;
  at: string;
}

export interface SimulatorSettings {
  omitOrderIdInCreateResponse?: boolean;
  latencyMs?: number;
}

export interface RunningSimulator {
  /** Base URL including the base path, e.g. http://127.0.0.1:PORT/V2 */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** http://127.0.0.1:PORT/__sim */
  readonly controlUrl: string;
  readonly port: number;
  close(): Promise<void>;
  /** Random faults; null (or rate 0) turns them off. */
  configureFaults(config: RandomFaultConfig | null): void;
  /** Returns the rule's id. */
  scriptFault(rule: FaultRule): string;
  scriptedFaults(): ScriptedRuleState[];
  clearScriptedFaults(): void;
  configure(settings: SimulatorSettings): void;
  setStock(variantId: number, inventoryCount: number, storeKey?: string): void;
  setProductInactive(productId: number, inactive: boolean, storeKey?: string): void;
  /** Updates the order and POSTs {id, status, ship_status, custom_data, updated_at} to its webhook_url. */
  setOrderStatus(
    orderId: number | string,
    status: string,
    shipStatus: string | null,
  ): Promise<{ order: SimOrder; delivery: WebhookDelivery | null }>;
  /** Every order inserted, oldest first, including those answered with an error. */
  acceptedOrders(storeKey?: string): AcceptedOrderRecord[];
  /** How many orders were inserted (acceptedOrders().length, without copying them). */
  acceptedCount(storeKey?: string): number;
  /**
   * How many TCP connections the server accepted since it started (control
   * requests' included; `reset` leaves it): a client that reuses its
   * connections opens a handful for any number of requests.
   */
  connectionsOpened(): number;
  /** Inserted orders whose custom_data.shopify_order_id is this one: more than one is a duplicate. */
  ordersForShopifyOrder(shopifyOrderId: string | number, storeKey?: string): AcceptedOrderRecord[];
  readonly requests: RequestLogEntry[];
  readonly webhookDeliveries: WebhookDelivery[];
  /** Back to the initial catalog, no orders, no faults, empty logs. Order ids keep counting up. */
  reset(): void;
}

/** Thrown by the in-process control methods when asked about something that does not exist. */
export class SimulatorControlError extends Error {
  override name = "SimulatorControlError";
}

// The messages are response-codes.md's own words.
export const CODE_MESSAGES: Readonly<Record<number, string>> = {
  1200: "Looks good.",
  1404: "Not found. If the call expected an ID as a url parameter, please ensure that it is correct.",
  1500: "There was an unexpected error and engineers are taking a look. Please resubmit your request later.",
  2501: "There was a problem with an address. The order has not been submitted.",
  2502: "There was a problem with one or more of the variant ID's you submitted. Please review them and make sure that they belong to your store. The order has not been submitted.",
  2503: "Stock was too low for one or more of the variants you are trying to order. Please contact Brilliant to increase stock levels. The order has not been submitted.",
  2504: "One or more of the order item entries is specifying the same variant id. Please make the order item entries unique and adjust the quantity instead. The order has not been submitted.",
  2505: "The payload you submitted for an order is missing an order_items section or it is empty. The order has not been submitted.",
  2506: "One or more of the variants you are trying to order are inactive. Check into the possibility of re-activating them, or remove these variants from your payload.",
  3501: "Validation passed, however, we could not insert your order because we ran into some internal issues. The engineers have been notified and will work on the issue. Please resubmit your payload later.",
  3502: "An unexpected issue occurred and engineers have been notified. Please resubmit your payload later.",
  3503: "There was an issue with the payload and the API couldn't handle it appropriately. Engineers have been notified. Please resubmit your payload later.",
};

// Choice: the body code is the outcome; these HTTP statuses are only what the
// simulator pairs them with (scripted faults can override them).
const VALIDATION_HTTP_STATUS = 422;
const PAYLOAD_HTTP_STATUS = 400;
const SERVER_ERROR_HTTP_STATUS = 500;

const MAX_BODY_BYTES = 1_000_000;

interface StoreState {
  key: string;
  secret: string;
  name: string;
  inactive: boolean;
  initialProducts: SimProduct[];
  products: SimProduct[];
}

interface StoredOrder {
  storeKey: string;
  order: SimOrder;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Route = { endpoint: Endpoint; orderId?: string };

type Validation =
  | {
      ok: true;
      order: Omit<SimOrder, "id" | "created_at" | "updated_at" | "status" | "ship_status">;
    }
  | { ok: false; status: number; code: number; message: string; invalidRecords: unknown[] };

function clone<T>(value: T): T {
  return structuredClone(value);
}

function nowIso(): string {
  return new Date().toISOString();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asInteger(value: unknown): number | null {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

function stringOrNull(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : String(value);
}

/** Failure bodies echo the request the way Brilliant's example does: items show `notes`. */
function echoRequest(body: unknown): unknown {
  if (!isPlainObject(body) || !Array.isArray(body["order_items"])) return body;
  return {
    ...body,
    order_items: body["order_items"].map((item: unknown) => (isPlainObject(item) ? echoItem(item) : item)),
  };
}

function echoItem(item: Record<string, unknown>): Record<string, unknown> {
  const { note, ...rest } = item;
  return { ...rest, notes: item["notes"] ?? note ?? null };
}

const ADDRESS_FIELDS = [
  "name",
  "company",
  "address_1",
  "address_2",
  "city",
  "state",
  "postal_code",
  "country",
  "phone",
] as const;
const REQUIRED_ADDRESS_FIELDS: ReadonlyArray<[field: string, label: string]> = [
  ["address_1", "Address 1"],
  ["city", "City"],
  ["state", "State"],
  ["postal_code", "Postal code"],
  ["country", "Country"],
];

function findVariant(
  store: StoreState,
  variantId: number,
): { product: SimProduct; variant: SimVariant } | null {
  for (const product of store.products) {
    const variant = product.variants.find((candidate) => candidate.id === variantId);
    if (variant) return { product, variant };
  }
  return null;
}

function failure(
  code: number,
  message: string,
  invalidRecords: unknown[],
  status = VALIDATION_HTTP_STATUS,
): Validation {
  return { ok: false, status, code, message, invalidRecords };
}

/** Brilliant's checks for POST /store/order, in the order a request meets them. */
function validateOrder(store: StoreState, body: unknown): Validation {
  if (!isPlainObject(body)) {
    return failure(3503, CODE_MESSAGES[3503] ?? "", [], PAYLOAD_HTTP_STATUS);
  }
  const rawItems = body["order_items"];
  if (!Array.isArray(rawItems) || rawItems.length === 0) {
    return failure(2505, CODE_MESSAGES[2505] ?? "", []);
  }

  const rawAddress = body["shipping_address"];
  if (!isPlainObject(rawAddress)) {
    return failure(2501, "Address address_1 Address 1 can't be blank", [rawAddress ?? null]);
  }
  for (const [field, label] of REQUIRED_ADDRESS_FIELDS) {
    const value = rawAddress[field];
    if (value === undefined || value === null || String(value).trim() === "") {
      return failure(2501, `Address ${field} ${label} can't be blank`, [rawAddress]);
    }
  }
  if (String(rawAddress["state"]).trim().length !== 2) {
    return failure(2501, "Address state State must be a valid 2 character state abbreviation", [rawAddress]);
  }
  if (String(rawAddress["country"]).trim().length !== 2) {
    return failure(2501, "Address country Country must be a valid 2 character country code", [rawAddress]);
  }

  // Choice: the docs give no code for these payload problems; 3503 ("an issue
  // with the payload") is the closest, and its meaning (not created) holds.
  const customData = body["custom_data"];
  const webhookUrl = body["webhook_url"];
  if (customData !== undefined && customData !== null && !isPlainObject(customData)) {
    return failure(3503, "custom_data must be a JSON object", [customData], PAYLOAD_HTTP_STATUS);
  }
  if (webhookUrl !== undefined && webhookUrl !== null && typeof webhookUrl !== "string") {
    return failure(3503, "webhook_url must be a string", [webhookUrl], PAYLOAD_HTTP_STATUS);
  }
  if (isPlainObject(customData) && (typeof webhookUrl !== "string" || webhookUrl.trim() === "")) {
    return failure(
      3503,
      "webhook_url is required when custom_data is set",
      [customData],
      PAYLOAD_HTTP_STATUS,
    );
  }

  const items: Array<{
    raw: unknown;
    variantId: number | null;
    quantity: number | null;
    notes: string | null;
  }> = rawItems.map((raw: unknown) => {
    const item = isPlainObject(raw) ? raw : {};
    return {
      raw: isPlainObject(raw) ? echoItem(raw) : raw,
      variantId: asInteger(item["variant_id"]),
      quantity: asInteger(item["quantity"]),
      notes: stringOrNull(item["note"] ?? item["notes"]),
    };
  });

  const badQuantity = items.filter((item) => item.quantity === null || item.quantity < 1);
  if (badQuantity.length > 0) {
    return failure(
      3503,
      "Order item quantity must be a positive whole number",
      badQuantity.map((item) => item.raw),
      PAYLOAD_HTTP_STATUS,
    );
  }

  const seen = new Map<number, number>();
  for (const item of items) {
    if (item.variantId !== null) seen.set(item.variantId, (seen.get(item.variantId) ?? 0) + 1);
  }
  const duplicated = items.filter((item) => item.variantId !== null && (seen.get(item.variantId) ?? 0) > 1);
  if (duplicated.length > 0) {
    return failure(
      2504,
      CODE_MESSAGES[2504] ?? "",
      duplicated.map((item) => item.raw),
    );
  }

  const unknown = items.filter((item) => item.variantId === null || !findVariant(store, item.variantId));
  if (unknown.length > 0) {
    const ids = unknown.map((item) => String(item.variantId ?? "(missing)")).join(", ");
    return failure(
      2502,
      `Variant ids ${ids} do not belong to this store`,
      unknown.map((item) => item.raw),
    );
  }

  const inactive = items.filter(
    (item) => findVariant(store, item.variantId ?? -1)?.product.inactive === true,
  );
  if (inactive.length > 0) {
    return failure(
      2506,
      CODE_MESSAGES[2506] ?? "",
      inactive.map((item) => item.raw),
    );
  }

  const short = items.filter((item) => {
    const found = findVariant(store, item.variantId ?? -1);
    if (!found || !found.product.inventory_required) return false;
    const count = found.variant.inventory_count;
    return count !== -1 && count < (item.quantity ?? 0);
  });
  if (short.length > 0) {
    return failure(
      2503,
      CODE_MESSAGES[2503] ?? "",
      short.map((item) => item.raw),
    );
  }

  const shippingAddress = Object.fromEntries(
    ADDRESS_FIELDS.map((field) => [field, stringOrNull(rawAddress[field])]),
  ) as unknown as SimShippingAddress;

  return {
    ok: true,
    order: {
      shipping_address: shippingAddress,
      order_items: items.map((item) => ({
        variant_id: item.variantId ?? 0,
        quantity: item.quantity ?? 0,
        notes: item.notes,
      })),
      webhook_url: typeof webhookUrl === "string" ? webhookUrl : null,
      custom_data: isPlainObject(customData) ? clone(customData) : null,
    },
  };
}

function normaliseBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, "");
  if (trimmed === "") return "";
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

function matchRoute(method: string, path: string): Route | null {
  if (method === "GET" && path === "/store") return { endpoint: "GET /store" };
  if (method === "GET" && path === "/store/orders") return { endpoint: "GET /store/orders" };
  if (method === "POST" && path === "/store/order") return { endpoint: "POST /store/order" };
  const detail = /^\/store\/order\/([^/]+)$/.exec(path);
  if (method === "GET" && detail)
    return { endpoint: "GET /store/order/:id", orderId: decodeURIComponent(detail[1] ?? "") };
  return null;
}

function parseBasicAuth(header: string | undefined): { key: string; secret: string } | null {
  if (!header) return null;
  const match = /^Basic\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const RAILS_500_PAGE = `<!DOCTYPE html>
<html>
<head><title>We're sorry, but something went wrong (500)</title></head>
<body><div class="dialog"><h1>We're sorry, but something went wrong.</h1></div></body>
</html>
`;

const MAINTENANCE_PAGE = `<!DOCTYPE html>
<html>
<head><title>Down for maintenance</title></head>
<body><h1>Brilliant is down for scheduled maintenance.</h1><p>Please try again shortly.</p></body>
</html>
`;

const NON_JSON_PAGE = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>
`;

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? "127.0.0.1";
  const basePath = normaliseBasePath(options.basePath ?? "/V2");
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
  const settings: Required<SimulatorSettings> = {
    omitOrderIdInCreateResponse: options.omitOrderIdInCreateResponse ?? false,
    latencyMs: options.latencyMs ?? 0,
  };

  const storeConfigs: SimStoreConfig[] = options.stores ?? [{ key: SIM_API_KEY, secret: SIM_API_SECRET }];
  if (storeConfigs.length === 0) throw new SimulatorControlError("at least one store is needed");
  const stores: StoreState[] = storeConfigs.map((config) => {
    const products = clone(config.products ?? defaultCatalog());
    return {
      key: config.key,
      secret: config.secret,
      name: config.name ?? SIM_STORE_NAME,
      inactive: config.inactive ?? false,
      initialProducts: clone(products),
      products,
    };
  });

  const plan = new FaultPlan();
  plan.configureRandom(options.faults ?? null);
  for (const rule of options.scriptedFaults ?? []) plan.addRule(rule);

  let nextOrderId = options.firstOrderId ?? 50001;
  let orders: StoredOrder[] = [];
  let accepted: AcceptedOrderRecord[] = [];
  let connectionsOpened = 0;
  let requests: RequestLogEntry[] = [];
  let webhookDeliveries: WebhookDelivery[] = [];
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  function storesFor(storeKey: string | undefined): StoreState[] {
    if (storeKey === undefined) return stores;
    const store = stores.find((candidate) => candidate.key === storeKey);
    if (!store) throw new SimulatorControlError(`no store with key ${storeKey}`);
    return [store];
  }

  function authenticate(header: string | undefined): StoreState | null {
    const credentials = parseBasicAuth(header);
    if (!credentials) return null;
    return (
      stores.find((store) => store.key === credentials.key && store.secret === credentials.secret) ?? null
    );
  }

  function insertOrder(store: StoreState, order: Validation & { ok: true }): AcceptedOrderRecord {
    const at = nowIso();
    const stored: SimOrder = {
      id: nextOrderId++,
      created_at: at,
      updated_at: at,
      status: "created",
      ship_status: null,
      ...order.order,
    };
    for (const item of stored.order_items) {
      const found = findVariant(store, item.variant_id);
      if (found && found.variant.inventory_count !== -1) {
        found.variant.inventory_count = Math.max(0, found.variant.inventory_count - item.quantity);
      }
    }
    orders.push({ storeKey: store.key, order: stored });
    const record: AcceptedOrderRecord = {
      storeKey: store.key,
      order: stored,
      receivedAt: at,
      answeredWith: null,
    };
    accepted.push(record);
    return record;
  }

  function handleApi(
    store: StoreState,
    route: Route,
    url: URL,
    body: { ok: true; value: unknown } | { ok: false },
  ): { reply: Reply; created: AcceptedOrderRecord | null } {
    switch (route.endpoint) {
      case "GET /store":
        return {
          reply: {
            status: 200,
            body: { name: store.name, inactive: store.inactive, products: store.products },
          },
          created: null,
        };
      case "GET /store/orders": {
        const page = Math.max(1, asInteger(url.searchParams.get("page")) ?? 1);
        const requestedPer = asInteger(url.searchParams.get("per")) ?? 20;
        const per = requestedPer < 1 ? 20 : Math.min(20, requestedPer);
        const mine = orders.filter((stored) => stored.storeKey === store.key).map((stored) => stored.order);
        mine.sort((a, b) => b.id - a.id);
        const slice = mine.slice((page - 1) * per, page * per);
        return {
          reply: {
            status: 200,
            body: {
              orders: slice.map((order) => ({
                id: order.id,
                created_at: order.created_at,
                updated_at: order.updated_at,
                status: order.status,
                ship_status: order.ship_status,
                order_item_count: order.order_items.length,
              })),
              pagination: {
                page,
                per_page: per,
                total_pages: Math.ceil(mine.length / per),
                total_orders: mine.length,
              },
            },
          },
          created: null,
        };
      }
      case "GET /store/order/:id": {
        const id = asInteger(route.orderId);
        const found = orders.find((stored) => stored.storeKey === store.key && stored.order.id === id);
        if (!found) {
          // Choice: HTTP 404 alongside body code 1404.
          return {
            reply: { status: 404, body: { code: 1404, message: CODE_MESSAGES[1404] } },
            created: null,
          };
        }
        return { reply: { status: 200, body: found.order }, created: null };
      }
      case "POST /store/order": {
        if (!body.ok) {
          return {
            reply: {
              status: PAYLOAD_HTTP_STATUS,
              body: { code: 3503, message: CODE_MESSAGES[3503], invalid_records: [], body: null },
            },
            created: null,
          };
        }
        const validation = validateOrder(store, body.value);
        if (!validation.ok) {
          return {
            reply: {
              status: validation.status,
              body: {
                code: validation.code,
                message: validation.message,
                invalid_records: validation.invalidRecords,
                body: echoRequest(body.value),
              },
            },
            created: null,
          };
        }
        const record = insertOrder(store, validation);
        const order = record.order;
        const payload = settings.omitOrderIdInCreateResponse
          ? {
              order_items: order.order_items,
              shipping_address: order.shipping_address,
              webhook_url: order.webhook_url,
              custom_data: order.custom_data,
            }
          : order;
        return {
          reply: { status: 200, body: { code: 1200, message: CODE_MESSAGES[1200], payload } },
          created: record,
        };
      }
    }
  }

  function faultReply(spec: FaultSpec, route: Route, requestBody: unknown): Reply {
    const failureBody = (code: number) =>
      route.endpoint === "POST /store/order"
        ? {
            code,
            message: spec.message ?? CODE_MESSAGES[code] ?? "Unknown error",
            invalid_records: [],
            body: echoRequest(requestBody),
          }
        : { code, message: spec.message ?? CODE_MESSAGES[code] ?? "Unknown error" };
    const retryAfter = (fallback: number | null): Record<string, string> => {
      const seconds = spec.retryAfterSeconds === undefined ? fallback : spec.retryAfterSeconds;
      return seconds === null ? {} : { "Retry-After": String(seconds) };
    };
    switch (spec.kind) {
      case "http429":
        return {
          status: 429,
          headers: retryAfter(2),
          body: { error: "Too Many Requests", message: "Slow down." },
        };
      case "http500":
        return {
          status: 500,
          headers: { "Content-Type": "text/html; charset=utf-8" },
          body: RAILS_500_PAGE,
        };
      case "http500_json":
        return { status: 500, body: { status: 500, error: "Internal Server Error" } };
      case "http503":
        return {
          status: 503,
          headers: { "Content-Type": "text/html; charset=utf-8", ...retryAfter(null) },
          body: MAINTENANCE_PAGE,
        };
      case "code1500":
        return { status: spec.httpStatus ?? SERVER_ERROR_HTTP_STATUS, body: failureBody(1500) };
      case "code3501":
        return { status: spec.httpStatus ?? SERVER_ERROR_HTTP_STATUS, body: failureBody(3501) };
      case "code3502":
        return { status: spec.httpStatus ?? SERVER_ERROR_HTTP_STATUS, body: failureBody(3502) };
      case "code3503":
        return { status: spec.httpStatus ?? SERVER_ERROR_HTTP_STATUS, body: failureBody(3503) };
      case "code":
        return { status: spec.httpStatus ?? 200, body: failureBody(spec.code ?? 0) };
      case "non_json":
        return {
          status: spec.httpStatus ?? 200,
          headers: { "Content-Type": "text/html; charset=utf-8" },
          body: NON_JSON_PAGE,
        };
      case "raw":
        return {
          status: spec.httpStatus ?? 200,
          headers: { "Content-Type": spec.contentType ?? "application/json; charset=utf-8" },
          body: spec.body ?? "",
        };
      case "latency":
      case "timeout":
      case "reset":
        throw new Error(`fault ${spec.kind} has no reply`);
    }
  }

  function send(res: http.ServerResponse, entry: RequestLogEntry | null, reply: Reply): void {
    const isText = typeof reply.body === "string";
    const text = isText ? (reply.body as string) : JSON.stringify(reply.body);
    const headers: Record<string, string> = {
      "Content-Type": "application/json; charset=utf-8",
      ...reply.headers,
      "Content-Length": String(Buffer.byteLength(text)),
    };
    if (entry) {
      entry.httpStatus = reply.status;
      const code = isPlainObject(reply.body) ? reply.body["code"] : undefined;
      entry.code = typeof code === "number" ? code : null;
    }
    res.writeHead(reply.status, headers);
    res.end(text);
  }

  async function handleApiRequest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const entry: RequestLogEntry = {
      at: nowIso(),
      method,
      path: url.pathname + url.search,
      storeKey: null,
      httpStatus: null,
      code: null,
      fault: null,
    };
    requests.push(entry);
    const rawBody = await readBody(req);
    if (settings.latencyMs > 0) await sleep(settings.latencyMs);
    if (closed) return;

    const apiPath = url.pathname.startsWith(`${basePath}/`) ? url.pathname.slice(basePath.length) : null;
    const route = apiPath === null ? null : matchRoute(method, apiPath);
    if (!route || apiPath === null) {
      send(res, entry, { status: 404, body: { error: "Not Found" } });
      return;
    }
    const store = authenticate(req.headers.authorization);
    if (!store) {
      send(res, entry, {
        status: 401,
        body: { error: "Unauthorized", message: "Bad or disabled API key." },
      });
      return;
    }
    entry.storeKey = store.key;

    const body = method === "POST" ? parseJson(rawBody) : ({ ok: true, value: undefined } as const);
    const customData =
      body.ok && isPlainObject(body.value) && isPlainObject(body.value["custom_data"])
        ? body.value["custom_data"]
        : null;
    let fault = plan.decide({
      method,
      path: apiPath,
      endpoint: route.endpoint,
      storeKey: store.key,
      customData,
    });

    if (fault?.kind === "latency") {
      entry.fault = "latency";
      await sleep(fault.ms ?? 1500);
      if (closed) return;
      fault = null;
    }
    if (fault) entry.fault = fault.kind;

    let created: AcceptedOrderRecord | null = null;
    let reply: Reply | null = null;
    if (!fault || fault.created) {
      const handled = handleApi(store, route, url, body);
      created = handled.created;
      reply = handled.reply;
    }
    if (!fault) {
      send(res, entry, reply ?? { status: 500, body: RAILS_500_PAGE });
      return;
    }
    if (created) created.answeredWith = fault.kind;

    const requestBody = body.ok ? body.value : rawBody;
    switch (fault.kind) {
      case "reset":
        req.socket.destroy();
        return;
      case "timeout":
        // Hold the answer: the client's own timeout must fire. Either drop the
        // socket after `ms`, or leave it until close().
        if (fault.ms !== undefined) {
          await sleep(fault.ms);
          req.socket.destroy();
        }
        return;
      default:
        send(res, entry, faultReply(fault, route, requestBody));
    }
  }

  async function deliverWebhook(stored: StoredOrder): Promise<WebhookDelivery | null> {
    const order = stored.order;
    if (!order.webhook_url) return null;
    const body: WebhookBody = {
      id: order.id,
      status: order.status,
      ship_status: order.ship_status,
      custom_data: order.custom_data,
      updated_at: order.updated_at,
    };
    const delivery: WebhookDelivery = {
      orderId: order.id,
      url: order.webhook_url,
      body,
      httpStatus: null,
      error: null,
      at: nowIso(),
    };
    try {
      const response = await fetch(order.webhook_url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(webhookTimeoutMs),
      });
      delivery.httpStatus = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    webhookDeliveries.push(delivery);
    return delivery;
  }

  const control = {
    configureFaults(config: RandomFaultConfig | null): void {
      plan.configureRandom(config);
    },
    scriptFault(rule: FaultRule): string {
      return plan.addRule(rule);
    },
    scriptedFaults(): ScriptedRuleState[] {
      return plan.listRules();
    },
    clearScriptedFaults(): void {
      plan.clearRules();
    },
    configure(next: SimulatorSettings): void {
      if (next.omitOrderIdInCreateResponse !== undefined) {
        settings.omitOrderIdInCreateResponse = next.omitOrderIdInCreateResponse;
      }
      if (next.latencyMs !== undefined) settings.latencyMs = next.latencyMs;
    },
    setStock(variantId: number, inventoryCount: number, storeKey?: string): void {
      let found = false;
      for (const store of storesFor(storeKey)) {
        const hit = findVariant(store, variantId);
        if (hit) {
          hit.variant.inventory_count = inventoryCount;
          found = true;
        }
      }
      if (!found) throw new SimulatorControlError(`no variant ${variantId}`);
    },
    setProductInactive(productId: number, inactive: boolean, storeKey?: string): void {
      let found = false;
      for (const store of storesFor(storeKey)) {
        const product = store.products.find((candidate) => candidate.id === productId);
        if (product) {
          product.inactive = inactive;
          found = true;
        }
      }
      if (!found) throw new SimulatorControlError(`no product ${productId}`);
    },
    async setOrderStatus(
      orderId: number | string,
      status: string,
      shipStatus: string | null,
    ): Promise<{ order: SimOrder; delivery: WebhookDelivery | null }> {
      const id = asInteger(orderId);
      const stored = orders.find((candidate) => candidate.order.id === id);
      if (!stored) throw new SimulatorControlError(`no order ${String(orderId)}`);
      stored.order.status = status;
      stored.order.ship_status = shipStatus;
      stored.order.updated_at = nowIso();
      const delivery = await deliverWebhook(stored);
      return { order: clone(stored.order), delivery };
    },
    acceptedOrders(storeKey?: string): AcceptedOrderRecord[] {
      return clone(accepted.filter((record) => storeKey === undefined || record.storeKey === storeKey));
    },
    acceptedCount(storeKey?: string): number {
      if (storeKey === undefined) return accepted.length;
      return accepted.reduce((count, record) => count + (record.storeKey === storeKey ? 1 : 0), 0);
    },
    connectionsOpened: () => connectionsOpened,
    ordersForShopifyOrder(shopifyOrderId: string | number, storeKey?: string): AcceptedOrderRecord[] {
      return control
        .acceptedOrders(storeKey)
        .filter(
          (record) => String(record.order.custom_data?.["shopify_order_id"]) === String(shopifyOrderId),
        );
    },
    get requests(): RequestLogEntry[] {
      return clone(requests);
    },
    get webhookDeliveries(): WebhookDelivery[] {
      return clone(webhookDeliveries);
    },
    reset(): void {
      // Order ids keep counting up so an app that kept ids from before a reset
      // never mistakes a new order for an old one.
      for (const store of stores) store.products = clone(store.initialProducts);
      orders = [];
      accepted = [];
      requests = [];
      webhookDeliveries = [];
      plan.reset();
      settings.omitOrderIdInCreateResponse = options.omitOrderIdInCreateResponse ?? false;
      settings.latencyMs = options.latencyMs ?? 0;
    },
  };

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.slice("/__sim".length) || "/";
    const parsed = parseJson(await readBody(req));
    const body = parsed.ok ? parsed.value : undefined;
    const ok = (value: unknown) => send(res, null, { status: 200, body: value });
    const storeKey = url.searchParams.get("store") ?? undefined;

    if (method === "GET" && path === "/health") return ok({ ok: true, url: running.url });
    if (method === "GET" && path === "/orders") {
      const shopifyOrderId = url.searchParams.get("shopify_order_id");
      return ok({
        orders:
          shopifyOrderId === null
            ? control.acceptedOrders(storeKey)
            : control.ordersForShopifyOrder(shopifyOrderId, storeKey),
      });
    }
    if (method === "GET" && path === "/orders/count")
      return ok({ accepted: control.acceptedCount(storeKey) });
    if (method === "GET" && path === "/connections") return ok({ opened: control.connectionsOpened() });
    if (method === "GET" && path === "/requests") return ok({ requests: control.requests });
    if (method === "GET" && path === "/webhooks") return ok({ deliveries: control.webhookDeliveries });
    if (method === "GET" && path === "/faults") {
      return ok({ random: plan.randomConfig(), scripted: plan.listRules() });
    }
    if (method === "POST" && path === "/faults") {
      control.configureFaults(
        body === null || body === undefined ? null : randomFaultConfigSchema.parse(body),
      );
      return ok({ ok: true });
    }
    if (method === "POST" && path === "/script")
      return ok({ id: control.scriptFault(faultRuleSchema.parse(body)) });
    if (method === "DELETE" && path === "/script") {
      control.clearScriptedFaults();
      return ok({ ok: true });
    }
    if (method === "POST" && path === "/options") {
      control.configure(
        z
          .strictObject({
            omitOrderIdInCreateResponse: z.boolean(),
            latencyMs: z.number().int().nonnegative(),
          })
          .partial()
          .parse(body),
      );
      return ok({ ok: true });
    }
    if (method === "POST" && path === "/stock") {
      const input = z
        .strictObject({
          variantId: z.number().int(),
          inventoryCount: z.number().int(),
          storeKey: z.string().optional(),
        })
        .parse(body);
      control.setStock(input.variantId, input.inventoryCount, input.storeKey);
      return ok({ ok: true });
    }
    const productInactive = /^\/products\/(\d+)\/inactive$/.exec(path);
    if (method === "POST" && productInactive) {
      const input = z.strictObject({ inactive: z.boolean(), storeKey: z.string().optional() }).parse(body);
      control.setProductInactive(Number(productInactive[1]), input.inactive, input.storeKey);
      return ok({ ok: true });
    }
    const orderStatus = /^\/orders\/(\d+)\/status$/.exec(path);
    if (method === "POST" && orderStatus) {
      const input = z
        .strictObject({ status: z.string().min(1), shipStatus: z.string().nullable() })
        .parse(body);
      return ok(await control.setOrderStatus(orderStatus[1] ?? "", input.status, input.shipStatus));
    }
    if (method === "POST" && path === "/reset") {
      control.reset();
      return ok({ ok: true });
    }
    send(res, null, {
      status: 404,
      body: { error: `no control endpoint ${method} ${url.pathname}` },
    });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const isControl = url.pathname === "/__sim" || url.pathname.startsWith("/__sim/");
    const work = isControl ? handleControl(req, res, url) : handleApiRequest(req, res, url);
    work.catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const status = error instanceof z.ZodError || error instanceof SimulatorControlError ? 400 : 500;
      const message =
        error instanceof z.ZodError ? error.issues : error instanceof Error ? error.message : String(error);
      send(res, null, { status, body: { error: message } });
    });
  });

  server.on("connection", () => (connectionsOpened += 1));

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  const running: RunningSimulator = {
    url: `${origin}${basePath}`,
    origin,
    controlUrl: `${origin}/__sim`,
    port,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held (timeout) answers and keep-alive sockets would otherwise keep the
      // server, and a test runner, alive.
      server.closeAllConnections();
      await done;
    },
    configureFaults: control.configureFaults,
    scriptFault: control.scriptFault,
    scriptedFaults: control.scriptedFaults,
    clearScriptedFaults: control.clearScriptedFaults,
    configure: control.configure,
    setStock: control.setStock,
    setProductInactive: control.setProductInactive,
    setOrderStatus: control.setOrderStatus,
    acceptedOrders: control.acceptedOrders,
    acceptedCount: control.acceptedCount,
    connectionsOpened: control.connectionsOpened,
    ordersForShopifyOrder: control.ordersForShopifyOrder,
    get requests() {
      return control.requests;
    },
    get webhookDeliveries() {
      return control.webhookDeliveries;
    },
    reset: control.reset,
  };
  return running;
}
