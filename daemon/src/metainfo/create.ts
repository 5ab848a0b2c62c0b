/**
 * Creates a v1 torrent from a file or folder. Pieces are hashed by HashPool workers that read the data
 * themselves into one reused buffer each, so memory stays flat for any input size.
 */
import { stat } from 'node:fs/promises';
import { bencode } from '../bencode';
import type { Encodable } from '../bencode';
import { sharedHashPool } from '../hash/pool';
import type { HashPool } from '../hash/pool';
import { VERSION } from '../version';
import { collectFiles } from './collect';
import type { SourceFile } from './collect';
import { MetainfoError } from './errors';
import { parseMetainfo } from './parse';
import { autoPieceLength, checkPieceLength } from './piece-length';
import type { Metainfo } from './types';

/** Options of `createTorrent`. */
export interface CreateOptions {
  /** Tracker URLs: each string its own tier, or explicit BEP 12 tiers. */
  trackers?: string[] | string[][];
  /** Bytes; a power of two. Default: chosen from the total size (`autoPieceLength`). */
  pieceLength?: number;
  private?: boolean;
  comment?: string;
  /** BEP 19 url-list. */
  webSeeds?: string[];
  /** Include files and folders whose names start with '.'. */
  includeHidden?: boolean;
  /** Absolute paths inside a folder input to leave out (e.g. where the torrent will be written). */
  exclude?: string[];
  /** Default `btd/<version>`. */
  createdBy?: string;
  /** Seconds since the epoch; default now. */
  creationDate?: number;
  signal?: AbortSignal;
  onProgress?: (hashedBytes: number, totalBytes: number) => void;
  /** Default: the shared pool. */
  pool?: HashPool;
}

/** A file that changed size or time while hashed would make a torrent that nobody can complete. */
async function checkUnchanged(files: SourceFile[]): Promise<void> {
  for (const f of files) {
    const st = await stat(f.diskPath);
    if (st.size !== f.length || st.mtimeMs !== f.mtimeMs) throw new Error(`${f.diskPath} changed while it was hashed`);
  }
}

function tiersOf(trackers: string[] | string[][] | undefined): string[][] {
  if (!trackers) return [];
  const tiers = trackers.map((t) => (Array.isArray(t) ? t : [t]).filter((u) => u.length > 0));
  return tiers.filter((t) => t.length > 0);
}

/** Creates a torrent; nothing is written anywhere. Rejects with the signal's reason when aborted. */
export async function createTorrent(input: string, opts: CreateOptions = {}): Promise<{ bytes: Uint8Array; metainfo: Metainfo }> {
  opts.signal?.throwIfAborted();
  const pool = opts.pool ?? sharedHashPool();
  pool.warm(); // workers start while the files are listed
  const { name, multiFile, files } = await collectFiles(input, { includeHidden: opts.includeHidden, exclude: opts.exclude });
  const totalLength = files.reduce((sum, f) => sum + f.length, 0);
  if (totalLength === 0) throw new MetainfoError('empty', `${input} holds no data (every file is empty)`);
  const pieceLength = opts.pieceLength ?? autoPieceLength(totalLength);
  checkPieceLength(pieceLength);
  const layout = { files: files.map((f) => ({ path: f.diskPath, length: f.length })), pieceLength, totalLength };
  const pieces = await pool.hashPieces(layout, { signal: opts.signal, onProgress: opts.onProgress });
  await checkUnchanged(files);

  const info: Record<string, Encodable | undefined> = {
    name,
    'piece length': pieceLength,
    pieces,
    private: opts.private ? 1 : undefined,
  };
  if (multiFile) info.files = files.map((f) => ({ length: f.length, path: f.parts }));
  else info.length = totalLength;
  const tiers = tiersOf(opts.trackers);
  const torrent: Record<string, Encodable | undefined> = {
    announce: tiers[0]?.[0],
    'announce-list': tiers.length > 1 || (tiers[0]?.length ?? 0) > 1 ? tiers : undefined,
    comment: opts.comment,
    'created by': opts.createdBy ?? `btd/${VERSION}`,
    'creation date': opts.creationDate ?? Math.floor(Date.now() / 1000),
    info,
    'url-list': opts.webSeeds && opts.webSeeds.length > 0 ? opts.webSeeds : undefined,
  };
  const bytes = bencode(torrent);
  return { bytes, metainfo: parseMetainfo(bytes) };
}
