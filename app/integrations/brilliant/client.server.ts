import type { z } from "zod/v4";
import { classifyCreate, classifyRead, type Exchange } from "./classify";
import type { AttemptRecord, CreateOrderOutcome, ReadOutcome } from "./outcome";
import {
  findOrderByCustomData,
  type CustomDataCache,
  type FindOrderOptions,
  type OrderLookupKey,
  type OrderLookupResult,
} from "./find-order.server";
import {
  orderListSchema,
  orderSchema,
  storeSchema,
  type BrilliantId,
  type BrilliantOrder,
  type BrilliantOrderList,
  type BrilliantStore,
  type CreateOrderRequest,
} from "./schemas";
import { nodeHttpTransport, type BrilliantTransport } from "./http-transport.server";
import { countLookup, recordBrilliantCall, type BrilliantCall } from "../../ops/metrics.server";

// Brilliant's Storefront API over HTTP, and nothing else: no Shopify, no
// database. Each call returns a typed outcome (./outcome.ts) and never throws
// for anything Brilliant or the network can do.

export interface BrilliantClientConfig {
  /** Including the API version, e.g. https://api.brilliantmade.com/V2 */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Per call, covering connect, answer and body. Default 15 s. */
  timeoutMs?: number;
  /** Default: node:http with keep-alive (http-transport.server.ts). */
  transport?: BrilliantTransport;
}

export interface BrilliantClient {
  getStore(): Promise<ReadOutcome<BrilliantStore>>;
  /** Newest first; `per` is capped at 20 by Brilliant. */
  listOrders(params?: { page?: number; per?: number }): Promise<ReadOutcome<BrilliantOrderList>>;
  getOrder(id: BrilliantId): Promise<ReadOutcome<BrilliantOrder>>;
  createOrder(request: CreateOrderRequest): Promise<CreateOrderOutcome>;
  /** For an unknown outcome: did an earlier attempt create the order after all? */
  findOrderByCustomData(
    key: OrderLookupKey,
    options?: FindOrderOptions & { cache?: CustomDataCache },
  ): Promise<OrderLookupResult>;
}

/** Thrown at construction only: a misconfigured client is a deployment error, not an API answer. */
export class BrilliantConfigError extends Error {
  override name = "BrilliantConfigError";
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function createBrilliantClient(config: BrilliantClientConfig): BrilliantClient {
  let base: URL;
  try {
    base = new URL(config.baseUrl);
  } catch {
    throw new BrilliantConfigError(`Brilliant base URL is not a URL: "${config.baseUrl}"`);
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") {
    throw new BrilliantConfigError(`Brilliant base URL must be http(s): "${config.baseUrl}"`);
  }
  if (!config.apiKey || !config.apiSecret) {
    throw new BrilliantConfigError("Brilliant API key and secret are both required");
  }
  const baseUrl = config.baseUrl.replace(/\/+$/, "");
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport = config.transport ?? nodeHttpTransport;
  // Built once and kept in this closure only, so no outcome can ever carry it.
  const authorization = `Basic ${Buffer.from(`${config.apiKey}:${config.apiSecret}`, "utf8").toString("base64")}`;

  async function exchange(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
  ): Promise<{ exchange: Exchange; attempt: Omit<AttemptRecord, "code" | "message"> }> {
    const url = `${baseUrl}${path}`;
    const serialized = body === undefined ? undefined : JSON.stringify(body);
    const startedAt = new Date();
    const started = performance.now();
    const headers: Record<string, string> = {
      Authorization: authorization,
      Accept: "application/json",
    };
    if (serialized !== undefined) headers["Content-Type"] = "application/json";

    let status: number | null = null;
    let result: Exchange;
    try {
      // Never follows a redirect: a redirected POST would be replayed as a GET; better to see the 3xx.
      const answer = await transport({ method, url, headers, body: serialized, timeoutMs });
      status = answer.status;
      result = { type: "response", status, retryAfter: answer.retryAfter, text: answer.text };
    } catch (error) {
      result = { type: "error", error, status };
    }

    const sentUrl = new URL(url);
    return {
      exchange: result,
      attempt: {
        request: {
          method,
          path: `${sentUrl.pathname}${sentUrl.search}`,
          body: serialized === undefined ? null : (JSON.parse(serialized) as unknown),
        },
        httpStatus: status,
        rawBody: result.type === "response" ? result.text : null,
        durationMs: Math.round(performance.now() - started),
        startedAt: startedAt.toISOString(),
      },
    };
  }

  async function read<T>(
    call: BrilliantCall,
    path: string,
    schema: z.ZodType<T, unknown>,
    notFoundOn404 = false,
  ): Promise<ReadOutcome<T>> {
    const { exchange: answer, attempt } = await exchange("GET", path);
    const { verdict, code, message } = classifyRead(answer, schema, { notFoundOn404 });
    return recordBrilliantCall(call, { ...verdict, ...attempt, code, message });
  }

  const client: BrilliantClient = {
    getStore: () => read("get_store", "/store", storeSchema),
    listOrders: (params = {}) => {
      const query = new URLSearchParams();
      if (params.page !== undefined) query.set("page", String(params.page));
      if (params.per !== undefined) query.set("per", String(params.per));
      const search = query.toString();
      return read("list_orders", `/store/orders${search ? `?${search}` : ""}`, orderListSchema);
    },
    getOrder: (id) => read("get_order", `/store/order/${encodeURIComponent(String(id))}`, orderSchema, true),
    async createOrder(request) {
      const { exchange: answer, attempt } = await exchange("POST", "/store/order", request);
      const { verdict, code, message } = classifyCreate(answer);
      return recordBrilliantCall("create_order", { ...verdict, ...attempt, code, message });
    },
    findOrderByCustomData: async (key, options) =>
      countLookup(await findOrderByCustomData(client, key, options)),
  };
  return client;
}
