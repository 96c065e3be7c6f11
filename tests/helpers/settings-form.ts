// The Settings page's form as the page posts it, and a save through its action.
import { action as settingsAction } from "../../app/routes/app.settings";
import { adminRequest, callRoute } from "./admin-session";

/** Every field the page sends, as a merchant who changed nothing would; `overrides` on top. */
export function settingsForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    intent: "save",
    brilliantApiKey: "",
    brilliantApiSecret: "",
    forwardingMode: "automatic",
    forwardingDelay: "0",
    forwardingDelayUnit: "seconds",
    holdTags: "",
    skipTags: "",
    lowStockThreshold: "5",
    ...overrides,
  };
}

/** Posts the Settings form for `shop`, as a staff member, and returns the action's answer. */
export async function saveSettings(shop: string, overrides: Record<string, string> = {}): Promise<Response> {
  return callRoute(
    settingsAction,
    await adminRequest("https://brilliant-sync.test/app/settings", {
      shop,
      method: "POST",
      body: settingsForm(overrides),
    }),
  );
}
