import type { HashPool } from '../hash/pool';
import { openTorrentFiles, type TorrentFiles } from '../storage';
import type { Metainfo } from '../metainfo/types';
import type { FilePriority } from '../picker/priorities';

/** A torrent's data on disk plus its resume state, as the session uses them (the storage module's bundle). */
export type TorrentData = Pick<TorrentFiles, 'storage' | 'check' | 'pieceVerified' | 'save' | 'choices' | 'setFilePriorities' | 'setSequential'>;

/** Choices given when a torrent is added (otherwise the saved ones apply). */
export interface DataChoices {
  filePriorities?: readonly FilePriority[];
  sequential?: boolean;
}

/** Opens a torrent's data; injectable so tests can use memory storage. */
export type OpenData = (m: Metainfo, savePath: string, stateDir: string, warn: (message: string) => void, choices?: DataChoices) => Promise<TorrentData>;

/** The default: files under savePath, resume state in stateDir, hashing on the session's pool. */
export function openFileData(pool?: HashPool): OpenData {
  return (m, savePath, stateDir, warn, choices = {}) => openTorrentFiles(m, savePath, stateDir, { warn, ...(pool ? { pool } : {}), ...choices });
}
