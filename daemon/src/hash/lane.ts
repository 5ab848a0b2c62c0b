/**
 * One lane of a pieces job: claims pieces from the job's shared counter and hashes them until none are
 * left or the job stops. Runs in a hash worker, or on the calling thread when the pool hashes there too.
 */
import { createHash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { pieceCountOf, pieceSizeOf, spansOf } from '../util/geometry';
import { PiecesSlot, Verdict, ZERO_PATH, type HashResponse, type PiecesJob } from './messages';
import { failure, hashRange, hashZeros, openRegularSync } from './read';

/** Files a pieces job keeps open at once (a folder of many small files needs no more). */
const OPEN_FILES = 16;

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
 * Takes part in a pieces job in slices of `reportMs` (other work of the thread gets its turn between
 * them, through setImmediate), posting progress after each slice and once at the end, or a failure.
 */
export function runPiecesLane(id: number, job: PiecesJob, post: (res: HashResponse) => void): void {
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
          post({ id, hashed, pieces, done: false });
          hashed = 0;
          pieces = 0;
          setImmediate(slice);
          return;
        }
      }
      files.closeAll();
      post({ id, hashed, pieces, done: true });
    } catch (err) {
      Atomics.store(control, PiecesSlot.Stop, 1);
      files.closeAll();
      post(failure(id, err, current));
    }
  };
  slice();
}
