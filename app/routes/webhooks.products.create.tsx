// A new product arrives with the same body as an update; one handler serves both.
export { action } from "./webhooks.products.update";
