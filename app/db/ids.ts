import { randomFillSync } from "node:crypto";

let lastMs = 0;
let counter = 0;
// Random bytes drawn 4 KiB at a time: one call to the system's generator per
// 512 ids instead of one per id, which shows in a webhook's CPU.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function random64Hex(): string {
  if (poolOffset + 8 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString("hex", poolOffset, poolOffset + 8);
  poolOffset += 8;
  return hex;
}

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
  return `c${now.toString(36).padStart(9, "0")}${counter.toString(36).padStart(4, "0")}${random64Hex()}`;
}
