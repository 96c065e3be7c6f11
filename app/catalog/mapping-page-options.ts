/**
 * The mapping page's filters and auto-match review groups, shared by the
 * server model (mapping-page.server.ts) and the pages' components.
 */
export const MAPPING_FILTERS = ["all", "unmapped", "mapped", "inactive", "low_stock", "not_shipped"] as const;
export type MappingFilter = (typeof MAPPING_FILTERS)[number];

export const REVIEW_GROUPS = ["new", "replaces_auto", "conflicts_manual"] as const;
export type ReviewGroup = (typeof REVIEW_GROUPS)[number];
