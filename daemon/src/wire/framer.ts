import { WireError } from './errors';
import { HANDSHAKE_LENGTH } from './handshake';

/** What the framer hands out: the handshake's raw bytes, then each frame body (id + payload). */
export interface FramerHandlers {
  handshake(bytes: Uint8Array): void;
  frame(body: Uint8Array): void;
}

/**
 * Incremental framer: a state machine that needs N bytes, then calls a handler.
 * A length prefix above `maxFrameSize` throws WireError before anything is allocated.
 * Handed-out views are valid only during the call: they point into the input chunk or into
 * the framer's own buffer, which is reused. The framer keeps no reference to an input chunk
 * after `push` returns (a partial frame is copied), so callers may reuse their read buffer.
 */
export class Framer {
  private acc = new Uint8Array(0);
  private accLength = 0;
  private need: number;
  private state: 'handshake' | 'length' | 'body';
  private failed = false;

  constructor(
    private readonly handlers: FramerHandlers,
    public maxFrameSize: number,
    expectHandshake = true,
  ) {
    this.state = expectHandshake ? 'handshake' : 'length';
    this.need = expectHandshake ? HANDSHAKE_LENGTH : 4;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.accLength;
  }

  /** Feeds received bytes; throws WireError on a bad frame, after which the framer refuses input. */
  push(chunk: Uint8Array): void {
    if (this.failed) throw new WireError('protocol', 'framer already failed');
    try {
      this.consume(chunk);
    } catch (err) {
      this.failed = true;
      this.accLength = 0;
      this.acc = new Uint8Array(0);
      throw err;
    }
  }

  private consume(chunk: Uint8Array): void {
    let pos = 0;
    while (true) {
      if (this.accLength > 0) {
        const used = Math.min(this.need - this.accLength, chunk.length - pos);
        this.acc.set(chunk.subarray(pos, pos + used), this.accLength);
        this.accLength += used;
        pos += used;
        if (this.accLength < this.need) return;
        this.accLength = 0;
        this.step(this.acc.subarray(0, this.need));
      } else if (chunk.length - pos >= this.need) {
        const start = pos;
        pos += this.need;
        this.step(chunk.subarray(start, pos));
      } else {
        if (pos < chunk.length) this.keep(chunk.subarray(pos));
        return;
      }
    }
  }

  /** Copies the start of a frame into our own buffer, grown to the frame's size at most. */
  private keep(part: Uint8Array): void {
    if (this.acc.length < this.need) this.acc = new Uint8Array(Math.max(this.need, Math.min(2 * this.acc.length, this.maxFrameSize)));
    this.acc.set(part, 0);
    this.accLength = part.length;
  }

  private step(bytes: Uint8Array): void {
    switch (this.state) {
      case 'handshake':
        this.state = 'length';
        this.need = 4;
        this.handlers.handshake(bytes);
        return;
      case 'length': {
        const length = ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
        if (length > this.maxFrameSize) {
          throw new WireError('frame-too-large', `frame of ${length} bytes exceeds ${this.maxFrameSize}`);
        }
        if (length === 0) {
          this.handlers.frame(bytes.subarray(0, 0));
          return;
        }
        this.state = 'body';
        this.need = length;
        return;
      }
      case 'body':
        this.state = 'length';
        this.need = 4;
        this.handlers.frame(bytes);
        return;
    }
  }
}
