// Prisma CLI configuration. Everything runs in JavaScript (no engine binaries
// are downloaded): the schema engine talks to the database through the same
// driver adapters the app uses (app/db/driver-adapter.server.ts).
//
// DATABASE_URL picks the database, and with it the schema and migrations:
//   SQLite (default, file:./prisma/dev.sqlite) → prisma/schema.prisma, prisma/migrations
//   postgres:// | postgresql://               → prisma/postgresql/schema.prisma, prisma/postgresql/migrations
import path from "node:path";

import { defineConfig } from "prisma/config";

import { createDriverAdapter, databaseKindOf, databaseUrlFromEnv } from "./app/db/driver-adapter.server";

// The schemas keep `url = env("DATABASE_URL")`, and `prisma generate` tries to
// download a query engine when it cannot resolve it: default it here so that
// `npx prisma …` on a fresh clone works like the app does.
process.env.DATABASE_URL = databaseUrlFromEnv();
const databaseUrl = process.env.DATABASE_URL;

const schemaDir = databaseKindOf(databaseUrl) === "postgresql" ? "prisma/postgresql" : "prisma";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: path.join(schemaDir, "schema.prisma"),
  migrations: { path: path.join(schemaDir, "migrations") },
  adapter: async () => createDriverAdapter(databaseUrl),
});
