/**
 * Hash worker: reads file ranges with positional reads into one reused buffer and returns SHA-1.
 * Runs in a worker thread so the event loop of the main thread never hashes or blocks on reads.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { pieceCountOf, pieceSizeOf, spansOf } from '../util/geometry';
import { PiecesSlot, Verdict, ZERO_PATH, type HashRequest, type HashResponse, type PiecesJob, type ReadSpan } from './messages';

const CHUNK = 1 << 20;
/** Files a pieces job keeps open at once (a folder of many small files needs no more). */
const OPEN_FILES = 16;
let buffer = Buffer.allocUnsafe(64 * 1024);

function bufferFor(length: number): Buffer {
  if (buffer.length < length) buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(length, buffer.length * 2)));
  return buffer;
}

/** Feeds `length` bytes at `offset` of an open file into the hash; a short file is an error, not silent zeros. */
function hashRange(hash: Hash, fd: number, offset: number, length: number): void {
  let done = 0;
  while (done < length) {
    const want = Math.min(CHUNK, length - done);
    const buf = bufferFor(want);
    const got = readSync(fd, buf, 0, want, offset + done);
    if (got === 0) {
      const err = new Error(`file ends before byte ${offset + length}`) as NodeJS.ErrnoException;
      err.code = 'ESHORT';
      throw err;
    }
    hash.update(got === buf.length ? buf : buf.subarray(0, got));
    done += got;
  }
}

/** Feeds `length` zero bytes into the hash. */
function hashZeros(hash: Hash, length: number): void {
  for (let done = 0; done < length; ) {
    const want = Math.min(CHUNK, length - done);
    hash.update(bufferFor(want).fill(0, 0, want).subarray(0, want));
    done += want;
  }
}

/** Why a read failed, naming the file. */
function failure(id: number, err: unknown, path: string | undefined): HashResponse {
  const e = err as NodeJS.ErrnoException;
  return { id, error: e.message, code: e.code, path };
}

/** Opens a file to read without blocking on a FIFO; anything but a regular file is an error. */
function openRegularSync(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
}

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

/** The job's files, opened on first use and kept open (the least recently opened closed beyond OPEN_FILES). */
class OpenFiles {
  private readonly fds = new Map<number, number>();

  constructor(private readonly paths: string[]) {}

  fd(index: number): number {
    let fd = this.fds.get(index);
    if (fd === undefined) {
      if (this.fds.size >= OPEN_FILES) {
        const [oldest, oldFd] = this.fds.entries().next().value as [number, number];
        this.fds.delete(oldest);
        closeSync(oldFd);
      }
      fd = openRegularSync(this.paths[index]);
      this.fds.set(index, fd);
    }
    return fd;
  }

  closeAll(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/** Where a pieces job's files are in its data, for spansOf. */
function extentsOf(files: PiecesJob['files']): { length: number; offset: number }[] {
  let offset = 0;
  return files.map((f) => {
    const extent = { length: f.length, offset };
    offset += f.length;
    return extent;
  });
}

/**
 * Takes part in a pieces job: claims pieces from the shared counter and hashes them until none are left
 * or the job stops, in slices of `reportMs` so that requests queued behind it still get their turn.
 */
function runPieces(id: number, job: PiecesJob): void {
  const control = new Int32Array(job.control);
  const digests = job.digests && new Uint8Array(job.digests);
  const verdicts = job.check && new Uint8Array(job.check.verdicts);
  const count = pieceCountOf(job.pieceLength, job.totalLength);
  const extents = extentsOf(job.files);
  const files = new OpenFiles(job.files.map((f) => f.path));
  let hashed = 0;
  let pieces = 0;
  let current: string | undefined;
  const digestOf = (piece: number, length: number): Buffer => {
    const hash = createHash('sha1');
    for (const span of spansOf(extents, piece * job.pieceLength, length)) {
      const file = job.files[span.fileIndex];
      current = file.path;
      if (file.path === ZERO_PATH) hashZeros(hash, span.length);
      else hashRange(hash, files.fd(span.fileIndex), (file.base ?? 0) + span.fileOffset, span.length);
    }
    return hash.digest();
  };
  /** Checking data: a piece that cannot be read is Missing, not a failure of the job. */
  const check = (piece: number, length: number, found: Uint8Array, expected: Uint8Array): void => {
    let digest: Buffer;
    try {
      digest = digestOf(piece, length);
    } catch {
      found[piece] = Verdict.Missing;
      return;
    }
    found[piece] = digest.equals(expected.subarray(piece * 20, piece * 20 + 20)) ? Verdict.Good : Verdict.Missing;
    hashed += length;
  };
  const slice = (): void => {
    const until = performance.now() + job.reportMs;
    try {
      while (Atomics.load(control, PiecesSlot.Stop) === 0) {
        const piece = Atomics.add(control, PiecesSlot.Next, 1);
        if (piece >= count) break;
        if (verdicts?.[piece] === Verdict.Skip) continue; // the caller counts these itself
        const length = pieceSizeOf({ pieceCount: count, pieceLength: job.pieceLength, totalLength: job.totalLength }, piece);
        if (verdicts && job.check) check(piece, length, verdicts, job.check.expected);
        else {
          digests?.set(digestOf(piece, length), piece * 20);
          hashed += length;
        }
        pieces++;
        if (performance.now() >= until) {
          parentPort?.postMessage({ id, hashed, pieces, done: false } satisfies HashResponse);
          hashed = 0;
          pieces = 0;
          setImmediate(slice);
          return;
        }
      }
      files.closeAll();
      parentPort?.postMessage({ id, hashed, pieces, done: true } satisfies HashResponse);
    } catch (err) {
      Atomics.store(control, PiecesSlot.Stop, 1);
      files.closeAll();
      parentPort?.postMessage(failure(id, err, current));
    }
  };
  slice();
}

parentPort?.on('message', (req: HashRequest) => {
  if ('pieces' in req) runPieces(req.id, req.pieces);
  else if ('data' in req) parentPort?.postMessage({ id: req.id, digest: Uint8Array.from(createHash('sha1').update(req.data).digest()) });
  else parentPort?.postMessage(handleSpans(req.id, req.spans));
});
