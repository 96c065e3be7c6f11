// A Remix server build made by hand, for tests of server.ts's server
// (createAppServer) that pick the routes it serves: no assets, no client.
import type { ServerBuild } from "@remix-run/node";

/** A route under root: `module` holds its action, loader or default component. */
export function route(id: string, path: string | undefined, module: Record<string, unknown>) {
  return { id, path, parentId: "root", module } as unknown as ServerBuild["routes"][string];
}

/** A production build of `routes` (root added) whose entry module is `entry` (its document and handleError). */
export function productionBuild(
  entry: Record<string, unknown>,
  routes: Record<string, ServerBuild["routes"][string]>,
): ServerBuild {
  return {
    mode: "production",
    entry: { module: entry },
    routes: { root: { id: "root", path: "", module: { default: () => null } }, ...routes },
    assets: { entry: { imports: [], module: "" }, routes: {}, url: "", version: "1" },
    future: {},
    publicPath: "/build/",
    assetsBuildDirectory: "/nonexistent",
    isSpaMode: false,
    basename: undefined,
  } as unknown as ServerBuild;
}
