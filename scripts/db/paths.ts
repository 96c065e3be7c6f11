// Where the two Prisma schemas and their migrations live. The SQLite schema is
// the source of truth; the PostgreSQL one is derived from it.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const sqlite = {
  kind: "sqlite",
  schema: join(repoRoot, "prisma", "schema.prisma"),
  migrations: join(repoRoot, "prisma", "migrations"),
  lockProvider: "sqlite",
} as const;

export const postgresql = {
  kind: "postgresql",
  schema: join(repoRoot, "prisma", "postgresql", "schema.prisma"),
  migrations: join(repoRoot, "prisma", "postgresql", "migrations"),
  lockProvider: "postgresql",
} as const;

export type SchemaTarget = typeof sqlite | typeof postgresql;
