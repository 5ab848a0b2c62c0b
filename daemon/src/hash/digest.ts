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
 * isolate is needed (a hash worker thread holds about 11 MB). Calls beyond MAX_RUNNING wait their
 * turn in order. Leave the bytes unchanged until the promise settles.
 *
 * The pool is shared with every file read, write, fsync and stat of the process, and a digest
 * waits for a free thread: with libuv's default of 4 threads, four slow disk calls (fsyncs behind a
 * busy disk) stopped hashing and two halved it. bin/btd.js therefore sets UV_THREADPOOL_SIZE to 16
 * (unless set already): a stall then takes 15 slow calls at once. Disk calls queued in front of a
 * digest still delay it; the pool is first in, first out. Checks of existing data and pieces over
 * 4 MiB hash in the worker threads of pool.ts, which read and hash synchronously on threads of
 * their own and never wait for the pool.
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
