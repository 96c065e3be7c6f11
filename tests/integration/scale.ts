/**
 * How big the trust suites run. `npm run test:trust` (and CI) uses the "ci"
 * sizes, chosen so the whole CI run stays well under its time budget on a
 * busy two-core machine; `npm run soak` sets TRUST_SCALE=full and runs the
 * sizes issue 6 asks for. Timeouts grow with the sizes; no test asserts on
 * how long anything took.
 */
import { databaseKind } from "../../app/db.server";

export type TrustScale = "ci" | "full";

export function trustScale(): TrustScale {
  const value = process.env.TRUST_SCALE?.trim().toLowerCase();
  if (!value || value === "ci") return "ci";
  if (value === "full") return "full";
  throw new Error(`TRUST_SCALE must be "ci" or "full", not "${process.env.TRUST_SCALE}"`);
}

const SIZES = {
  ci: {
    /** exactly-once.test.ts: orders, each delivered DELIVERIES times at once. */
    duplicates: { orders: 1_000, deliveries: 3 },
    /** faults.test.ts: orders through 30 % faults. */
    faults: { orders: 300 },
    /** crashes.test.ts: orders, and how many times a process is SIGKILLed during the run. */
    crashes: { orders: 500, kills: 4 },
    /** two-workers.test.ts: orders two worker processes race for. */
    twoWorkers: { orders: 600 },
    /** three-workers-kill.test.ts: orders three worker processes share, one killed (PostgreSQL only). */
    threeWorkersKill: { orders: 600 },
  },
  full: {
    duplicates: { orders: 10_000, deliveries: 3 },
    faults: { orders: 2_000 },
    crashes: { orders: 5_000, kills: 10 },
    twoWorkers: { orders: 5_000 },
    threeWorkersKill: { orders: 5_000 },
  },
} as const;

export function trustSizes() {
  return SIZES[trustScale()];
}

/** A deadline that grows with the number of orders: `perThousandMs` per 1,000, at least `minMs`. */
export function scaledTimeout(orders: number, perThousandMs: number, minMs = 60_000): number {
  return Math.max(minMs, Math.ceil((orders / 1_000) * perThousandMs));
}

/** "scale=ci db=sqlite": the first words of every suite's counts line. */
export function runLabel(): string {
  return `scale=${trustScale()} db=${databaseKind()}`;
}
