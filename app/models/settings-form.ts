import { z } from "zod/v4";

import { MAX_RECONCILE_DAYS } from "../orders/reconciliation";
import { SUBDIVISION_FALLBACKS } from "../orders/subdivision-fallback";
import type { ShopSettingsInput } from "./shop.server";

// What the settings page posts, and how each field is checked before anything is saved.

export type SettingsFieldErrors = Partial<Record<string, string>>;

export const SettingsIntentSchema = z.enum(["save", "test", "sync_catalog", "reconcile"]);

/** Typed credentials for "Test connection": empty ones fall back to the saved ones. */
export const TestConnectionSchema = z
  .object({ brilliantApiKey: z.string().optional(), brilliantApiSecret: z.string().optional() })
  .transform((form) => ({ apiKey: form.brilliantApiKey, apiSecret: form.brilliantApiSecret }));

const tagList = z
  .string()
  .max(2000, "Keep the list under 2,000 characters.")
  .transform((text) => text.split(","))
  .pipe(z.array(z.string().trim().max(40, "A tag is at most 40 characters.")));

const wholeNumber = (label: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter ${label}.`)
    .regex(/^\d+$/, `Enter ${label} as a whole number.`)
    .transform(Number);

const onOff = z
  .enum(["true", "false"], { error: "Choose on or off." })
  .transform((value) => value === "true")
  .optional();

const SettingsFormSchema = z.object({
  brilliantApiKey: z.string().trim().max(200, "That is too long for an API key.").optional(),
  brilliantApiSecret: z.string().trim().max(200, "That is too long for an API secret.").optional(),
  forwardingMode: z.enum(["automatic", "review"], { error: "Choose automatic or review-first forwarding." }),
  forwardingDelay: wholeNumber("a delay"),
  forwardingDelayUnit: z.enum(["seconds", "minutes"], { error: "Choose seconds or minutes." }),
  holdTags: tagList,
  skipTags: tagList,
  lowStockThreshold: wholeNumber("a threshold").pipe(
    z.number().max(10_000, "The low-stock threshold is 0 to 10,000."),
  ),
  // Optional so that a page without these fields leaves the saved values alone.
  fulfillmentWriteBack: onOff,
  forwardTestOrders: onOff,
  forwardPaymentTerms: onOff,
  subdivisionFallback: z
    .enum(SUBDIVISION_FALLBACKS, { error: "Choose to hold these orders or to send the country code." })
    .optional(),
  reconcileDays: wholeNumber("a number of days")
    .pipe(
      z
        .number()
        .min(1, `Reconcile 1 to ${MAX_RECONCILE_DAYS} days.`)
        .max(
          MAX_RECONCILE_DAYS,
          `Reconcile 1 to ${MAX_RECONCILE_DAYS} days (Shopify keeps 60 days of orders for apps).`,
        ),
    )
    .optional(),
  // Stock in Shopify: a location's gid, or "" for off; its name as the page listed it.
  stockSyncLocationId: z
    .string()
    .regex(/^(gid:\/\/shopify\/Location\/\d+)?$/, "Choose one of your locations, or Off.")
    .optional(),
  stockSyncLocationName: z.string().trim().max(255, "That location name is too long.").optional(),
});

/** The delay's limit depends on its unit, so it is checked even when other fields fail. */
function delayError(form: Record<string, unknown>): string | null {
  const value = Number(form.forwardingDelay);
  if (!Number.isInteger(value)) return null;
  const seconds = form.forwardingDelayUnit === "minutes" ? value * 60 : value;
  return seconds > 1440 * 60 ? "The delay is at most 1,440 minutes (24 hours)." : null;
}

function fieldErrorsOf(error: z.ZodError): SettingsFieldErrors {
  const errors: SettingsFieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    errors[field] ??= issue.message;
  }
  return errors;
}

export type SettingsFormResult =
  { ok: true; input: ShopSettingsInput } | { ok: false; fieldErrors: SettingsFieldErrors };

/** The posted settings form as updateShopSettings takes it, or the first error of each field. */
export function parseSettingsForm(form: Record<string, unknown>): SettingsFormResult {
  const parsed = SettingsFormSchema.safeParse(form);
  const tooLong = delayError(form);
  if (!parsed.success || tooLong) {
    const fieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
    if (tooLong) fieldErrors.forwardingDelay ??= tooLong;
    return { ok: false, fieldErrors };
  }
  const { forwardingDelay, forwardingDelayUnit, ...input } = parsed.data;
  return {
    ok: true,
    input: {
      ...input,
      forwardingDelaySeconds: forwardingDelayUnit === "minutes" ? forwardingDelay * 60 : forwardingDelay,
    },
  };
}
