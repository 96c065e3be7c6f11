// What both the settings page (browser) and the reconciliation sweep (server) need.

/** Shopify's read_orders scope reaches the last 60 days of orders. */
export const MAX_RECONCILE_DAYS = 60;
