import { useSearchParams } from "@remix-run/react";

import type { MappingFilter } from "../../catalog/mapping-page-options";

export interface MappingListQuery {
  q: string;
  filter: MappingFilter;
}

/**
 * Moves the mapping list to other parameters: the search and filter stay
 * unless changed, a null or empty value drops its parameter, and anything
 * else in the URL (cursors, notices) is left behind.
 */
export function useMappingListNavigation(query: MappingListQuery) {
  const [, setSearchParams] = useSearchParams();
  return (changes: Record<string, string | null>) => {
    const next = new URLSearchParams();
    if (query.q) next.set("q", query.q);
    if (query.filter !== "all") next.set("filter", query.filter);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next);
  };
}
