// vitest setupFiles: runs in each worker before every test file, so before
// anything imports app/db.server.ts. Points DATABASE_URL at a database of this
// worker process's own, fresh from the migrated template of
// tests/setup/global-setup.ts. Named by process id, not VITEST_POOL_ID alone:
// a fork being replaced can briefly share its pool id with the new one, and
// then one dropped the database the other was using.
//   SQLite     → .tmp/test-db/run-<pid>/worker-<id>-<pid>.sqlite, a copy of the template
//   PostgreSQL → database <template>_w<id>_<pid>, CREATE DATABASE … TEMPLATE <template>,
//                dropped by the next clone once its process has ended (global
//                teardown drops any left). Not dropped in afterAll: the app's
//                own connections would see theirs ended under them.
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
import { dropDatabase, workerDatabaseName, workerDatabases } from "./test-database";

const workerKey = `${process.env.VITEST_POOL_ID ?? "1"}_${process.pid}`;
const testDatabase = inject("testDatabase");

if (testDatabase.kind === "sqlite") {
  const file = join(testDatabase.directory, `worker-${workerKey}.sqlite`);
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${file}${suffix}`, { force: true });
  copyFileSync(testDatabase.templateFile, file);
  process.env.DATABASE_URL = `file:${file}`;
} else {
  const template = postgresConnectionFromUrl(testDatabase.templateUrl);
  const worker = { ...template, database: workerDatabaseName(template.database, workerKey) };
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
    await dropDatabasesOfEndedWorkers(client, template);
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

async function dropDatabasesOfEndedWorkers(client: pg.Client, template: string): Promise<void> {
  for (const datname of await workerDatabases(client, template)) {
    const pid = Number(/_(\d+)$/.exec(datname)?.[1]);
    // Another fork may be dropping it too; global teardown drops what is left.
    if (pid && !processAlive(pid)) await dropDatabase(client, datname).catch(() => undefined);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
