import { BLOCK_SIZE } from '../util/geometry';

/**
 * Reusable 16 KiB buffers for received blocks on their way to storage, so a download does not
 * leave a trail of garbage buffers behind (the socket's read buffer is reused, blocks are copied
 * out of it once).
 */
export class BlockPool {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly maxFree = 64) {}

  /** A copy of `data` (≤ one block) in a pooled buffer; give the buffer back with release(). */
  copy(data: Uint8Array): { buffer: Uint8Array; view: Uint8Array } {
    const buffer = this.free.pop() ?? new Uint8Array(BLOCK_SIZE);
    const view = data.length === BLOCK_SIZE ? buffer : buffer.subarray(0, data.length);
    view.set(data);
    return { buffer, view };
  }

  /** Returns a buffer once nothing reads it any more. */
  release(buffer: Uint8Array): void {
    if (this.free.length < this.maxFree && buffer.length === BLOCK_SIZE) this.free.push(buffer);
  }
}
