/**
 * A size guard in front of vscode-jsonrpc's reader, which would buffer a body of any announced length.
 * It follows the Content-Length framing and passes frames through unchanged, except that a frame whose
 * body is larger than the limit is skipped (never buffered) and reported, and a header block that grows
 * past its own limit ends the stream, since framing cannot be recovered from there.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** Largest message body accepted: a 16 MiB .torrent in base64 plus the JSON around it. */
export const MAX_MESSAGE_BYTES = 24 * 1024 * 1024;
/** Largest header block. */
export const MAX_HEADER_BYTES = 8 * 1024;

/** What one chunk of input produced. */
export interface FrameStep {
  /** Bytes to hand to the reader, in order. */
  forward: Buffer[];
  /** Body sizes of frames that were skipped as too large. */
  oversize: number[];
  /** Set when the stream cannot continue (header too long or without a usable Content-Length). */
  fatal?: string;
}

/** The pure state machine: "read a header block, then N body bytes (forwarded or skipped)". */
export class FrameLimiter {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private skipping = false;
  private dead = false;

  constructor(
    private readonly maxBody = MAX_MESSAGE_BYTES,
    private readonly maxHeader = MAX_HEADER_BYTES,
  ) {}

  /** Consumes a chunk. */
  push(chunk: Buffer): FrameStep {
    const step: FrameStep = { forward: [], oversize: [] };
    let rest = chunk;
    while (rest.length > 0 && !this.dead) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, rest.length);
        if (!this.skipping) step.forward.push(rest.subarray(0, n));
        this.remaining -= n;
        rest = rest.subarray(n);
        continue;
      }
      rest = this.readHeader(rest, step);
    }
    return step;
  }

  private readHeader(chunk: Buffer, step: FrameStep): Buffer {
    const joined = Buffer.concat([this.header, chunk]);
    const end = joined.indexOf('\r\n\r\n');
    if (end < 0) {
      if (joined.length > this.maxHeader) return this.fail(step, `header block longer than ${this.maxHeader} bytes`);
      this.header = joined;
      return Buffer.alloc(0);
    }
    if (end > this.maxHeader) return this.fail(step, `header block longer than ${this.maxHeader} bytes`);
    const head = joined.subarray(0, end + 4);
    this.header = Buffer.alloc(0);
    const m = /^content-length:[ \t]*(\d{1,15})[ \t]*$/im.exec(head.toString('latin1'));
    if (!m) return this.fail(step, 'header block without a valid Content-Length');
    const length = Number(m[1]);
    this.remaining = length;
    this.skipping = length > this.maxBody;
    if (this.skipping) step.oversize.push(length);
    else step.forward.push(head);
    return joined.subarray(end + 4);
  }

  private fail(step: FrameStep, why: string): Buffer {
    this.dead = true;
    step.fatal = why;
    return Buffer.alloc(0);
  }
}

/** The limiter as a stream; `onOversize` answers skipped frames, `onFatal` answers a framing error, after which the stream ends and closes. */
export function frameLimitStream(onOversize: (bytes: number) => void, onFatal: (why: string) => void | Promise<void>, maxBody = MAX_MESSAGE_BYTES): Transform {
  const limiter = new FrameLimiter(maxBody);
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      const step = limiter.push(chunk);
      for (const b of step.forward) this.push(b);
      for (const n of step.oversize) onOversize(n);
      if (step.fatal) {
        // Once the answer is out: end, and once what came before is read, close. The JSON-RPC reader
        // closes its connection on 'close', not on 'end', and a connection left open would be deaf.
        void Promise.resolve(onFatal(step.fatal))
          .catch(() => undefined)
          .then(() => {
            this.once('end', () => this.destroy());
            this.push(null);
          });
      }
      done();
    },
  });
}
