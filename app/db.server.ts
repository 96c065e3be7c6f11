// The one Prisma client of the web server and the worker.
//
// DATABASE_URL picks the database (see app/db/driver-adapter.server.ts):
// SQLite by default (file:./prisma/dev.sqlite, relative to the working
// directory), PostgreSQL for postgres:// and postgresql:// URLs. The client runs
// without engine binaries: the query compiler is JavaScript/Wasm and talks to
// the database through a driver adapter. The generated client is specific to
// one provider, so `npm run setup` must run with the same DATABASE_URL kind the
// app runs with.
import { PrismaClient } from "@prisma/client";

import {
  createDriverAdapter,
  databaseKindOf,
  databaseUrlFromEnv,
  type DatabaseKind,
  type DriverAdapterFactory,
} from "./db/driver-adapter.server";

export type { DatabaseKind } from "./db/driver-adapter.server";

/** Which database DATABASE_URL (or the default) points at. */
export function databaseKind(): DatabaseKind {
  return databaseKindOf(databaseUrlFromEnv());
}

/**
 * A new client for `url`, for scripts and tests that need their own
 * connection. The app uses the shared `prisma` below; whoever creates a
 * client here calls `$disconnect()` on it.
 */
export function createPrismaClient(url: string = databaseUrlFromEnv()): PrismaClient {
  const adapter = createDriverAdapter(url);
  const client = new PrismaClient({ adapter });
  // On the client itself (not in a module-level map): in development the client
  // outlives reloads of this module (see globalThis.prismaGlobal below).
  Object.defineProperty(client, ADAPTER, { value: { adapter, url } });
  return client;
}

const ADAPTER = Symbol.for("brilliant-sync.driver-adapter");

/** The driver adapter factory and URL a client made here connects through. */
export function adapterOf(client: PrismaClient): { adapter: DriverAdapterFactory; url: string } {
  const found = (client as unknown as Record<symbol, { adapter: DriverAdapterFactory; url: string }>)[
    ADAPTER
  ];
  if (!found) throw new Error("This Prisma client was not made by createPrismaClient");
  return found;
}

declare global {
  // Remix's dev server re-imports this module on every change; keeping the
  // client on globalThis stops each reload from opening another connection
  // (pool) to the database. As in Shopify's Remix app template.
  var prismaGlobal: PrismaClient | undefined;
}

function sharedClient(): PrismaClient {
  if (process.env.NODE_ENV === "production") return createPrismaClient();
  globalThis.prismaGlobal ??= createPrismaClient();
  return globalThis.prismaGlobal;
}

const prisma: PrismaClient = sharedClient();

export default prisma;
