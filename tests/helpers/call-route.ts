// Calling a route module's loader or action the way Remix does, for route
// tests that call it in process (no HTTP server in between).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

export type RouteFunction = (args: LoaderFunctionArgs & ActionFunctionArgs) => unknown;

/**
 * Calls a loader or action as Remix would and returns its Response; a thrown
 * Response (404, redirect, authenticate's 401) is returned too, as Remix
 * would answer with it.
 */
export async function callRoute(
  route: RouteFunction,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await route({ request, params, context: {} });
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
