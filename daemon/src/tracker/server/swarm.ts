/**
 * The swarm table: which peers announced which info hash, and who to hand out. Pure (no I/O, no timers):
 * time and randomness are injected, so expiry and selection are tested without waiting.
 */
import { TrackerRequestError, type AnnounceParams } from './params';
import { PeerPool, type SwarmPeer } from './pool';
import { PeerSelection } from './selection';
import { victimAmong, ipKeyOf, IpEntries, NewSwarmRate, TOO_MANY_NEW_SWARMS } from './ip-share';

export type { SwarmPeer } from './pool';

/** All peers of one info hash, split into pools so selection never scans. */
export interface Swarm {
  readonly infoHash: Uint8Array;
  /** The info hash as a 20-character latin1 string, the table's key. */
  readonly key: string;
  readonly peers: Map<string, SwarmPeer>;
  readonly seeders: PeerPool;
  readonly leechers: PeerPool;
  /** Count of `completed` events seen. */
  completed: number;
  /** Peer ids by the IP that announced them, for the per-IP cap and eviction at the cap. */
  readonly byIp: IpEntries;
  /** The IP (`ipKeyOf`) whose announce created the swarm. */
  readonly creator: string;
}

/** Caps that keep memory bounded, and how long a silent peer stays listed. */
export interface SwarmLimits {
  maxTorrents: number;
  maxPeersPerTorrent: number;
  maxPeers: number;
  peerTtlMs: number;
  /** Most peers one IP holds in one swarm; a new one replaces that IP's oldest (default no cap). */
  maxPeersPerIp?: number;
  /** Most swarms one IP creates per minute (default no cap). */
  maxNewSwarmsPerIpPerMinute?: number;
}

/**
 * What an announce returns: counts for the swarm and the peers to hand out (never the announcer). The
 * selection is the table's own and is valid until its next announce.
 */
export interface AnnounceOutcome {
  complete: number;
  incomplete: number;
  selection: PeerSelection;
}

/** Scrape figures of one swarm (BEP 48 names). */
export interface ScrapeEntry {
  complete: number;
  incomplete: number;
  downloaded: number;
}

/** The figures of an info hash nobody announced: scrapes answer them rather than leave the hash out. */
export const NO_SCRAPE: Readonly<ScrapeEntry> = Object.freeze({ complete: 0, incomplete: 0, downloaded: 0 });

/** The scrape figures of one swarm, for a scrape that names it and for a scrape of all. */
export function scrapeEntryOf(swarm: Swarm): ScrapeEntry {
  return { complete: swarm.seeders.length, incomplete: swarm.leechers.length, downloaded: swarm.completed };
}

/** Indexed by info hash, then peer id (both latin1 byte strings). */
export class SwarmTable {
  private readonly swarms = new Map<string, Swarm>();
  private peerCount = 0;
  /** Reused by every announce: the answer is encoded before the next one starts. */
  private readonly selection = new PeerSelection();
  private seederCount = 0;
  private readonly epoch: number;
  /** Swarms by the IP whose announce created them, for eviction when the table is full. */
  private readonly creators = new IpEntries();
  private readonly rate: NewSwarmRate;

  constructor(
    readonly limits: SwarmLimits,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly allowList?: ReadonlySet<string>,
  ) {
    this.epoch = clock();
    this.rate = new NewSwarmRate(limits.maxNewSwarmsPerIpPerMinute ?? Infinity, clock);
  }

  /** Updating a boxed number on every announce would allocate; an offset from `epoch` does not. */
  private now(): number {
    return this.clock() - this.epoch;
  }

  /** Number of swarms tracked (empty ones linger until the next sweep when they recorded completions). */
  get torrents(): number {
    return this.swarms.size;
  }
  get peers(): number {
    return this.peerCount;
  }
  get seeders(): number {
    return this.seederCount;
  }
  get leechers(): number {
    return this.peerCount - this.seederCount;
  }

