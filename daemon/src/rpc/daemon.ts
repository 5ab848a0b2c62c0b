/**
 * One daemon process: the session (started once settings are known), the catalog of torrents added
 * through RPC, and the built-in tracker. Handlers call it; it re-emits session events for notifiers.
 * Every operation either completes or leaves session and catalog as they were.
 */
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as P from '../../../protocol/src';
import { Catalog, writeAtomic } from '../session/catalog';
import type { LogEntry } from '../session/types';
import type { Engine, EngineSession, EngineTorrent } from './engine';
import { rpcError } from './errors';
import { lockStateDir, StateLockedError, type StateLock } from './state-lock';
import { loadTorrentBytes } from './sources';
import { changedOptions, mergeSettings } from './settings';
import { loadSettings, saveSettings } from './settings-file';
import { TrackerHost } from './tracker-host';
import { restoreInOrder } from './restore';
import { asStreamTorrent, FileServer } from '../stream';

/** How the daemon is set up before any client speaks. */
export interface DaemonOptions {
  stateDir: string;
  settings: P.Settings;
  /** Address peers connect to; default all interfaces. */
  listenHost?: string;
  /** Longest wait for the session to close (announce 'stopped', save resume data). */
  closeTimeoutMs?: number;
  /**
   * Keep settings across restarts in `<stateDir>/settings.json` (the socket daemon, which outlives its
   * clients; a stdio daemon gets its settings from its parent). Start-up order: `settings`, then the
   * saved file, then `explicit` (what the command line named) on top.
   */
  persistSettings?: boolean;
  explicit?: Partial<P.Settings>;
}

/** Most client connections one daemon serves at once. */
export const MAX_CLIENTS = 64;

const SESSION_EVENTS = ['progress', 'state', 'completed', 'peer', 'log', 'torrent-added', 'torrent-removed', 'metadata'] as const;

/** The daemon's state; events: the session's events, plus 'tracker-stats'(TrackerServerStats). */
export class Daemon extends EventEmitter {
  private current: { session: EngineSession; catalog: Catalog } | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** The state folder's lock, held while the session runs. */
  private lock: StateLock | undefined;
  private settings: P.Settings;
  private saving: Promise<void> = Promise.resolve();
  private restoring: Promise<void> = Promise.resolve();
  readonly tracker: TrackerHost;
  /** Torrents' files over HTTP on 127.0.0.1 (torrent/fileUrl), listening from the first URL asked for. */
  readonly fileServer = new FileServer((infoHash) => asStreamTorrent(this.current?.session.get(infoHash)));

  constructor(
    readonly engine: Engine,
    private readonly opts: DaemonOptions,
  ) {
    super();
    // One listener per event per client connection; socket clients are capped well below this.
    this.setMaxListeners(MAX_CLIENTS + 16);
    this.settings = { ...opts.settings };
    this.tracker = new TrackerHost(engine, (s) => this.emit('tracker-stats', s));
  }

  /** Starts the session once (later calls wait for the first), then restores the catalog's torrents. */
  start(overrides: Partial<P.Settings> = {}): Promise<void> {
    // A failed start (e.g. the port is taken) may be retried, say by a second initialize with other settings.
    this.starting ??= this.startOnce(overrides).catch(async (err: unknown) => {
      this.starting = undefined;
      await this.lock?.release().catch(() => undefined);
      this.lock = undefined;
      throw err;
    });
    return this.starting;
  }

  /** True once the session runs. */
  /** The state folder this daemon holds. */
  get stateDir(): string {
    return this.opts.stateDir;
  }

  get started(): boolean {
    return this.current !== undefined;
  }

  /** The current settings. */
  getSettings(): P.Settings {
    // Port 0 means "any free port": report the one the session actually got.
    const port = this.current && this.settings.port === 0 ? this.current.session.port : this.settings.port;
    return { ...this.settings, port };
  }

  /** Applies settings live; on failure nothing changes. */
  async setSettings(patch: Partial<P.Settings>): Promise<P.Settings> {
    const changed = changedOptions(this.settings, patch);
    if (Object.keys(changed).length > 0) await this.session().setOptions(changed);
    this.settings = mergeSettings(this.settings, patch);
    if (this.opts.persistSettings) await this.save();
    return this.getSettings();
  }

  /** The running session; throws before start. */
  session(): EngineSession {
    if (!this.current) throw rpcError(P.ErrorCodes.InternalError, 'the session is not running');
    return this.current.session;
  }

  /** The torrent of an info hash, or UnknownTorrent. */
  torrent(infoHash: string): EngineTorrent {
    const t = this.session().get(infoHash.toLowerCase());
    if (!t) throw rpcError(P.ErrorCodes.UnknownTorrent, `no torrent with info hash ${infoHash}`);
    return t;
  }

