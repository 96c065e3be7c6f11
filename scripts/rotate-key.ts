/**
 * `npm run rotate-key`: re-seals every stored secret (Brilliant credentials,
 * Shopify access and refresh tokens) with the current
 * CREDENTIALS_ENCRYPTION_KEY, reading the old ones with
 * CREDENTIALS_ENCRYPTION_KEY_PREVIOUS. Run with the app's environment, after
 * every process runs with both keys; safe to run again and while the app
 * runs. Exits 0 once every secret is under the current key (the previous key
 * can then be removed), 1 when some could not be opened or must be run again.
 */
import { env } from "../app/env.server";
import prisma from "../app/db.server";
import { rotateSecrets, rotationComplete, type RotationReport } from "../app/ops/key-rotation.server";
import { parseCommandLine } from "./lib/cli-options";

const USAGE = `Usage: npm run rotate-key -- [--dry-run] [--batch-size N]

  --dry-run        count what would be re-encrypted, write nothing
  --batch-size N   rows read and written per transaction (default 500)
`;

function print(report: RotationReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const verb = report.dryRun ? "to re-encrypt" : "re-encrypted";
  for (const c of report.columns) {
    out(
      `  ${`${c.table}.${c.column}`.padEnd(36)} current ${c.current}, ${verb} ${c.resealed},` +
        ` plaintext sealed ${c.sealedPlaintext}, unreadable ${c.unreadable}`,
    );
  }
  for (const { table, row, column } of report.unreadable) {
    out(`  unreadable with either key, left as it is: ${table} ${row} ${column}`);
  }
  for (const { table, row } of report.left) {
    out(`  changed or being renewed meanwhile, run again: ${table} ${row}`);
  }
}

async function main(): Promise<number> {
  const cli = parseCommandLine(USAGE, {
    "dry-run": { type: "boolean", default: false },
    "batch-size": { type: "string" },
  });
  const batchSize = cli.number("batch-size", { nonNegative: true });
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1))
    cli.fail("--batch-size must be at least 1");
  const settings = env();
  if (!settings.CREDENTIALS_ENCRYPTION_KEY_PREVIOUS) {
    process.stdout.write(
      "CREDENTIALS_ENCRYPTION_KEY_PREVIOUS is not set: checking that every secret opens with the current key.\n",
    );
  }
  const report = await rotateSecrets({ dryRun: cli.values["dry-run"], batchSize });
  print(report);
  if (report.dryRun) return 0;
  const complete = rotationComplete(report);
  if (complete) {
    process.stdout.write(
      "Every secret is under the current key: CREDENTIALS_ENCRYPTION_KEY_PREVIOUS can be removed.\n",
    );
  }
  if (report.left.length > 0) {
    process.stdout.write("Some rows changed while they were read: run rotate-key again.\n");
  }
  if (report.unreadable.length > 0) {
    process.stdout.write(
      "Some secrets open with neither key (sealed with another key, or damaged): listed above, left as they are.\n",
    );
  }
  return complete ? 0 : 1;
}

try {
  process.exitCode = await main();
} finally {
  await prisma.$disconnect();
}
