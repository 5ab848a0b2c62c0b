/**
 * Resume state on disk. The guarantees:
 * - a piece recorded in the state file was flushed before it was recorded, and the state file is
 *   always a complete old or a complete new version (temp file, fsync, rename, fsync of the folder);
 * - the state is written every few seconds while pieces get verified (torrent-data.ts), not per
 *   piece, and at once on pause, stop and exit, after the torrent's writes and hash checks in flight
 *   have settled, so that the mtimes recorded then are those the files keep;
 * - a state written while downloading says so (`writing`). After a `kill -9` (or a crash, or power
 *   loss) the start hashes only what may have changed since (recheck.ts): the pieces verified in the
 *   last few seconds are checked again, never downloaded again, and the recorded ones are not read.
 */
import { mkdir, open, readdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, sep } from 'node:path';
import type { Metainfo } from '../metainfo/types';
import type { Bitfield } from '../util/bitfield';
import { torrentFilePaths } from './file-storage';
import { decodeResumeState, encodeResumeState, maxStateSize, ResumeFormatError, type FileState, type ResumeState } from './resume-format';
import type { Storage } from './types';

export type { FileState, ResumeState } from './resume-format';
export { ResumeFormatError } from './resume-format';

/** Folders read (and stats in flight) at once while reading file states. */
const STAT_CONCURRENCY = 32;
/**
 * A folder holding at most this many of the torrent's files is not listed: its files are stat'ed
 * directly. Listing pays off only for several files; for one file in a download folder shared by
 * thousands of torrents it would read thousands of names on every save.
 */
const DIRECT_STAT_MAX = 2;

/** The state of one path: its size and mtime if it is a regular file, else null (absent included). */
async function stateOf(path: string): Promise<FileState> {
  try {
    const st = await stat(path, { bigint: true });
    return st.isFile() ? { size: Number(st.size), mtimeNs: st.mtimeNs.toString() } : null;
  } catch {
    return null;
  }
}

/**
 * How each file of the torrent stands on disk now (null for absent). A folder with more than
 * DIRECT_STAT_MAX of the files is listed once, and only names that exist are stat'ed; at most
 * STAT_CONCURRENCY folders are read at a time. A torrent of many files that are not there yet costs
 * no exception, and no await, per file; a single-file torrent costs one stat.
 */
export async function fileStates(m: Pick<Metainfo, 'files'>, savePath: string): Promise<FileState[]> {
  const paths = torrentFilePaths(m, savePath);
  const byFolder = new Map<string, number[]>();
  for (let i = 0; i < paths.length; i++) {
    const dir = paths[i].slice(0, paths[i].lastIndexOf(sep));
    const list = byFolder.get(dir);
    if (list) list.push(i);
    else byFolder.set(dir, [i]);
  }
  const out = new Array<FileState>(paths.length).fill(null);
  const folders = [...byFolder];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < folders.length) {
      const [dir, files] = folders[next++];
      if (files.length <= DIRECT_STAT_MAX) {
        for (const i of files) out[i] = await stateOf(paths[i]);
        continue;
      }
      const names = await readdir(dir).then((n) => new Set(n), () => undefined);
      if (!names) continue;
      for (const i of files) if (names.has(paths[i].slice(dir.length + 1))) out[i] = await stateOf(paths[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, folders.length) }, worker));
  return out;
}

/** Result of reading a state file: the state, or why there is none usable. */
export interface LoadedState {
  state: ResumeState | undefined;
  problem?: string;
}

/** Reads and validates the state file; absent → no problem, unusable → a reason for a warning. Never throws. */
export async function loadResumeState(stateFile: string, m: Pick<Metainfo, 'infoHashHex' | 'pieceCount' | 'files'>): Promise<LoadedState> {
  const expect = { infoHashHex: m.infoHashHex, pieceCount: m.pieceCount, fileCount: m.files.length };
  try {
    const st = await stat(stateFile);
    if (st.size > maxStateSize(expect.pieceCount, expect.fileCount)) return { state: undefined, problem: `${stateFile} is too large` };
    return { state: decodeResumeState(await readFile(stateFile), expect) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { state: undefined };
    const why = err instanceof ResumeFormatError ? err.message : `cannot read it: ${e.message}`;
    return { state: undefined, problem: `ignoring resume state ${stateFile}: ${why}` };
  }
}

/** Writes `bytes` to `path` so that `path` is the old or the new content at every instant. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temp = `${path}.tmp`;
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(temp, 'w', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(temp, path);
  await syncFolder(dirname(path));
}

/** Makes a rename durable; some platforms cannot fsync a folder, which is then left to the OS. */
async function syncFolder(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without folder fsync
  } finally {
    await fh?.close();
  }
}

/** Options of a ResumeWriter. */
export interface ResumeWriterOptions {
  m: Pick<Metainfo, 'infoHashHex' | 'pieceCount' | 'files'>;
  savePath: string;
  stateFile: string;
  /** Flushed before every write of the state: what is recorded is on disk. */
  storage: Pick<Storage, 'flush'>;
  /** A write failed (the state on disk stays the previous one). */
  onError?: (err: Error) => void;
}

/**
 * Writes the state of the verified pieces. Writes are coalesced: at most one in flight, and every
 * `save` made meanwhile folds into the next write, which carries the latest state.
 */
export class ResumeWriter {
  private pending: Bitfield | undefined;
  private pendingWriting = false;
  private waiters: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private writes = 0;

  constructor(private readonly opts: ResumeWriterOptions) {}

  /** State writes done so far (successful or not). */
  get writeCount(): number {
    return this.writes;
  }

  /**
   * Records `have`; resolves once a write carrying it (or a later state) ended. Never rejects.
   * `have` is copied when its write starts, before that write's flush, so pieces set in it
   * meanwhile are recorded too (they were verified, hence written, before the flush). `writing`:
   * blocks of pieces not in `have` may be written after this state (see ResumeState.writing).
   */
  save(have: Bitfield, writing = false): Promise<void> {
    if (have.length !== this.opts.m.pieceCount) throw new RangeError(`have has ${have.length} pieces, torrent has ${this.opts.m.pieceCount}`);
    this.pending = have;
    this.pendingWriting = writing;
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running ??= this.drain();
    return done;
  }

  /** Resolves when no write is in flight or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.pending) {
      const have = this.pending.clone();
      const writing = this.pendingWriting;
      const waiters = this.waiters;
      this.pending = undefined;
      this.waiters = [];
      try {
        await this.writeState(have, writing);
      } catch (err) {
        this.opts.onError?.(err as Error);
      }
      waiters.forEach((resolve) => resolve());
    }
    this.running = undefined;
  }

  private async writeState(have: Bitfield, writing: boolean): Promise<void> {
    this.writes++;
    const { m, savePath, stateFile, storage } = this.opts;
    // The copy was taken before this flush, so every piece in it is on disk once flush resolves.
    await storage.flush();
    const files = await fileStates(m, savePath);
    await writeFileAtomic(stateFile, encodeResumeState({ infoHashHex: m.infoHashHex, have, files, writing }));
  }
}
