import { createHash } from 'node:crypto';
import { Geometry } from '../util/geometry';
import type { Metainfo } from '../metainfo/types';
import { StorageError } from './errors';
import { checkRange, hashMatches } from './piece-check';
import type { Storage } from './types';

/** Storage in memory, for tests: pieces are allocated on first write, hashing runs in-process. */
export function createMemoryStorage(m: Metainfo): Storage {
  return new MemoryStorage(m);
}

class MemoryStorage implements Storage {
  private readonly geometry: Geometry;
  private readonly pieces = new Map<number, { data: Uint8Array; written: Uint8Array }>();
  private closed = false;

  constructor(private readonly m: Metainfo) {
    this.geometry = new Geometry(m);
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    return this.written(piece, offset, length).slice();
  }

  async readInto(piece: number, offset: number, into: Uint8Array): Promise<void> {
    into.set(this.written(piece, offset, into.length));
  }

  /** A view of a range that was written in full; StorageError 'missing' otherwise. */
  private written(piece: number, offset: number, length: number): Uint8Array {
    this.check(piece, offset, length);
    const p = this.pieces.get(piece);
    if (!p || p.written.subarray(offset, offset + length).includes(0)) {
      throw new StorageError('missing', `piece ${piece} range ${offset}+${length} was not written`);
    }
    return p.data.subarray(offset, offset + length);
  }

  async write(piece: number, offset: number, data: Uint8Array): Promise<void> {
    this.check(piece, offset, data.length);
    let p = this.pieces.get(piece);
    if (!p) {
      const size = this.geometry.pieceSize(piece);
      p = { data: new Uint8Array(size), written: new Uint8Array(size) };
      this.pieces.set(piece, p);
    }
    p.data.set(data, offset);
    p.written.fill(1, offset, offset + data.length);
  }

  async verifyPiece(piece: number): Promise<boolean> {
    this.check(piece, 0, 0);
    const p = this.pieces.get(piece);
    if (!p || p.written.includes(0)) return false;
    return hashMatches(this.m, piece, createHash('sha1').update(p.data).digest());
  }

  async flush(): Promise<void> {
    if (this.closed) throw new StorageError('closed', 'storage is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async deleteData(): Promise<string[]> {
    this.pieces.clear();
    this.closed = true;
    return [];
  }

  private check(piece: number, offset: number, length: number): void {
    if (this.closed) throw new StorageError('closed', 'storage is closed');
    checkRange(this.geometry, piece, offset, length);
  }
}
