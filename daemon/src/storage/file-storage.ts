import { lstat, rm, rmdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { sharedHashPool, type HashPool } from '../hash/pool';
import { Geometry, type FileSpan } from '../util/geometry';
import { MetainfoError } from '../metainfo/errors';
import { safeFilePath, safeFilePaths } from '../metainfo/paths';
import type { Metainfo } from '../metainfo/types';
import { StorageError } from './errors';
import { HandleCache } from './handles';
import { checkRange, hashMatches, verifySpans } from './piece-check';
import { setFileSkipped, tidyParts } from './parts';
import { Placement } from './placement';
import type { Storage } from './types';

/** Options of the file storage. */
export interface FileStorageOptions {
  /** Bound of the open file handle cache (default 64). */
  maxOpenFiles?: number;
  /** Where pieces are hashed (default: the shared pool). */
  pool?: HashPool;
  /** Where each file lives (default: every file but padding files in its own file, no parts file). */
  placement?: Placement;
  /** Called as each block write starts (it changes the files' sizes and times). */
  onWrite?: () => void;
}

/** Open handles kept per torrent by default: well under common descriptor limits, even with many torrents. */
export const DEFAULT_MAX_OPEN_FILES = 64;

/** The disk paths of a torrent's files under `savePath`; StorageError('unsafe-path') if one would escape. */
export function torrentFilePaths(m: Pick<Metainfo, 'files'>, savePath: string): readonly string[] {
  // Storage, placement and every resume write ask again; a torrent of many files pays once.
  const known = pathCache.get(m.files);
  if (known?.savePath === savePath) return known.paths;
  const paths = checkedPaths(m, savePath);
  pathCache.set(m.files, { savePath, paths });
  return paths;
}

/** Files whose paths are built between two yields to the event loop. */
const PATHS_PER_SLICE = 10_000;

/** `torrentFilePaths`, built in slices that hand the event loop back (a torrent of many files). */
export async function torrentFilePathsSliced(m: Pick<Metainfo, 'files'>, savePath: string): Promise<readonly string[]> {
  const known = pathCache.get(m.files);
  if (known?.savePath === savePath || m.files.length <= PATHS_PER_SLICE) return torrentFilePaths(m, savePath);
  const paths: string[] = [];
  for (let i = 0; i < m.files.length; i += PATHS_PER_SLICE) {
    paths.push(...checkedPaths({ files: m.files.slice(i, i + PATHS_PER_SLICE) }, savePath));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  pathCache.set(m.files, { savePath, paths });
  return paths;
}

const pathCache = new WeakMap<readonly unknown[], { savePath: string; paths: readonly string[] }>();

function checkedPaths(m: Pick<Metainfo, 'files'>, savePath: string): readonly string[] {
  try {
    return safeFilePaths(savePath, m.files.map((f) => f.path));
  } catch (err) {
    if (!(err instanceof MetainfoError)) throw err;
    // Rare: find the file to name, one at a time.
    const bad = m.files.find((f) => componentsProblem(savePath, f.path));
    throw new StorageError('unsafe-path', err.message, bad?.path.join('/'));
  }
}

function componentsProblem(savePath: string, parts: readonly string[]): boolean {
  try {
    safeFilePath(savePath, parts);
    return false;
  } catch {
    return true;
  }
}

/** File storage that can keep skipped files in a parts file (see parts.ts). */
export interface PlacedStorage extends Storage {
  /** File `index` is skipped or wanted again: it goes to or leaves the parts file (`have`: verified pieces). */
  setFileSkipped(index: number, skipped: boolean, have: { has(piece: number): boolean }): Promise<void>;
  /** Removes the parts file when no file kept in it holds bytes of a piece in `have`. */
  tidyParts(have: { has(piece: number): boolean }): Promise<void>;
}

/**
 * Storage in the torrent's final files under `savePath`: positional reads and writes straight into
 * them (files and folders created on first write, sparse until filled), a bounded cache of handles.
 * Throws StorageError('unsafe-path') at once if a file name would leave `savePath`.
 */
export function createFileStorage(m: Metainfo, savePath: string, opts: FileStorageOptions = {}): PlacedStorage {
  return new FileStorage(m, savePath, opts);
}

/** Which pieces are verified. */
interface PieceSet {
  has(piece: number): boolean;
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

class FileStorage implements PlacedStorage {
  private readonly geometry: Geometry;
  private readonly placement: Placement;
  private readonly handles: HandleCache;
  private readonly pool: HashPool;
  private readonly onWrite: (() => void) | undefined;
  private emptyFiles: Promise<void> | undefined;
  /** Set while a file leaves the parts file; writes wait for it. */
  private moving: Promise<void> | undefined;
  private writing = 0;
  private drained: (() => void) | undefined;
  /** Pieces this process wrote bytes of into the parts file. */
  private readonly partsPieces = new Set<number>();

  constructor(
    private readonly m: Metainfo,
    private readonly savePath: string,
    opts: FileStorageOptions,
  ) {
    this.geometry = new Geometry(m);
    this.placement = opts.placement ?? new Placement(m, savePath, '');
    this.handles = new HandleCache(opts.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES);
    this.pool = opts.pool ?? sharedHashPool();
    this.onWrite = opts.onWrite;
  }

  async read(piece: number, offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.geometry, piece, offset, length);
    // Not zero-filled: every byte is overwritten or the read fails.
    const raw = Buffer.allocUnsafeSlow(length);
    const out = new Uint8Array(raw.buffer, raw.byteOffset, length);
    await this.readInto(piece, offset, out);
    return out;
  }

  async readInto(piece: number, offset: number, into: Uint8Array): Promise<void> {
    checkRange(this.geometry, piece, offset, into.length);
    let at = 0;
    for (const span of this.geometry.rangeSpans(piece, offset, into.length)) {
      const part = into.subarray(at, at + span.length);
      const { kind, path, base } = this.placement.place(span.fileIndex);
      if (kind === 'zero') part.fill(0);
      else await this.handles.use(path, false, (fh) => readFully(fh, part, base + span.fileOffset, path));
      at += span.length;
    }
  }

  async write(piece: number, offset: number, data: Uint8Array): Promise<void> {
    checkRange(this.geometry, piece, offset, data.length);
    this.onWrite?.();
    while (this.moving) await this.moving;
    this.writing++;
    try {
      await this.writeSpans(piece, offset, data);
    } finally {
      if (--this.writing === 0) this.drained?.();
    }
  }

  private async writeSpans(piece: number, offset: number, data: Uint8Array): Promise<void> {
    await (this.emptyFiles ??= this.createEmptyFiles().catch((err: unknown) => {
      this.emptyFiles = undefined; // try again with the next write
      throw err;
    }));
    let at = 0;
    for (const span of this.geometry.rangeSpans(piece, offset, data.length)) {
      const chunk = data.subarray(at, at + span.length);
      const { kind, path, base } = this.placement.place(span.fileIndex);
      at += span.length;
      if (kind === 'zero') continue; // padding is zeros by definition; nothing is written
      if (kind === 'parts') this.partsPieces.add(piece);
      await this.handles.use(path, true, (fh) => writeFully(fh, chunk, base + span.fileOffset));
    }
  }

  async verifyPiece(piece: number): Promise<boolean> {
    checkRange(this.geometry, piece, 0, 0);
    const spans = this.geometry.pieceSpans(piece);
    return hashMatches(this.m, piece, await verifySpans(this.pool, this.readSpans(spans)));
  }

  flush(): Promise<void> {
    return this.handles.flush();
  }

  /**
   * Writes wait while a file leaves the parts file, and the move waits for writes under way, so no
   * block lands in the parts file after its bytes were copied. Pieces written to the parts file by this
   * process move too, whether or not they are verified yet.
   */
  async setFileSkipped(index: number, skipped: boolean, have: { has(piece: number): boolean }): Promise<void> {
    if (skipped || !this.placement.isInParts(index)) return setFileSkipped(this.partsContext(), index, skipped, have);
    while (this.moving) await this.moving;
    let release!: () => void;
    this.moving = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.writing > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      const written = this.partsPieces;
      await setFileSkipped(this.partsContext(), index, false, { has: (p) => have.has(p) || written.has(p) });
    } finally {
      this.moving = undefined;
      this.drained = undefined;
      release();
    }
  }

  tidyParts(have: { has(piece: number): boolean }): Promise<void> {
    return tidyParts(this.partsContext(), have);
  }

  private partsContext() {
    return { m: this.m, geometry: this.geometry, placement: this.placement, handles: this.handles };
  }

  close(): Promise<void> {
    return this.handles.close();
  }

  async deleteData(verified: PieceSet = { has: () => false }): Promise<string[]> {
    await this.handles.close().catch(() => undefined);
    const kept: string[] = [];
    const paths: string[] = [];
    for (const [i, f] of this.m.files.entries()) {
      if (f.padding) continue;
      const path = this.placement.paths[i];
      // Only what is ours: a file we created, or one holding verified data of this torrent. A file
      // that was there before under the same name, with nothing verified, is the user's.
      if (!this.handles.created.has(path) && !this.holdsVerified(i, verified)) {
        if (await exists(path)) kept.push(path);
        continue;
      }
      paths.push(path);
    }
    if (this.placement.partsPath) paths.push(this.placement.partsPath);
    for (const path of paths) {
      await rm(path, { force: true }).catch((err: NodeJS.ErrnoException) => {
        throw new StorageError('io', `cannot delete ${path}: ${err.message}`, path, err.code);
      });
    }
    await this.removeEmptyFolders();
    return kept;
  }

  /** Does file `i` overlap a verified piece? */
  private holdsVerified(i: number, verified: PieceSet): boolean {
    const f = this.geometry.files[i];
    if (f.length === 0) return false;
    const pl = this.geometry.pieceLength;
    for (let p = Math.floor(f.offset / pl); p <= Math.floor((f.offset + f.length - 1) / pl); p++) if (verified.has(p)) return true;
    return false;
  }

  private readSpans(spans: FileSpan[]): { path: string; offset: number; length: number }[] {
    return spans.map((s) => {
      const { path, base } = this.placement.place(s.fileIndex);
      return { path, offset: base + s.fileOffset, length: s.length };
    });
  }

  /** Zero-length files never receive a block, so they are made with the first write. */
  private async createEmptyFiles(): Promise<void> {
    for (let i = 0; i < this.m.files.length; i++) {
      if (this.m.files[i].length > 0 || this.placement.place(i).kind !== 'file') continue;
      await this.handles.use(this.placement.paths[i], true, async () => undefined);
    }
  }

  /** Removes the folders our files lived in, deepest first, if now empty; never `savePath` itself. */
  private async removeEmptyFolders(): Promise<void> {
    const root = resolve(this.savePath);
    const folders = new Set<string>();
    for (const path of this.placement.paths) {
      for (let dir = dirname(path); relative(root, dir) !== '' && dir.startsWith(root + sep); dir = dirname(dir)) folders.add(dir);
    }
    const deepestFirst = [...folders].sort((a, b) => b.split(sep).length - a.split(sep).length);
    for (const dir of deepestFirst) await rmdir(dir).catch(() => undefined);
  }
}

/** Reads `into.length` bytes at `position`; StorageError('missing') if the file ends first. */
export async function readFully(fh: FileHandle, into: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new StorageError('missing', `${path} ends before byte ${position + into.length}`, path);
    done += bytesRead;
  }
}

/** Writes all of `data` at `position`. */
export async function writeFully(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
