import type { PrismaClient } from "@prisma/client";
import type { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";

import { rowAs, sqlFor, type Row } from "../db/sql.server";
import { decryptSecret, encryptSecret } from "../db/credentials-crypto.server";

/**
 * How long a session read from the database is reused by the same process:
 * every webhook loads its shop's offline session, and re-reading it each time
 * is a large share of a webhook's cost. Another
 * process's changes are seen after at most this long; this process's at once.
 */
export const SESSION_REUSE_MS = 1_000;

/** At most this many sessions are held; the oldest goes first. */
const MAX_REUSED_SESSIONS = 10_000;

/** How long one process may hold a shop's token renewal before another may take it over. */
export const TOKEN_RENEWAL_LOCK_MS = 15_000;
const RENEWAL_POLL_MS = 25;

/** What Shopify is asked for: a refresh, or the one-time move of a non-expiring token to an expiring pair. */
export type TokenRenewalKind = "refresh" | "migrate";

/**
 * Asks Shopify for a new offline session (app/shopify.server.ts, through
 * `shopify.api.auth`). Throws TokenRenewalRefusedError when Shopify refuses the
 * token (revoked, uninstalled, expired refresh token); anything else thrown
 * is passing (network, 5xx) and the renewal is tried again by the next caller.
 */
export type RenewOfflineToken = (input: {
  kind: TokenRenewalKind;
  shop: string;
  token: string;
}) => Promise<Session>;

export class TokenRenewalRefusedError extends Error {
  override name = "TokenRenewalRefusedError";
}

export interface SessionStorageOptions {
  renew?: RenewOfflineToken;
  /** Renew an expiring token this long before it expires. */
  refreshMarginMs?: () => number;
  /** Shopify refused a shop's token: the merchant must open the app to reconnect. */
  onRefused?: (shop: string, client: PrismaClient) => Promise<void>;
  /** The shop has a working offline token again (renewed, or stored after token exchange). */
  onConnected?: (shop: string, client: PrismaClient) => Promise<void>;
}

interface Held {
  session: Session;
  /** The access token as stored (ciphertext): renewals compare-and-set on it. */
  sealedAccessToken: string;
  refused: boolean;
}

/** The sessions, and a count of changes, so a read that raced a change is not kept. */
type Recent = { sessions: Map<string, { held: Held; until: number }>; changes: number };

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
  for (const [id, { held }] of recent.sessions) {
    if (shop === undefined || held.session.shop === shop) recent.sessions.delete(id);
  }
}

/** Tokens are stored encrypted, as the Brilliant credentials are; rows from before that are plaintext. */
function seal(token: string | undefined): string | null {
  return token ? encryptSecret(token) : null;
}

function unseal(stored: string | undefined): string | undefined {
  return stored?.startsWith("v1.") ? decryptSecret(stored) : stored;
}

/**
 * Shopify's Prisma session storage, with three things of ours (decision 011):
 * - access and refresh tokens encrypted at rest;
 * - `loadSession` read by direct SQL and reused for SESSION_REUSE_MS;
 * - offline tokens renewed here, before the library would, by exactly one
 *   process at a time: the library renews without any lock, and a refresh
 *   token is single-use, so two processes renewing at once would lose the
 *   shop's token. Sessions handed to the library carry no refresh token, so
 *   it never renews one itself.
 */
export class AppSessionStorage extends PrismaSessionStorage<PrismaClient> {
  private readonly recent: Recent;
  private readonly renewals = new Map<string, Promise<Session | undefined>>();

  constructor(
    private readonly client: PrismaClient,
    private readonly options: SessionStorageOptions = {},
  ) {
    super(client);
    this.recent = recentOf(client);
  }

  override async loadSession(id: string): Promise<Session | undefined> {
    const held = await this.read(id);
    if (!held) return undefined;
    const { session } = held;
    if (!session.isOnline && this.options.renew && !held.refused && this.dueForRefresh(session)) {
      return this.renew(id, "refresh", (current) => this.dueForRefresh(current));
    }
    return forLibrary(session);
  }

