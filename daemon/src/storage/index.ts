/** Where a torrent's bytes live: one interface, a file and a memory implementation, resume state. */
export type { Storage } from './types';
export { StorageError } from './errors';
export type { StorageErrorCode } from './errors';
export { createFileStorage, torrentFilePaths, DEFAULT_MAX_OPEN_FILES } from './file-storage';
export type { FileStorageOptions } from './file-storage';
export { createMemoryStorage } from './memory-storage';
export { ResumeWriter, loadResumeState, fileStates, writeFileAtomic, ResumeFormatError } from './resume';
export type { ResumeWriterOptions, FileState, ResumeState, LoadedState } from './resume';
export { checkExisting } from './check';
export type { CheckOptions, CheckResult } from './check';
export { openTorrentFiles, stateFileOf } from './torrent-data';
export type { TorrentFiles, TorrentFilesOptions } from './torrent-data';
export { choicesFileOf, loadChoices, saveChoices, defaultChoices } from './file-choices';
export type { FileChoices } from './file-choices';
export { partsFileOf, Placement } from './placement';
export type { PlacedStorage } from './file-storage';
