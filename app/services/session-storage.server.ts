import type { PrismaClient } from "@prisma/client";
import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";

import { rowAs, sqlFor, type Row } from "../db/sql.server";

/**
 * How long a session read from the database is reused by the same process.
 * Every webhook makes `authenticate.webhook` load its shop's offline session;
 * re-reading it each time cost ~15% of the event loop under load, because
 * each read after another connection's commit starts with a cold page cache
 * (docs/benchmarks.md, session 7). A token another process stores, or
 * sessions it deletes, are seen after at most this long; this process's own
 * changes are seen at once.
 */
export const SESSION_REUSE_MS = 1_000;

/** At most this many sessions are held; the oldest goes first. */
const MAX_REUSED_SESSIONS = 10_000;

/** The sessions, and a count of changes, so a read that raced a change is not kept. */
type Recent = { sessions: Map<string, { session: Session; until: number }>; changes: number };

/** Per database (tests use several): session id → its Session, while it may be reused. */
const recentByClient = new WeakMap<PrismaClient, Recent>();

function recentOf(client: PrismaClient): Recent {
  let recent = recentByClient.get(client);
  if (!recent) recentByClient.set(client, (recent = { sessions: new Map(), changes: 0 }));
  return recent;
}

/**
 * For code that changes the Session table without the storage (uninstall,
 * shop/redact, scope updates; tests that empty or seed the table): the
 * shop's sessions, or without a shop every session, are read afresh next time.
 */
export function forgetSessionsOf(client: PrismaClient, shop?: string): void {
  const recent = recentOf(client);
  recent.changes += 1;
  for (const [id, { session }] of recent.sessions) {
    if (shop === undefined || session.shop === shop) recent.sessions.delete(id);
  }
}

/**
 * Shopify's Prisma session storage, with `loadSession` read by direct SQL and
 * reused for SESSION_REUSE_MS. Through Prisma that one read was a large share
 * of a webhook's cost (docs/benchmarks.md). The row is turned into a Session
 * by the library's own conversion, so what comes back is what Prisma's read
 * gives; each caller gets a copy of its own.
 */
export class AppSessionStorage extends PrismaSessionStorage<PrismaClient> {
  private readonly recent: Recent;

  constructor(private readonly client: PrismaClient) {
    super(client);
    this.recent = recentOf(client);
  }

  override async loadSession(id: string): Promise<Session | undefined> {
    const { sessions } = this.recent;
    const now = Date.now();
    const held = sessions.get(id);
    if (held && held.until > now) return copyOf(held.session);
    const changes = this.recent.changes;
    const [row] = await sqlFor(this.client).all<Row>(`SELECT * FROM "Session" WHERE "id" = ?`, [id]);
    if (!row) return undefined;
    const library = this as unknown as { rowToSession(row: unknown): Session };
    const session = library.rowToSession(rowAs("Session", row));
    if (changes === this.recent.changes) {
      sessions.delete(id);
      if (sessions.size >= MAX_REUSED_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, { session: copyOf(session), until: now + SESSION_REUSE_MS });
    }
    return session;
  }

  override async storeSession(session: Session): Promise<boolean> {
    try {
      return await super.storeSession(session);
    } finally {
      this.forget([session.id]);
    }
  }

  override async deleteSession(id: string): Promise<boolean> {
    try {
      return await super.deleteSession(id);
    } finally {
      this.forget([id]);
    }
  }

  override async deleteSessions(ids: string[]): Promise<boolean> {
    try {
      return await super.deleteSessions(ids);
    } finally {
      this.forget(ids);
    }
  }

  private forget(ids: readonly string[]): void {
    this.recent.changes += 1;
    for (const id of ids) this.recent.sessions.delete(id);
  }
}

/**
 * A Session of the same class (the library's CommonJS build makes the
 * storage's; the app's own imports get the ES module build's) with the same
 * properties, which a caller may change without changing the one held.
 */
function copyOf(session: Session): Session {
  const SessionClass = session.constructor as new (params: ReturnType<Session["toObject"]>) => Session;
  return new SessionClass(session.toObject());
}
