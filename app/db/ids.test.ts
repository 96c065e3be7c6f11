import { describe, expect, it } from "vitest";

import { newId } from "./ids";

describe("newId", () => {
  it("makes distinct ids of one shape that sort in the order they were made", () => {
    // More than one pool of random bytes (512 ids) and many ids per millisecond.
    const ids = Array.from({ length: 5_000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^c[0-9a-z]{13}[0-9a-f]{16}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it("does not repeat its random part", () => {
    const randomParts = Array.from({ length: 2_000 }, () => newId().slice(-16));
    expect(new Set(randomParts).size).toBe(randomParts.length);
  });
});
