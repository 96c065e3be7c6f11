// vitest setupFiles: runs in each worker before every test file, so before
// anything imports app/db.server.ts. Points DATABASE_URL at a database of this
// worker's own (VITEST_POOL_ID is 1..maxForks and never shared by two running
// workers), fresh from the migrated template of tests/setup/global-setup.ts:
//   SQLite     → .tmp/test-db/run-<pid>/worker-<id>.sqlite, a copy of the template
//   PostgreSQL → database <template>_w<id>, CREATE DATABASE … TEMPLATE <template>
// Tests that share a worker database within a file clean up with
// resetDatabase() from tests/helpers/db.ts.
import { copyFileSync, rmSync } from "node:fs";
import { join } from "node:path";

import pg from "pg";
import { inject } from "vitest";

import {
  postgresClientConfig,
  postgresConnectionFromUrl,
  postgresUrl,
} from "../../app/db/driver-adapter.server";
import { dropDatabase, workerDatabaseName } from "./test-database";

const poolId = process.env.VITEST_POOL_ID ?? "1";
const testDatabase = inject("testDatabase");

if (testDatabase.kind === "sqlite") {
  const file = join(testDatabase.directory, `worker-${poolId}.sqlite`);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
  copyFileSync(testDatabase.templateFile, file);
  process.env.DATABASE_URL = `file:${file}`;
} else {
  const template = postgresConnectionFromUrl(testDatabase.templateUrl);
  const worker = { ...template, database: workerDatabaseName(template.database, poolId) };
  await cloneDatabase(
    template.database,
    worker.database,
    postgresClientConfig({ ...template, database: "postgres" }),
  );
  process.env.DATABASE_URL = postgresUrl(worker);
}

async function cloneDatabase(template: string, target: string, admin: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(admin);
  await client.connect();
  try {
    await dropDatabase(client, target);
    // Two workers may clone at the same moment; PostgreSQL refuses a template
    // that another session is using, so retry briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(
          `CREATE DATABASE ${pg.escapeIdentifier(target)} TEMPLATE ${pg.escapeIdentifier(template)}`,
        );
        return;
      } catch (error) {
        const busy = error instanceof Error && /being accessed by other users/.test(error.message);
        if (!busy || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await client.end();
  }
}
