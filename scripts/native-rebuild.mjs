// postinstall: native modules must be built for the Node that runs the project
// (the `node` dev dependency, first on every npm script's PATH), not for the
// machine's own Node that ran `npm ci`. Rebuilds better-sqlite3 against the
// headers the `node` package ships when the installed build does not load.
import { execFileSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

function loads() {
  try {
    execFileSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

if (!loads()) {
  // The `node` package keeps its binary and headers in node-<platform>-<arch>.
  const nodePackage = path.dirname(require.resolve("node/package.json"));
  const nodedir = [
    path.join(nodePackage, "node_modules", `node-${process.platform}-${process.arch}`),
    path.resolve(path.dirname(realpathSync(process.execPath)), ".."),
  ].find((dir) => existsSync(path.join(dir, "include", "node", "node_version.h")));
  if (!nodedir) {
    console.error(`native-rebuild: no headers for Node ${process.version}; cannot build better-sqlite3`);
    process.exit(1);
  }
  console.log(`native-rebuild: building better-sqlite3 for Node ${process.version} (${nodedir})`);
  const npm = process.env.npm_execpath;
  const args = ["rebuild", "better-sqlite3", `--nodedir=${nodedir}`];
  if (npm) execFileSync(process.execPath, [npm, ...args], { stdio: "inherit" });
  else execFileSync("npm", args, { stdio: "inherit" });
  if (!loads()) {
    console.error("native-rebuild: better-sqlite3 still does not load");
    process.exit(1);
  }
}
