import { randomBytes } from "node:crypto";

/**
 * Ids for rows written by direct SQL (Prisma makes cuids for the rest): time
 * first, so they sort roughly by creation like cuids, then 80 random bits.
 * Opaque to everything else; only uniqueness matters.
 */
export function newId(): string {
  return `c${Date.now().toString(36)}${randomBytes(10).toString("hex")}`;
}
