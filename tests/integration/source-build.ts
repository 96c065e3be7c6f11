/**
 * A Remix server build made from the sources, for server.ts to serve in a
 * real process without `remix vite:build`: the app's entry (warm-up, inbox
 * mover, handleError), the real orders/paid webhook route, and `/slow?ms=N`,
 * a resource route that answers after N ms (a request still in flight when
 * the process is told to stop).
 *
 *   node --import tsx server.ts tests/integration/source-build.ts
 */
import * as entryModule from "../../app/entry.server";
import * as ordersPaid from "../../app/routes/webhooks.orders.paid";
import { productionBuild, route } from "../helpers/server-build";

async function slowLoader({ request }: { request: Request }): Promise<Response> {
  const ms = Number(new URL(request.url).searchParams.get("ms") ?? 0);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return new Response(`answered after ${ms} ms`);
}

const build = productionBuild(entryModule as unknown as Record<string, unknown>, {
  "routes/webhooks.orders.paid": route("routes/webhooks.orders.paid", "webhooks/orders/paid", ordersPaid),
  "routes/slow": route("routes/slow", "slow", { loader: slowLoader }),
});

export const { mode, entry, routes, assets, future, publicPath, assetsBuildDirectory, isSpaMode, basename } =
  build;
