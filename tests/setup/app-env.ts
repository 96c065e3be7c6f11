// The app's environment for tests: a fixed test app, so signed webhooks and
// session tokens made by the stand-ins verify. Set before any app module loads.
export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret";
export const TEST_APP_URL = "https://brilliant-sync.test";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY ??= TEST_API_KEY;
process.env.SHOPIFY_API_SECRET ??= TEST_API_SECRET;
process.env.SHOPIFY_APP_URL ??= TEST_APP_URL;
process.env.SCOPES ??= "read_orders,read_products";
process.env.CREDENTIALS_ENCRYPTION_KEY ??= "0".repeat(63) + "1";
process.env.LOG_LEVEL ??= "silent";
// Nothing listens there: a test that reaches Brilliant without a simulator is refused at once.
process.env.BRILLIANT_API_BASE_URL ??= "http://127.0.0.1:9/V2";
