/** A torrent's files plus its resume state, bundled the way a running torrent uses them. */
import { join } from 'node:path';
import type { HashPool } from '../hash/pool';
import type { Metainfo } from '../metainfo/types';
import { Bitfield } from '../util/bitfield';
import { checkExisting } from './check';
import { createFileStorage } from './file-storage';
import { Placement, partsFileOf } from './placement';
import { ResumeWriter } from './resume';
import type { Storage } from './types';

/** Storage, the check of existing data, and resume recording of one torrent. */
export interface TorrentFiles {
  storage: Storage;
  /** Pieces already good: 'fast' trusts a matching resume state, 'full' hashes everything present. */
  check(mode: 'fast' | 'full', onProgress?: (checkedPieces: number) => void): Promise<Bitfield>;
  /** A piece became have; it is recorded (after a flush) so that a restart need not download it again. */
  pieceVerified(piece: number): void;
  /** Records the current state now; resolves when written. */
  save(): Promise<void>;
  /** Where the resume state lives. */
  readonly stateFile: string;
}

/** Options of openTorrentFiles. */
export interface TorrentFilesOptions {
  pool?: HashPool;
  maxOpenFiles?: number;
  /** Ignored resume files and failed state writes. */
  warn?: (message: string) => void;
}

/** The resume state file of a torrent inside `stateDir`. */
export function stateFileOf(m: Pick<Metainfo, 'infoHashHex'>, stateDir: string): string {
  return join(stateDir, `${m.infoHashHex}.resume`);
}

/** Opens the files of `m` under `savePath`, with resume state in `stateDir/<info hash>.resume`. */
export async function openTorrentFiles(m: Metainfo, savePath: string, stateDir: string, opts: TorrentFilesOptions = {}): Promise<TorrentFiles> {
  const stateFile = stateFileOf(m, stateDir);
  const placement = new Placement(m, savePath, partsFileOf(m, stateDir));
  const storage = createFileStorage(m, savePath, { ...opts, placement });
  const warn = opts.warn;
  const writer = new ResumeWriter({ m, savePath, stateFile, storage, onError: (e) => warn?.(`resume state not saved: ${e.message}`) });
  let have = new Bitfield(m.pieceCount);
  return {
    storage,
    stateFile,
    async check(mode, onProgress) {
      const result = await checkExisting(m, savePath, {
        stateFile,
        full: mode === 'full',
        pool: opts.pool,
        warn,
        placement,
        onProgress: onProgress && ((checked) => onProgress(checked)),
      });
      have = result.have.clone();
      // After a full check the state is rewritten, so the next start is fast again.
      if (result.mode === 'full') await writer.save(have);
      return result.have;
    },
    pieceVerified(piece) {
      have.set(piece);
      void writer.save(have);
    },
    save() {
      return writer.save(have);
    },
  };
}
