import type { PrismaClient } from "@prisma/client";
import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";

import { rowAs, sqlFor, type Row } from "../db/sql.server";

/**
 * Shopify's Prisma session storage, with `loadSession` read by direct SQL.
 * Every webhook makes `authenticate.webhook` load the shop's offline session;
 * through Prisma that one read was a large share of a webhook's cost
 * (docs/benchmarks.md). The row is turned into a Session by the library's
 * own conversion, so what comes back is exactly what Prisma's read gives, and
 * nothing is cached: a token stored by another process is seen at once.
 */
export class AppSessionStorage extends PrismaSessionStorage<PrismaClient> {
  constructor(private readonly client: PrismaClient) {
    super(client);
  }

  override async loadSession(id: string): Promise<Session | undefined> {
    const [row] = await sqlFor(this.client).all<Row>(`SELECT * FROM "Session" WHERE "id" = ?`, [id]);
    if (!row) return undefined;
    const library = this as unknown as { rowToSession(row: unknown): Session };
    return library.rowToSession(rowAs("Session", row));
  }
}
