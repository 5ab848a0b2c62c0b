import { EventEmitter } from 'node:events';
import { mkdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { HashPool } from '../hash/pool';
import { choicesFileOf, stateFileOf } from '../storage';
import { generatePeerId } from '../util/peer-id';
import { Throttle } from '../util/throttle';
import { eachLimited } from '../util/each-limited';
import { checkDestination, mayConnect } from '../util/loopback';
import { PeerConnection } from '../wire/connection';
import { openFileData, type OpenData } from './data';
import { ReadCache } from './read-cache';
import { DEFAULT_SESSION_HELD_BYTES, HeldBudget } from './intake';
import { MAX_CONNECTIONS_PER_IP, Torrent, type TorrentContext } from './torrent';
import { MagnetTorrent } from './magnet-torrent';
import { magnetOpenOptions, type AddMagnetOptions } from './magnet-choices';
import type { FetchContext, FetchedTorrent } from './metadata-fetch';
import type { Magnet } from '../metainfo';
import { DEFAULT_BOOTSTRAP, type DhtStats } from '../dht/dht';
import type { ReservedFeature } from '../wire/handshake';
import { DhtPeers } from './dht-peers';
import type { WireSetup } from './dialer';
import {
  SessionError,
  type AddTorrentOptions,
  type LogEntry,
  type Metainfo,
  type PeerChange,
  type SessionOptions,
  type SessionSettings,
  type SessionStats,
} from './types';

/** Reserved bits of our handshakes, without and with the DHT. */
const BASE_FEATURES: readonly ReservedFeature[] = ['extension', 'fast'];
const DHT_FEATURES: readonly ReservedFeature[] = ['extension', 'fast', 'dht'];

/** Torrents closed (and their resume state saved) at once when the session closes. */
const CLOSE_CONCURRENCY = 16;

/** Bytes read from a dialled peer's socket at once. */
const READ_BUFFER_SIZE = 64 * 1024;

/** Session options with every default filled in. */
type Settings = Required<Omit<SessionOptions, 'announceIp' | 'peerId' | 'dhtPort'>> & { announceIp?: string; dhtPort?: number };

/** Internal hooks for tests: memory storage instead of files. */
export interface SessionInternals {
  openData?: OpenData;
}

/** A torrent of the session: one with its metainfo, or a magnet whose metadata is being fetched. */
export type AnyTorrent = Torrent | MagnetTorrent;

/**
 * The daemon's whole BitTorrent state: one listening port for all torrents, the torrents, limits.
 * Beside the events listed in session/index.ts, 'metadata'(torrent, torrentBytes) says a magnet's
 * metadata came and `torrent` now stands in its place.
 */
export class Session extends EventEmitter {
  readonly peerId: Uint8Array;
  private readonly torrents = new Map<string, AnyTorrent>();
  /** The torrents the tick visits: a torrent leaves when its tick says it is idle, and comes back on `wake`. */
  private readonly ticking = new Set<AnyTorrent>();
  private readonly incoming = new Set<PeerConnection>();
  private readonly uploadThrottle: Throttle;
  private readonly downloadThrottle: Throttle;
  private readonly ticker: NodeJS.Timeout;
  private readonly openData: OpenData;
  /**
   * One SHA-1 worker: it hashes well over 500 MB/s, more than a download delivers, and each extra
   * worker thread costs about 10 MB of resident memory (the goal is ≤ 100 MB per process).
   */
  private readonly hashPool = new HashPool({ workers: 1 });
  private readonly readCache = new ReadCache();
  private readonly heldBudget = new HeldBudget(DEFAULT_SESSION_HELD_BYTES);
  private dhtPeers: DhtPeers | undefined;
  /** Every connection gets the DHT's reserved bit and port message while the DHT runs. */
  private readonly wire: WireSetup;
  private closed = false;

  private constructor(
    private server: net.Server,
    private readonly settings: Settings,
    peerId: Uint8Array,
    internals: SessionInternals,
  ) {
    super();
    this.peerId = peerId;
    this.openData = internals.openData ?? openFileData(this.hashPool);
    this.uploadThrottle = new Throttle(settings.uploadRateLimit);
    this.downloadThrottle = new Throttle(settings.downloadRateLimit);
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
    this.serve(server);
    const features = (): readonly ReservedFeature[] => (this.dhtPeers ? DHT_FEATURES : BASE_FEATURES);
    this.wire = {
      get features() {
        return features();
      },
      attached: (conn, ip) => this.dhtPeers?.attach(conn, ip, (hex) => this.torrents.get(hex)?.metainfo?.private === true),
    };
  }

  /** Starts a session; it is listening when the promise resolves. */
  static async start(opts: SessionOptions, internals: SessionInternals = {}): Promise<Session> {
    if (!opts.downloadDir) throw new SessionError('invalid', 'downloadDir is required');
    if (opts.peerId && opts.peerId.length !== 20) throw new SessionError('invalid', 'peerId must be 20 bytes');
    const settings: Settings = {
      downloadDir: opts.downloadDir,
      stateDir: opts.stateDir ?? path.join(opts.downloadDir, '.btd'),
      listenHost: opts.listenHost ?? '0.0.0.0',
      port: opts.port ?? 6881,
      maxConnections: opts.maxConnections ?? 200,
      maxConnectionsPerTorrent: opts.maxConnectionsPerTorrent ?? 50,
      maxConnectionsPerIp: opts.maxConnectionsPerIp ?? MAX_CONNECTIONS_PER_IP,
      uploadRateLimit: opts.uploadRateLimit ?? 0,
      downloadRateLimit: opts.downloadRateLimit ?? 0,
      dht: opts.dht ?? false,
      dhtBootstrap: opts.dhtBootstrap ?? DEFAULT_BOOTSTRAP,
      ...(opts.announceIp ? { announceIp: opts.announceIp } : {}),
      ...(opts.dhtPort !== undefined ? { dhtPort: opts.dhtPort } : {}),
    };
    await mkdir(settings.stateDir, { recursive: true });
    const server = await listen(settings.listenHost, settings.port);
    const session = new Session(server, settings, opts.peerId ?? generatePeerId(), internals);
    if (settings.dht) await session.startDht();
    return session;
  }

  /** Starts the DHT node (a failure to listen leaves it off, logged). */
  private async startDht(): Promise<void> {
    const s = this.settings;
    const log = (level: LogEntry['level'], message: string): void => this.log({ level, message });
    const peers = await DhtPeers.start({ host: s.listenHost, port: s.dhtPort ?? this.port, bootstrap: s.dhtBootstrap, stateFile: path.join(s.stateDir, 'dht.json') }, () => this.port, log);
    if (!peers || this.closed) return void (await peers?.dht.close());
    this.dhtPeers = peers;
    for (const t of this.torrents.values()) this.followOnDht(t);
  }

  private async stopDht(): Promise<void> {
    const peers = this.dhtPeers;
    this.dhtPeers = undefined;
    await peers?.dht.close();
  }

  /** Looks for the torrent's peers on the DHT (never for a private one) while it is in the list and active. */
  private followOnDht(t: AnyTorrent): void {
    this.dhtPeers?.follow(t, () => this.torrents.get(t.infoHashHex) === t);
  }

  /** The DHT's counts, or undefined when it is off. */
  dhtStats(): (DhtStats & { torrents: number }) | undefined {
    return this.dhtPeers?.stats();
  }

  /** The port we listen on (the real one when 0 was asked). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Adds a torrent; it checks existing data (state 'checking'), then downloads or seeds. */
  addTorrent(m: Metainfo, opts: AddTorrentOptions = {}): Promise<Torrent> {
    return this.openTorrent(m, opts);
  }

  /**
   * Adds a magnet link: its metadata is fetched from peers (trackers, `x.pe`, PEX), then it goes on as
   * a torrent added with `opts` and the magnet's `so` selection, which replaces it in the list ('metadata' event).
   */
  addMagnet(magnet: Magnet, opts: AddMagnetOptions = {}): MagnetTorrent {
    if (this.closed) throw new SessionError('invalid', 'session is closed');
    if (this.torrents.has(magnet.infoHashHex)) throw new SessionError('duplicate-torrent', `${magnet.name ?? magnet.infoHashHex} is already added`);
    const savePath = path.resolve(opts.savePath ?? this.settings.downloadDir);
    const t = new MagnetTorrent(magnet, savePath, this.torrentContext(), opts.paused ?? false);
    this.torrents.set(magnet.infoHashHex, t);
    this.ticking.add(t);
    this.forward(t);
    this.followOnDht(t);
    t.once('fetched', (fetched: FetchedTorrent) => void this.onFetched(t, fetched, { ...opts, savePath, paused: false }));
    this.emit('torrent-added', t);
    t.start();
    return t;
  }

  private async onFetched(pending: MagnetTorrent, fetched: FetchedTorrent, magnetOpts: AddMagnetOptions): Promise<void> {
    const dropConnections = (): void => {
      for (const h of fetched.connections) h.conn.destroy();
    };
    if (this.torrents.get(pending.infoHashHex) !== pending) return dropConnections(); // removed meanwhile
    const warn = (message: string): void => this.log({ level: 'warn', message: `${fetched.metainfo.name}: ${message}`, infoHash: pending.infoHashHex });
    const opts = magnetOpenOptions(fetched.metainfo, pending.magnet.selectOnly, magnetOpts, warn);
    try {
      const t = await this.openTorrent(fetched.metainfo, opts, pending);
      pending.removeAllListeners();
      t.adopt(fetched.connections);
      t.learnPeers(fetched.peers);
      this.emit('metadata', t, fetched.bytes);
    } catch (err) {
      dropConnections();
      this.log({ level: 'error', message: `${fetched.metainfo.name}: ${(err as Error).message}`, infoHash: pending.infoHashHex });
    }
  }

  /** Adds a torrent, or puts it in the place of `replacing` (its magnet entry). */
  private async openTorrent(m: Metainfo, opts: AddTorrentOptions, replacing?: MagnetTorrent): Promise<Torrent> {
    if (this.closed) throw new SessionError('invalid', 'session is closed');
    const taken = (): boolean => this.torrents.has(m.infoHashHex) && this.torrents.get(m.infoHashHex) !== replacing;
    if (taken()) throw new SessionError('duplicate-torrent', `${m.name} is already added`);
    const savePath = path.resolve(opts.savePath ?? this.settings.downloadDir);
    const log = (level: LogEntry['level'], message: string): void => this.log({ level, message, infoHash: m.infoHashHex });
    let data;
    try {
      const choices = { ...(opts.filePriorities ? { filePriorities: opts.filePriorities } : {}), ...(opts.sequential !== undefined ? { sequential: opts.sequential } : {}) };
      data = await this.openData(m, savePath, this.settings.stateDir, (message) => log('warn', message), choices);
    } catch (err) {
      throw new SessionError('io', `cannot open data of ${m.name}: ${(err as Error).message}`);
    }
    await opts.after?.catch(() => undefined);
    if (taken() || (replacing && this.torrents.get(m.infoHashHex) !== replacing)) {
      await data.storage.close().catch(() => undefined);
      throw new SessionError('duplicate-torrent', `${m.name} is already added`);
    }
    const t: Torrent = new Torrent(m, savePath, data, { ...this.torrentContext(m.private), wake: () => this.torrents.get(m.infoHashHex) === t && this.ticking.add(t) });
    this.torrents.set(m.infoHashHex, t);
    this.forward(t);
    this.followOnDht(t);
    if (!replacing) this.emit('torrent-added', t);
    t.start({ paused: opts.paused, verify: opts.verify }).catch(() => undefined); // failures land in the 'error' state
    return t;
  }

  /** The torrent with this info hash (hex), if any. */
  get(infoHashHex: string): AnyTorrent | undefined {
    return this.torrents.get(infoHashHex.toLowerCase());
  }

  /** True when the tick leaves the torrent alone: what its snapshot shows changes only with a 'progress' or 'state' event. */
  quiet(t: AnyTorrent): boolean {
    return this.torrents.get(t.infoHashHex) === t && !this.ticking.has(t);
  }

  /** All torrents, in the order added. */
  list(): AnyTorrent[] {
    return [...this.torrents.values()];
  }

  /** Stops and forgets a torrent; optionally deletes its files. */
  async remove(infoHashHex: string, opts: { deleteData?: boolean } = {}): Promise<void> {
    const t = this.get(infoHashHex);
    if (!t) throw new SessionError('unknown-torrent', `no torrent ${infoHashHex}`);
    this.torrents.delete(t.infoHashHex);
    this.ticking.delete(t);
    this.dhtPeers?.remove(t.infoHashHex);
    await t.close();
    if (opts.deleteData) {
      try {
        const kept = await t.deleteData();
        if (kept.length > 0) {
          const list = kept.slice(0, 5).join(', ') + (kept.length > 5 ? ` and ${kept.length - 5} more` : '');
          this.log({ level: 'warn', message: `${t.summary().name}: kept ${list}: these files were there before and hold no verified data of this torrent`, infoHash: t.infoHashHex });
        }
        if (t.metainfo) {
          await rm(stateFileOf(t.metainfo, this.settings.stateDir), { force: true });
          await rm(choicesFileOf(t.metainfo, this.settings.stateDir), { force: true });
        }
      } catch (err) {
        throw new SessionError('io', `cannot delete data of ${t.summary().name}: ${(err as Error).message}`);
      }
    }
    t.removeAllListeners();
    this.emit('torrent-removed', t.infoHashHex);
  }

  /** Changes options on a live session; a new port or host re-listens. */
  async setOptions(partial: SessionSettings): Promise<void> {
    const s = this.settings;
    if (partial.uploadRateLimit !== undefined) this.uploadThrottle.setRate((s.uploadRateLimit = partial.uploadRateLimit));
    if (partial.downloadRateLimit !== undefined) this.downloadThrottle.setRate((s.downloadRateLimit = partial.downloadRateLimit));
    if (partial.maxConnections !== undefined) s.maxConnections = partial.maxConnections;
    if (partial.maxConnectionsPerTorrent !== undefined) s.maxConnectionsPerTorrent = partial.maxConnectionsPerTorrent;
    if (partial.maxConnectionsPerIp !== undefined) s.maxConnectionsPerIp = partial.maxConnectionsPerIp;
    if (partial.announceIp !== undefined) s.announceIp = partial.announceIp || undefined;
    if (partial.downloadDir !== undefined) s.downloadDir = partial.downloadDir;
    if (partial.dhtBootstrap !== undefined) s.dhtBootstrap = partial.dhtBootstrap;
    if (partial.dht !== undefined && partial.dht !== s.dht) {
      s.dht = partial.dht;
      await (s.dht ? this.startDht() : this.stopDht());
    }
    const host = partial.listenHost ?? s.listenHost;
    const port = partial.port ?? s.port;
    if (host !== s.listenHost || (port !== s.port && port !== this.port)) {
      const server = await listen(host, port);
      this.server.close();
      this.server = server;
      this.serve(server);
      s.listenHost = host;
      s.port = port;
    }
  }

  /** Session-wide totals. */
  stats(): SessionStats {
    const out: SessionStats = { downloadRate: 0, uploadRate: 0, downloaded: 0, uploaded: 0, torrents: this.torrents.size, peers: 0, port: this.port, hashedBytes: this.hashPool.hashedBytes };
    for (const t of this.torrents.values()) {
      const s = t.summary();
      out.downloadRate += s.downloadRate;
      out.uploadRate += s.uploadRate;
      out.downloaded += s.downloaded;
      out.uploaded += s.uploaded;
      out.peers += s.peers;
    }
    if (this.dhtPeers) out.dhtNodes = this.dhtPeers.dht.size;
    return out;
  }

  /** Announces 'stopped' (bounded wait), closes connections and files, saves resume data. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.incoming) c.destroy();
    // A few at a time: each save may list its data folder, and 10,000 at once held gigabytes of names.
    await eachLimited([...this.torrents.values()], CLOSE_CONCURRENCY, (t) => t.close());
    await this.hashPool.close();
    await this.stopDht();
    await closing;
  }

  /** What torrents need of the session; a private torrent's connections never carry the DHT (BEP 27). */
  private torrentContext(isPrivate = false): TorrentContext & Pick<FetchContext, 'maxConnections'> {
    return {
      peerId: this.peerId,
      port: () => this.port,
      announceIp: () => this.settings.announceIp,
      uploadThrottle: this.uploadThrottle,
      downloadThrottle: this.downloadThrottle,
      readCache: this.readCache,
      heldBudget: this.heldBudget,
      maxConnectionsPerTorrent: () => this.settings.maxConnectionsPerTorrent,
      maxConnectionsPerIp: () => this.settings.maxConnectionsPerIp,
      maxConnections: () => this.settings.maxConnectionsPerTorrent,
      globalRoom: () => this.connectionCount() < this.settings.maxConnections,
      mayDial: mayConnect,
      ...(isPrivate ? {} : { wire: this.wire }),
      connect: (ip, port, onData) => {
        checkDestination(ip);
        // One read buffer per connection, reused for every read: no garbage per received chunk.
        const buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
        const socket = net.connect({
          host: ip,
          port,
          onread: {
            buffer,
            callback: (n: number, buf: Uint8Array) => {
              onData(buf.subarray(0, n));
              return true;
            },
          },
        });
        socket.setNoDelay(true);
        return socket;
      },
    };
  }

  private connectionCount(): number {
    let n = this.incoming.size;
    for (const t of this.torrents.values()) n += t.connectionCount;
    return n;
  }

  private serve(server: net.Server): void {
    server.on('connection', (socket) => this.onIncoming(server, socket));
    server.on('error', (err) => this.log({ level: 'error', message: `listener: ${err.message}` }));
  }

  /** Routes an incoming connection by the info hash of its handshake. */
  private onIncoming(server: net.Server, socket: net.Socket): void {
    if (this.closed || server !== this.server || this.incoming.size >= this.settings.maxConnections) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const ip = socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    const port = socket.remotePort ?? 0;
    const conn = new PeerConnection(socket, { peerId: this.peerId, features: this.wire.features });
    this.wire.attached(conn, ip);
    this.incoming.add(conn);
    conn.on('handshake', (h) => {
      this.incoming.delete(conn);
      const t = this.torrents.get(Buffer.from(h.infoHash).toString('hex'));
      if (!t || !t.acceptIncoming(conn, ip, port)) conn.destroy();
    });
    conn.once('close', () => this.incoming.delete(conn));
  }

  private forward(t: AnyTorrent): void {
    t.on('progress', () => this.emit('progress', t));
    t.on('state', () => this.emit('state', t));
    t.on('completed', () => this.emit('completed', t));
    t.on('peer', (change: PeerChange) => this.emit('peer', t, change));
    t.on('log', (entry: LogEntry) => this.log(entry));
  }

  private log(entry: LogEntry): void {
    this.emit('log', entry);
  }

  private tick(): void {
    const now = Date.now();
    for (const t of this.ticking) if (!t.tick(now)) this.ticking.delete(t);
    this.dhtPeers?.tick(now);
  }
}

function listen(host: string, port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
