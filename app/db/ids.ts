import { randomBytes } from "node:crypto";

let lastMs = 0;
let counter = 0;

/**
 * Ids for rows written by direct SQL (Prisma makes cuids for the rest). They
 * sort by creation within a process: the time in milliseconds, then a counter
 * for ids made in the same millisecond, both fixed width, then 64 random bits
 * so that processes never collide. Otherwise opaque.
 */
export function newId(): string {
  const now = Date.now();
  if (now === lastMs) counter += 1;
  else {
    lastMs = now;
    counter = 0;
  }
  return `c${now.toString(36).padStart(9, "0")}${counter.toString(36).padStart(4, "0")}${randomBytes(8).toString("hex")}`;
}
