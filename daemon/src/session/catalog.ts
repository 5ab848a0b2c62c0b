/**
 * The persisted list of torrents added through RPC, so they come back after a restart. Lives in
 * `<stateDir>/catalog.json` with a copy of each .torrent in `<stateDir>/torrents/<infohash>.torrent`.
 * Every write is atomic (temp file, fsync, rename) and writes are serialised, so a crash leaves either
 * the old or the new list, never a torn one. A catalog that cannot be read is kept aside, not overwritten.
 * Adds that come while a write is under way go into the next write together (a group commit), so
 * adding thousands of torrents does not write the whole list once per torrent.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { isFilePriority, type FilePriority } from '../picker/priorities';

/** One torrent to restore. */
export interface CatalogEntry {
  infoHash: string;
  /** Folder holding the torrent's name. */
  savePath: string;
  paused: boolean;
  addedAt: number;
  /** The magnet link it was added from, while its metadata is not here yet (no stored .torrent). */
  magnet?: string;
  /** With `magnet`: priorities by file index and sequential mode given at add time, applied once the metadata is here. */
  filePriorities?: { index: number; priority: FilePriority }[];
  sequential?: boolean;
}

/** Longest magnet link kept in an entry (as the magnet parser's limit). */
const MAX_MAGNET_CHARS = 64 * 1024;

/** Largest catalog.json read back, in bytes. */
const MAX_CATALOG_BYTES = 64 * 1024 * 1024;
/** Most entries kept. */
export const MAX_CATALOG_ENTRIES = 100_000;
const HASH = /^[0-9a-f]{40}$/;

/** An add waiting for the next write of the list. */
interface PendingAdd {
  entry: CatalogEntry;
  torrentBytes: Uint8Array;
  resolve(): void;
  reject(err: unknown): void;
}

/** The persisted torrent list of one state folder. */
export class Catalog {
  private writing: Promise<void> = Promise.resolve();
  /** Adds queued last, not started yet: a new add joins them (nothing else was queued after them). */
  private openBatch: PendingAdd[] | undefined;

  private constructor(
    readonly stateDir: string,
    private readonly entries: Map<string, CatalogEntry>,
    /** Problems found while reading, for the log. */
    readonly warnings: string[],
  ) {}

  /** Reads the catalog of a state folder (creating the folder); a missing file is an empty catalog. */
  static async open(stateDir: string): Promise<Catalog> {
    await fs.mkdir(join(stateDir, 'torrents'), { recursive: true, mode: 0o700 });
    const file = join(stateDir, 'catalog.json');
    const warnings: string[] = [];
    let text: string | undefined;
    try {
      const st = await fs.stat(file);
      if (st.size > MAX_CATALOG_BYTES) throw new Error(`larger than ${MAX_CATALOG_BYTES} bytes`);
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warnings.push(await keepAside(file, err));
    }
    let entries = new Map<string, CatalogEntry>();
    if (text !== undefined) {
      try {
        entries = parseCatalog(text, warnings);
      } catch (err) {
        warnings.push(await keepAside(file, err));
      }
    }
    return new Catalog(stateDir, entries, warnings);
  }

  /** Entries in the order added. */
  list(): CatalogEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  /** The entry of an info hash, if any. */
  get(infoHash: string): CatalogEntry | undefined {
    const e = this.entries.get(infoHash);
    return e && { ...e };
  }

  /** Path of the stored copy of a torrent's metainfo. */
  torrentPath(infoHash: string): string {
    return join(this.stateDir, 'torrents', `${checkHash(infoHash)}.torrent`);
  }

  /** Reads the stored .torrent of an entry. */
  readTorrent(infoHash: string): Promise<Uint8Array> {
    return fs.readFile(this.torrentPath(infoHash));
  }

  /** Stores the .torrent and adds the entry; on failure nothing is left half-written. */
  add(entry: CatalogEntry, torrentBytes: Uint8Array): Promise<void> {
    checkHash(entry.infoHash);
    return new Promise<void>((resolve, reject) => {
      const item: PendingAdd = { entry: { ...entry }, torrentBytes, resolve, reject };
      if (this.openBatch) return void this.openBatch.push(item);
      const batch = [item];
      this.openBatch = batch;
      void this.serialise(() => this.addBatch(batch), true).catch(() => undefined);
    });
  }

  /** Stores each .torrent (one that fails fails its add alone), then writes the list once for all. */
  private async addBatch(batch: PendingAdd[]): Promise<void> {
    if (this.openBatch === batch) this.openBatch = undefined;
    const next = new Map(this.entries);
    const stored: PendingAdd[] = [];
    for (const item of batch) {
      try {
        if (next.size >= MAX_CATALOG_ENTRIES) throw new Error(`catalog is full (${MAX_CATALOG_ENTRIES} torrents)`);
        await writeAtomic(this.torrentPath(item.entry.infoHash), item.torrentBytes);
        next.set(item.entry.infoHash, item.entry);
        stored.push(item);
      } catch (err) {
        item.reject(err);
      }
    }
    if (stored.length === 0) return;
    try {
      await this.save(next);
    } catch (err) {
      for (const item of stored) item.reject(err);
      return;
    }
    for (const item of stored) item.resolve();
  }

  /** Adds an entry for a magnet link whose metadata is still to come; `add` replaces it once it is. */
  addMagnet(entry: CatalogEntry & { magnet: string }): Promise<void> {
    checkHash(entry.infoHash);
    return this.serialise(async () => {
      if (this.entries.size >= MAX_CATALOG_ENTRIES) throw new Error(`catalog is full (${MAX_CATALOG_ENTRIES} torrents)`);
      await this.save(new Map(this.entries).set(entry.infoHash, { ...entry }));
    });
  }

