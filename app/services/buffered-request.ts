/**
 * Marks a Request whose body is in memory, so it can be read again: a
 * webhook's body is read once to check its signature, and once more by
 * `authenticate.webhook`. A registered symbol, because the server
 * (server.ts, from source) and the routes (the server build) each have a
 * copy of this module.
 */
export const BUFFERED_BODY = Symbol.for("brilliant-sync.buffered-body");

/**
 * What `new Request(url, { method: "POST" })` has for the fields no
 * BufferedRequest changes (a test compares each with undici's). `bodyUsed`
 * stays false: its body can always be read again.
 */
const POST_REQUEST = {
  method: "POST",
  cache: "default",
  credentials: "same-origin",
  destination: "",
  integrity: "",
  keepalive: false,
  mode: "cors",
  redirect: "follow",
  referrer: "about:client",
  referrerPolicy: "",
  bodyUsed: false,
  isHistoryNavigation: false,
  isReloadNavigation: false,
  duplex: "half",
} as const satisfies Partial<Request> & Record<string, unknown>;

/**
 * A POST whose body was read whole beforehand (the webhook lane reads it to
 * enforce its size limit), with the whole of the Fetch API's `Request`
 * interface. `text()`, `json()`, `arrayBuffer()`, `bytes()`, `blob()` and
 * `formData()` answer from memory, as often as asked; the body stream is
 * made only when `body` is read, and the abort `signal` (which never fires)
 * only when `signal` is.
 *
 * It is not an undici `Request` (`instanceof Request` is false; give
 * `new Request(…)` its `url` and its fields, not the object itself). An
 * undici Request cost a webhook ~9% of the event loop's time to build (it
 * parses its URL twice, makes an AbortController and a stream for every
 * body) and its AbortSignal, which V8 keeps through every young-generation
 * GC, kept each webhook's request alive until a full one (docs/performance.md).
 * Remix, `@shopify/shopify-app-remix` and
 * `@shopify/shopify-api` only read a request's fields and body; the
 * bad-input suite (tests/security/bad-input.test.ts) sends every other
 * webhook through them as a BufferedRequest.
 */
export class BufferedRequest implements Request {
  // The fields of POST_REQUEST (above), getters on the prototype.
  declare readonly method: string;
  declare readonly cache: RequestCache;
  declare readonly credentials: RequestCredentials;
  declare readonly destination: RequestDestination;
  declare readonly integrity: string;
  declare readonly keepalive: boolean;
  declare readonly mode: RequestMode;
  declare readonly redirect: RequestRedirect;
  declare readonly referrer: string;
  declare readonly referrerPolicy: ReferrerPolicy;
  declare readonly bodyUsed: boolean;

  static {
    // On the prototype, so each request carries only its own fields (getters
    // of each request's own would give each a hidden class of its own, which
    // V8 keeps in the old generation).
    for (const [name, value] of Object.entries(POST_REQUEST)) {
      Object.defineProperty(BufferedRequest.prototype, name, { get: () => value });
    }
  }

  readonly [BUFFERED_BODY]: Buffer;
  readonly url: string;
  readonly headers: Headers;
  private decoded: string | undefined;
  private stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  private abort: AbortSignal | undefined;

  /**
   * `url`: absolute (a TypeError otherwise, as `new Request` throws).
   * `headers`: a Headers, or Node's raw list (`IncomingMessage.rawHeaders`:
   * name, value, name, value…), appended as they came.
   */
  constructor(url: string, headers: Headers | readonly string[], body: Buffer) {
    this.url = new URL(url).href;
    const own = new Headers();
    if (headers instanceof Headers) headers.forEach((value, name) => own.append(name, value));
    else for (let i = 0; i + 1 < headers.length; i += 2) own.append(headers[i]!, headers[i + 1]!);
    this.headers = own;
    this[BUFFERED_BODY] = body;
  }

  get signal(): AbortSignal {
    return (this.abort ??= new AbortController().signal);
  }

  get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return (this.stream ??= new Blob([this.bytesView()]).stream());
  }

  text(): Promise<string> {
    if (this.decoded === undefined) {
      const body = this[BUFFERED_BODY];
      // As fetch decodes a body: UTF-8, a byte order mark dropped.
      const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
      this.decoded = body.toString("utf8", bom ? 3 : 0);
    }
    return Promise.resolve(this.decoded);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    const body = this[BUFFERED_BODY];
    return Promise.resolve(
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    );
  }

  bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(new Uint8Array(this.bytesView()));
  }

  blob(): Promise<Blob> {
    return Promise.resolve(new Blob([this.bytesView()], { type: this.headers.get("content-type") ?? "" }));
  }

  formData(): Promise<FormData> {
    return new Response(this.bytesView(), { headers: this.headers }).formData();
  }

  /** The body's bytes, not copied (a Buffer read from a socket is never shared memory). */
  private bytesView(): Uint8Array<ArrayBuffer> {
    return this[BUFFERED_BODY] as Uint8Array<ArrayBuffer>;
  }

  clone(): BufferedRequest {
    return new BufferedRequest(this.url, this.headers, this[BUFFERED_BODY]);
  }

  get [Symbol.toStringTag](): string {
    return "Request";
  }
}

/** True for a Request whose body can be read again (a BufferedRequest of either copy of this module). */
export function isBuffered(request: Request): boolean {
  return BUFFERED_BODY in request;
}
