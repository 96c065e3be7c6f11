/**
 * The orders and fulfillment side of the Admin GraphQL stand-in
 * (`admin-graphql.ts`): a shop's orders, their fulfillment orders and the
 * fulfillments created on them, with the state Shopify keeps. A fulfillment
 * order that was fulfilled is closed and cannot be fulfilled again; one on hold
 * cannot be fulfilled until released; `fulfillmentCreate` answers what it
 * cannot do with `userErrors`, as Shopify does.
 *
 * Operations (matched by name, like the products ones):
 * - `ReconcilePaidOrders`: `orders(first, after, query)` with Shopify's search
 *   syntax as far as the app uses it (`financial_status:<status>`,
 *   `created_at:>=<date>`, `status:<open|closed|cancelled>`), listed by id, and
 *   each order's first `$lines` line items;
 * - `ReconcileOrderLineItems`: the rest of one order's line items;
 * - `ReadShopifyOrder`: `order(id)` with its first `$lines` line items (order edits);
 * - `ReadOrderBeforeSending`: `order(id) { tags cancelledAt }` (the last look
 *   after the forwarding delay; change them mid-test with `setOrders`);
 * - `FulfillmentOrderOrder`: `fulfillmentOrder(id) { order }`;
 * - `FulfillmentOrdersOfOrder`: `order(id) { fulfillmentOrders }`;
 * - `FulfillOrderShippedByBrilliant`: `fulfillmentCreate(fulfillment)`.
 *
 * Cost model (ours; close to Shopify's, which counts requested connection
 * sizes): a connection of `first: N` whose nodes hold a connection of
 * `first: M` requests 2 + N × (3 + M) and costs 2 + Σ(3 + nodes returned); a
 * single object costs 1; a mutation costs 10.
 */

export type StandInFinancialStatus =
  | "PENDING"
  | "AUTHORIZED"
  | "PARTIALLY_PAID"
  | "PAID"
  | "PARTIALLY_REFUNDED"
  | "REFUNDED"
  | "VOIDED"
  | "EXPIRED";

export interface StandInOrderLine {
  /** Numeric id, as in gid://shopify/LineItem/<id>. */
  id: number;
  variantId: number | null;
  productId?: number | null;
  sku?: string | null;
  title: string;
  variantTitle?: string | null;
  quantity: number;
  /** After edits and removals; `quantity` when left out. */
  currentQuantity?: number;
  /** true when left out. */
  requiresShipping?: boolean;
  isGiftCard?: boolean;
  /** The customer's line item properties; none when left out. */
  customAttributes?: StandInAttribute[];
}

export interface StandInAttribute {
  key: string;
  value: string | null;
}

export interface StandInAddress {
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  provinceCode?: string | null;
  zip?: string | null;
  country?: string | null;
  countryCodeV2?: string | null;
  phone?: string | null;
}

export interface StandInOrder {
  /** Numeric id, as in gid://shopify/Order/<id>. */
  id: number;
  name: string;
  createdAt: string;
  cancelledAt?: string | null;
  displayFinancialStatus: StandInFinancialStatus;
  tags?: string[];
  /** A test payment (Bogus Gateway); false when left out. */
  test?: boolean;
  shippingAddress?: StandInAddress | null;
  lineItems: StandInOrderLine[];
  /** Where it was placed ("web", "pos", …); null when left out. */
  sourceName?: string | null;
  /** The delivery chosen at checkout; none when left out. */
  shippingLines?: StandInShippingLine[];
  /** How its fulfillment orders are delivered; SHIPPING when left out. */
  deliveryMethodType?: StandInDeliveryMethodType;
  /** The customer's order note; null when left out. */
  note?: string | null;
  /** Cart attributes; none when left out. */
  customAttributes?: StandInAttribute[];
  /** Placed with payment terms (B2B, a draft order); none when left out. */
  paymentTerms?: StandInPaymentTerms | null;
}

export interface StandInPaymentTerms {
  name: string;
  type: "FIXED" | "FULFILLMENT" | "NET" | "RECEIPT" | "UNKNOWN";
  dueInDays?: number | null;
}

export interface StandInShippingLine {
  title: string;
  code?: string | null;
  source?: string | null;
  deliveryCategory?: string | null;
}

