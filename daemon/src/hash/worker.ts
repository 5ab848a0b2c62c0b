/**
 * Hash worker: reads file ranges with positional reads into one reused buffer and returns SHA-1.
 * Runs in a worker thread so the event loop of the main thread never hashes or blocks on reads.
 */
import { createHash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { runPiecesLane } from './lane';
import { ZERO_PATH, type HashRequest, type HashResponse, type ReadSpan } from './messages';
import { failure, hashRange, hashZeros, openRegularSync } from './read';

function handleSpans(id: number, spans: ReadSpan[]): HashResponse {
  const hash = createHash('sha1');
  let current: string | undefined;
  try {
    for (const span of spans) {
      if (span.length === 0) continue;
      current = span.path;
      if (span.path === ZERO_PATH) {
        hashZeros(hash, span.length);
        continue;
      }
      const fd = openRegularSync(span.path);
      try {
        hashRange(hash, fd, span.offset, span.length);
      } finally {
        closeSync(fd);
      }
    }
    return { id, digest: Uint8Array.from(hash.digest()) };
  } catch (err) {
    return failure(id, err, current);
  }
}

const post = (res: HashResponse): void => parentPort?.postMessage(res);

parentPort?.on('message', (req: HashRequest) => {
  if ('pieces' in req) runPiecesLane(req.id, req.pieces, post);
  else if ('data' in req) post({ id: req.id, digest: Uint8Array.from(createHash('sha1').update(req.data).digest()) });
  else post(handleSpans(req.id, req.spans));
});
