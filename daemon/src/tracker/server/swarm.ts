/**
 * The swarm table: which peers announced which info hash, and who to hand out. Pure (no I/O, no timers):
 * time and randomness are injected, so expiry and selection are tested without waiting.
 */
import { encodeCompactPeer } from '../compact';
import { TrackerRequestError, type AnnounceParams } from './params';

/**
 * One peer of one swarm, with its compact form computed once at announce time. Compact forms are byte
 * strings: a pooled 6-byte Buffer would pin a whole 8 KiB pool slab for as long as the peer lives.
 */
export interface SwarmPeer {
  /** 20 bytes as a latin1 string. */
  readonly peerId: string;
  ipv4: string | undefined;
  ipv6: string | undefined;
  port: number;
  /** 6 bytes as a latin1 string, present when the peer has an IPv4 address. */
  compact4: string | undefined;
  /** 18 bytes as a latin1 string, present when the peer has an IPv6 address. */
  compact6: string | undefined;
  seeder: boolean;
  /** Milliseconds since the table was created: small enough to stay an unboxed integer for 24 days. */
  lastSeen: number;
  key: string | undefined;
  /** Position in its pool (seeders or leechers), for O(1) removal. */
  index: number;
}

/** All peers of one info hash, split into pools so selection never scans. */
export interface Swarm {
  readonly infoHash: Uint8Array;
  /** The info hash as a 20-character latin1 string, the table's key. */
  readonly key: string;
  readonly peers: Map<string, SwarmPeer>;
  readonly seeders: SwarmPeer[];
  readonly leechers: SwarmPeer[];
  /** Count of `completed` events seen. */
  completed: number;
}

/** Caps that keep memory bounded, and how long a silent peer stays listed. */
export interface SwarmLimits {
  maxTorrents: number;
  maxPeersPerTorrent: number;
  maxPeers: number;
  peerTtlMs: number;
}

/** What an announce returns: counts for the swarm and the peers to hand out (never the announcer). */
export interface AnnounceOutcome {
  complete: number;
  incomplete: number;
  peers: SwarmPeer[];
}

/** Scrape figures of one swarm (BEP 48 names). */
export interface ScrapeEntry {
  complete: number;
  incomplete: number;
  downloaded: number;
}

/** Indexed by info hash, then peer id (both latin1 byte strings). */
export class SwarmTable {
  private readonly swarms = new Map<string, Swarm>();
  private peerCount = 0;
  private seederCount = 0;
  private readonly epoch: number;

  constructor(
    readonly limits: SwarmLimits,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly allowList?: ReadonlySet<string>,
  ) {
    this.epoch = clock();
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
    if (p.event === 'stopped') {
      if (swarm && peer) this.remove(swarm, peerKey, peer);
      if (swarm && swarm.peers.size === 0 && swarm.completed === 0) this.swarms.delete(hashKey);
      return swarm ? { complete: swarm.seeders.length, incomplete: swarm.leechers.length, peers: [] } : { complete: 0, incomplete: 0, peers: [] };
    }
    const seeder = p.left === 0;
    if (peer) {
      this.update(swarm as Swarm, peer, p, seeder);
    } else {
      this.checkRoom(swarm);
      if (!swarm) {
        swarm = { infoHash: new Uint8Array(Buffer.from(hashKey, 'latin1')), key: hashKey, peers: new Map(), seeders: [], leechers: [], completed: 0 };
        this.swarms.set(hashKey, swarm);
      }
      peer = this.insert(swarm, peerKey, p, seeder);
    }
    if (p.event === 'completed') (swarm as Swarm).completed++;
    const s = swarm as Swarm;
    return { complete: s.seeders.length, incomplete: s.leechers.length, peers: this.select(s, peer, p.numwant) };
  }

  /** Figures for one info hash (latin1 byte string), or undefined when nobody announced it. */
  scrape(infoHash: string): ScrapeEntry | undefined {
    const swarm = this.swarms.get(infoHash);
    return swarm && { complete: swarm.seeders.length, incomplete: swarm.leechers.length, downloaded: swarm.completed };
  }

  /** Drops peers silent for longer than the TTL, and swarms left empty; returns how many peers went. */
  sweep(): number {
    const cutoff = this.now() - this.limits.peerTtlMs;
    let removed = 0;
    for (const [hashKey, swarm] of this.swarms) {
      for (const [peerKey, peer] of swarm.peers) {
        if (peer.lastSeen < cutoff) {
          this.remove(swarm, peerKey, peer);
          removed++;
        }
      }
      if (swarm.peers.size === 0) this.swarms.delete(hashKey);
    }
    return removed;
  }

