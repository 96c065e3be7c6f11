// Runs the project's Prisma CLI (node_modules/prisma) as a child process with
// a chosen DATABASE_URL, which is what selects schema, migrations and driver
// adapter in prisma.config.ts.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

import { repoRoot } from "./paths";

const prismaBin = join(repoRoot, "node_modules", "prisma", "build", "index.js");

export class PrismaCliError extends Error {
  override name = "PrismaCliError";
  constructor(
    readonly args: string[],
    readonly status: number | null,
    readonly output: string,
  ) {
    super(`prisma ${args.join(" ")} exited with ${status}\n${output}`);
  }
}

export type PrismaCliResult = { status: number | null; stdout: string; stderr: string };

export function runPrisma(
  args: string[],
  options: { databaseUrl: string; allowExitCodes?: number[]; env?: NodeJS.ProcessEnv },
): PrismaCliResult {
  const result = spawnSync(process.execPath, [prismaBin, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: {
      ...process.env,
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      // No telemetry or update checks: there is no internet here, and CI has no use for them.
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  const allowed = options.allowExitCodes ?? [0];
  if (result.status === null || !allowed.includes(result.status)) {
    throw new PrismaCliError(args, result.status, `${result.stdout}\n${result.stderr}`.trim());
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
