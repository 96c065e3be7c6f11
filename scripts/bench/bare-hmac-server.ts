/**
 * The benchmark's yardstick: a bare node:http server that does the least a
 * webhook endpoint must do, reading the body and checking Shopify's HMAC
 * (SHA-256, base64, of the raw body with the app's secret), then answering
 * 200, or 401 when the signature is wrong. No framework, no parsing, no
 * database. `npm run bench` runs it in its own process:
 *   SHOPIFY_API_SECRET=… PORT=… node --import tsx scripts/bench/bare-hmac-server.ts
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.SHOPIFY_API_SECRET;
const port = Number(process.env.PORT);
if (!secret || !Number.isInteger(port) || port <= 0) {
  console.error("bare-hmac-server needs SHOPIFY_API_SECRET and PORT");
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const expected = createHmac("sha256", secret).update(Buffer.concat(chunks)).digest();
    const header = req.headers["x-shopify-hmac-sha256"];
    const given = Buffer.from(typeof header === "string" ? header : "", "base64");
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(valid ? 200 : 401, { "content-length": "0" });
    res.end();
  });
});
// As the app server (server.ts, on node:http) leaves them: Node's defaults.
server.listen(port, "127.0.0.1", () => console.log(`bare HMAC server on http://127.0.0.1:${port}`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
