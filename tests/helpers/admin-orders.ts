// Orders in a given state for admin route tests, recorded as the webhook
// records them and moved through the state machine (so transitions exist).
import prisma from "../../app/db.server";
import { transition, type HoldKind, type OrderState } from "../../app/orders/state.server";
import { ingest, testOrder } from "./forwarding";

let sequence = 0;

export async function orderInState(
  shop: string,
  state: OrderState,
  options: { name?: string; holdKind?: HoldKind; code?: number; reason?: string; createdAt?: Date } = {},
): Promise<string> {
  sequence += 1;
  const number = 5000 + sequence;
  const { orderId } = await ingest(
    shop,
    testOrder(number, [{ variant: 73002, quantity: 1 }], {
      name: options.name ?? `#A${number}`,
    }),
  );
  if (options.createdAt)
    await prisma.order.update({ where: { id: orderId }, data: { createdAt: options.createdAt } });
  const path: OrderState[] =
    state === "received"
      ? []
      : state === "held" || state === "skipped" || state === "waiting" || state === "ready"
        ? [state]
        : state === "forwarded" || state === "retrying" || state === "unknown"
          ? ["sending", state]
          : [state];
  let from: OrderState = "received";
  for (const to of path) {
    await transition({
      shop,
      orderId,
      from,
      to,
      actor: "system",
      reason: options.reason ?? `Test: ${to}.`,
      holdKind: to === "held" ? (options.holdKind ?? "mapping") : null,
      code: options.code ?? null,
    });
    from = to;
  }
  return orderId;
}
