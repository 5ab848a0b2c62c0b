/**
 * Hash worker: reads file ranges with positional reads into one reused buffer and returns SHA-1.
 * Runs in a worker thread so the event loop of the main thread never hashes or blocks on reads.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HashRequest, HashResponse, ReadSpan } from './messages';

const CHUNK = 1 << 20;
let buffer = Buffer.allocUnsafe(64 * 1024);

function bufferFor(length: number): Buffer {
  if (buffer.length < length) buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(length, buffer.length * 2)));
  return buffer;
}

/** Feeds one file range into the hash; a file shorter than the range is an error, not silent zeros. */
function hashSpan(hash: ReturnType<typeof createHash>, span: ReadSpan): void {
  if (span.length === 0) return;
  const fd = openSync(span.path, 'r');
  try {
    let done = 0;
    while (done < span.length) {
      const want = Math.min(CHUNK, span.length - done);
      const buf = bufferFor(want);
      const got = readSync(fd, buf, 0, want, span.offset + done);
      if (got === 0) {
        const err = new Error(`file ends before byte ${span.offset + span.length}`) as NodeJS.ErrnoException;
        err.code = 'ESHORT';
        throw err;
      }
      hash.update(buf.subarray(0, got));
      done += got;
    }
  } finally {
    closeSync(fd);
  }
}

function handle(req: HashRequest): HashResponse {
  const hash = createHash('sha1');
  let current: string | undefined;
  try {
    if ('data' in req) {
      hash.update(req.data);
    } else {
      for (const span of req.spans) {
        current = span.path;
        hashSpan(hash, span);
      }
    }
    const digest = hash.digest();
    return { id: req.id, digest: Uint8Array.from(digest) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { id: req.id, error: e.message, code: e.code, path: current };
  }
}

parentPort?.on('message', (req: HashRequest) => {
  parentPort?.postMessage(handle(req));
});
