/** Where a torrent's bytes live: one interface, a file and a memory implementation, resume state. */
export type { Storage } from './types';
export { StorageError } from './errors';
export type { StorageErrorCode } from './errors';
export { createFileStorage, torrentFilePaths, DEFAULT_MAX_OPEN_FILES } from './file-storage';
export type { FileStorageOptions } from './file-storage';
export { createMemoryStorage } from './memory-storage';
