import { webcrypto } from 'node:crypto';

/**
 * Digests running at once. WebCrypto copies its input before hashing, so every running digest
 * holds a second copy of a piece in native memory; two keep both cores busy (about 4 GB/s here,
 * far above any download) and bound that copy to two pieces however many wait.
 */
const MAX_RUNNING = 2;
let running = 0;
const waiting: (() => void)[] = [];

/**
 * SHA-1 of bytes on libuv's thread pool (WebCrypto), so the event loop never hashes and no worker
 * isolate is needed. Calls beyond MAX_RUNNING wait their turn in order. Leave the bytes unchanged
 * until the promise settles.
 */
export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  if (running < MAX_RUNNING) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return new Uint8Array(await webcrypto.subtle.digest('SHA-1', data));
  } finally {
    // The slot passes straight to the next caller, so a late arrival cannot overtake the queue.
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