  /** Adds a torrent (a magnet link fetches its metadata first) and records it in the catalog. */
  async add(source: P.TorrentSource, opts: AddParams): Promise<EngineTorrent> {
    if ('magnet' in source) return this.addMagnet(source.magnet, opts);
    const bytes = await loadTorrentBytes(source);
    const m = await this.engine.parseMetainfo(bytes);
    const filePriorities = opts.filePriorities && fullPriorities(m.files, opts.filePriorities);
    return this.addParsed(bytes, m, {
      savePath: opts.savePath ?? this.settings.downloadDir,
      paused: opts.paused ?? false,
      verify: 'fast',
      ...(filePriorities ? { filePriorities } : {}),
      ...(opts.sequential !== undefined ? { sequential: opts.sequential } : {}),
    });
  }

  /** A torrent whose files can be chosen (its metadata is here), or InvalidParams. */
  withFiles(infoHash: string): Required<Pick<EngineTorrent, 'files' | 'setFilePriorities' | 'setSequential'>> & EngineTorrent {
    const t = this.torrent(infoHash);
    if (!t.files || !t.setFilePriorities || !t.setSequential) throw rpcError(P.ErrorCodes.InvalidParams, `torrent ${t.infoHashHex} has no metadata yet`, { field: 'infoHash' });
    return t as Required<Pick<EngineTorrent, 'files' | 'setFilePriorities' | 'setSequential'>> & EngineTorrent;
  }

  /** The magnet URI of a torrent, from its metainfo or the magnet it was added from. */
  magnetOf(t: EngineTorrent): string {
    const source = t.metainfo ?? t.magnet;
    if (!source) throw rpcError(P.ErrorCodes.InternalError, `torrent ${t.infoHashHex} has neither metainfo nor magnet`);
    return this.engine.buildMagnet(source);
  }

  /**
   * A magnet: its `so` selection and `filePriorities` (indices not checked yet: there is no file list)
   * apply once the metadata is here; they are kept in the catalog until then.
   */
  private async addMagnet(uri: string, opts: AddParams): Promise<EngineTorrent> {
    const magnet = this.engine.parseMagnet(uri);
    const session = this.session();
    if (session.get(magnet.infoHashHex)) throw rpcError(P.ErrorCodes.DuplicateTorrent, `torrent ${magnet.infoHashHex} is already added`);
    const savePath = opts.savePath ?? this.settings.downloadDir;
    const paused = opts.paused ?? false;
    const choices = magnetChoices(opts);
    const t = session.addMagnet(magnet, { savePath, paused, ...choices });
    try {
      await this.catalog().addMagnet({ infoHash: magnet.infoHashHex, savePath, paused, addedAt: Date.now(), magnet: uri, ...choices });
    } catch (err) {
      await session.remove(magnet.infoHashHex).catch(() => undefined);
      throw err;
    }
    return t;
  }