  private checkRoom(swarm: Swarm | undefined): void {
    if (!swarm && this.swarms.size >= this.limits.maxTorrents) {
      throw new TrackerRequestError(`tracker is full: it tracks at most ${this.limits.maxTorrents} torrents`);
    }
    if (swarm && swarm.peers.size >= this.limits.maxPeersPerTorrent) {
      throw new TrackerRequestError(`swarm is full: at most ${this.limits.maxPeersPerTorrent} peers per torrent`);
    }
    if (this.peerCount >= this.limits.maxPeers) {
      throw new TrackerRequestError(`tracker is full: it tracks at most ${this.limits.maxPeers} peers`);
    }
  }

  private insert(swarm: Swarm, peerKey: string, p: AnnounceParams, seeder: boolean): SwarmPeer {
    const peer: SwarmPeer = {
      peerId: p.peerId,
      ipv4: undefined,
      ipv6: undefined,
      port: 0,
      compact4: undefined,
      compact6: undefined,
      seeder,
      lastSeen: this.now(),
      key: p.key,
      index: 0,
    };
    setAddress(peer, p);
    swarm.peers.set(peerKey, peer);
    const pool = seeder ? swarm.seeders : swarm.leechers;
    peer.index = pool.push(peer) - 1;
    this.peerCount++;
    if (seeder) this.seederCount++;
    return peer;
  }

  private update(swarm: Swarm, peer: SwarmPeer, p: AnnounceParams, seeder: boolean): void {
    if (peer.ipv4 !== p.ipv4 || peer.ipv6 !== p.ipv6 || peer.port !== p.port) {
      // Without a matching key, anyone who learned a peer id could redirect its traffic.
      if (peer.key !== undefined && peer.key !== p.key) throw new TrackerRequestError('peer id already announced from another address');
      setAddress(peer, p);
    }
    peer.lastSeen = this.now();
    if (peer.seeder !== seeder) {
      removeFromPool(peer.seeder ? swarm.seeders : swarm.leechers, peer);
      const pool = seeder ? swarm.seeders : swarm.leechers;
      peer.index = pool.push(peer) - 1;
      this.seederCount += seeder ? 1 : -1;
      peer.seeder = seeder;
    }
  }

  private remove(swarm: Swarm, peerKey: string, peer: SwarmPeer): void {
    swarm.peers.delete(peerKey);
    removeFromPool(peer.seeder ? swarm.seeders : swarm.leechers, peer);
    this.peerCount--;
    if (peer.seeder) this.seederCount--;
  }

  /**
   * Up to `numwant` peers other than `self`, from a random window. A seeder gets leechers first and
   * seeders only to fill up when leechers are too few.
   */
  private select(swarm: Swarm, self: SwarmPeer, numwant: number): SwarmPeer[] {
    const out: SwarmPeer[] = [];
    if (numwant <= 0) return out;
    if (self.seeder) {
      const { leechers, seeders } = swarm;
      takeWindow(leechers.length, (i) => leechers[i], numwant, self, this.random, out);
      if (out.length < numwant) takeWindow(seeders.length, (i) => seeders[i], numwant - out.length, self, this.random, out);
      return out;
    }
    const { seeders, leechers } = swarm;
    const at = (i: number): SwarmPeer => (i < seeders.length ? seeders[i] : leechers[i - seeders.length]);
    takeWindow(seeders.length + leechers.length, at, numwant, self, this.random, out);
    return out;
  }
}

function setAddress(peer: SwarmPeer, p: AnnounceParams): void {
  peer.ipv4 = p.ipv4;
  peer.ipv6 = p.ipv6;
  peer.port = p.port;
  peer.compact4 = p.ipv4 === undefined ? undefined : encodeCompactPeer(p.ipv4, p.port).toString('latin1');
  peer.compact6 = p.ipv6 === undefined ? undefined : encodeCompactPeer(p.ipv6, p.port).toString('latin1');
  peer.key = p.key ?? peer.key;
}

function removeFromPool(pool: SwarmPeer[], peer: SwarmPeer): void {
  const last = pool.pop() as SwarmPeer;
  if (last !== peer) {
    pool[peer.index] = last;
    last.index = peer.index;
  }
}

/** Appends up to `count` entries other than `self`, walking from a random start and wrapping once. */
function takeWindow(
  length: number,
  at: (i: number) => SwarmPeer,
  count: number,
  self: SwarmPeer,
  random: () => number,
  out: SwarmPeer[],
): void {
  if (length === 0) return;
  const start = Math.floor(random() * length) % length;
  for (let i = 0, taken = 0; i < length && taken < count; i++) {
    const peer = at((start + i) % length);
    if (peer === self) continue;
    out.push(peer);
    taken++;
  }
}
