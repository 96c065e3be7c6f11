// For the tests of the bench's own webhook servers (the authenticate-only lane,
// the template peer): what the bench sends them, over real HTTP.
import { signedOrderRequests } from "./webhook-bodies";

/** POSTs a webhook to `url` and reads the answer through; its status. */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  const response = await fetch(url, { method: "POST", headers, body });
  await response.arrayBuffer();
  return response.status;
}

/** The bench's order `orderId` for `shop`, signed with a secret that is not the app's. */
export function wronglySignedOrder(shop: string, orderId: number) {
  return signedOrderRequests({ shops: [shop], secret: "not-the-app-secret", firstOrderId: orderId })(0);
}
