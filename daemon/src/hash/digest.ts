import { createHash, webcrypto } from 'node:crypto';

/**
 * Inputs up to this size are hashed at once on the calling thread. With the CPU's SHA extensions that
 * costs 0.58 ms per MiB (2.4 ms at this size), while WebCrypto costs about 1.05 ms of CPU per MiB in
 * all: it copies its input on the event loop (page faults on a fresh buffer, about as long as hashing
 * there would take) and hands it to a thread-pool worker. With several peers on two cores the CPU
 * time is what counts; larger inputs still go to the pool so the event loop never stalls long.
 */
export const HASH_ON_THREAD_MAX = 4 * 1024 * 1024;

/**
 * WebCrypto digests running at once. WebCrypto copies its input before hashing, so every running
 * digest holds a second copy of a piece in native memory; two keep both cores busy (about 4 GB/s here,
 * far above any download) and bound that copy to two pieces however many wait.
 */
const MAX_RUNNING = 2;
let running = 0;
const waiting: (() => void)[] = [];

/**
 * SHA-1 of bytes: on this thread up to HASH_ON_THREAD_MAX (a 4 MiB piece costs about 2.3 ms with the
 * CPU's SHA extensions, half of WebCrypto's cost through the pool), beyond that on libuv's thread
 * pool (WebCrypto), so no worker isolate is needed. Pool calls beyond MAX_RUNNING wait their turn in
 * order. Leave the bytes unchanged until the promise settles.
 *
 * The pool is shared with every file read, write, fsync and stat of the process, and a digest
 * waits for a free thread: with libuv's default of 4 threads, four slow disk calls (fsyncs behind a
 * busy disk) stopped hashing and two halved it. bin/btd.js therefore sets UV_THREADPOOL_SIZE to 16
 * (unless set already): a stall then takes 15 slow calls at once. Disk calls queued in front of a
 * digest still delay it; the pool is first in, first out. Checks of existing data hash in the worker
 * threads of pool.ts, which read and hash synchronously on threads of their own and never wait for
 * the pool.
 */
export async function sha1(data: Uint8Array): Promise<Uint8Array> {
  if (data.length <= HASH_ON_THREAD_MAX) return createHash('sha1').update(data).digest();
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
