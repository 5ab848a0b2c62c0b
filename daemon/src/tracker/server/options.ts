/** The tracker's options and their defaults. */
import type { AnnounceParams } from './params';
import type { SwarmStore } from './store';
import type { SwarmLimits } from './swarm';

/** How the tracker behaves; every field has a default. */
export interface TrackerOptions {
  /** Seconds between announces asked of clients (default 1800). */
  interval?: number;
  /** Seconds clients must wait at least between announces (default interval / 2, at most 900). */
  minInterval?: number;
  /** Seconds a silent peer stays listed (default 2 × interval + 60). */
  peerTtl?: number;
  defaultNumwant?: number;
  maxNumwant?: number;
  maxTorrents?: number;
  maxPeersPerTorrent?: number;
  maxPeers?: number;
  /** Most peers one IP holds in one swarm; past it the IP's oldest peer there gives way (default 32). */
  maxPeersPerIp?: number;
  /** Most new swarms one IP creates per minute; past it the announce is refused (default 60). */
  maxNewSwarmsPerIpPerMinute?: number;
  /** Most info hashes in one scrape request. */
  maxScrapeInfoHashes?: number;
  /** Most torrents listed by a scrape that names none. */
  maxScrapeAll?: number;
  /** Hex info hashes this tracker serves; absent means any. */
  allowList?: Iterable<string>;
  /** Take the peer's address from the last X-Forwarded-For entry (behind one reverse proxy). */
  trustProxy?: boolean;
  /** Let `ip`, `ipv4` and `ipv6` parameters replace the source address (trusted networks only). */
  trustIpParam?: boolean;
  /** Called after each accepted announce (logging, tests waiting for a peer to appear). */
  onAnnounce?: (info: AnnounceNotice) => void;
  /**
   * Where swarms live; default a memory store made from the caps and allow-list here. A given store
   * brings its own caps, TTL and allow-list (see `resolveOptions` for the values to build it with).
   */
  swarmStore?: SwarmStore;
  /** Key for UDP connection ids, the same on every tracker behind one UDP address (default random). */
  udpSecret?: Uint8Array;
  /** Milliseconds a store request may take before the client gets "tracker storage unavailable" (default 2000). */
  storeTimeoutMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  random?: () => number;
}

/** One accepted announce, as passed to `onAnnounce`. */
export interface AnnounceNotice {
  /** Hex info hash. */
  infoHash: string;
  ip: string;
  port: number;
  event: AnnounceParams['event'];
  seeder: boolean;
}

/** The notice for an accepted announce, the same over HTTP and UDP. */
export function announceNotice(p: AnnounceParams): AnnounceNotice {
  const infoHash = Buffer.from(p.infoHash, 'latin1').toString('hex');
  return { infoHash, ip: p.ipv4 ?? p.ipv6 ?? '', port: p.port, event: p.event, seeder: p.left === 0 };
}

/** Every option with its default filled in. */
export function resolveOptions(opts: TrackerOptions) {
  const interval = opts.interval ?? 1800;
  return {
    interval,
    minInterval: opts.minInterval ?? Math.min(Math.max(Math.floor(interval / 2), 1), 900),
    peerTtlMs: (opts.peerTtl ?? 2 * interval + 60) * 1000,
    defaultNumwant: opts.defaultNumwant ?? 50,
    maxNumwant: opts.maxNumwant ?? 200,
    maxTorrents: opts.maxTorrents ?? 100_000,
    maxPeersPerTorrent: opts.maxPeersPerTorrent ?? 20_000,
    maxPeers: opts.maxPeers ?? 500_000,
    maxPeersPerIp: opts.maxPeersPerIp ?? 32,
    maxNewSwarmsPerIpPerMinute: opts.maxNewSwarmsPerIpPerMinute ?? 60,
    maxScrapeInfoHashes: opts.maxScrapeInfoHashes ?? 256,
    maxScrapeAll: opts.maxScrapeAll ?? 1000,
    trustProxy: opts.trustProxy ?? false,
    trustIpParam: opts.trustIpParam ?? false,
    storeTimeoutMs: opts.storeTimeoutMs ?? 2000,
    clock: opts.clock ?? Date.now,
  };
}

/** The store's caps and TTL from resolved options. */
export function limitsOf(o: ResolvedOptions): SwarmLimits {
  return {
    maxTorrents: o.maxTorrents,
    maxPeersPerTorrent: o.maxPeersPerTorrent,
    maxPeers: o.maxPeers,
    peerTtlMs: o.peerTtlMs,
    maxPeersPerIp: o.maxPeersPerIp,
    maxNewSwarmsPerIpPerMinute: o.maxNewSwarmsPerIpPerMinute,
  };
}

/** Hex info hashes as the swarm table's latin1 keys; throws RangeError on a malformed entry. */
export function toAllowSet(hexes: Iterable<string> | undefined): Set<string> | undefined {
  if (hexes === undefined) return undefined;
  const out = new Set<string>();
  for (const hex of hexes) {
    if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new RangeError(`allow-list entry is not a 40-digit hex info hash: ${hex}`);
    out.add(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return out;
}

/** `resolveOptions` result. */
export type ResolvedOptions = ReturnType<typeof resolveOptions>;
