import type { HashPool } from '../hash/pool';
import { openTorrentFiles, type TorrentFiles } from '../storage';
import type { Metainfo } from '../metainfo/types';

/** A torrent's data on disk plus its resume state, as the session uses them (the storage module's bundle). */
export type TorrentData = Pick<TorrentFiles, 'storage' | 'check' | 'pieceVerified' | 'save'>;

/** Opens a torrent's data; injectable so tests can use memory storage. */
export type OpenData = (m: Metainfo, savePath: string, stateDir: string, warn: (message: string) => void) => Promise<TorrentData>;

/** The default: files under savePath, resume state in stateDir, hashing on the session's pool. */
export function openFileData(pool?: HashPool): OpenData {
  return (m, savePath, stateDir, warn) => openTorrentFiles(m, savePath, stateDir, pool ? { warn, pool } : { warn });
}
