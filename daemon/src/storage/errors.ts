/** Why a storage operation failed; the message names the file where one is involved. */
export type StorageErrorCode =
  /** The file is absent or shorter than the range: the data is not there (yet). */
  | 'missing'
  /** Reading, writing, syncing or creating failed at the OS level. */
  | 'io'
  /** A file path from the torrent would leave the download folder. */
  | 'unsafe-path'
  /** A piece, offset or length outside the torrent. */
  | 'range'
  /** The storage was closed. */
  | 'closed';

/** The one error type storage operations reject with. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly path?: string,
    /** The underlying OS error code (ENOSPC, EACCES...), when there is one. */
    readonly osCode?: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Wraps an OS error from `path` as a StorageError (ENOENT becomes 'missing'). */
export function fromOsError(err: unknown, action: string, path: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code === 'ENOENT' ? 'missing' : 'io';
  return new StorageError(code, `cannot ${action} ${path}: ${e?.message ?? String(err)}`, path, e?.code);
}
