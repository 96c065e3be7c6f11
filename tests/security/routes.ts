// The app's route files, read from app/routes, so suites that must cover
// every route (bad input, isolation) notice a new one by themselves.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import { repoRoot } from "../../scripts/db/paths";
import { callRoute, type RouteFunction } from "../helpers/call-route";

const ROUTES_DIR = join(repoRoot, "app", "routes");

/**
 * Route modules by Remix route id ("webhooks.orders.paid", "auth.login"):
 * flat files (tests aside) and folders with a route.tsx.
 */
export function routeIds(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter((entry) => !entry.startsWith("."))
    .flatMap((entry) => {
      const path = join(ROUTES_DIR, entry);
      if (statSync(path).isDirectory()) {
        return readdirSync(path).some((file) => /^route\.tsx?$/.test(file)) ? [entry] : [];
      }
      if (/\.test\.tsx?$/.test(entry) || !/\.tsx?$/.test(entry)) return [];
      return [entry.replace(/\.tsx?$/, "")];
    })
    .sort();
}

/** "/webhooks/orders/paid" for "webhooks.orders.paid": Remix's flat-route URL, params as written. */
export function routePath(id: string): string {
  return `/${id
    .split(".")
    .filter((segment) => segment !== "_index")
    .join("/")}`;
}

export type { RouteFunction };

export interface RouteModule {
  loader?: RouteFunction;
  action?: RouteFunction;
}

export async function importRoute(id: string): Promise<RouteModule> {
  const file = readdirSync(ROUTES_DIR).includes(`${id}.tsx`)
    ? join(ROUTES_DIR, `${id}.tsx`)
    : readdirSync(ROUTES_DIR).includes(`${id}.ts`)
      ? join(ROUTES_DIR, `${id}.ts`)
      : join(ROUTES_DIR, id, "route.tsx");
  return (await import(/* @vite-ignore */ file)) as RouteModule;
}

/**
 * Calls a loader or action as Remix would and returns its Response (a thrown
 * Response too). Anything else thrown is what Remix would answer 500 to: it
 * comes back as a 500 whose body names the error, so a property can report it.
 */
export async function answerOf(...call: Parameters<typeof callRoute>): Promise<Response> {
  try {
    return await callRoute(...call);
  } catch (thrown) {
    const why = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    return new Response(`thrown: ${why}`, { status: 500 });
  }
}
