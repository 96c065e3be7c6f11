// CI guard for the two schemas (npm run db:check). Fails when
//   1. prisma/postgresql/schema.prisma is not exactly what db:derive writes;
//   2. a migrations folder has the wrong migration_lock.toml provider, or the
//      two folders do not hold the same migration names;
//   3. a schema has changes no migration makes yet (SQLite always; PostgreSQL
//      when SHADOW_POSTGRES_URL names a server where shadow databases may be
//      created, e.g. SHADOW_POSTGRES_URL="$(bash .ci/postgres.sh)").
import { readFileSync } from "node:fs";

import { expectedPostgresSchema } from "./derive-postgres-schema";
import { lockProvider, migrationNames, pendingSchemaChanges, SQLITE_DIFF_URL } from "./migrations";
import { postgresql, sqlite } from "./paths";

const problems: string[] = [];

let derived: string | null = null;
try {
  derived = readFileSync(postgresql.schema, "utf8");
} catch {
  derived = null;
}
if (derived !== expectedPostgresSchema()) {
  problems.push(
    "prisma/postgresql/schema.prisma does not match prisma/schema.prisma: run `npm run db:derive`.",
  );
}

for (const target of [sqlite, postgresql]) {
  const provider = lockProvider(target);
  if (provider !== target.lockProvider) {
    problems.push(
      `${target.migrations}/migration_lock.toml must say provider = "${target.lockProvider}" (found ${provider}).`,
    );
  }
}

const sqliteNames = migrationNames(sqlite);
const postgresNames = migrationNames(postgresql);
const onlySqlite = sqliteNames.filter((name) => !postgresNames.includes(name));
const onlyPostgres = postgresNames.filter((name) => !sqliteNames.includes(name));
if (onlySqlite.length > 0 || onlyPostgres.length > 0) {
  problems.push(
    `the migration folders differ: only in prisma/migrations: [${onlySqlite.join(", ")}]; ` +
      `only in prisma/postgresql/migrations: [${onlyPostgres.join(", ")}]. Make migrations with \`npm run db:migration -- <name>\`.`,
  );
}

if (problems.length === 0) {
  if (pendingSchemaChanges(sqlite, SQLITE_DIFF_URL) !== "") {
    problems.push(
      "prisma/schema.prisma has changes no SQLite migration makes: run `npm run db:migration -- <name>`.",
    );
  }
  const shadowServer = process.env.SHADOW_POSTGRES_URL?.trim();
  if (shadowServer) {
    if (pendingSchemaChanges(postgresql, shadowServer) !== "") {
      problems.push(
        "prisma/postgresql/schema.prisma has changes no PostgreSQL migration makes: run `npm run db:migration -- <name>`.",
      );
    }
  } else {
    console.warn("db:check: PostgreSQL migrations not replayed (set SHADOW_POSTGRES_URL to check them too).");
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`db:check: ${problem}`);
  process.exit(1);
}
console.log("db:check: schemas and migrations agree.");