  /** Changes the paused flag of an entry (no-op for an unknown hash). */
  setPaused(infoHash: string, paused: boolean): Promise<void> {
    return this.serialise(async () => {
      const e = this.entries.get(infoHash);
      if (!e || e.paused === paused) return;
      const next = new Map(this.entries).set(infoHash, { ...e, paused });
      await this.save(next);
    });
  }

  /** Drops an entry and its stored .torrent. */
  remove(infoHash: string): Promise<void> {
    return this.serialise(async () => {
      if (!this.entries.has(infoHash)) return;
      const next = new Map(this.entries);
      next.delete(infoHash);
      await this.save(next);
      await fs.rm(this.torrentPath(infoHash), { force: true });
    });
  }

  /** Resolves when every write so far has finished. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** Writes `next` and adopts it only once it is on disk, so memory never runs ahead of the file. */
  private async save(next: Map<string, CatalogEntry>): Promise<void> {
    const body = JSON.stringify({ version: 1, torrents: [...next.values()] }, null, 1);
    await writeAtomic(join(this.stateDir, 'catalog.json'), body);
    this.entries.clear();
    for (const [k, v] of next) this.entries.set(k, v);
  }

  /** Runs `work` after every write queued before it; anything but an add batch closes the open batch (order is kept). */
  private serialise(work: () => Promise<void>, addBatch = false): Promise<void> {
    if (!addBatch) this.openBatch = undefined;
    const run = this.writing.then(work);
    this.writing = run.catch(() => undefined);
    return run;
  }
}

/** Parses catalog.json text; entries that fail validation are skipped with a warning. Throws on bad JSON. */
export function parseCatalog(text: string, warnings: string[] = []): Map<string, CatalogEntry> {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { torrents?: unknown }).torrents)) {
    throw new Error('catalog.json has no torrents list');
  }
  const out = new Map<string, CatalogEntry>();
  const list = (doc as { torrents: unknown[] }).torrents;
  for (const [i, raw] of list.slice(0, MAX_CATALOG_ENTRIES).entries()) {
    const e = raw as Partial<CatalogEntry> | null;
    if (
      typeof e !== 'object' || e === null ||
      typeof e.infoHash !== 'string' || !HASH.test(e.infoHash) ||
      typeof e.savePath !== 'string' || e.savePath.length === 0 || e.savePath.length > 4096 ||
      typeof e.paused !== 'boolean' || typeof e.addedAt !== 'number' || !Number.isFinite(e.addedAt)
    ) {
      warnings.push(`catalog entry ${i} is malformed; skipped`);
      continue;
    }
    const entry: CatalogEntry = { infoHash: e.infoHash, savePath: e.savePath, paused: e.paused, addedAt: e.addedAt };
    if (typeof e.magnet === 'string' && e.magnet.length <= MAX_MAGNET_CHARS) {
      entry.magnet = e.magnet;
      const choices = magnetChoicesOf(e);
      if (choices === undefined) warnings.push(`catalog entry ${i} has malformed file choices; they were dropped`);
      else Object.assign(entry, choices);
    }
    out.set(e.infoHash, entry);
  }
  if (list.length > MAX_CATALOG_ENTRIES) warnings.push(`catalog has more than ${MAX_CATALOG_ENTRIES} entries; the rest were skipped`);
  return out;
}

/** Most file priorities kept with a magnet entry (as torrent/add takes). */
const MAX_MAGNET_PRIORITIES = 100_000;

/** The checked file choices of a magnet entry (an empty object when it has none), or undefined when malformed. */
function magnetChoicesOf(e: Partial<CatalogEntry>): Pick<CatalogEntry, 'filePriorities' | 'sequential'> | undefined {
  const out: Pick<CatalogEntry, 'filePriorities' | 'sequential'> = {};
  if (e.sequential !== undefined) {
    if (typeof e.sequential !== 'boolean') return undefined;
    out.sequential = e.sequential;
  }
  if (e.filePriorities !== undefined) {
    const list: unknown = e.filePriorities;
    if (!Array.isArray(list) || list.length > MAX_MAGNET_PRIORITIES) return undefined;
    const ok = list.every((x: { index?: unknown; priority?: unknown } | null) =>
      typeof x === 'object' && x !== null && Number.isInteger(x.index) && (x.index as number) >= 0 && (x.index as number) <= 1_000_000 && isFilePriority(x.priority),
    );
    if (!ok) return undefined;
    out.filePriorities = (list as { index: number; priority: FilePriority }[]).map(({ index, priority }) => ({ index, priority }));
  }
  return out;
}

/** Writes a file so that readers see the old or the new content, never a mix. */
export async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await fs.open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Renames an unreadable state file aside (never overwritten) and returns the warning that says so. */
export async function keepAside(file: string, err: unknown, instead = 'starting with an empty catalog'): Promise<string> {
  const aside = `${file}.unreadable-${Date.now()}`;
  await fs.rename(file, aside).catch(() => undefined);
  return `could not read ${file} (${err instanceof Error ? err.message : String(err)}); kept as ${aside}, ${instead}`;
}

function checkHash(infoHash: string): string {
  if (!HASH.test(infoHash)) throw new Error(`not an info hash: ${infoHash}`);
  return infoHash;
}
