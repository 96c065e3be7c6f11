import { describe, expect, it } from "vitest";

import {
  databaseKindOf,
  databaseUrlFromEnv,
  DEFAULT_DATABASE_URL,
  postgresConnectionFromUrl,
  postgresUrl,
  sqliteFileFromUrl,
} from "./driver-adapter.server";

describe("DATABASE_URL", () => {
  it("defaults to the SQLite file in prisma/", () => {
    expect(databaseUrlFromEnv({})).toBe(DEFAULT_DATABASE_URL);
    expect(databaseUrlFromEnv({ DATABASE_URL: "  " })).toBe(DEFAULT_DATABASE_URL);
    expect(databaseKindOf(DEFAULT_DATABASE_URL)).toBe("sqlite");
  });

  it("selects PostgreSQL for postgres:// and postgresql:// only", () => {
    expect(databaseKindOf("postgresql://u:p@h/db")).toBe("postgresql");
    expect(databaseKindOf("postgres://u:p@h/db")).toBe("postgresql");
    expect(databaseKindOf("file:./postgres.sqlite")).toBe("sqlite");
  });

  it("resolves relative SQLite paths against the working directory", () => {
    expect(sqliteFileFromUrl("file:./prisma/dev.sqlite", "/repo")).toBe("/repo/prisma/dev.sqlite");
    expect(sqliteFileFromUrl("file:dev.sqlite?connection_limit=1", "/repo")).toBe("/repo/dev.sqlite");
    expect(sqliteFileFromUrl("file:/tmp/x.sqlite", "/repo")).toBe("/tmp/x.sqlite");
    expect(sqliteFileFromUrl("file:///tmp/x.sqlite", "/repo")).toBe("/tmp/x.sqlite");
    expect(sqliteFileFromUrl("file::memory:", "/repo")).toBe(":memory:");
  });

  it("splits a PostgreSQL URL into the parts PrismaPg gets, and back", () => {
    const connection = postgresConnectionFromUrl(
      "postgresql://bri%40nt:p%40ss%3Aw@db.example:6543/brilliant?schema=tenant&sslmode=require&connection_limit=4",
    );
    expect(connection).toMatchObject({
      host: "db.example",
      port: 6543,
      user: "bri@nt",
      password: "p@ss:w",
      database: "brilliant",
      schema: "tenant",
      ssl: { rejectUnauthorized: false },
      max: 4,
    });
    expect(postgresConnectionFromUrl(postgresUrl(connection))).toMatchObject({
      user: "bri@nt",
      password: "p@ss:w",
      database: "brilliant",
      schema: "tenant",
    });
    expect(postgresConnectionFromUrl("postgresql://u:p@127.0.0.1/db")).toMatchObject({
      port: 5432,
      ssl: undefined,
    });
  });
});
