/**
 * `npm run preview`: the embedded admin in an ordinary browser, with no
 * Shopify. Starts the Brilliant simulator, a fresh SQLite database with the
 * demo's shop and orders, the app (the real build), the worker and the admin
 * preview proxy; prints the URL to open and runs until Ctrl-C.
 *
 *   npm run preview -- [--port 3457] [--rebuild]
 */
import { parseArgs } from "node:util";
import { startAdminStack } from "./lib/admin-stack";

const { values: args } = parseArgs({
  options: {
    port: { type: "string", default: "3457" },
    rebuild: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
  strict: true,
});

if (args.help) {
  process.stdout.write("Usage: npm run preview -- [--port N] [--rebuild]\n");
  process.exit(0);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  const stack = await startAdminStack({ previewPort: Number(args.port), rebuild: args.rebuild, say });
  say("");
  say(`Admin preview for ${stack.shop}: ${stack.previewUrl}/app`);
  say("Session tokens are minted locally and App Bridge is a stand-in; press Ctrl-C to stop.");
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say("Stopping…");
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `preview failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
