import { useEffect, useRef, useState } from "react";

import type { SettingsView } from "../../models/shop.server";
import type { SettingsFieldErrors } from "../../models/settings-form";

/** The settings form as posted: one string per field name. */
export type SettingsFormValues = {
  brilliantApiKey: string;
  brilliantApiSecret: string;
  forwardingMode: string;
  forwardingDelay: string;
  forwardingDelayUnit: string;
  holdTags: string;
  skipTags: string;
  lowStockThreshold: string;
  fulfillmentWriteBack: string;
  forwardTestOrders: string;
  forwardPaymentTerms: string;
  reconcileDays: string;
  stockSyncLocationId: string;
  stockSyncLocationName: string;
  subdivisionFallback: string;
};
type Field = keyof SettingsFormValues;
type ToggleField = "fulfillmentWriteBack" | "forwardTestOrders" | "forwardPaymentTerms";

/** A whole number of minutes shows in minutes, anything else in seconds. */
function delayFields(seconds: number): { value: string; unit: "seconds" | "minutes" } {
  return seconds > 0 && seconds % 60 === 0
    ? { value: String(seconds / 60), unit: "minutes" }
    : { value: String(seconds), unit: "seconds" };
}

function formValues(settings: SettingsView): SettingsFormValues {
  const delay = delayFields(settings.forwardingDelaySeconds);
  return {
    brilliantApiKey: "",
    brilliantApiSecret: "",
    forwardingMode: settings.forwardingMode,
    forwardingDelay: delay.value,
    forwardingDelayUnit: delay.unit,
    holdTags: settings.holdTags.join(", "),
    skipTags: settings.skipTags.join(", "),
    lowStockThreshold: String(settings.lowStockThreshold),
    fulfillmentWriteBack: String(settings.fulfillmentWriteBack),
    forwardTestOrders: String(settings.forwardTestOrders),
    forwardPaymentTerms: String(settings.forwardPaymentTerms),
    reconcileDays: String(settings.reconcileDays),
    stockSyncLocationId: settings.stockSyncLocationId ?? "",
    stockSyncLocationName: settings.stockSyncLocationName ?? "",
    subdivisionFallback: settings.subdivisionFallback,
  };
}

/**
 * The settings form's state, and the props that tie a Polaris field to one of
 * its values and to the error the last save gave it.
 */
export function useSettingsForm(
  settings: SettingsView,
  saveAnswer: { ok: boolean; fieldErrors: SettingsFieldErrors } | null,
  /** No submission under way: the page's data is what was just saved. */
  idle: boolean,
) {
  const [values, setValues] = useState(() => formValues(settings));
  const errors: SettingsFieldErrors = saveAnswer?.fieldErrors ?? {};
  const set = (name: Field) => (value: string) => setValues((current) => ({ ...current, [name]: value }));

  // After a successful save the form shows what was saved (tags tidied, the
  // delay in its unit), and the typed credentials are gone from the page too.
  // Once per save, and only once the page's data is reloaded (the action's
  // answer comes first): a later reload leaves new edits alone.
  const applied = useRef<unknown>(null);
  useEffect(() => {
    if (!idle || !saveAnswer?.ok || applied.current === saveAnswer) return;
    applied.current = saveAnswer;
    setValues(formValues(settings));
  }, [idle, saveAnswer, settings]);

  const saved = formValues(settings);
  const dirty = (Object.keys(saved) as Field[]).some((name) => values[name] !== saved[name]);

  const field = (name: Field) => ({ name, value: values[name], onChange: set(name), error: errors[name] });
  return {
    values,
    errors,
    /** Something differs from what is saved: the save bar shows, and leaving asks first. */
    dirty,
    discard: () => setValues(formValues(settings)),
    set,
    field,
    /** For a TextField: its value, and no browser autofill. */
    text: (name: Field) => ({ ...field(name), autoComplete: "off" }),
    /** For a Checkbox, which posts "true" or "false" and carries no name. */
    toggle: (name: ToggleField) => ({
      checked: values[name] === "true",
      onChange: (on: boolean) => set(name)(String(on)),
      error: errors[name],
    }),
  };
}

export type SettingsForm = ReturnType<typeof useSettingsForm>;
