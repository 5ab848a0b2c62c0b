/**
 * Where the DHT meets the session's torrents: get_peers (and announce_peer for torrents we have the
 * metadata of) for every active torrent that is not private, again every 15–30 minutes, sooner while
 * nothing was found; and on the wire, the DHT reserved bit and the port message (BEP 5) both ways.
 */
import { Dht, type DhtOptions, type DhtStats } from '../dht/dht';
import type { Torrent } from './torrent';
import type { MagnetTorrent } from './magnet-torrent';
import type { NodeAddress } from '../dht/krpc';
import { mayConnect } from '../util/loopback';
import type { PeerConnection } from '../wire/connection';
import type { PeerSource } from './address-book';

/** Re-announce between these, at random (so torrents and nodes spread out). */
export const REANNOUNCE_MIN_MS = 15 * 60_000;
export const REANNOUNCE_MAX_MS = 30 * 60_000;
/** After a lookup that found nothing: retry after this, doubling up to the maximum. */
export const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;
/** Lookups the session runs at once; more wait their turn. */
const MAX_CONCURRENT = 4;

/** One torrent as the DHT sees it. */
export interface DhtTarget {
  infoHash: Uint8Array;
  /** Announce ourselves too (we have the metadata and can serve). */
  announce: boolean;
  /** Still wants peers (not paused or closed). */
  active(): boolean;
  /** Peers found. */
  peers(list: NodeAddress[], source: PeerSource): void;
}

interface Entry {
  target: DhtTarget;
  nextAt: number;
  retry: number;
  running: boolean;
}

/** The session's DHT work for its torrents. */
export class DhtPeers {
  private readonly entries = new Map<string, Entry>();
  private running = 0;

  constructor(
    readonly dht: Dht,
    /** Our TCP peer port, announced. */
    private readonly peerPort: () => number,
    private readonly log: (level: 'debug' | 'info' | 'warn', message: string) => void,
  ) {}

  /** Starts a DHT node on `opts.port`, else (taken) on any free port; undefined (logged) if it cannot listen. */
  static async start(opts: DhtOptions, peerPort: () => number, log: (level: 'debug' | 'info' | 'warn', message: string) => void): Promise<DhtPeers | undefined> {
    const withLog: DhtOptions = { ...opts, log: (level, message) => log(level === 'error' ? 'warn' : level, message) };
    try {
      const dht = await Dht.start(withLog).catch(() => Dht.start({ ...withLog, port: 0 }));
      return new DhtPeers(dht, peerPort, log);
    } catch (err) {
      log('warn', `DHT: cannot listen: ${(err as Error).message}; it stays off`);
      return undefined;
    }
  }

  /** Looks for a torrent's peers (and announces once it has metadata) while `current()` and it is active; never for a private one. */
  follow(t: Torrent | MagnetTorrent, current: () => boolean): void {
    const hex = t.infoHashHex;
    if (t.metainfo?.private) return this.remove(hex);
    this.add(hex, {
      infoHash: t.metainfo ? t.metainfo.infoHash : t.magnet.infoHash,
      announce: t.metainfo !== undefined,
      active: () => current() && ['downloading', 'seeding'].includes(t.summary().state),
      peers: (list, source) => t.learnPeers(list.map((p) => ({ ip: p.ip, port: p.port, source }))),
    });
  }

  /** Starts (or, for a torrent that replaced its magnet, takes over) the lookups for an info hash; a first one soon. */
  add(hex: string, target: DhtTarget): void {
    const e = this.entries.get(hex);
    if (e) {
      e.target = target;
      if (target.announce) e.nextAt = 0;
      return;
    }
    this.entries.set(hex, { target, nextAt: 0, retry: RETRY_MIN_MS, running: false });
  }

  /** Stops the lookups for an info hash. */
  remove(hex: string): void {
    this.entries.delete(hex);
  }

  /** Torrents the DHT looks for. */
  get size(): number {
    return this.entries.size;
  }

  /** Once a second: starts the lookups that are due. */
  tick(now: number): void {
    for (const [hex, e] of this.entries) {
      if (this.running >= MAX_CONCURRENT) return;
      if (e.running || e.nextAt > now || !e.target.active()) continue;
      void this.run(hex, e);
    }
  }

  /** Counts for `dht/stats`. */
  stats(): DhtStats & { torrents: number } {
    return { ...this.dht.stats(), torrents: this.entries.size };
  }

  /**
   * On a connection whose handshake offers the DHT bit: our port sent to peers that share it, theirs
   * fed to the table; never on a connection of a private torrent (an incoming one is known by its
   * info hash only once its handshake came, after our reserved bits were fixed).
   */
  attach(conn: PeerConnection, ip: string, isPrivate: (infoHashHex: string) => boolean): void {
    const allowed = (): boolean => conn.shares('dht') && conn.remote !== undefined && !isPrivate(Buffer.from(conn.remote.infoHash).toString('hex'));
    conn.once('ready', () => {
      if (allowed()) conn.sendPort(this.dht.port);
    });
    conn.on('port', (port) => {
      if (port > 0 && allowed()) this.dht.addNode(ip, port);
    });
    conn.on('extended-handshake', (h) => {
      // BEP 10 `yourip`: one vote toward our external address (BEP 42 ids).
      if (h.yourip) this.dht.voteExternalIp(h.yourip, ip);
    });
  }

  private async run(hex: string, e: Entry): Promise<void> {
    e.running = true;
    this.running++;
    let found = 0;
    const sink = (list: NodeAddress[]): void => {
      const usable = list.filter((p) => p.port > 0 && mayConnect(p.ip));
      found += usable.length;
      if (usable.length > 0 && e.target.active()) e.target.peers(usable, 'dht');
    };
    try {
      const t = e.target;
      if (t.announce) {
        const r = await this.dht.announce(t.infoHash, this.peerPort(), sink);
        this.log('debug', `DHT: ${hex}: ${found} peers from ${r.lookup.answers} nodes, announced to ${r.announced}`);
        found += r.announced; // a seed that announced has done its part even if it found no one
      } else {
        const r = await this.dht.getPeers(t.infoHash, sink);
        this.log('debug', `DHT: ${hex}: ${found} peers from ${r.answers} nodes`);
      }
    } catch (err) {
      this.log('warn', `DHT: lookup of ${hex} failed: ${(err as Error).message}`);
    } finally {
      e.running = false;
      this.running--;
    }
    const now = Date.now();
    if (found > 0) {
      e.retry = RETRY_MIN_MS;
      e.nextAt = now + REANNOUNCE_MIN_MS + Math.random() * (REANNOUNCE_MAX_MS - REANNOUNCE_MIN_MS);
    } else {
      e.nextAt = now + e.retry;
      e.retry = Math.min(RETRY_MAX_MS, e.retry * 2);
    }
  }
}
