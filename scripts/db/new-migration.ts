// Makes the next migration for both databases from the schema change:
//
//   npm run db:migration -- add_order_notes
//   npm run db:migration -- backfill_notes --empty   (an empty pair, for hand-written SQL)
//
// 1. re-derives prisma/postgresql/schema.prisma from prisma/schema.prisma;
// 2. asks Prisma for the SQL that takes each provider's migrations to its
//    schema (`migrate diff --from-migrations … --to-schema-datamodel …`);
// 3. writes prisma/migrations/NNNN_<name>/migration.sql and
//    prisma/postgresql/migrations/NNNN_<name>/migration.sql with the same NNNN.
// Nothing is applied: review the SQL, then `npm run setup` (or
// `npx prisma migrate deploy`, with DATABASE_URL choosing the database).
//
// The PostgreSQL diff replays the migrations in a throwaway database, so it
// needs a server whose role may CREATE DATABASE: SHADOW_POSTGRES_URL, by default
// the one .ci/postgres.sh sets up (postgresql://brilliant:brilliant@127.0.0.1:5432/brilliant_test).
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

import { writePostgresSchema } from "./derive-postgres-schema";
import {
  DEFAULT_SHADOW_POSTGRES_URL,
  migrationNames,
  pendingSchemaChanges,
  SQLITE_DIFF_URL,
} from "./migrations";
import { postgresql, repoRoot, sqlite } from "./paths";

function fail(message: string): never {
  console.error(`db:migration: ${message}`);
  process.exit(1);
}

const args = process.argv.slice(2);
const allowEmpty = args.includes("--empty");
const rawName = args.find((arg) => !arg.startsWith("--"));
if (!rawName) fail("give the migration a name: npm run db:migration -- <name>");
const name = rawName
  .trim()
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, "_")
  .replace(/^_+|_+$/g, "");
if (!name) fail(`"${rawName}" is not a usable migration name`);

if (writePostgresSchema()) console.log("db:migration: re-derived prisma/postgresql/schema.prisma");

const sqliteNames = migrationNames(sqlite);
const postgresNames = migrationNames(postgresql);
if (sqliteNames.join("\n") !== postgresNames.join("\n")) {
  fail(
    "prisma/migrations and prisma/postgresql/migrations hold different migrations; fix that first (npm run db:check).",
  );
}
const lastNumber = Math.max(0, ...sqliteNames.map((folder) => Number(/^(\d+)_/.exec(folder)?.[1] ?? 0)));
const folder = `${String(lastNumber + 1).padStart(4, "0")}_${name}`;

const shadowServer = process.env.SHADOW_POSTGRES_URL?.trim() || DEFAULT_SHADOW_POSTGRES_URL;
const sqliteSql = pendingSchemaChanges(sqlite, SQLITE_DIFF_URL);
let postgresSql: string;
try {
  postgresSql = pendingSchemaChanges(postgresql, shadowServer);
} catch (error) {
  fail(
    `could not diff the PostgreSQL migrations on ${shadowServer.replace(/:[^:@/]*@/, ":***@")} ` +
      `(start one with \`bash .ci/postgres.sh\` or set SHADOW_POSTGRES_URL):\n${String(error)}`,
  );
}

if (sqliteSql === "" && postgresSql === "" && !allowEmpty) {
  console.log("db:migration: the schema has no changes that need a migration; nothing written.");
  process.exit(0);
}
if ((sqliteSql === "") !== (postgresSql === "")) {
  fail("only one database needs a migration, so the schemas disagree: run npm run db:check.");
}

const header = (provider: string) =>
  `-- ${folder} (${provider}), made by npm run db:migration (its twin is in the other migrations folder).\n`;
for (const [target, sql, provider] of [
  [sqlite, sqliteSql, "SQLite"],
  [postgresql, postgresSql, "PostgreSQL"],
] as const) {
  const directory = join(target.migrations, folder);
  mkdirSync(directory, { recursive: true });
  writeFileSync(
    join(directory, "migration.sql"),
    header(provider) + (sql || "-- Empty: write this step by hand.\n"),
  );
  console.log(`db:migration: wrote ${relative(repoRoot, join(directory, "migration.sql"))}`);
}
console.log("db:migration: review both files, then apply with `npm run setup`.");
