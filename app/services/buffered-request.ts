/**
 * Marks a Request whose body is in memory, so it can be read again: a
 * webhook's body is read once to check its signature, and once more by
 * `authenticate.webhook`. A registered symbol, because the server
 * (server.ts, from source) and the routes (the server build) each have a
 * copy of this module.
 */
export const BUFFERED_BODY = Symbol.for("brilliant-sync.buffered-body");

/**
 * A POST whose body was read whole beforehand (the webhook lane reads it to
 * enforce its size limit). `text()`, `json()`, `arrayBuffer()`, `bytes()`,
 * `blob()` and `formData()` answer from memory, as often as asked; the body stream is made
 * only when `body` is read. Undici's Request makes a stream for every body,
 * and reading it again needs a copy of the whole Request (~30 µs a webhook).
 */
export class BufferedRequest extends Request {
  readonly [BUFFERED_BODY]: Buffer;
  private decoded: string | undefined;
  private stream: ReadableStream<Uint8Array> | undefined;

  static {
    // `body` is the base class's property (no body, it would say); here a
    // getter making the stream the first time it is read. Defined once, on
    // the prototype: a getter defined on each request gave each its own
    // hidden class, which V8 keeps in the old generation, and through it the
    // getter's closure kept the request, its headers and body alive through
    // every young-generation GC until a full one (docs/benchmarks.md, session 9).
    Object.defineProperty(BufferedRequest.prototype, "body", {
      get(this: BufferedRequest) {
        return (this.stream ??= new Blob([this.bytesView()]).stream());
      },
    });
  }

  /**
   * `headers`: a Headers, or Node's raw list (`IncomingMessage.rawHeaders`:
   * name, value, name, value…), appended as they came without a Headers of
   * their own first (which the base class would copy again).
   */
  constructor(url: string, headers: Headers | readonly string[], body: Buffer) {
    super(url, { method: "POST" });
    const own = this.headers;
    if (headers instanceof Headers) headers.forEach((value, name) => own.append(name, value));
    else for (let i = 0; i + 1 < headers.length; i += 2) own.append(headers[i]!, headers[i + 1]!);
    this[BUFFERED_BODY] = body;
  }

  override text(): Promise<string> {
    if (this.decoded === undefined) {
      const body = this[BUFFERED_BODY];
      // As fetch decodes a body: UTF-8, a byte order mark dropped.
      const bom = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
      this.decoded = body.toString("utf8", bom ? 3 : 0);
    }
    return Promise.resolve(this.decoded);
  }

  override async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    const body = this[BUFFERED_BODY];
    return Promise.resolve(
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    );
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(new Uint8Array(this.bytesView()));
  }

  override blob(): Promise<Blob> {
    return Promise.resolve(new Blob([this.bytesView()], { type: this.headers.get("content-type") ?? "" }));
  }

  override formData(): Promise<FormData> {
    return new Response(this.bytesView(), { headers: this.headers }).formData();
  }

  /** The body's bytes, not copied (a Buffer read from a socket is never shared memory). */
  private bytesView(): Uint8Array<ArrayBuffer> {
    return this[BUFFERED_BODY] as Uint8Array<ArrayBuffer>;
  }

  override clone(): BufferedRequest {
    return new BufferedRequest(this.url, new Headers(this.headers), this[BUFFERED_BODY]);
  }
}

/** True for a Request whose body can be read again (a BufferedRequest of either copy of this module). */
export function isBuffered(request: Request): boolean {
  return BUFFERED_BODY in request;
}
