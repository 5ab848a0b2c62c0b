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
 * Handed-out views are valid only during the call (they may share the input chunk).
 */
export class Framer {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
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
    return this.buffered;
  }

  /** Feeds received bytes; throws WireError on a bad frame, after which the framer refuses input. */
  push(chunk: Uint8Array): void {
    if (this.failed) throw new WireError('protocol', 'framer already failed');
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      while (this.buffered >= this.need) this.step(this.take(this.need));
    } catch (err) {
      this.failed = true;
      this.chunks = [];
      this.buffered = 0;
      throw err;
    }
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

  /** Removes exactly n buffered bytes; copies only when they span chunks. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    this.buffered -= n;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const used = Math.min(c.length, n - filled);
      out.set(used === c.length ? c : c.subarray(0, used), filled);
      filled += used;
      if (used === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(used);
    }
    return out;
  }
}
