// What tests/setup/global-setup.ts prepared, handed to each test worker through
// vitest's provide/inject.
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

/** A worker's own PostgreSQL database: <template>_w<VITEST_POOL_ID>. */
export function workerDatabaseName(templateDatabase: string, poolId: string): string {
  return `${templateDatabase}_w${poolId}`;
}
