import { z } from "zod/v4";
import { DayRangeSchema } from "../models/calendar-day";
import type { BulkOrderIntent, OrderListFilters } from "./order-list.server";
import { ORDER_STATE_CHOICES } from "./next-step";
import { OrderIdSchema } from "./order-page-form";

/**
 * What the orders list accepts: its filters and page cursors from the URL, and
 * the bulk actions posted for the selected orders.
 */
export const ListQuerySchema = z.object({
  state: z.enum(ORDER_STATE_CHOICES).optional(),
  code: z.coerce.number().int().min(0).max(99_999).optional(),
  // Checked as days by dateRangeErrors, so that a bad date is shown on its field.
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  query: z.string().trim().max(100).optional(),
  after: z.string().max(200).optional(),
  before: z.string().max(200).optional(),
});

/** The URL's filters and cursors, checked; an empty parameter counts as absent. */
export function parseListQuery(url: string) {
  const params = Object.fromEntries([...new URL(url).searchParams].filter(([, value]) => value !== ""));
  return ListQuerySchema.safeParse(params);
}

export interface DateErrors {
  from?: string;
  to?: string;
}

/** Why the Received dates cannot be used, on the field each concerns; null when they can. */
export function dateRangeErrors(range: { from?: string; to?: string }): DateErrors | null {
  const parsed = DayRangeSchema.safeParse({ from: range.from, to: range.to });
  if (parsed.success) return null;
  const errors: DateErrors = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] === "to" ? "to" : "from";
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The list's search with `changes` applied (undefined or "" removes a
 * parameter). The cursors are always dropped first: a new filter starts again
 * from the newest orders, and a page link sets the one it needs.
 */
export function listSearch(current: URLSearchParams, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams(current);
  next.delete("after");
  next.delete("before");
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === "") next.delete(key);
    else next.set(key, value);
  }
  return `?${next.toString()}`;
}

export const BulkActionSchema = z.object({
  intent: z.enum(["retry", "resubmit"]),
  orderIds: z.array(OrderIdSchema).min(1, "Select at least one order").max(250),
});

export function parseBulkForm(form: FormData) {
  return BulkActionSchema.safeParse({ intent: form.get("intent"), orderIds: form.getAll("orderIds") });
}

/** The list's filters alone, as a bulk job over a whole view keeps them. */
export const ListFiltersSchema = ListQuerySchema.omit({ after: true, before: true });

/** A bulk action over every order the list's filters match ("Resubmit all 431"), not a selection. */
export const BulkViewActionSchema = ListFiltersSchema.extend({
  scope: z.literal("view"),
  intent: z.enum(["retry", "resubmit"]),
});

/** Whether the form asks for the whole view (parseBulkViewForm) rather than selected orders (parseBulkForm). */
export function isBulkViewForm(form: FormData): boolean {
  return form.get("scope") === "view";
}

export function parseBulkViewForm(form: FormData) {
  const fields = Object.fromEntries(
    Object.keys(BulkViewActionSchema.shape)
      .map((key) => [key, form.get(key)] as const)
      .filter(([, value]) => value !== null && value !== ""),
  );
  return BulkViewActionSchema.safeParse(fields);
}

/** The form parseBulkViewForm reads: the intent and the view's filters. */
export function bulkViewForm(intent: BulkOrderIntent, filters: OrderListFilters): FormData {
  const form = new FormData();
  form.set("scope", "view");
  form.set("intent", intent);
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) form.set(key, String(value));
  return form;
}

/** The form parseBulkForm reads, for the selected orders. */
export function bulkForm(intent: BulkOrderIntent, orderIds: string[]): FormData {
  const form = new FormData();
  form.set("intent", intent);
  for (const id of orderIds) form.append("orderIds", id);
  return form;
}
