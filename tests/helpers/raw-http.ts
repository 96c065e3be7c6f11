/**
 * HTTP written by hand over one TCP connection, for what no client library
 * sends: a Content-Length the body never reaches, a body trickled or never
 * finished, a chunked body that grows without end, a client that keeps
 * sending after the server has answered.
 *
 *   const conn = await RawConnection.open(port);
 *   conn.send("POST /webhooks/orders/paid HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
 *   expect((await conn.answer())?.status).toBe(413);
 *   await conn.closedByServer();
 */
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class RawConnection {
  private received = Buffer.alloc(0);
  private wake: Array<() => void> = [];
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.on("data", (data: Buffer) => {
      this.received = Buffer.concat([this.received, data]);
      this.notify();
    });
    socket.on("drain", () => this.notify());
    socket.on("close", () => {
      this.closed = true;
      this.notify();
    });
    // A reset after the server's answer is how a refused upload often ends: `closed` says it.
    socket.on("error", () => undefined);
  }

  static open(port: number, host = "127.0.0.1"): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once("connect", () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** A request's line and headers (CRLF-separated, the blank line added here). */
  static head(method: string, path: string, headers: Record<string, string | number>): string {
    const lines = [`${method} ${path} HTTP/1.1`, "Host: 127.0.0.1"];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    return `${lines.join("\r\n")}\r\n\r\n`;
  }

  /** Writes, unless the connection is gone (a server that closed it no longer reads). */
  send(data: string | Buffer): void {
    if (!this.closed && this.socket.writable) this.socket.write(data, () => undefined);
  }

  /** Whether the server has closed the connection. */
  isClosed(): boolean {
    return this.closed;
  }

  /**
   * The server's next answer, once its head (and body, as far as it says)
   * has come; null if it closed without one. A later call reads the answer
   * after it, on a connection kept alive.
   */
  async answer(): Promise<RawAnswer | null> {
    for (;;) {
      const parsed = this.parse();
      if (parsed) {
        this.received = this.received.subarray(parsed.used);
        return parsed.answer;
      }
      if (this.closed) return null;
      await this.nextEvent();
    }
  }

  /** Resolves once the server has closed the connection. */
  async closedByServer(): Promise<void> {
    while (!this.closed) await this.nextEvent();
  }

  /**
   * Sends `chunk` again and again, as a client that never waits for an
   * answer, until the server answers or closes, or `maxBytes` are sent.
   * Returns how many bytes were written.
   */
  async sendUntilAnswered(chunk: Buffer | string, maxBytes: number): Promise<number> {
    let sent = 0;
    const size = Buffer.byteLength(chunk);
    while (!this.closed && this.received.length === 0 && sent + size <= maxBytes) {
      const flowing = this.socket.write(chunk, () => undefined);
      sent += size;
      if (!flowing) await this.nextEvent();
    }
    return sent;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private nextEvent(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  private notify(): void {
    const waiting = this.wake;
    this.wake = [];
    for (const resolve of waiting) resolve();
  }

  private parse(): { answer: RawAnswer; used: number } | null {
    const end = this.received.indexOf("\r\n\r\n");
    if (end === -1) return null;
    const [statusLine, ...lines] = this.received.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(statusLine!.split(" ")[1]);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = end + 4;
    const rest = this.received.subarray(start);
    // An interim 100 Continue is not the answer.
    if (status === 100) {
      this.received = rest;
      return this.parse();
    }
    if (headers["transfer-encoding"]?.toLowerCase() === "chunked") {
      const body = dechunk(rest);
      return body === null ? null : { answer: { status, headers, body: body.text }, used: start + body.used };
    }
    const length = headers["content-length"];
    if (length !== undefined) {
      if (rest.length < Number(length)) return null;
      const body = rest.subarray(0, Number(length)).toString("utf8");
      return { answer: { status, headers, body }, used: start + Number(length) };
    }
    // No length: the body runs to the end of the connection.
    if (!this.closed) return null;
    return { answer: { status, headers, body: rest.toString("utf8") }, used: this.received.length };
  }
}

/** A whole chunked body, decoded, and the bytes it took; null while its last chunk has not come. */
function dechunk(data: Buffer): { text: string; used: number } | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf("\r\n", at);
    if (lineEnd === -1) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString("latin1"), 16);
    if (data.length < lineEnd + 2 + size + 2) return null;
    if (size === 0) return { text: Buffer.concat(parts).toString("utf8"), used: lineEnd + 4 };
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
