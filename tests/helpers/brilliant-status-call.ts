// Brilliant's status call to the app, in process: a POST to the shop's status
// URL (its token read from the shop's settings), handed to the route's action.
import prisma from "../../app/db.server";
import { action as brilliantStatus } from "../../app/routes/brilliant.status.$token";
import { TEST_APP_URL } from "../setup/app-env";

/** `body` as JSON; a string is sent as it is, with no content type (a call that is not JSON). */
export async function callBrilliantStatus(shop: string, body: unknown): Promise<Response> {
  const token = (await prisma.shopSettings.findUniqueOrThrow({ where: { shop } })).statusWebhookToken;
  const request = new Request(
    `${TEST_APP_URL}/brilliant/status/${token}`,
    typeof body === "string"
      ? { method: "POST", body }
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  return brilliantStatus({ request, params: { token }, context: {} });
}
