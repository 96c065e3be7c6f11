/** Rows (or ids) a statement names at once: far below any database's or Prisma's limit on bound parameters. */
export const BATCH = 500;

export function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

export const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