  override async storeSession(session: Session): Promise<boolean> {
    try {
      const stored = await super.storeSession(sealedCopy(session));
      if (!session.isOnline && session.accessToken) {
        // A token from token exchange (the merchant opened the app) ends a refusal.
        await this.client.session.updateMany({
          where: { id: session.id },
          data: { renewalRefusedAt: null, renewingUntil: null },
        });
        await this.options.onConnected?.(session.shop, this.client);
      }
      return stored;
    } finally {
      this.forget([session.id]);
    }
  }

  override async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await super.findSessionsByShop(shop)).map((session) => forLibrary(unsealed(session)));
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

  /**
   * Renews the offline session `id` while `due` says it needs it: `migrate`
   * moves a non-expiring token to an expiring pair, `refresh` spends the
   * refresh token. One process renews; the others wait for its result.
   * Resolves to the session after it (unchanged when Shopify refused or it was
   * no longer due), undefined when there is none.
   */
  async renewOfflineToken(
    id: string,
    kind: TokenRenewalKind,
    due: (session: Session) => boolean = kind === "migrate" ? (session) => !session.expires : () => true,
  ): Promise<Session | undefined> {
    return this.renew(id, kind, due);
  }

  private dueForRefresh(session: Session): boolean {
    const margin = this.options.refreshMarginMs?.() ?? 330_000;
    return Boolean(session.expires && session.refreshToken && session.isExpired(margin));
  }

  private renew(
    id: string,
    kind: TokenRenewalKind,
    due: (session: Session) => boolean,
  ): Promise<Session | undefined> {
    let running = this.renewals.get(id);
    if (!running) {
      running = this.renewAcrossProcesses(id, kind, due).finally(() => this.renewals.delete(id));
      this.renewals.set(id, running);
    }
    return running;
  }

  /**
   * Takes the renewal by compare-and-set on the stored access token and a lock
   * that lapses (a renewer that dies is taken over), or waits for whoever holds
   * it and uses the token it stored.
   */
  private async renewAcrossProcesses(
    id: string,
    kind: TokenRenewalKind,
    due: (session: Session) => boolean,
  ): Promise<Session | undefined> {
    const renew = this.options.renew!;
    const deadline = Date.now() + 2 * TOKEN_RENEWAL_LOCK_MS;
    const before = await this.read(id, { fresh: true });
    if (!before) return undefined;
    // Another process may have renewed it between this one's read and now.
    if (before.refused || !due(before.session)) return forLibrary(before.session);
    for (;;) {
      const now = new Date();
      const claimed = await this.client.session.updateMany({
        where: {
          id,
          accessToken: before.sealedAccessToken,
          OR: [{ renewingUntil: null }, { renewingUntil: { lt: now } }],
        },
        data: { renewingUntil: new Date(now.getTime() + TOKEN_RENEWAL_LOCK_MS) },
      });
      if (claimed.count === 1) return this.renewHolding(id, kind, before, renew);

      const current = await this.waitWhileRenewing(id, before.sealedAccessToken, deadline);
      if (!current) return undefined;
      if (current.sealedAccessToken !== before.sealedAccessToken) return forLibrary(current.session);
      if (current.refused || Date.now() >= deadline) return forLibrary(current.session);
      // The holder let go without a new token (a passing failure) or its lock lapsed: try again.
      if (!due(current.session)) return forLibrary(current.session);
    }
  }

  private async renewHolding(
    id: string,
    kind: TokenRenewalKind,
    before: Held,
    renew: RenewOfflineToken,
  ): Promise<Session | undefined> {
    const { session } = before;
    const token = kind === "refresh" ? session.refreshToken : session.accessToken;
    const where = { id, accessToken: before.sealedAccessToken };
    let fresh: Session;
    try {
      if (!token)
        throw new TokenRenewalRefusedError(
          `The session has no ${kind === "refresh" ? "refresh" : "access"} token`,
        );
      fresh = await renew({ kind, shop: session.shop, token });
    } catch (error) {
      const refused = error instanceof TokenRenewalRefusedError;
      await this.client.session.updateMany({
        where,
        data: { renewingUntil: null, ...(refused ? { renewalRefusedAt: new Date() } : {}) },
      });
      this.forget([id]);
      if (!refused) throw error;
      await this.options.onRefused?.(session.shop, this.client);
      return forLibrary(session);
    }
    const written = await this.client.session.updateMany({
      where,
      data: {
        accessToken: seal(fresh.accessToken) ?? "",
        expires: fresh.expires ?? null,
        refreshToken: seal(fresh.refreshToken),
        refreshTokenExpires: fresh.refreshTokenExpires ?? null,
        scope: fresh.scope ?? session.scope ?? null,
        renewingUntil: null,
        renewalRefusedAt: null,
      },
    });
    this.forget([id]);
    if (written.count === 0) {
      // The row changed under the lock (uninstalled, or a token exchange stored a newer token).
      const current = await this.read(id, { fresh: true });
      return current ? forLibrary(current.session) : undefined;
    }
    await this.options.onConnected?.(session.shop, this.client);
    return forLibrary(fresh);
  }

  /** Polls the row until its token changes, nobody holds the renewal, or the deadline. */
  private async waitWhileRenewing(id: string, sealed: string, deadline: number): Promise<Held | undefined> {
    for (;;) {
      const [row] = await sqlFor(this.client).all<Row>(
        `SELECT "accessToken", "renewingUntil" FROM "Session" WHERE "id" = ?`,
        [id],
      );
      if (!row) return undefined;
      const until = rowAs<Row>("Session", row).renewingUntil as Date | null;
      const settled = row.accessToken !== sealed || !until || until.getTime() < Date.now();
      if (settled || Date.now() >= deadline) return this.read(id, { fresh: true });
      await new Promise((resolve) => setTimeout(resolve, RENEWAL_POLL_MS));
    }
  }

  private async read(id: string, options: { fresh?: boolean } = {}): Promise<Held | undefined> {
    const { sessions } = this.recent;
    const now = Date.now();
    const cached = options.fresh ? undefined : sessions.get(id);
    if (cached && cached.until > now) return { ...cached.held, session: copyOf(cached.held.session) };
    const changes = this.recent.changes;
    const [row] = await sqlFor(this.client).all<Row>(`SELECT * FROM "Session" WHERE "id" = ?`, [id]);
    if (!row) return undefined;
    const converted = rowAs<Row>("Session", row);
    const library = this as unknown as { rowToSession(row: unknown): Session };
    const held: Held = {
      session: unsealed(library.rowToSession(converted)),
      sealedAccessToken: String(converted.accessToken ?? ""),
      refused: converted.renewalRefusedAt != null,
    };
    if (changes === this.recent.changes) {
      sessions.delete(id);
      if (sessions.size >= MAX_REUSED_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, { held: { ...held, session: copyOf(held.session) }, until: now + SESSION_REUSE_MS });
    }
    return held;
  }

  private forget(ids: readonly string[]): void {
    this.recent.changes += 1;
    for (const id of ids) this.recent.sessions.delete(id);
  }
}

type SessionClass = new (params: ReturnType<Session["toObject"]>) => Session;

/**
 * A Session of the same class (the library's CommonJS build makes the
 * storage's; the app's own imports get the ES module build's) with the same
 * properties, which a caller may change without changing the one held.
 */
function copyOf(session: Session, changes: Partial<ReturnType<Session["toObject"]>> = {}): Session {
  const Class = session.constructor as SessionClass;
  return new Class({ ...session.toObject(), ...changes });
}

function sealedCopy(session: Session): Session {
  return copyOf(session, {
    accessToken: seal(session.accessToken) ?? undefined,
    refreshToken: seal(session.refreshToken) ?? undefined,
  });
}

function unsealed(session: Session): Session {
  return copyOf(session, {
    accessToken: unseal(session.accessToken),
    refreshToken: unseal(session.refreshToken),
  });
}

/** Without its refresh token, so the library never spends it (this storage renews). */
function forLibrary(session: Session): Session {
  if (!session.refreshToken) return session;
  return copyOf(session, { refreshToken: undefined, refreshTokenExpires: undefined });
}