  /** Swarms in table order, for stats and scrape-all. */
  entries(): IterableIterator<Swarm> {
    return this.swarms.values();
  }

  /** Applies one announce; throws `TrackerRequestError` for refused info hashes and full tables. */
  announce(p: AnnounceParams): AnnounceOutcome {
    const hashKey = p.infoHash;
    if (this.allowList && !this.allowList.has(hashKey)) throw new TrackerRequestError('info hash is not allowed on this tracker');
    let swarm = this.swarms.get(hashKey);
    const peerKey = p.peerId;
    let peer = swarm?.peers.get(peerKey);
    this.selection.clear();
    if (p.event === 'stopped') {
      if (swarm && peer) this.remove(swarm, peerKey, peer);
      if (swarm && swarm.peers.size === 0 && swarm.completed === 0) this.drop(swarm);
      return { complete: swarm ? swarm.seeders.length : 0, incomplete: swarm ? swarm.leechers.length : 0, selection: this.selection };
    }
    const seeder = p.left === 0;
    if (peer) {
      this.update(swarm as Swarm, peer, p, seeder);
    } else {
      const ip = ipKeyOf(p);
      const room = this.makeRoom(swarm, ip);
      if (room.peer !== undefined && swarm) this.remove(swarm, room.peer, swarm.peers.get(room.peer) as SwarmPeer);
      if (room.swarm !== undefined) this.drop(this.swarms.get(room.swarm) as Swarm);
      if (!swarm) {
        swarm = {
          infoHash: new Uint8Array(Buffer.from(hashKey, 'latin1')),
          key: hashKey,
          peers: new Map(),
          seeders: new PeerPool(),
          leechers: new PeerPool(),
          completed: 0,
          byIp: new IpEntries(),
          creator: ip,
        };
        this.swarms.set(hashKey, swarm);
        this.creators.add(ip, hashKey);
        this.rate.record(ip);
      }
      peer = this.insert(swarm, peerKey, p, seeder);
      swarm.byIp.add(ip, peerKey);
    }
    if (p.event === 'completed') (swarm as Swarm).completed++;
    const s = swarm as Swarm;
    this.select(s, peer, p.numwant);
    return { complete: s.seeders.length, incomplete: s.leechers.length, selection: this.selection };
  }

  /** Figures for one info hash (latin1 byte string), or undefined when nobody announced it. */
  scrape(infoHash: string): ScrapeEntry | undefined {
    const swarm = this.swarms.get(infoHash);
    return swarm && scrapeEntryOf(swarm);
  }

  /** Drops peers silent for longer than the TTL, and swarms left empty; returns how many peers went. */
  sweep(): number {
    const cutoff = this.now() - this.limits.peerTtlMs;
    let removed = 0;
    for (const swarm of this.swarms.values()) {
      for (const [peerKey, peer] of swarm.peers) {
        if (peer.lastSeen < cutoff) {
          this.remove(swarm, peerKey, peer);
          removed++;
        }
      }
      if (swarm.peers.size === 0) this.drop(swarm);
    }
    return removed;
  }

  /** Removes a swarm with all its peers. */
  private drop(swarm: Swarm): void {
    for (const [peerKey, peer] of swarm.peers) this.remove(swarm, peerKey, peer);
    this.swarms.delete(swarm.key);
    this.creators.remove(swarm.creator, swarm.key);
  }

