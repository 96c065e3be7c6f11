// What tests/setup/global-setup.ts prepared, handed to each test worker through
// vitest's provide/inject.
import pg from "pg";

export type TestDatabase =
  | {
      kind: "sqlite";
      /** Migrated database every worker copies from. */
      templateFile: string;
      /** Where the per-worker copies go; removed after the run. */
      directory: string;
    }
  | {
      kind: "postgresql";
      /** TEST_DATABASE_URL: migrated once, then used as CREATE DATABASE … TEMPLATE. */
      templateUrl: string;
    };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabase;
  }
}

/** A worker process's own PostgreSQL database: <template>_w<key>. */
export function workerDatabaseName(templateDatabase: string, key: string): string {
  return `${templateDatabase}_w${key}`;
}

/** The worker databases cloned from `templateDatabase`, by name. */
export async function workerDatabases(client: pg.Client, templateDatabase: string): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
    [workerDatabaseName(templateDatabase, "")],
  );
  return rows.map((row) => row.datname);
}

/**
 * DROP DATABASE … WITH (FORCE), tried again while it is refused for a moment:
 * FORCE ends other sessions, but a non-superuser may not end an autovacuum
 * worker (PostgreSQL then says "must be a member of the role whose process is
 * being terminated or member of pg_signal_backend"), and a session may still be
 * leaving. Both pass within seconds.
 */
export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      return;
    } catch (error) {
      const passing =
        error instanceof Error && /pg_signal_backend|being accessed by other users/.test(error.message);
      if (!passing || attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}
