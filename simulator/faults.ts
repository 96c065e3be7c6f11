import { z } from "zod/v4";

// What can go wrong between the app and Brilliant, as data: the simulator's
// server turns a chosen FaultSpec into bytes (or silence) on the wire.

export const ENDPOINTS = [
  "GET /store",
  "GET /store/orders",
  "GET /store/order/:id",
  "POST /store/order",
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

/** Faults that random injection can pick from (by name). */
export const NAMED_FAULT_KINDS = [
  "latency",
  "timeout",
  "reset",
  "http429",
  "http500",
  "http500_json",
  "http503",
  "code1500",
  "code3501",
  "code3502",
  "code3503",
  "non_json",
] as const;
export type NamedFaultKind = (typeof NAMED_FAULT_KINDS)[number];

/** `code` answers with any body code (e.g. an undocumented one); `raw` with any bytes. */
export const FAULT_KINDS = [...NAMED_FAULT_KINDS, "code", "raw"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

// Faults that can plausibly happen after Brilliant inserted the order: the
// insert committed, then the answer got lost or turned into an error. 3501,
// 429 and 503 by definition come before any insert, so they cannot.
const CAN_FOLLOW_CREATION: ReadonlySet<FaultKind> = new Set<FaultKind>([
  "timeout",
  "reset",
  "http500",
  "http500_json",
  "code1500",
  "code3502",
  "code3503",
  "non_json",
  "code",
  "raw",
]);

export function canFollowCreation(spec: { kind: FaultKind; code?: number }): boolean {
  if (spec.kind === "code" && spec.code === 3501) return false;
  return CAN_FOLLOW_CREATION.has(spec.kind);
}

export const faultSpecSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS),
    /**
     * POST /store/order only: insert the order first (if it validates), then
     * answer with the fault. The case the app must survive without duplicating.
     */
    created: z.boolean().optional(),
    /** latency: delay before a normal answer; timeout: hold time before the socket is dropped (default: until close). */
    ms: z.number().int().nonnegative().optional(),
    /** http429/http503: Retry-After seconds; null sends no header. */
    retryAfterSeconds: z.number().int().nonnegative().nullable().optional(),
    /** code: the body code to answer with. */
    code: z.number().int().optional(),
    /** Overrides the HTTP status of code*, code, non_json; required for raw. */
    httpStatus: z.number().int().min(100).max(599).optional(),
    message: z.string().optional(),
    /** raw: the response body, sent as is. */
    body: z.string().optional(),
    contentType: z.string().optional(),
  })
  .check((ctx) => {
    const spec = ctx.value;
    const problem = (message: string) => ctx.issues.push({ code: "custom", input: spec, message });
    if (spec.kind === "code" && spec.code === undefined) problem("fault kind 'code' needs a code");
    if (spec.kind === "raw" && (spec.httpStatus === undefined || spec.body === undefined)) {
      problem("fault kind 'raw' needs httpStatus and body");
    }
    if (spec.created && !canFollowCreation(spec)) {
      problem(`fault kind '${spec.kind}' cannot follow an inserted order`);
    }
  });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export const faultRuleSchema = z.strictObject({
  /** Every given field must match; an empty or missing match fires on any API request. */
  match: z
    .strictObject({
      method: z.string(),
      /** Path below the base path, without query: "/store/order", "/store/order/50001". */
      path: z.string(),
      pathPrefix: z.string(),
      endpoint: z.enum(ENDPOINTS),
      storeKey: z.string(),
      shopifyOrderId: z.union([z.string(), z.number()]),
      shopifyOrderName: z.string(),
    })
    .partial()
    .optional(),
  fault: faultSpecSchema,
  /** How many matching requests it fires on (default 1). */
  times: z.union([z.number().int().positive(), z.literal("always")]).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const randomFaultConfigSchema = z.strictObject({
  /** Probability (0..1) that an API request gets a fault. */
  rate: z.number().min(0).max(1),
  seed: z.number().int().optional(),
  kinds: z.array(z.enum(NAMED_FAULT_KINDS)).nonempty().optional(),
  endpoints: z.array(z.enum(ENDPOINTS)).nonempty().optional(),
  /** Probability that a fault on POST /store/order that can follow an insert does (default 0.5). */
  createdRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  holdMs: z.number().int().nonnegative().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
export type RandomFaultConfig = z.infer<typeof randomFaultConfigSchema>;

/** What a request looks like to the fault plan. */
export interface RequestFacts {
  method: string;
  path: string;
  endpoint: Endpoint;
  storeKey: string;
  customData: Record<string, unknown> | null;
}

export interface ScriptedRuleState {
  id: string;
  rule: FaultRule;
  /** Firings left; null = always. */
  remaining: number | null;
  fired: number;
}

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private rules: ScriptedRuleState[] = [];
  private random: { config: RandomFaultConfig; next: () => number } | null = null;
  private nextRuleId = 1;

  configureRandom(config: RandomFaultConfig | null): void {
    if (config === null || config.rate === 0) {
      this.random = null;
      return;
    }
    const parsed = randomFaultConfigSchema.parse(config);
    this.random = { config: parsed, next: seededRandom(parsed.seed ?? 1) };
  }

  randomConfig(): RandomFaultConfig | null {
    return this.random?.config ?? null;
  }

  addRule(rule: FaultRule): string {
    const parsed = faultRuleSchema.parse(rule);
    const id = `rule-${this.nextRuleId++}`;
    const times = parsed.times ?? 1;
    this.rules.push({ id, rule: parsed, remaining: times === "always" ? null : times, fired: 0 });
    return id;
  }

  listRules(): ScriptedRuleState[] {
    return this.rules.map((state) => ({ ...state }));
  }

  clearRules(): void {
    this.rules = [];
  }

  reset(): void {
    this.rules = [];
    this.random = null;
  }

  /** Scripted rules first (in the order added), then random injection. */
  decide(facts: RequestFacts): FaultSpec | null {
    const scripted = this.rules.find((state) => ruleMatches(state.rule, facts));
    if (scripted) {
      scripted.fired += 1;
      if (scripted.remaining !== null) {
        scripted.remaining -= 1;
        if (scripted.remaining === 0) this.rules = this.rules.filter((state) => state !== scripted);
      }
      return scripted.rule.fault;
    }
    return this.drawRandom(facts);
  }

  private drawRandom(facts: RequestFacts): FaultSpec | null {
    if (!this.random) return null;
    const { config, next } = this.random;
    if (config.endpoints && !config.endpoints.includes(facts.endpoint)) return null;
    if (next() >= config.rate) return null;
    const kinds = config.kinds ?? NAMED_FAULT_KINDS;
    const kind = kinds[Math.floor(next() * kinds.length)] ?? "code1500";
    const spec: FaultSpec = { kind };
    if (kind === "latency") spec.ms = config.latencyMs ?? 1500;
    if (kind === "timeout" && config.holdMs !== undefined) spec.ms = config.holdMs;
    if (kind === "http429" || kind === "http503") spec.retryAfterSeconds = config.retryAfterSeconds ?? 2;
    if (facts.endpoint === "POST /store/order" && canFollowCreation(spec)) {
      spec.created = next() < (config.createdRate ?? 0.5);
    }
    return spec;
  }
}

function ruleMatches(rule: FaultRule, facts: RequestFacts): boolean {
  const match = rule.match;
  if (!match) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== facts.method) return false;
  if (match.path !== undefined && match.path !== facts.path) return false;
  if (match.pathPrefix !== undefined && !facts.path.startsWith(match.pathPrefix)) return false;
  if (match.endpoint !== undefined && match.endpoint !== facts.endpoint) return false;
  if (match.storeKey !== undefined && match.storeKey !== facts.storeKey) return false;
  if (match.shopifyOrderId !== undefined) {
    const actual = facts.customData?.["shopify_order_id"];
    if (actual === undefined || actual === null || String(actual) !== String(match.shopifyOrderId))
      return false;
  }
  if (
    match.shopifyOrderName !== undefined &&
    facts.customData?.["shopify_order_name"] !== match.shopifyOrderName
  ) {
    return false;
  }
  return true;
}
