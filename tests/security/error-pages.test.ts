/**
 * No stack traces on the app's error pages in production: Remix's request
 * handler in production mode, with the app's real root (app/root.tsx and its
 * ErrorBoundary) and real server entry (app/entry.server.tsx and its
 * handleError), and routes that throw an error whose message and stack are
 * marked.
 *
 * GIVEN a page whose loader throws, a page whose action throws, a resource
 *   route that throws, and a URL no route matches,
 * WHEN each is requested as a document, as a client data request and as a
 *   resource,
 * THEN no answer carries the error's message, its stack, or a source path,
 *   the pages say what happened in words, and the error is logged
 *   (handleError) rather than shown;
 * AND the same handler in development mode does show the stack (so the test
 *   can see one when it is there).
 */
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import * as entry from "../../app/entry.server";
import { logger } from "../../app/logger.server";
import * as root from "../../app/root";

const SECRET = "SECRET-ERROR-MESSAGE-4b1d";

function boom(): never {
  throw new Error(`${SECRET} in /work/app/models/secret-module.server.ts`);
}

const pageModule = { default: () => null, loader: boom, action: boom };
const resourceModule = { loader: boom, action: boom };

function entryRoute(
  id: string,
  path: string | undefined,
  parentId: string | undefined,
  hasErrorBoundary: boolean,
) {
  return {
    id,
    path,
    parentId,
    module: `/build/${id}.js`,
    imports: [],
    hasAction: id !== "root",
    hasLoader: id !== "root",
    hasClientAction: false,
    hasClientLoader: false,
    hasErrorBoundary,
  };
}

function buildFor(mode: "production" | "development"): ServerBuild {
  return {
    mode,
    entry: { module: entry },
    routes: {
      root: { id: "root", path: "", module: root },
      "routes/page": { id: "routes/page", parentId: "root", path: "page", module: pageModule },
      "routes/resource": {
        id: "routes/resource",
        parentId: "root",
        path: "resource",
        module: resourceModule,
      },
    },
    assets: {
      entry: { module: "/build/entry.client.js", imports: [] },
      routes: {
        root: entryRoute("root", "", undefined, true),
        "routes/page": entryRoute("routes/page", "page", "root", false),
        "routes/resource": entryRoute("routes/resource", "resource", "root", false),
      },
      url: "/build/manifest.js",
      version: "test",
    },
    publicPath: "/build/",
    assetsBuildDirectory: "build/client",
    future: { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true },
    isSpaMode: false,
  } as unknown as ServerBuild;
}

const requests = [
  { name: "page loader (document)", request: () => new Request("https://app.test/page") },
  {
    name: "page action (document)",
    request: () =>
      new Request("https://app.test/page", { method: "POST", body: new URLSearchParams({ a: "1" }) }),
  },
  {
    name: "page loader (data request)",
    request: () => new Request("https://app.test/page?_data=routes%2Fpage"),
  },
  { name: "resource route", request: () => new Request("https://app.test/resource") },
  {
    name: "resource route action",
    request: () => new Request("https://app.test/resource", { method: "POST", body: "x" }),
  },
  { name: "no such page", request: () => new Request("https://app.test/no/such/page") },
];

const logged: string[] = [];
const streamSym = pino.symbols.streamSym;
let originalStream: unknown;
let originalLevel: string;

beforeAll(() => {
  const target = logger as unknown as Record<symbol, unknown>;
  originalStream = target[streamSym];
  originalLevel = logger.level;
  target[streamSym] = { write: (line: string) => logged.push(line) };
  logger.level = "error";
});

afterAll(() => {
  (logger as unknown as Record<symbol, unknown>)[streamSym] = originalStream;
  logger.level = originalLevel;
});

describe("error pages in production", () => {
  it("GIVEN routes that throw WHEN served in production THEN no answer shows the message, a stack or a path, and each is logged", async () => {
    const handle = createRequestHandler(buildFor("production"), "production");
    const seen: string[] = [];
    for (const { name, request } of requests) {
      const response = await handle(request());
      const body = await response.text();
      seen.push(`${name}: ${response.status}`);
      expect(response.status, name).toBeGreaterThanOrEqual(400);
      expect(body, name).not.toContain(SECRET);
      expect(body, name).not.toMatch(/\bat .+:\d+:\d+/);
      expect(body, name).not.toContain("secret-module");
      expect(body, name).not.toContain("/work/");
      if (response.headers.get("content-type")?.includes("text/html")) {
        expect(body, name).toMatch(/Something went wrong|Page not found/);
      }
    }
    console.log(`error-pages: ${seen.join(", ")} logged=${logged.length}`);
    // Thrown errors reach the log (with their stack), not the page.
    expect(logged.some((line) => line.includes(SECRET))).toBe(true);
  });

  it("GIVEN the same routes in development THEN the stack is there to see (the check above would catch it)", async () => {
    const handle = createRequestHandler(buildFor("development"), "development");
    const response = await handle(new Request("https://app.test/page?_data=routes%2Fpage"));
    expect(await response.text()).toContain(SECRET);
  });
});
