import { z } from "zod/v4";

import type { MatchRule } from "./auto-match";
import type { CsvReport, RowStatus } from "./mapping-csv.server";
import { MAPPING_FILTERS, REVIEW_GROUPS, type ReviewGroup } from "./mapping-page-options";

// The query parameters and forms of the mapping pages, checked before any model call.

const shopifyId = z.string().regex(/^\d+$/);

// ---------------------------------------------------------------------------
// The mapping list

/** Stands for a cursor the page never makes, so that listMappingPage refuses it like any forged one. */
const INVALID_CURSOR = "invalid";

// A parameter the page never makes falls back (the first page, no notice) instead of failing the page.
const ListQuerySchema = z.object({
  q: z.string().trim().max(200).optional().default("").catch(""),
  filter: z.enum(MAPPING_FILTERS).catch("all"),
  cursor: z.string().max(2000).optional().catch(INVALID_CURSOR),
  before: z.string().max(2000).optional().catch(INVALID_CURSOR),
  released: z.coerce.number().int().nonnegative().optional().catch(undefined),
  mapped: z.string().max(40).optional().catch(undefined),
});

export function parseMappingListQuery(url: string) {
  return ListQuerySchema.parse(Object.fromEntries(new URL(url).searchParams));
}

/** Variants ticked on one page of the list (250 at most). */
const pageOfVariantIds = z.array(shopifyId).min(1).max(250);

export const MappingListActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("unmap"), shopifyVariantId: shopifyId }),
  z.object({ intent: z.literal("sync_shopify") }),
  z.object({ intent: z.literal("sync_catalog") }),
  z.object({ intent: z.literal("not_shipped"), shopifyVariantIds: pageOfVariantIds }),
  z.object({ intent: z.literal("ship_with_brilliant"), shopifyVariantIds: pageOfVariantIds }),
]);

/** A posted list action; the ones for several variants repeat `shopifyVariantId`. */
export function parseMappingListAction(form: FormData) {
  return MappingListActionSchema.safeParse({
    ...Object.fromEntries(form),
    shopifyVariantIds: form.getAll("shopifyVariantId"),
  });
}

// ---------------------------------------------------------------------------
// Mapping one variant

export const VariantParamsSchema = z.object({ shopifyVariantId: shopifyId });

export const MapVariantSchema = z.object({
  brilliantVariantId: z.string().trim().min(1, "Choose a Brilliant variant.").max(40),
});

/** The variant page's other actions; a post without an intent maps (MapVariantSchema). */
export const VariantIntentSchema = z.enum(["map", "not_shipped", "ship_with_brilliant"]).catch("map");

/** The picker's search; an unusable one searches for nothing. */
export function parsePickerSearch(url: string): string {
  return z
    .string()
    .trim()
    .max(200)
    .catch("")
    .parse(new URL(url).searchParams.get("q") ?? "");
}

// ---------------------------------------------------------------------------
// Auto-match

export type FieldErrors = Record<string, string>;

const RuleSchema = z
  .object({
    rule: z.enum(["sku_equals_id", "sku_prefix", "sku_suffix", "barcode_equals_id"], {
      error: "Choose a rule.",
    }),
    value: z.string().trim().max(60, "At most 60 characters.").optional().default(""),
  })
  .check((context) => {
    const input = context.value;
    if ((input.rule === "sku_prefix" || input.rule === "sku_suffix") && !input.value) {
      context.issues.push({
        code: "custom",
        input,
        path: ["value"],
        message: input.rule === "sku_prefix" ? "Enter the prefix." : "Enter the suffix.",
      });
    }
  })
  .transform((input): MatchRule => {
    switch (input.rule) {
      case "sku_prefix":
        return { kind: "sku_prefix", prefix: input.value };
      case "sku_suffix":
        return { kind: "sku_suffix", suffix: input.value };
      default:
        return { kind: input.rule };
    }
  });

const SelectionSchema = z.object({
  accept: z.array(shopifyId).max(250_000),
  group: z.array(z.enum(REVIEW_GROUPS)),
});

export function parseAutoMatchRule(input: {
  rule: unknown;
  value: unknown;
}): { ok: true; rule: MatchRule } | { ok: false; errors: FieldErrors } {
  const parsed = RuleSchema.safeParse(input);
  if (parsed.success) return { ok: true, rule: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? "rule")] ??= issue.message;
  return { ok: false, errors };
}

/** The posted review: its rule, and the proposals and whole groups ticked (at least one). */
export function parseAutoMatchSelection(
  form: FormData,
):
  | { ok: true; rule: MatchRule; accepted: { shopifyVariantIds: string[]; wholeGroups: ReviewGroup[] } }
  | { ok: false; errors: FieldErrors } {
  const rule = parseAutoMatchRule({ rule: form.get("rule"), value: form.get("value") ?? "" });
  if (!rule.ok) return rule;
  const selection = SelectionSchema.safeParse({ accept: form.getAll("accept"), group: form.getAll("group") });
  if (!selection.success) return { ok: false, errors: { accept: "The selection is not valid." } };
  const { accept, group } = selection.data;
  if (accept.length === 0 && group.length === 0) {
    return { ok: false, errors: { accept: "Tick at least one proposal." } };
  }
  return { ok: true, rule: rule.rule, accepted: { shopifyVariantIds: accept, wholeGroups: group } };
}

// ---------------------------------------------------------------------------
// CSV import

const MAX_CSV_CHARS = 20_000_000;
const ROWS_SHOWN = 500;

const ImportSchema = z.object({
  intent: z.enum(["preview", "apply"]),
  csv: z
    .string()
    .min(1, "Choose a CSV file first.")
    .max(MAX_CSV_CHARS, "The file is too large: split it into files under 20 MB."),
});

/** The posted import step, with the CSV's text from the uploaded file or the form. */
export async function parseMappingImport(
  form: FormData,
): Promise<{ ok: true; intent: "preview" | "apply"; csv: string } | { ok: false; error: string }> {
  const file = form.get("file");
  const csv = file instanceof File ? await file.text() : form.get("csv");
  const parsed = ImportSchema.safeParse({ intent: form.get("intent"), csv });
  if (!parsed.success)
    return { ok: false, error: parsed.error.issues[0]?.message ?? "Choose a CSV file first." };
  return { ok: true, ...parsed.data };
}

/** What the import page shows of a report: counts, and the rows worth reading (errors first). */
export function csvReportView(report: CsvReport) {
  const order: RowStatus[] = ["error", "new", "change", "skipped", "unchanged"];
  const rows = order
    .flatMap((status) => report.rows.filter((row) => row.status === status))
    .slice(0, ROWS_SHOWN);
  return { fileError: report.fileError, counts: report.counts, rows, totalRows: report.rows.length };
}
