import { z } from "zod/v4";
import type { ActionSummary } from "./actions.server";
import { LINE_INTENTS, type LineIntent } from "./line-changes";
import { countryName, subdivisionProblem } from "./address-regions";

/**
 * What the order page accepts: the order id from the URL, the intent of each
 * button and the shipping-address fix, with the result each intent reports.
 */
export const OrderIdSchema = z.string().min(1).max(64);

const trimmed = (max: number) => z.string().trim().max(max, `Use at most ${max} characters`);

// Country and province are checked against ISO 3166 (address-regions.ts), not only their shape.
export const AddressSchema = z
  .object({
    name: trimmed(100).min(1, "Enter the recipient's name"),
    address1: trimmed(200).min(1, "Enter the street address"),
    address2: trimmed(200).optional(),
    city: trimmed(100).min(1, "Enter the city"),
    provinceCode: trimmed(40).default(""),
    zip: trimmed(20).min(1, "Enter the postal code"),
    countryCode: z
      .string()
      .trim()
      .toUpperCase()
      .refine((code) => countryName(code) !== null, "Choose the country"),
    phone: trimmed(40).optional(),
  })
  .superRefine((address, context) => {
    const problem = subdivisionProblem(address.countryCode, address.provinceCode);
    if (problem) context.addIssue({ code: "custom", path: ["provinceCode"], message: problem });
  });

export const ADDRESS_FIELDS = [
  "name",
  "address1",
  "address2",
  "city",
  "provinceCode",
  "zip",
  "countryCode",
  "phone",
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type AddressValues = Record<AddressField, string>;
export type AddressFieldErrors = Partial<Record<AddressField, string[]>>;

export type AddressFormResult =
  | { success: true; data: z.infer<typeof AddressSchema> }
  | { success: false; fieldErrors: AddressFieldErrors };

/** The address fields of a posted form, checked; the errors are keyed by field name. */
export function parseAddressForm(form: FormData): AddressFormResult {
  const values = Object.fromEntries(
    ADDRESS_FIELDS.map((field) => [field, (form.get(field) as string | null) ?? undefined]),
  );
  const parsed = AddressSchema.safeParse(values);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, fieldErrors: z.flattenError(parsed.error).fieldErrors as AddressFieldErrors };
}

export const OrderIntentSchema = z.enum(["retry", "resubmit", "skip", "fixAddress", ...LINE_INTENTS]);
export type OrderIntent = z.infer<typeof OrderIntentSchema>;

export interface OrderActionResult {
  intent: OrderIntent;
  changed: boolean;
  message: string;
}

const DONE: Record<OrderIntent, string> = {
  retry: "Retrying now",
  resubmit: "Resubmitted: it passed the checks and is queued for Brilliant",
  skip: "Skipped: it will not be sent to Brilliant",
  fixAddress: "Address saved and resubmitted: it passed the checks and is queued for Brilliant",
  omitLine: "Line left out and resubmitted: it passed the checks and is queued for Brilliant",
  substituteLine: "Line changed and resubmitted: it passed the checks and is queued for Brilliant",
  undoLineChange: "Change undone and resubmitted: it passed the checks and is queued for Brilliant",
};

const LINE_SAVED: Record<LineIntent, string> = {
  omitLine: "Line left out",
  substituteLine: "Line changed",
  undoLineChange: "Change undone",
};

export function isLineIntent(intent: OrderIntent): intent is LineIntent {
  return (LINE_INTENTS as readonly string[]).includes(intent);
}

export function notChanged(intent: OrderIntent, why: string): OrderActionResult {
  return { intent, changed: false, message: `Not changed: ${why}` };
}

export function orderActionResult(intent: OrderIntent, summary: ActionSummary): OrderActionResult {
  const [orderId] = summary.changed;
  if (orderId === undefined) return notChanged(intent, summary.unchanged[0]?.why ?? "nothing to do");
  const verdict = summary.checked?.get(orderId);
  if (verdict && verdict.kind !== "send") {
    const what = verdict.kind === "held" ? "held again" : "skipped";
    const done =
      intent === "fixAddress"
        ? "Address saved and resubmitted"
        : isLineIntent(intent)
          ? `${LINE_SAVED[intent]} and resubmitted`
          : "Resubmitted";
    return { intent, changed: true, message: `${done}, but it will be ${what}: ${verdict.reason}` };
  }
  return { intent, changed: true, message: DONE[intent] };
}

/** A recorded line change; `resubmitted` is the resubmit of a held order, null when it was not held. */
export function lineChangeResult(intent: LineIntent, resubmitted: ActionSummary | null): OrderActionResult {
  if (!resubmitted) {
    return { intent, changed: true, message: `${LINE_SAVED[intent]}: it applies when the order is sent` };
  }
  if (resubmitted.changed.length === 0) {
    const why = resubmitted.unchanged[0]?.why ?? "nothing to do";
    return { intent, changed: true, message: `${LINE_SAVED[intent]}, but not resubmitted: ${why}` };
  }
  return orderActionResult(intent, resubmitted);
}
