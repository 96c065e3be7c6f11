import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod/v4";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";
import { updateSessionScopes } from "../models/shop.server";

const ScopesUpdate = z.object({ current: z.array(z.string()) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const parsed = ScopesUpdate.safeParse(verified.context.payload);
  if (!parsed.success) return new Response("Malformed scopes_update body", { status: 400 });
  await updateSessionScopes(verified.context.shop, parsed.data.current);
  return new Response();
};

export const loader = webhookLoader;
