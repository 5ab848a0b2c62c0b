/**
 * Where each file of a torrent lives: its own file under the save folder, nowhere (a BEP 47 padding
 * file, all zeros), or the torrent's parts file in the state folder (a skipped file, whose bytes in
 * the pieces it shares with wanted files must be kept without creating it).
 */
import { join } from 'node:path';
import { ZERO_PATH } from '../hash/pool';
import type { Metainfo } from '../metainfo/types';
import { torrentFilePaths } from './file-storage';

/** One file's location: `path` at `base + fileOffset`; ZERO_PATH for a padding file. */
export interface Place {
  kind: 'file' | 'zero' | 'parts';
  path: string;
  base: number;
}

/** The parts file of a torrent inside `stateDir`. */
export function partsFileOf(m: Pick<Metainfo, 'infoHashHex'>, stateDir: string): string {
  return join(stateDir, `${m.infoHashHex}.parts`);
}

/**
 * The places of a torrent's files. A file in parts mode is stored in the parts file at its own offset
 * in the torrent's data (the parts file is sparse: only the bytes of boundary pieces are written).
 */
export class Placement {
  /** Final paths of the files (padding files included, never used for them). */
  readonly paths: readonly string[];
  private readonly inParts: Set<number>;

  constructor(
    private readonly m: Pick<Metainfo, 'files'>,
    savePath: string,
    readonly partsPath: string,
    inParts: Iterable<number> = [],
  ) {
    this.paths = torrentFilePaths(m, savePath);
    this.inParts = new Set([...inParts].filter((i) => Number.isInteger(i) && i >= 0 && i < m.files.length && !m.files[i].padding));
  }

  /** Where file `index` lives now. */
  place(index: number): Place {
    const f = this.m.files[index];
    if (f.padding) return { kind: 'zero', path: ZERO_PATH, base: 0 };
    if (this.inParts.has(index)) return { kind: 'parts', path: this.partsPath, base: f.offset };
    return { kind: 'file', path: this.paths[index], base: 0 };
  }

  /** Is file `index` kept in the parts file? */
  isInParts(index: number): boolean {
    return this.inParts.has(index);
  }

  /** Files kept in the parts file, ascending. */
  partsFiles(): number[] {
    return [...this.inParts].sort((a, b) => a - b);
  }

  /** File `index` goes to (true) or leaves (false) the parts file; the caller moves its bytes. */
  setInParts(index: number, inParts: boolean): void {
    if (this.m.files[index]?.padding) return;
    if (inParts) this.inParts.add(index);
    else this.inParts.delete(index);
  }

  /** The files as the hash pool reads them, in torrent order. */
  hashLayout(): { path: string; length: number; base: number }[] {
    return this.m.files.map((f, i) => {
      const p = this.place(i);
      return { path: p.path, length: f.length, base: p.base };
    });
  }
}
