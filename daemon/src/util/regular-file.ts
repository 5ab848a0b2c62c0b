/**
 * Opening a path that may be something other than a regular file. A plain `open` of a FIFO blocks
 * until a writer comes, holding one of libuv's four pool threads: four such opens stop all file I/O
 * of the process. Opening with O_NONBLOCK returns at once for a FIFO (and changes nothing for a
 * regular file), and the handle's fstat then tells what it is.
 */
import { constants, promises as fs } from 'node:fs';

/** The path names something other than a regular file (a FIFO, a device, a socket, a folder). */
export class NotRegularFileError extends Error {
  constructor(
    readonly path: string,
    /** 'folder', 'FIFO', 'device', 'socket' or 'special file'. */
    readonly kind: string,
  ) {
    super(`${path} is a ${kind}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

function kindOf(st: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (st.isDirectory()) return 'folder';
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'device';
  if (st.isSocket()) return 'socket';
  return 'special file';
}

/**
 * Opens `path` with `flags` (default read-only) without blocking on a FIFO, and refuses anything but
 * a regular file with a NotRegularFileError. A folder is refused the same way (EISDIR included).
 */
export async function openRegularFile(path: string, flags: number = constants.O_RDONLY, mode = 0o666): Promise<fs.FileHandle> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(path, flags | constants.O_NONBLOCK, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new NotRegularFileError(path, 'folder');
    // A FIFO opened for writing with no reader: ENXIO rather than a wait.
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') throw new NotRegularFileError(path, 'FIFO');
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new NotRegularFileError(path, kindOf(st));
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** Reads a whole regular file of at most `maxBytes`; a RangeError when it is larger. */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const fh = await openRegularFile(path);
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw new RangeError(`${path} has ${size} bytes, more than ${maxBytes}`);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}
