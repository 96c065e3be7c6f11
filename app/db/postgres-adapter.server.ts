// PostgreSQL through @prisma/adapter-pg: connection settings from a URL, and
// the adapter with the fixes app/db/driver-adapter.server.ts describes.
import { randomUUID } from "node:crypto";

import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import type { SqlDriverAdapter } from "./driver-adapter.server";

export type PostgresConnection = {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Postgres schema (`?schema=` in the URL); `public` when absent. */
  schema?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
  max?: number;
  applicationName?: string;
};

/**
 * Splits a postgres URL into parts. PrismaPg is given these rather than a
 * `connectionString`: its shadow database is `{ ...config, database }`, and a
 * connectionString would win over `database`, so `migrate dev` would silently
 * use the main database as its shadow (and wipe it).
 */
export function postgresConnectionFromUrl(url: string): PostgresConnection {
  const parsed = new URL(url.trim());
  const params = parsed.searchParams;
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!database) throw new Error("DATABASE_URL for PostgreSQL must name a database");
  const sslmode = params.get("sslmode");
  const connectionLimit = Number(params.get("connection_limit") ?? "");
  return {
    // `?host=/var/run/postgresql` selects a Unix socket, as libpq does.
    host: params.get("host") ?? (decodeURIComponent(parsed.hostname) || "localhost"),
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database,
    schema: params.get("schema") ?? undefined,
    ssl:
      sslmode === null || sslmode === "disable"
        ? undefined
        : sslmode === "verify-full" || sslmode === "verify-ca"
          ? { rejectUnauthorized: true }
          : { rejectUnauthorized: false },
    max: Number.isInteger(connectionLimit) && connectionLimit > 0 ? connectionLimit : undefined,
    applicationName: params.get("application_name") ?? undefined,
  };
}

export function postgresUrl(connection: PostgresConnection): string {
  const url = new URL("postgresql://localhost");
  url.hostname = connection.host;
  url.port = String(connection.port);
  url.username = encodeURIComponent(connection.user);
  url.password = encodeURIComponent(connection.password);
  url.pathname = `/${encodeURIComponent(connection.database)}`;
  if (connection.schema) url.searchParams.set("schema", connection.schema);
  return url.toString();
}

// pg type ids of the catalog types `name` and `"char"`, and of `text`.
const PG_NAME_OID = 19;
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: Array<{ dataTypeID: number }> };

function catalogColumnsAsText<T>(result: T): T {
  const results: unknown[] = Array.isArray(result) ? result : [result];
  for (const one of results) {
    for (const field of (one as QueryResultLike | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_NAME_OID || field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
      }
    }
  }
  return result;
}

/**
 * A pg Client whose results report the catalog types `name` and `"char"` as
 * `text`. PrismaPg does not know those types and throws UnsupportedNativeDataType
 * when the schema engine reads pg_catalog (`migrate dev`, `migrate diff`,
 * `db pull`): prisma/orm#27403. Their text values are already plain strings.
 */
class CatalogTextClient extends pg.Client {
  // pg's `query` has a dozen overloads (callback, promise, submittable); this
  // forwards all of them untouched and only rewrites the field types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last: unknown = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) =>
        (last as (e: unknown, r: unknown) => void)(error, error ? result : catalogColumnsAsText(result));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned instanceof Promise) return returned.then(catalogColumnsAsText);
    return returned;
  }
}

export function postgresClientConfig(connection: PostgresConnection): pg.ClientConfig {
  return {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: connection.ssl,
    application_name: connection.applicationName ?? "brilliant-sync",
    // Unqualified names in raw SQL resolve in the chosen schema, as Prisma's
    // own queries (qualified through the adapter's `schema` option) do.
    options: connection.schema ? `-c search_path="${connection.schema}"` : undefined,
  };
}

function poolConfig(connection: PostgresConnection): pg.PoolConfig {
  return {
    ...postgresClientConfig(connection),
    Client: CatalogTextClient,
    max: connection.max,
    // The Prisma CLI never closes the pool it migrates through; idle connections
    // would keep `prisma migrate deploy` alive for the 10 s idle timeout.
    allowExitOnIdle: true,
  };
}

/**
 * PrismaPg's executeScript (how the schema engine applies a migration) splits
 * the script at every ";", even inside a string literal, a comment or a
 * function body. Send the script whole instead: with no parameters pg uses the
 * simple query protocol, which runs several statements as one implicit
 * transaction, as Prisma's classic engine did.
 */
function withWholeScripts<T extends SqlDriverAdapter>(adapter: T): T {
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

/**
 * PrismaPg with the catalog and script fixes above, and a shadow database that is dropped
 * only after its pool is closed (PrismaPg drops it first, which fails while its
 * own connections are open, and never closes the pool it created it from).
 * `migrate deploy` never uses a shadow database, so production needs neither
 * CREATEDB nor this; `migrate dev` and `migrate diff --from-migrations` do.
 */
export class PostgresAdapterFactory extends PrismaPg {
  readonly connection: PostgresConnection;

  constructor(connection: PostgresConnection) {
    super(poolConfig(connection), connection.schema ? { schema: connection.schema } : undefined);
    this.connection = connection;
  }

  override async connect(): Promise<Awaited<ReturnType<PrismaPg["connect"]>>> {
    return withWholeScripts(await super.connect());
  }

  override async connectToShadowDb(): Promise<Awaited<ReturnType<PrismaPg["connect"]>>> {
    const database = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
    const admin = new pg.Client(postgresClientConfig(this.connection));
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
    const shadowConnection = { ...this.connection, database };
    const shadow = new PrismaPg(
      poolConfig(shadowConnection),
      shadowConnection.schema ? { schema: shadowConnection.schema } : undefined,
    );
    const adapter = withWholeScripts(await shadow.connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose(); // closes the shadow pool first
      const dropper = new pg.Client(postgresClientConfig(this.connection));
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    };
    return adapter;
  }
}
