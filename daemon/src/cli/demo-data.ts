/** Sample data for `btd demo`: deterministic pseudo-random bytes (so runs are comparable) and a byte-exact compare. */
import { open } from 'node:fs/promises';

const CHUNK = 1024 * 1024;

/** Writes `size` bytes of xorshift32 output from `seed` to `path`, a chunk at a time (memory stays flat). */
export async function writeSampleFile(path: string, size: number, seed = 0x2545f491): Promise<void> {
  const file = await open(path, 'w');
  try {
    let state = seed >>> 0 || 1;
    const words = new Uint32Array(CHUNK / 4);
    const bytes = new Uint8Array(words.buffer);
    for (let offset = 0; offset < size; offset += CHUNK) {
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      const n = Math.min(CHUNK, size - offset);
      await file.write(bytes, 0, n, offset);
    }
  } finally {
    await file.close();
  }
}

/** True when both files have the same length and bytes. */
export async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const [sa, sb] = await Promise.all([fa.stat(), fb.stat()]);
    if (sa.size !== sb.size) return false;
    const ba = Buffer.alloc(CHUNK);
    const bb = Buffer.alloc(CHUNK);
    for (let offset = 0; offset < sa.size; offset += CHUNK) {
      const [ra, rb] = await Promise.all([fa.read(ba, 0, CHUNK, offset), fb.read(bb, 0, CHUNK, offset)]);
      if (ra.bytesRead !== rb.bytesRead || !ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}
