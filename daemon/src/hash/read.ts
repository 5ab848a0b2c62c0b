/**
 * Reading file ranges into a hash: positional reads into one reused buffer per thread, zeros for
 * padding files. Used by the hash workers and by a pieces lane on the calling thread.
 */
import type { Hash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { HashResponse } from './messages';

const CHUNK = 1 << 20;
let buffer = Buffer.allocUnsafe(64 * 1024);

function bufferFor(length: number): Buffer {
  if (buffer.length < length) buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(length, buffer.length * 2)));
  return buffer;
}

/** Feeds `length` bytes at `offset` of an open file into the hash; a short file is an error, not silent zeros. */
export function hashRange(hash: Hash, fd: number, offset: number, length: number): void {
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
export function hashZeros(hash: Hash, length: number): void {
  for (let done = 0; done < length; ) {
    const want = Math.min(CHUNK, length - done);
    hash.update(bufferFor(want).fill(0, 0, want).subarray(0, want));
    done += want;
  }
}

/** Why a read failed, naming the file. */
export function failure(id: number, err: unknown, path: string | undefined): HashResponse {
  const e = err as NodeJS.ErrnoException;
  return { id, error: e.message, code: e.code, path };
}

/** Opens a file to read without blocking on a FIFO; anything but a regular file is an error. */
export function openRegularSync(path: string): number {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
}
