import { existsSync, readdirSync, statSync, type Dirent } from "node:fs";
import { resolve } from "node:path";
import { run } from "./processes";

/**
 * The app's production server build (`build/server/index.js`), built with
 * `remix vite:build` when it is missing, older than any source file under
 * app/, or `rebuild` is asked for. Shared by the demo and the benchmark, which
 * both serve the real build with server.ts.
 */
export async function ensureAppBuild(options: {
  root: string;
  env: NodeJS.ProcessEnv;
  rebuild?: boolean;
  onBuild?: () => void;
}): Promise<string> {
  const serverBuild = resolve(options.root, "build/server/index.js");
  if (options.rebuild || !existsSync(serverBuild) || isOlderThanSources(serverBuild, options.root)) {
    options.onBuild?.();
    await run("npx", ["remix", "vite:build"], { ...options.env, NODE_ENV: "production" }, options.root);
  }
  return serverBuild;
}

export function isOlderThanSources(file: string, root: string): boolean {
  const built = statSync(file).mtimeMs;
  const newest = (dir: string): number => {
    let latest = 0;
    for (const entry of readdirSyncSafe(dir)) {
      const path = resolve(dir, entry.name);
      if (entry.isDirectory()) latest = Math.max(latest, newest(path));
      else if (!entry.name.includes(".test.")) latest = Math.max(latest, statSync(path).mtimeMs);
    }
    return latest;
  };
  return newest(resolve(root, "app")) > built;
}

function readdirSyncSafe(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * How to run the production web server (`npm start`: server.ts, decision 005)
 * on a build: node itself with tsx's loader, one process, so that a signal
 * sent to it reaches the server (npx would not pass SIGTERM on).
 */
export function appServerCommand(root: string, serverBuild: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--import", "tsx", resolve(root, "server.ts"), serverBuild] };
}