  /** A magnet's metadata came: keep the .torrent, so a restart needs no second fetch. */
  private async keepFetched(catalog: Catalog, t: EngineTorrent, bytes: Uint8Array): Promise<void> {
    // The magnet's own entry may still be on its way to disk (the metadata can come that fast).
    await catalog.flushed().catch(() => undefined);
    const e = catalog.get(t.infoHashHex);
    if (!e) return;
    try {
      await catalog.add({ infoHash: e.infoHash, savePath: e.savePath, paused: e.paused, addedAt: e.addedAt }, bytes);
    } catch (err) {
      this.log('warn', `cannot keep the fetched metadata of ${t.infoHashHex}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Adds a torrent over existing data (`dataPath` is the file or folder named like the torrent). */
  async seed(source: P.TorrentSource, dataPath: string): Promise<EngineTorrent> {
    const bytes = await loadTorrentBytes(source);
    const m = await this.engine.parseMetainfo(bytes);
    if (basename(dataPath) !== m.name) {
      throw rpcError(P.ErrorCodes.DataMismatch, `dataPath must end in the torrent's name '${m.name}', got '${basename(dataPath)}'`, { field: 'dataPath' });
    }
    await fs.stat(dataPath);
    return this.addParsed(bytes, m, { savePath: dirname(dataPath), paused: false, verify: 'full' });
  }

  /** Stops and forgets a torrent (and optionally its data). */
  async remove(infoHash: string, deleteData: boolean): Promise<void> {
    const t = this.torrent(infoHash);
    await this.session().remove(t.infoHashHex, { deleteData });
    await this.catalog().remove(t.infoHashHex);
  }

  /** Pauses or resumes, and remembers it across restarts. */
  async setPaused(infoHash: string, paused: boolean): Promise<EngineTorrent> {
    const t = this.torrent(infoHash);
    await (paused ? t.pause() : t.resume());
    await this.catalog().setPaused(t.infoHashHex, paused);
    return t;
  }

  /**
   * Starts a full re-hash of a torrent's data. The torrent is checking when this returns and the check
   * runs on; a verify while one runs is a no-op (the torrent's own rule). A failed check leaves the
   * torrent in 'error', which clients see as a notification.
   */
  verify(infoHash: string): EngineTorrent {
    const t = this.torrent(infoHash);
    t.verify().catch((err: unknown) => this.log('warn', `verify ${t.infoHashHex}: ${err instanceof Error ? err.message : String(err)}`));
    return t;
  }

  /** Hashes a file or folder into a .torrent (optionally written to outputPath). */
  async create(p: P.TorrentCreateParams, signal: AbortSignal, onProgress: (hashed: number, total: number) => void): Promise<P.TorrentCreateResult> {
    const refuseExisting = async (): Promise<void> => {
      if (!p.outputPath || p.overwrite === true) return;
      const there = await fs.lstat(p.outputPath).then(() => true, () => false);
      if (there) throw rpcError(P.ErrorCodes.InvalidParams, `outputPath ${p.outputPath} already exists; pass overwrite: true to replace it`, { field: 'outputPath' });
    };
    await refuseExisting();
    const { bytes, metainfo: m } = await this.engine.createTorrent(p.path, {
      ...(p.trackers && { trackers: p.trackers }),
      ...(p.pieceLength !== undefined && { pieceLength: p.pieceLength }),
      ...(p.private !== undefined && { private: p.private }),
      ...(p.comment !== undefined && { comment: p.comment }),
      ...(p.webSeeds && { webSeeds: p.webSeeds }),
      signal,
      onProgress,
    });
    if (p.outputPath) {
      await refuseExisting(); // again: hashing a large folder takes a while
      await writeAtomic(p.outputPath, bytes);
    }
    const result: P.TorrentCreateResult = {
      infoHash: m.infoHashHex,
      name: m.name,
      base64: Buffer.from(bytes).toString('base64'),
      totalLength: m.totalLength,
      pieceLength: m.pieceLength,
      pieceCount: m.pieceCount,
      magnet: this.engine.buildMagnet(m),
    };
    if (p.outputPath) result.outputPath = p.outputPath;
    return result;
  }

  /** Logs through the 'log' event (the CLI prints it on stderr; connections forward it). */
  log(level: LogEntry['level'], message: string): void {
    this.emit('log', { level, message } satisfies LogEntry);
  }

  /** Stops the tracker and the session (bounded wait); idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  /** Saves the settings (writes in order); a failure is logged, the live change stands. */
  private save(): Promise<void> {
    const snapshot = { ...this.settings };
    this.saving = this.saving.then(() =>
      saveSettings(this.opts.stateDir, snapshot).catch((err: unknown) => this.log('warn', `settings applied but not saved: ${err instanceof Error ? err.message : String(err)}`)),
    );
    return this.saving;
  }

  private async startOnce(overrides: Partial<P.Settings>): Promise<void> {
    let base = this.settings;
    if (this.opts.persistSettings) {
      const saved = await loadSettings(this.opts.stateDir);
      for (const w of saved.warnings) this.log('warn', w);
      base = mergeSettings(mergeSettings(base, saved.settings), this.opts.explicit ?? {});
    }
    const s = mergeSettings(base, overrides);
    try {
      this.lock = await lockStateDir(this.opts.stateDir);
    } catch (err) {
      if (err instanceof StateLockedError) throw rpcError(P.ErrorCodes.IoError, err.message, { pid: err.pid });
      throw err;
    }
    const catalog = await Catalog.open(this.opts.stateDir);
    for (const w of catalog.warnings) this.log('warn', w);
    const session = await this.engine.startSession({
      downloadDir: s.downloadDir,
      stateDir: this.opts.stateDir,
      port: s.port,
      maxConnections: s.maxConnections,
      maxConnectionsPerTorrent: s.maxConnectionsPerTorrent,
      ...(s.maxConnectionsPerIp !== undefined && { maxConnectionsPerIp: s.maxConnectionsPerIp }),
      uploadRateLimit: s.uploadRateLimit,
      downloadRateLimit: s.downloadRateLimit,
      ...(s.dht !== undefined && { dht: s.dht }),
      ...(s.dhtBootstrap !== undefined && { dhtBootstrap: s.dhtBootstrap }),
      ...(this.opts.listenHost !== undefined && { listenHost: this.opts.listenHost }),
    });
    for (const name of SESSION_EVENTS) session.on(name, (...args: unknown[]) => this.emit(name, ...args));
    session.on('metadata', (t: EngineTorrent, bytes: Uint8Array) => void this.keepFetched(catalog, t, bytes));
    this.settings = s;
    this.current = { session, catalog };
    // In the background: `initialize` is answered at once, and requests are served while a torrent of
    // many files comes back; `torrent/list` shows the torrents restored so far.
    this.restoring = this.restore(session, catalog);
  }

  /** Resolves once every torrent of the catalog is back (or failed and was logged). */
  restored(): Promise<void> {
    return this.restoring;
  }

  /**
   * Re-adds the catalog's torrents, several opened at once but listed in the catalog's order (each
   * one's parse and check hand the event loop back in slices); one that fails is logged and kept for
   * the next start. Stops when the daemon closes.
   */
  private restore(session: EngineSession, catalog: Catalog): Promise<void> {
    return restoreInOrder(catalog.list(), {
      stopped: () => this.closing !== undefined,
      restore: async (e, turn) => {
        if (session.get(e.infoHash)) return; // added again by a client meanwhile
        try {
          if (e.magnet !== undefined) {
            const magnet = this.engine.parseMagnet(e.magnet);
            await turn;
            session.addMagnet(magnet, { savePath: e.savePath, paused: e.paused, ...magnetChoices(e) });
            return;
          }
          const m = await this.engine.parseMetainfo(await catalog.readTorrent(e.infoHash));
          await session.addTorrent(m, { savePath: e.savePath, paused: e.paused, verify: 'fast', after: turn });
        } catch (err) {
          this.log('warn', `could not restore torrent ${e.infoHash}: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    });
  }

  private async addParsed(
    bytes: Uint8Array,
    m: Awaited<ReturnType<Engine['parseMetainfo']>>,
    opts: { savePath: string; paused: boolean; verify: 'fast' | 'full'; filePriorities?: P.FilePriority[]; sequential?: boolean },
  ): Promise<EngineTorrent> {
    const session = this.session();
    if (session.get(m.infoHashHex)) throw rpcError(P.ErrorCodes.DuplicateTorrent, `torrent ${m.infoHashHex} (${m.name}) is already added`);
    const t = await session.addTorrent(m, opts);
    try {
      const { savePath, paused } = opts;
      await this.catalog().add({ infoHash: m.infoHashHex, savePath, paused, addedAt: Date.now() }, bytes);
    } catch (err) {
      await session.remove(m.infoHashHex).catch(() => undefined);
      throw err;
    }
    return t;
  }

  private catalog(): Catalog {
    if (!this.current) throw rpcError(P.ErrorCodes.InternalError, 'the session is not running');
    return this.current.catalog;
  }

  private async closeOnce(): Promise<void> {
    await this.tracker.close().catch((err: unknown) => this.log('warn', `tracker close: ${String(err)}`));
    await this.fileServer.close();
    if (!this.current) {
      await this.lock?.release().catch(() => undefined);
      return;
    }
    const { session, catalog } = this.current;
    await this.restoring; // ends at its next torrent
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<void>((done) => {
      timer = setTimeout(() => {
        this.log('warn', 'the session did not close in time; exiting anyway');
        done();
      }, this.opts.closeTimeoutMs ?? 15000);
    });
    await Promise.race([session.close().catch((err: unknown) => this.log('error', `session close: ${String(err)}`)), bound]);
    clearTimeout(timer);
    await catalog.flushed();
    await this.lock?.release().catch(() => undefined);
  }
}

/** Params of Daemon.add. */
export interface AddParams {
  savePath?: string;
  paused?: boolean;
  filePriorities?: P.FilePriorityEntry[];
  sequential?: boolean;
}

/** The file choices of a magnet add (or its catalog entry), without the keys not given. */
function magnetChoices(o: { filePriorities?: readonly P.FilePriorityEntry[]; sequential?: boolean }): { filePriorities?: P.FilePriorityEntry[]; sequential?: boolean } {
  return { ...(o.filePriorities && o.filePriorities.length > 0 ? { filePriorities: [...o.filePriorities] } : {}), ...(o.sequential !== undefined ? { sequential: o.sequential } : {}) };
}

/** A priority for every file from the entries given (others normal); InvalidParams for an index out of range. */
function fullPriorities(files: readonly { padding?: boolean }[], entries: readonly P.FilePriorityEntry[]): P.FilePriority[] {
  const out = files.map((): P.FilePriority => 'normal');
  entries.forEach((e, i) => {
    if (e.index >= files.length || files[e.index].padding) {
      const why = e.index >= files.length ? `the torrent has ${files.length} files` : 'it is a padding file';
      throw rpcError(P.ErrorCodes.InvalidParams, `filePriorities[${i}].index: no file ${e.index} (${why})`, { field: `filePriorities[${i}].index` });
    }
    out[e.index] = e.priority;
  });
  return out;
}