  /**
   * Room for a new peer of `ip`: the entry to evict first (its own oldest past the per-IP cap, the
   * over-represented IP's oldest in a full swarm, the over-represented creator's oldest swarm in a full
   * table), or a refusal. The peer cap is checked before a swarm's eviction, as the Redis store must.
   */
  private makeRoom(swarm: Swarm | undefined, ip: string): { peer?: string; swarm?: string } {
    const l = this.limits;
    const room: { peer?: string; swarm?: string } = {};
    if (!swarm) {
      if (!this.rate.allows(ip)) throw new TrackerRequestError(TOO_MANY_NEW_SWARMS);
      if (this.swarms.size >= l.maxTorrents) {
        const victim = victimAmong(this.creators, this.creators.count(ip));
        if (victim === undefined) throw new TrackerRequestError(`tracker is full: it tracks at most ${l.maxTorrents} torrents`);
        room.swarm = this.creators.oldest(victim);
      }
    } else {
      const own = swarm.byIp.count(ip);
      if (own >= (l.maxPeersPerIp ?? Infinity)) {
        room.peer = swarm.byIp.oldest(ip);
      } else if (swarm.peers.size >= l.maxPeersPerTorrent) {
        const victim = victimAmong(swarm.byIp, own);
        if (victim === undefined) throw new TrackerRequestError(`swarm is full: at most ${l.maxPeersPerTorrent} peers per torrent`);
        room.peer = swarm.byIp.oldest(victim);
      }
    }
    if (room.peer === undefined && this.peerCount >= l.maxPeers) {
      throw new TrackerRequestError(`tracker is full: it tracks at most ${l.maxPeers} peers`);
    }
    return room;
  }

  private insert(swarm: Swarm, peerKey: string, p: AnnounceParams, seeder: boolean): SwarmPeer {
    const peer: SwarmPeer = {
      peerId: p.peerId,
      ipv4: p.ipv4,
      ipv6: p.ipv6,
      port: p.port,
      seeder,
      lastSeen: this.now(),
      key: p.key,
      index: 0,
    };
    swarm.peers.set(peerKey, peer);
    (seeder ? swarm.seeders : swarm.leechers).add(peer);
    this.peerCount++;
    if (seeder) this.seederCount++;
    return peer;
  }

  private update(swarm: Swarm, peer: SwarmPeer, p: AnnounceParams, seeder: boolean): void {
    if (peer.ipv4 !== p.ipv4 || peer.ipv6 !== p.ipv6 || peer.port !== p.port) {
      // Without a matching key, anyone who learned a peer id could redirect its traffic.
      if (peer.key !== undefined && peer.key !== p.key) throw new TrackerRequestError('peer id already announced from another address');
      const before = { ipv4: peer.ipv4, ipv6: peer.ipv6 };
      const oldIp = ipKeyOf(before);
      peer.ipv4 = p.ipv4;
      peer.ipv6 = p.ipv6;
      peer.port = p.port;
      peer.key = p.key ?? peer.key;
      (peer.seeder ? swarm.seeders : swarm.leechers).readdress(peer, before);
      const newIp = ipKeyOf(p);
      if (newIp !== oldIp) {
        swarm.byIp.remove(oldIp, peer.peerId);
        swarm.byIp.add(newIp, peer.peerId);
      }
    }
    peer.lastSeen = this.now();
    if (peer.seeder !== seeder) {
      (peer.seeder ? swarm.seeders : swarm.leechers).remove(peer);
      (seeder ? swarm.seeders : swarm.leechers).add(peer);
      this.seederCount += seeder ? 1 : -1;
      peer.seeder = seeder;
    }
  }

  private remove(swarm: Swarm, peerKey: string, peer: SwarmPeer): void {
    swarm.peers.delete(peerKey);
    swarm.byIp.remove(ipKeyOf(peer), peerKey);
    (peer.seeder ? swarm.seeders : swarm.leechers).remove(peer);
    this.peerCount--;
    if (peer.seeder) this.seederCount--;
  }

  /**
   * Up to `numwant` peers other than `self`, from a random window. A seeder gets leechers first and
   * seeders only to fill up when leechers are too few.
   */
  private select(swarm: Swarm, self: SwarmPeer, numwant: number): void {
    const sel = this.selection;
    if (self.seeder) {
      sel.addWindow(swarm.leechers, undefined, numwant, self, this.random);
      sel.addWindow(swarm.seeders, undefined, numwant - sel.size, self, this.random);
    } else {
      sel.addWindow(swarm.seeders, swarm.leechers, numwant, self, this.random);
    }
  }
}
