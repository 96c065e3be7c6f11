import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod/v4";
import { logger } from "../logger.server";
import { redactCustomerOrders } from "../models/compliance.server";
import { verifyWebhook } from "../services/webhook-auth.server";

const CustomersRedact = z.object({
  orders_to_redact: z.array(z.union([z.number(), z.string()]).transform(String)).default(() => []),
  customer: z.looseObject({ email: z.string().nullish(), phone: z.string().nullish() }).nullish(),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const verified = await verifyWebhook(request);
  if (!verified.ok) return verified.response;
  const parsed = CustomersRedact.safeParse(verified.context.payload);
  if (!parsed.success) return new Response("Malformed customers/redact body", { status: 400 });
  const redacted = await redactCustomerOrders(
    verified.context.shop,
    parsed.data.orders_to_redact,
    parsed.data.customer ?? {},
  );
  logger.info({ shop: verified.context.shop, redacted }, "customers/redact handled");
  return new Response();
};
