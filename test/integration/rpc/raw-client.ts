/** Test helper: a hand-framed client (Content-Length by hand), to send what a library would refuse to. */
import type { ChildProcess } from 'node:child_process';

/** A decoded message from the daemon. */
export type Incoming = { id?: number | string | null; method?: string; result?: unknown; error?: { code: number; message: string; data?: unknown }; params?: unknown };

/** Frames raw bodies to a child's stdin and decodes its stdout. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly seen: Incoming[] = [];
  private waiters: { match: (m: Incoming) => boolean; resolve: (m: Incoming) => void }[] = [];

  constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.onData(d));
  }

  /** Sends a body as is (may be invalid JSON). */
  sendRaw(body: string): void {
    const bytes = Buffer.from(body, 'utf8');
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]));
  }

  /** Sends a JSON value. */
  send(message: unknown): void {
    this.sendRaw(JSON.stringify(message));
  }

  /** The first message (already received or future) that matches. */
  next(match: (m: Incoming) => boolean): Promise<Incoming> {
    const i = this.seen.findIndex(match);
    if (i >= 0) return Promise.resolve(this.seen.splice(i, 1)[0]);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Sends a request and resolves with its response. */
  request(id: number, method: string, params?: unknown): Promise<Incoming> {
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.next((m) => m.id === id && m.method === undefined);
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString('ascii'))?.[1]);
      if (this.buffer.length < end + 4 + length) return;
      const msg = JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString('utf8')) as Incoming;
      this.buffer = this.buffer.subarray(end + 4 + length);
      const w = this.waiters.findIndex((x) => x.match(msg));
      if (w >= 0) this.waiters.splice(w, 1)[0].resolve(msg);
      else this.seen.push(msg);
    }
  }
}
