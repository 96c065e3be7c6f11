import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod/v4";
import { logger } from "../logger.server";
import { shopifyIdsToMatch } from "../models/shopify-id";
import { redactCustomerOrders, RedactionUnfinished } from "../orders/compliance/customer-redact.server";
import { verifyWebhook, webhookLoader } from "../integrations/shopify-webhook-auth.server";

const CustomersRedact = z.object({
  orders_to_redact: shopifyIdsToMatch.default(() => []),
  customer: z.looseObject({ email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const parsed = CustomersRedact.safeParse(verified.context.payload);
  if (!parsed.success) return new Response("Malformed customers/redact body", { status: 400 });
  try {
    const redacted = await redactCustomerOrders(
      verified.context.shop,
      parsed.data.orders_to_redact,
      parsed.data.customer ?? {},
    );
    logger.info({ shop: verified.context.shop, redacted }, "customers/redact handled");
  } catch (error) {
    if (!(error instanceof RedactionUnfinished)) throw error;
    // Not an error of Shopify's: its next delivery of this webhook finishes the redaction.
    logger.warn(
      { shop: verified.context.shop, why: error.message },
      "customers/redact: left to the next delivery",
    );
    return new Response("Redaction under way; deliver again to finish it", { status: 503 });
  }
  return new Response();
};

export const loader = webhookLoader;
