import prisma from "../../db.server";
import { chunks } from "./batches";

/** customers/data_request: what the app holds for these orders, for the merchant to pass on. */
export async function customerDataSummary(shop: string, shopifyOrderIds: string[]) {
  const orders = [];
  for (const chunk of chunks([...new Set(shopifyOrderIds)])) {
    orders.push(
      ...(await prisma.order.findMany({
        where: { shop, shopifyOrderId: { in: chunk } },
        select: { shopifyOrderId: true, name: true, state: true, brilliantOrderId: true, createdAt: true },
      })),
    );
  }
  return orders;
}
