// `node --import ./scripts/bench/prisma-client-redirect.mjs …`, with
// BENCH_PRISMA_CLIENT_DIR set: the process loads the Prisma client generated in
// that folder instead of node_modules/.prisma/client.
//
// The generated client is specific to one provider, and node_modules holds the
// one the working tree was set up for (usually SQLite). Regenerating it for a
// PostgreSQL bench would change it under everyone else using the tree, so the
// scale-out phase generates a PostgreSQL client of its own in the run's folder
// (scripts/bench/postgres-databases.ts) and its processes load that one.
// `@prisma/client` only re-exports `.prisma/client/*`, so that is all there is
// to redirect. Synchronous hooks also see `require`, which @prisma/client uses.
import { registerHooks } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const clientDir = process.env.BENCH_PRISMA_CLIENT_DIR;
const GENERATED = ".prisma/client";

if (clientDir) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier !== GENERATED && !specifier.startsWith(`${GENERATED}/`)) {
        return nextResolve(specifier, context);
      }
      const entry = specifier.slice(GENERATED.length + 1) || "index";
      const file = join(clientDir, entry.endsWith(".js") ? entry : `${entry}.js`);
      return { url: pathToFileURL(file).href, format: "commonjs", shortCircuit: true };
    },
  });
}
