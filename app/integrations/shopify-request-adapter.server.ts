// How @shopify/shopify-api reads a Fetch Request (every `authenticate.*`), set
// through its runtime adapter API, as its own adapters do (decision 011).
//
// The library's web-api adapter adds the headers one by one, and each add
// canonicalises the names of all headers held so far with a regular
// expression: for a webhook, most of the event loop's time
// (docs/performance.md). This conversion gives the same object (each header
// under the library's canonical name, values in order) with each distinct
// name canonicalised once and remembered.
import "@shopify/shopify-api/adapters/web-api";
import {
  canonicalizeHeaderName,
  setAbstractConvertRequestFunc,
  type AdapterArgs,
  type NormalizedRequest,
} from "@shopify/shopify-api/runtime";

/** Names seen are few (a request's headers); anyone can send new ones, so past this they are not remembered. */
const MAX_REMEMBERED_NAMES = 1_000;
const canonicalNames = new Map<string, string>();

export function canonicalHeaderName(name: string): string {
  let canonical = canonicalNames.get(name);
  if (canonical === undefined) {
    canonical = canonicalizeHeaderName(name);
    if (canonicalNames.size < MAX_REMEMBERED_NAMES) canonicalNames.set(name, canonical);
  }
  return canonical;
}

export async function convertRequest(adapterArgs: AdapterArgs): Promise<NormalizedRequest> {
  const request = adapterArgs.rawRequest as Request;
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers.entries()) {
    (headers[canonicalHeaderName(name)] ??= []).push(value);
  }
  return { headers, method: request.method ?? "GET", url: new URL(request.url).toString() };
}

setAbstractConvertRequestFunc(convertRequest);
