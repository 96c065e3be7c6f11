// A new product arrives with the same body as an update; one handler serves both.
export { action, loader } from "./webhooks.products.update";
