import type { Session } from "@shopify/shopify-api";

/** The session storage contract of @shopify/shopify-app-session-storage. */
export interface SessionStorage {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
}

/**
 * A short-lived read cache in front of the session storage. Every webhook
 * makes `authenticate.webhook` load the shop's offline session; at hundreds
 * of webhooks a second that read was a large share of the ingest's cost
 * (docs/benchmarks.md). Writes and deletes made through this storage update
 * the cache at once; changes made elsewhere (another web process, or the
 * uninstall handler deleting a shop's rows) are seen within `ttlMs`.
 */
export class CachedSessionStorage implements SessionStorage {
  private readonly cache = new Map<string, { session: Session | undefined; until: number }>();

  constructor(
    private readonly inner: SessionStorage,
    private readonly ttlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async loadSession(id: string): Promise<Session | undefined> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.until > now) return hit.session;
    const session = await this.inner.loadSession(id);
    if (this.cache.size >= this.maxEntries) this.cache.clear();
    this.cache.set(id, { session, until: now + this.ttlMs });
    return session;
  }

  async storeSession(session: Session): Promise<boolean> {
    this.cache.delete(session.id);
    return this.inner.storeSession(session);
  }

  async deleteSession(id: string): Promise<boolean> {
    this.cache.delete(id);
    return this.inner.deleteSession(id);
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.cache.delete(id);
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return this.inner.findSessionsByShop(shop);
  }

  /** Forgets every cached session of `shop` (uninstall, redact). */
  forgetShop(shop: string): void {
    for (const [id, entry] of this.cache) {
      if (entry.session?.shop === shop || id === `offline_${shop}` || id.startsWith(`${shop}_`)) {
        this.cache.delete(id);
      }
    }
  }
}
