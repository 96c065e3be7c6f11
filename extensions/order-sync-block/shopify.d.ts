// Types for the global `shopify` object the admin gives this extension's
// module, in the shape Shopify CLI generates for each target's module
// (`shopify app dev` may rewrite this file; keep the two in step).
import "@shopify/ui-extensions";
import type { Api } from "@shopify/ui-extensions/admin.order-details.block.render";

declare module "./src/BlockExtension.tsx" {
  const shopify: Api;
  const globalThis: { shopify: typeof shopify };
}
