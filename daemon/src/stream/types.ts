/** What the file server needs from the session: torrents by info hash, and from each its files, pieces and readers. */
import type { FileEntry } from '../metainfo/types';
import type { FilePriority } from '../picker/priorities';
import type { StreamReader } from '../session/stream-deadlines';

/** One torrent whose metadata is known (session/Torrent satisfies it). Emits 'piece'(index) per verified piece. */
export interface StreamTorrent {
  readonly infoHashHex: string;
  readonly metainfo: { pieceLength: number; totalLength: number; pieceCount: number; files: readonly FileEntry[] };
  readonly verifiedPieces: { has(piece: number): boolean };
  readonly readers: { open(offset: number, end: number): StreamReader };
  read(piece: number, offset: number, length: number): Promise<Uint8Array>;
  files(): readonly { index: number; priority: FilePriority }[];
  setFilePriorities(changes: readonly { index: number; priority: FilePriority }[]): Promise<void>;
  on(event: 'piece', listener: (piece: number) => void): unknown;
  off(event: 'piece', listener: (piece: number) => void): unknown;
}

/** The torrents the server may serve: undefined for an unknown one or one still fetching metadata. */
export type StreamCatalog = (infoHashHex: string) => StreamTorrent | undefined;

/** `t` as a StreamTorrent when it is one (a torrent with metadata), else undefined. */
export function asStreamTorrent(t: unknown): StreamTorrent | undefined {
  if (typeof t !== 'object' || t === null) return undefined;
  const c = t as Partial<StreamTorrent>;
  return c.metainfo && c.readers && typeof c.read === 'function' && typeof c.files === 'function' ? (t as StreamTorrent) : undefined;
}