export type StandInDeliveryMethodType = "SHIPPING" | "PICK_UP" | "LOCAL" | "RETAIL" | "NONE" | "PICKUP_POINT";

export type StandInFulfillmentOrderStatus =
  "OPEN" | "IN_PROGRESS" | "ON_HOLD" | "SCHEDULED" | "CLOSED" | "CANCELLED" | "INCOMPLETE";

export interface StandInFulfillmentOrder {
  id: number;
  orderId: number;
  status: StandInFulfillmentOrderStatus;
  locationId: number;
  locationName: string;
  deliveryMethodType: StandInDeliveryMethodType;
  lineItems: Array<{
    id: number;
    lineItemId: number;
    variantId: number | null;
    totalQuantity: number;
    remainingQuantity: number;
  }>;
}

export interface StandInFulfillment {
  id: number;
  orderId: number;
  locationId: number;
  status: "SUCCESS";
  trackingInfo: { number: string | null; url: string | null; company: string | null } | null;
  notifyCustomer: boolean;
  /** What it fulfilled: each fulfillment order line, with the order line it is of. */
  lineItems: Array<{
    fulfillmentOrderId: number;
    fulfillmentOrderLineItemId: number;
    lineItemId: number;
    quantity: number;
  }>;
  createdAt: string;
}

export interface OrdersState {
  orders: StandInOrder[];
  fulfillmentOrders: StandInFulfillmentOrder[];
  fulfillments: StandInFulfillment[];
}

export interface OperationResult {
  data?: unknown;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  requestedQueryCost: number;
  actualQueryCost: number;
}

export const STAND_IN_LOCATION = { id: 70_000_000_001, name: "Shop location" };
const FIRST_FULFILLMENT_ORDER_ID = 6_000_000_001;
const FIRST_FULFILLMENT_ID = 5_000_000_001;

export function orderGid(id: number | string): string {
  return `gid://shopify/Order/${id}`;
}

export function fulfillmentOrderGid(id: number | string): string {
  return `gid://shopify/FulfillmentOrder/${id}`;
}

let nextFulfillmentOrderId = FIRST_FULFILLMENT_ORDER_ID;
let nextFulfillmentId = FIRST_FULFILLMENT_ID;

/**
 * The shop's orders, each with the fulfillment order Shopify would assign to
 * the shop's location: every line that needs shipping (gift cards and digital
 * lines have none).
 */
export function ordersState(orders: StandInOrder[]): OrdersState {
  const copied = structuredClone(orders);
  return {
    orders: copied,
    fulfillmentOrders: copied.flatMap((order) => {
      const lines = order.lineItems.filter(
        (line) =>
          line.requiresShipping !== false && !line.isGiftCard && (line.currentQuantity ?? line.quantity) > 0,
      );
      if (lines.length === 0) return [];
      const id = nextFulfillmentOrderId++;
      return [
        {
          id,
          orderId: order.id,
          status: order.cancelledAt ? ("CLOSED" as const) : ("OPEN" as const),
          locationId: STAND_IN_LOCATION.id,
          locationName: STAND_IN_LOCATION.name,
          deliveryMethodType: order.deliveryMethodType ?? ("SHIPPING" as const),
          lineItems: lines.map((line, index) => {
            const quantity = line.currentQuantity ?? line.quantity;
            return {
              id: id * 100 + index,
              lineItemId: line.id,
              variantId: line.variantId,
              totalQuantity: quantity,
              remainingQuantity: quantity,
            };
          }),
        },
      ];
    }),
    fulfillments: [],
  };
}

/** The numeric id at the end of a GID (or a numeric id as given); null when it is not one. */
function idOf(value: unknown, type: string): number | null {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  if (typeof value !== "string") return null;
  const match = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(value);
  return match ? Number(match[1]) : null;
}

function encodeCursor(id: number): string {
  return Buffer.from(JSON.stringify({ last_id: id }), "utf8").toString("base64");
}

function decodeCursor(cursor: unknown): number | null {
  if (cursor === null || cursor === undefined) return 0;
  if (typeof cursor !== "string") return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { last_id?: unknown };
    return typeof parsed.last_id === "number" ? parsed.last_id : null;
  } catch {
    return null;
  }
}

const BAD_CURSOR = {
  message: "Invalid cursor for current pagination sort.",
  extensions: { code: "BAD_REQUEST" },
};

