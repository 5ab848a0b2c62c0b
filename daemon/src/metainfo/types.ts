/** The parsed form of a v1 `.torrent` file. */
import type { BDict } from '../bencode';

/**
 * One file of the torrent. `path` is relative to the download folder and starts with the torrent's
 * name (single-file torrents: `[name]`); pass it to `safeFilePath`. `offset` is where the file starts
 * in the torrent's concatenated data.
 */
export interface FileEntry {
  path: string[];
  length: number;
  offset: number;
  /** BEP 47 padding file (attr contains 'p'): never written, never shown, its bytes are zeros. */
  padding?: boolean;
  /** The BEP 47 flags of the file that btd knows, in this order: 'p' padding, 'x' executable, 'h' hidden, 'l' symlink. */
  attr?: string;
}

/** A validated v1 metainfo. Unknown keys stay available in `raw`, `infoBytes` and `dict`. */
export interface Metainfo {
  infoHash: Uint8Array;
  infoHashHex: string;
  name: string;
  pieceLength: number;
  pieceCount: number;
  totalLength: number;
  /** 20 × pieceCount raw SHA-1 digests. */
  pieces: Uint8Array;
  files: FileEntry[];
  multiFile: boolean;
  announce?: string;
  /** BEP 12 tiers; `[[announce]]` when the file has no announce-list. */
  announceList: string[][];
  private: boolean;
  urlList: string[];
  comment?: string;
  createdBy?: string;
  creationDate?: number;
  /** The info dictionary's bytes exactly as in the file (the info hash is their SHA-1). */
  infoBytes: Uint8Array;
  /** The whole file as given. */
  raw: Uint8Array;
  /** The decoded top-level dictionary, unknown keys included. */
  dict: BDict;
}