function firstOf(
  variables: Record<string, unknown>,
  name: string,
  query: string,
  field: string,
  fallback: number,
) {
  const fromVariables = variables[name];
  const fromQuery = new RegExp(`${field}\\s*\\(\\s*[^)]*\\bfirst\\s*:\\s*(\\d+)`).exec(query)?.[1];
  const first = typeof fromVariables === "number" ? fromVariables : fromQuery ? Number(fromQuery) : fallback;
  return Math.max(0, Math.min(250, first));
}

/** One term of Shopify's search syntax that the stand-in understands, as a test on an order. */
function searchFilter(search: string): (order: StandInOrder) => boolean {
  const tests: Array<(order: StandInOrder) => boolean> = [];
  for (const term of search.match(/\S+:(?:"[^"]*"|'[^']*'|\S+)/g) ?? []) {
    const [field, ...rest] = term.split(":");
    const raw = rest.join(":").replace(/^["']|["']$/g, "");
    if (field === "financial_status") {
      tests.push((order) => order.displayFinancialStatus.toLowerCase() === raw.toLowerCase());
    } else if (field === "created_at") {
      const match = /^(>=|<=|>|<)?(.*)$/.exec(raw)!;
      const op = match[1] ?? "=";
      const at = Date.parse(match[2]!.replace(/^["']|["']$/g, ""));
      if (Number.isNaN(at)) continue;
      tests.push((order) => {
        const created = Date.parse(order.createdAt);
        return op === ">="
          ? created >= at
          : op === ">"
            ? created > at
            : op === "<="
              ? created <= at
              : op === "<"
                ? created < at
                : created === at;
      });
    } else if (field === "status") {
      tests.push((order) =>
        raw === "cancelled" ? Boolean(order.cancelledAt) : raw === "open" ? !order.cancelledAt : true,
      );
    }
  }
  return (order) => tests.every((test) => test(order));
}

function lineNode(line: StandInOrderLine) {
  return {
    id: `gid://shopify/LineItem/${line.id}`,
    sku: line.sku ?? null,
    title: line.title,
    variantTitle: line.variantTitle ?? null,
    quantity: line.quantity,
    currentQuantity: line.currentQuantity ?? line.quantity,
    requiresShipping: line.requiresShipping !== false,
    isGiftCard: line.isGiftCard ?? false,
    variant: line.variantId === null ? null : { id: `gid://shopify/ProductVariant/${line.variantId}` },
    product: line.productId ? { id: `gid://shopify/Product/${line.productId}` } : null,
    customAttributes: line.customAttributes ?? [],
  };
}

function linePage(order: StandInOrder, first: number, afterId: number) {
  const all = [...order.lineItems].sort((a, b) => a.id - b.id).filter((line) => line.id > afterId);
  const page = all.slice(0, first);
  const last = page.at(-1);
  return {
    connection: {
      nodes: page.map(lineNode),
      pageInfo: { hasNextPage: all.length > page.length, endCursor: last ? encodeCursor(last.id) : null },
    },
    returned: page.length,
  };
}

/** An order as the orders queries answer it; `fos` are its fulfillment orders, for their delivery methods. */
function orderNode(order: StandInOrder, lines: number, fos: StandInFulfillmentOrder[] = []) {
  const { connection, returned } = linePage(order, lines, 0);
  const address = order.shippingAddress;
  return {
    node: {
      sourceName: order.sourceName ?? null,
      shippingLines: {
        nodes: (order.shippingLines ?? []).map((line) => ({
          title: line.title,
          code: line.code ?? null,
          source: line.source ?? null,
          deliveryCategory: line.deliveryCategory ?? null,
          carrierIdentifier: null,
          custom: false,
          isRemoved: false,
        })),
        pageInfo: { hasNextPage: false, endCursor: null },
      },
      fulfillmentOrders: {
        nodes: fos.map((fo) => fulfillmentOrderNode(fo, 0).node),
        pageInfo: { hasNextPage: false, endCursor: null },
      },
      id: orderGid(order.id),
      legacyResourceId: String(order.id),
      name: order.name,
      createdAt: order.createdAt,
      cancelledAt: order.cancelledAt ?? null,
      displayFinancialStatus: order.displayFinancialStatus,
      tags: order.tags ?? [],
      test: order.test ?? false,
      note: order.note ?? null,
      customAttributes: order.customAttributes ?? [],
      paymentTerms: order.paymentTerms
        ? {
            id: `gid://shopify/PaymentTerms/${order.id}`,
            paymentTermsName: order.paymentTerms.name,
            paymentTermsType: order.paymentTerms.type,
            dueInDays: order.paymentTerms.dueInDays ?? null,
            overdue: false,
          }
        : null,
      shippingAddress: address
        ? {
            name: address.name ?? null,
            firstName: address.firstName ?? null,
            lastName: address.lastName ?? null,
            company: address.company ?? null,
            address1: address.address1 ?? null,
            address2: address.address2 ?? null,
            city: address.city ?? null,
            province: address.province ?? null,
            provinceCode: address.provinceCode ?? null,
            zip: address.zip ?? null,
            country: address.country ?? null,
            countryCodeV2: address.countryCodeV2 ?? null,
            phone: address.phone ?? null,
          }
        : null,
      lineItems: connection,
    },
    returned,
  };
}

function fulfillmentOrderNode(fo: StandInFulfillmentOrder, lines: number) {
  const fulfillable = fo.status === "OPEN" || fo.status === "IN_PROGRESS";
  const page = fo.lineItems.slice(0, lines);
  return {
    node: {
      id: fulfillmentOrderGid(fo.id),
      status: fo.status,
      supportedActions: fulfillable
        ? [{ action: "CREATE_FULFILLMENT" }, { action: "HOLD" }, { action: "MOVE" }]
        : fo.status === "ON_HOLD"
          ? [{ action: "RELEASE_HOLD" }]
          : [],
      assignedLocation: {
        name: fo.locationName,
        location: { id: `gid://shopify/Location/${fo.locationId}` },
      },
      deliveryMethod: {
        id: `gid://shopify/DeliveryMethod/${fo.id}`,
        methodType: fo.deliveryMethodType,
      },
      lineItems: {
        nodes: page.map((line) => ({
          id: `gid://shopify/FulfillmentOrderLineItem/${line.id}`,
          totalQuantity: line.totalQuantity,
          remainingQuantity: line.remainingQuantity,
          lineItem: {
            id: `gid://shopify/LineItem/${line.lineItemId}`,
            variant:
              line.variantId === null ? null : { id: `gid://shopify/ProductVariant/${line.variantId}` },
          },
        })),
        pageInfo: { hasNextPage: fo.lineItems.length > page.length },
      },
    },
    returned: page.length,
  };
}

type Handler = (
  query: string,
  variables: Record<string, unknown>,
  state: OrdersState,
  requested: number,
) => OperationResult;

/** What an order operation asks the bucket for before it runs; null for an operation not played here. */
export function requestedOrderCost(
  operation: string,
  query: string,
  variables: Record<string, unknown>,
): number | null {
  /** An order's or fulfillment order's page of line items (`lines` of them), with its own 3. */
  const linesCost = () => 3 + firstOf(variables, "lines", query, "lineItems", 50);
  switch (operation) {
    case "ReconcilePaidOrders":
      return 2 + firstOf(variables, "first", query, "orders", 50) * linesCost();
    case "ReconcileOrderLineItems":
      return 3 + firstOf(variables, "first", query, "lineItems", 250);
    case "ReadShopifyOrder":
      return linesCost();
    case "ReadOrderBeforeSending":
      return 1;
    case "FulfillmentOrderOrder":
      return 2;
    case "FulfillmentOrdersOfOrder":
      return 3 + firstOf(variables, "first", query, "fulfillmentOrders", 5) * linesCost();
    case "FulfillOrderShippedByBrilliant":
      return 10;
    default:
      return null;
  }
}

export const ORDER_OPERATIONS: Record<string, Handler> = {
  ReconcilePaidOrders: (query, variables, state, requested) => {
    const first = firstOf(variables, "first", query, "orders", 50);
    const lines = firstOf(variables, "lines", query, "lineItems", 50);
    const afterId = decodeCursor(variables.cursor);
    if (afterId === null) return { errors: [BAD_CURSOR], requestedQueryCost: requested, actualQueryCost: 1 };
    const search = typeof variables.search === "string" ? variables.search : "";
    const matching = state.orders
      .filter(searchFilter(search))
      .filter((order) => order.id > afterId)
      .sort((a, b) => a.id - b.id);
    const page = matching.slice(0, first);
    const nodes = page.map((order) =>
      orderNode(
        order,
        lines,
        state.fulfillmentOrders.filter((fo) => fo.orderId === order.id),
      ),
    );
    const last = page.at(-1);
    return {
      data: {
        orders: {
          nodes: nodes.map((entry) => entry.node),
          pageInfo: {
            hasNextPage: matching.length > page.length,
            endCursor: last ? encodeCursor(last.id) : null,
          },
        },
      },
      requestedQueryCost: requested,
      actualQueryCost: 2 + nodes.reduce((sum, entry) => sum + 3 + entry.returned, 0),
    };
  },

  ReconcileOrderLineItems: (query, variables, state, requested) => {
    const first = firstOf(variables, "first", query, "lineItems", 250);
    const afterId = decodeCursor(variables.cursor);
    if (afterId === null) return { errors: [BAD_CURSOR], requestedQueryCost: requested, actualQueryCost: 1 };
    const id = idOf(variables.id, "Order");
    const order = state.orders.find((candidate) => candidate.id === id);
    if (!order) return { data: { order: null }, requestedQueryCost: requested, actualQueryCost: 1 };
    const { connection, returned } = linePage(order, first, afterId);
    return {
      data: { order: { id: orderGid(order.id), lineItems: connection } },
      requestedQueryCost: requested,
      actualQueryCost: 3 + returned,
    };
  },

  ReadShopifyOrder: (query, variables, state, requested) => {
    const id = idOf(variables.id, "Order");
    const order = state.orders.find((candidate) => candidate.id === id);
    if (!order) return { data: { order: null }, requestedQueryCost: requested, actualQueryCost: 1 };
    const { node, returned } = orderNode(
      order,
      firstOf(variables, "lines", query, "lineItems", 50),
      state.fulfillmentOrders.filter((fo) => fo.orderId === order.id),
    );
    return { data: { order: node }, requestedQueryCost: requested, actualQueryCost: 3 + returned };
  },

  ReadOrderBeforeSending: (_query, variables, state, requested) => {
    const id = idOf(variables.id, "Order");
    const order = state.orders.find((candidate) => candidate.id === id);
    // The answer holds only the fields the document selects (admin-schema.ts).
    return {
      data: { order: order ? orderNode(order, 0).node : null },
      requestedQueryCost: requested,
      actualQueryCost: 1,
    };
  },

  FulfillmentOrderOrder: (_query, variables, state, requested) => {
    const id = idOf(variables.id, "FulfillmentOrder");
    const fo = state.fulfillmentOrders.find((candidate) => candidate.id === id);
    return {
      data: {
        fulfillmentOrder: fo
          ? {
              id: fulfillmentOrderGid(fo.id),
              status: fo.status,
              order: { id: orderGid(fo.orderId), legacyResourceId: String(fo.orderId) },
            }
          : null,
      },
      requestedQueryCost: requested,
      actualQueryCost: fo ? 2 : 1,
    };
  },

  FulfillmentOrdersOfOrder: (query, variables, state, requested) => {
    const first = firstOf(variables, "first", query, "fulfillmentOrders", 5);
    const lines = firstOf(variables, "lines", query, "lineItems", 50);
    const id = idOf(variables.id, "Order");
    const order = state.orders.find((candidate) => candidate.id === id);
    if (!order) return { data: { order: null }, requestedQueryCost: requested, actualQueryCost: 1 };
    const fos = state.fulfillmentOrders.filter((fo) => fo.orderId === order.id).slice(0, first);
    const nodes = fos.map((fo) => fulfillmentOrderNode(fo, lines));
    return {
      data: {
        order: {
          id: orderGid(order.id),
          fulfillmentOrders: {
            nodes: nodes.map((entry) => entry.node),
            pageInfo: {
              hasNextPage:
                state.fulfillmentOrders.filter((fo) => fo.orderId === order.id).length > fos.length,
            },
          },
        },
      },
      requestedQueryCost: requested,
      actualQueryCost: 3 + nodes.reduce((sum, entry) => sum + 3 + entry.returned, 0),
    };
  },

  FulfillOrderShippedByBrilliant: (_query, variables, state, requested) => {
    const cost = { requestedQueryCost: requested, actualQueryCost: requested };
    const fail = (message: string, field: string[] = ["fulfillment"]) => ({
      data: { fulfillmentCreate: { fulfillment: null, userErrors: [{ field, message }] } },
      ...cost,
    });
    const input = (variables.fulfillment ?? {}) as {
      lineItemsByFulfillmentOrder?: Array<{
        fulfillmentOrderId?: unknown;
        fulfillmentOrderLineItems?: Array<{ id?: unknown; quantity?: unknown }> | null;
      }>;
      notifyCustomer?: unknown;
      trackingInfo?: { number?: unknown; url?: unknown; company?: unknown } | null;
    };
    const groups = input.lineItemsByFulfillmentOrder ?? [];
    if (groups.length === 0)
      return fail("Line items by fulfillment order can't be blank.", [
        "fulfillment",
        "lineItemsByFulfillmentOrder",
      ]);

    const planned: Array<{ fo: StandInFulfillmentOrder; take: Map<number, number> }> = [];
    for (const group of groups) {
      const foId = idOf(group.fulfillmentOrderId, "FulfillmentOrder");
      const fo = state.fulfillmentOrders.find((candidate) => candidate.id === foId);
      if (!fo)
        return fail("Fulfillment order does not exist.", ["fulfillment", "lineItemsByFulfillmentOrder"]);
      if (fo.status !== "OPEN" && fo.status !== "IN_PROGRESS") {
        return fail(`Fulfillment order ${fo.id} has an unfulfillable status= ${fo.status.toLowerCase()}.`);
      }
      const take = new Map<number, number>();
      const requestedLines = group.fulfillmentOrderLineItems ?? [];
      if (requestedLines.length === 0) {
        for (const line of fo.lineItems)
          if (line.remainingQuantity > 0) take.set(line.id, line.remainingQuantity);
      }
      for (const requestedLine of requestedLines) {
        const lineId = idOf(requestedLine.id, "FulfillmentOrderLineItem");
        const line = fo.lineItems.find((candidate) => candidate.id === lineId);
        const quantity = requestedLine.quantity;
        if (!line) return fail("Fulfillment order line item does not exist.");
        if (
          typeof quantity !== "number" ||
          !Number.isInteger(quantity) ||
          quantity <= 0 ||
          quantity > line.remainingQuantity
        ) {
          return fail("Invalid fulfillment order line item quantity requested.");
        }
        take.set(line.id, (take.get(line.id) ?? 0) + quantity);
      }
      planned.push({ fo, take });
    }
    const orderIds = new Set(planned.map(({ fo }) => fo.orderId));
    const locations = new Set(planned.map(({ fo }) => fo.locationId));
    if (orderIds.size > 1) return fail("All fulfillment orders must belong to the same order.");
    if (locations.size > 1) return fail("All fulfillment orders must be assigned to the same location.");

    const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : null);
    const tracking = input.trackingInfo
      ? {
          number: text(input.trackingInfo.number),
          url: text(input.trackingInfo.url),
          company: text(input.trackingInfo.company),
        }
      : null;
    const fulfillment: StandInFulfillment = {
      id: nextFulfillmentId++,
      orderId: [...orderIds][0]!,
      locationId: [...locations][0]!,
      status: "SUCCESS",
      trackingInfo: tracking,
      notifyCustomer: input.notifyCustomer === true,
      lineItems: [],
      createdAt: new Date().toISOString(),
    };
    for (const { fo, take } of planned) {
      for (const line of fo.lineItems) {
        const quantity = take.get(line.id) ?? 0;
        if (quantity === 0) continue;
        line.remainingQuantity -= quantity;
        fulfillment.lineItems.push({
          fulfillmentOrderId: fo.id,
          fulfillmentOrderLineItemId: line.id,
          lineItemId: line.lineItemId,
          quantity,
        });
      }
      fo.status = fo.lineItems.every((line) => line.remainingQuantity === 0) ? "CLOSED" : "IN_PROGRESS";
    }
    state.fulfillments.push(fulfillment);
    return {
      data: {
        fulfillmentCreate: {
          fulfillment: {
            id: `gid://shopify/Fulfillment/${fulfillment.id}`,
            status: fulfillment.status,
            trackingInfo: tracking ? [tracking] : [],
          },
          userErrors: [],
        },
      },
      ...cost,
    };
  },
};
