/**
 * The Redis swarm store: swarms in Redis (or a Redis Cluster), shared by every tracker process that points
 * at it. One script call per announce; expiry by sorted sets trimmed on the way; shared totals flushed
 * once a second; every request bounded in time, refused with "tracker storage unavailable" past it.
 */
import type { Socket } from 'node:net';
import type { Cluster, Redis } from 'ioredis';
import type { AnnounceParams } from './params';
import { TrackerRequestError } from './params';
import { PeerSelection } from './selection';
import { NO_SCRAPE, type AnnounceOutcome, type ScrapeEntry, type SwarmLimits } from './swarm';
import { StoreUnavailableError, type SharedCounters, type StoreHealth, type StoreTotals, type SwarmStore, type SwarmSummary } from './store';
import { ANNOUNCE_LUA, ANNOUNCE_OK, DROP_LUA, FLUSH_LUA, SCRAPE_LUA, SWEEP_LUA } from './redis-scripts';
import { victimAmong, ipKeyOf, IpEntries, NewSwarmRate } from './ip-share';
import { BUCKET_PEERS } from './redis-buckets';
import { capArgument, peerArgument, poolOf, refusal, swarmKeys } from './redis-wire';
import { SharedRates } from './redis-rates';

/** Calls awaiting Redis at most: past it (a Redis that stalls), requests are refused at once. */
const MAX_IN_FLIGHT = 10_000;
/** Expired peers trimmed per sorted set by one script call: bounds the work any one call does. */
const TRIM_LIMIT = 1000;
/** Swarms due for expiry looked at per batch, and batches per sweep. */
const SWEEP_BATCH = 500;
const SWEEP_ROUNDS = 20;
const TOTALS_KEY = 'btd:{btd}:totals';
const INDEX_KEY = 'btd:{btd}:swarms';
const EVENT_CODES: Record<AnnounceParams['event'], string> = { '': '-', started: 's', completed: 'c', stopped: 'x' };

/** A client made by `connectRedis`, with the store's scripts defined on it. */
export type RedisClient = Redis | Cluster;

interface ScriptedClient {
  btdAnnounceBuffer(...args: (string | Buffer | number)[]): Promise<(number | Buffer)[]>;
  btdScrape(...args: string[]): Promise<number[]>;
  btdSweep(...args: (string | number)[]): Promise<(number | string)[]>;
  btdFlush(...args: (string | number)[]): Promise<string[]>;
  btdDrop(...args: string[]): Promise<number[]>;
}

/** What the Redis store needs besides its client. */
export interface RedisStoreSettings {
  limits: SwarmLimits;
  /** Milliseconds a request may take before it is refused (default 2000). */
  timeoutMs?: number;
  /** Latin1 info hash keys this tracker serves; absent means any. */
  allowList?: ReadonlySet<string>;
  clock?: () => number;
  /** Milliseconds between flushes of this instance's counts into the shared totals (default 1000). */
  flushMs?: number;
  /** Whether `close` disconnects the client (default true). */
  ownsClient?: boolean;
  /** Average peers per bucket past which a swarm doubles its buckets (default BUCKET_PEERS; tests make it small). */
  bucketPeers?: number;
}

/** Swarms in Redis; see `redis-scripts.ts` for the layout. */
export class RedisSwarmStore implements SwarmStore {
  readonly kind = 'redis';
  private readonly scripts: ScriptedClient;
  private readonly timeoutMs: number;
  private readonly clock: () => number;
  private readonly state: StoreHealth = { kind: 'redis', available: false, outages: 0, failures: 0 };
  /** Counts since the last flush, and the swarms touched with their latest expiry. */
  private pending = { peers: 0, seeders: 0, swarms: 0, announces: 0, scrapes: 0 };
  private touched = new Map<string, number>();
  private sharedTotals: StoreTotals = { torrents: 0, seeders: 0, leechers: 0, peers: 0 };
  private readonly rates: SharedRates;
  private readonly flushTimer: ReturnType<typeof setInterval>;
  private flushing = false;
  private inFlight = 0;
  private corked = false;
  private readonly selection = new PeerSelection();
  /**
   * Swarms this instance created, by the creator's IP, and new swarms per IP this minute: each instance
   * knows its own (the table-wide cap is approximate across instances anyway).
   */
  private readonly creators = new IpEntries();
  private readonly creatorOf = new Map<string, string>();
  private readonly rate: NewSwarmRate;

  constructor(readonly client: RedisClient, private readonly settings: RedisStoreSettings) {
    this.timeoutMs = settings.timeoutMs ?? 2000;
    this.clock = settings.clock ?? Date.now;
    this.rates = new SharedRates(this.clock);
    this.rate = new NewSwarmRate(settings.limits.maxNewSwarmsPerIpPerMinute ?? Infinity, this.clock);
    client.defineCommand('btdAnnounce', { numberOfKeys: 4, lua: ANNOUNCE_LUA });
    client.defineCommand('btdScrape', { numberOfKeys: 4, lua: SCRAPE_LUA });
    client.defineCommand('btdSweep', { numberOfKeys: 4, lua: SWEEP_LUA });
    client.defineCommand('btdDrop', { numberOfKeys: 4, lua: DROP_LUA });
    client.defineCommand('btdFlush', { numberOfKeys: 2, lua: FLUSH_LUA });
    this.scripts = client as unknown as ScriptedClient;
    this.state.available = client.status === 'ready';
    client.on('ready', this.onReady);
    client.on('close', this.onClose);
    client.on('error', this.onError);
    this.flushTimer = setInterval(() => void this.flush(), settings.flushMs ?? 1000);
    this.flushTimer.unref();
  }

  private readonly onReady = (): void => {
    this.state.available = true;
    delete this.state.unavailableSince;
  };
  private readonly onClose = (): void => this.down('connection closed');
  private readonly onError = (err: Error): void => {
    this.state.lastError = err.message;
  };

  private down(reason: string): void {
    if (!this.state.available) return;
    this.state.available = false;
    this.state.outages++;
    this.state.unavailableSince = new Date(this.clock()).toISOString();
    this.state.lastError = reason;
  }

  /**
   * Holds this turn of the event loop's writes to Redis and sends them together: announces that arrive
   * in one turn leave in one write (a single Redis connection; a Cluster's node connections write as
   * they come).
   */
  private batchWrites(): void {
    if (this.corked) return;
    const stream = (this.client as { stream?: Socket }).stream;
    if (!stream || typeof stream.cork !== 'function' || this.client.status !== 'ready') return;
    this.corked = true;
    stream.cork();
    setImmediate(() => {
      this.corked = false;
      stream.uncork();
    });
  }

  /** Runs one Redis call within the bound; a failure or a late answer becomes `StoreUnavailableError`. */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    if (!this.state.available || this.inFlight >= MAX_IN_FLIGHT) {
      this.state.failures++;
      return Promise.reject(new StoreUnavailableError());
    }
    // A late answer still arrives in order on the connection: counted until then, so a stall cannot
    // queue unbounded calls.
    this.inFlight++;
    const settled = (): void => {
      this.inFlight--;
    };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.state.failures++;
        this.state.lastError = `no answer within ${this.timeoutMs} ms`;
        reject(new StoreUnavailableError());
      }, this.timeoutMs);
      call().then(
        (value) => {
          settled();
          clearTimeout(timer);
          resolve(value);
        },
        (err: unknown) => {
          settled();
          clearTimeout(timer);
          this.state.failures++;
          this.state.lastError = (err as Error).message;
          reject(new StoreUnavailableError(err));
        },
      );
    });
  }

  async announce<T>(p: AnnounceParams, encode: (outcome: AnnounceOutcome) => T): Promise<T> {
    if (this.settings.allowList && !this.settings.allowList.has(p.infoHash)) throw new TrackerRequestError('info hash is not allowed on this tracker');
    this.pending.announces++;
    const hex = Buffer.from(p.infoHash, 'latin1').toString('hex');
    const { limits } = this.settings;
    const now = this.clock();
    const expiry = now + limits.peerTtlMs;
    const totals = this.totals();
    const ip = ipKeyOf(p);
    // A full table makes room by dropping the over-represented creator's oldest swarm, once this one is made.
    const victim = totals.torrents < limits.maxTorrents ? undefined : this.victimSwarm(ip);
    const roomForSwarm = totals.torrents < limits.maxTorrents || victim !== undefined;
    const flags =
      EVENT_CODES[p.event] +
      (p.left === 0 ? '1' : '0') +
      (roomForSwarm ? '1' : '0') +
      (totals.peers < limits.maxPeers ? '1' : '0') +
      (p.compact ? '0' : '1') +
      (this.rate.allows(ip) ? '1' : '0');
    this.batchWrites();
    const reply = await this.bounded(() =>
      this.scripts.btdAnnounceBuffer(
        ...swarmKeys(hex),
        peerArgument(p),
        flags,
        String(now),
        String(expiry),
        p.numwant,
        limits.maxPeersPerTorrent,
        TRIM_LIMIT,
        // Keys outlive their last peer by a TTL, so an idle swarm leaves Redis even with no tracker left.
        String(expiry + limits.peerTtlMs),
        capArgument(limits.maxPeersPerIp),
        this.settings.bucketPeers ?? BUCKET_PEERS,
      ),
    );
    const [code, complete, incomplete, dPeers, dSeeders, dSwarms] = reply as number[];
    this.pending.peers += dPeers;
    this.pending.seeders += dSeeders;
    this.pending.swarms += dSwarms;
    if (code !== ANNOUNCE_OK) throw refusal(code, limits);
    if (dSwarms < 0) this.forget(hex);
    if (dSwarms > 0) {
      this.forget(hex);
      this.creators.add(ip, hex);
      this.creatorOf.set(hex, ip);
      this.rate.record(ip);
      // Past the announce, a failed drop leaves the table one over its cap, not the announce refused.
      if (victim !== undefined) await this.drop(victim).catch(() => undefined);
    }
    if (p.event !== 'stopped') this.touched.set(hex, expiry);
    // A swarm left with no peers but with a completed count goes at the next sweep, as in the memory store.
    else if (complete + incomplete === 0 && dSwarms === 0 && dPeers < 0) this.touched.set(hex, -now);
    // One selection for every announce, as in the memory store: the outcome is encoded before the next.
    const selection = this.selection;
    selection.clear();
    const pool = poolOf(reply, !p.compact);
    selection.push(pool, 0, pool.length);
    try {
      return encode({ complete, incomplete, selection });
    } finally {
      selection.clear();
    }
  }

  /** The oldest swarm of the creator a full table evicts for a swarm of `ip`, if any. */
  private victimSwarm(ip: string): string | undefined {
    const victimIp = victimAmong(this.creators, this.creators.count(ip));
    return victimIp === undefined ? undefined : this.creators.oldest(victimIp);
  }

  /** Forgets who created a swarm that is gone. */
  private forget(hex: string): void {
    const ip = this.creatorOf.get(hex);
    if (ip === undefined) return;
    this.creatorOf.delete(hex);
    this.creators.remove(ip, hex);
  }

  /** Removes one swarm whole (a second call, made only when the table is full). */
  private async drop(hex: string): Promise<void> {
    this.forget(hex);
    this.touched.delete(hex);
    const [peers, seeders, existed] = await this.bounded(() => this.scripts.btdDrop(...swarmKeys(hex)));
    this.pending.peers -= peers;
    this.pending.seeders -= seeders;
    this.pending.swarms -= existed;
    await this.bounded(() => this.client.zrem(INDEX_KEY, hex));
  }

  private scrapeOne(hex: string): Promise<ScrapeEntry> {
    return this.bounded(() => this.scripts.btdScrape(...swarmKeys(hex))).then(([complete, incomplete, downloaded]) =>
      complete + incomplete + downloaded === 0 ? NO_SCRAPE : { complete, incomplete, downloaded },
    );
  }

  scrape(infoHashes: readonly string[]): Promise<ScrapeEntry[]> {
    this.pending.scrapes++;
    return Promise.all(infoHashes.map((h) => this.scrapeOne(Buffer.from(h, 'latin1').toString('hex'))));
  }

  scrapeAll(limit: number): Promise<[string, ScrapeEntry][]> {
    this.pending.scrapes++;
    return this.listed(limit);
  }

  /** The first `limit` swarms of the index with their figures (those gone since left out). */
  private async listed(limit: number): Promise<[string, ScrapeEntry][]> {
    const hexes = await this.bounded(() => this.client.zrange(INDEX_KEY, 0, limit - 1));
    const entries = await Promise.all(hexes.map((hex) => this.scrapeOne(hex)));
    const out: [string, ScrapeEntry][] = [];
    hexes.forEach((hex, i) => {
      if (entries[i] !== NO_SCRAPE) out.push([Buffer.from(hex, 'hex').toString('latin1'), entries[i]]);
    });
    return out;
  }

  async busiest(limit: number): Promise<SwarmSummary[]> {
    // The index knows swarms, not their sizes: the first `limit` of it, sorted by peers.
    const all = await this.listed(limit);
    return all.map(([infoHash, e]) => ({ infoHash, ...e })).sort((a, b) => b.complete + b.incomplete - (a.complete + a.incomplete));
  }

  /** Sweeps the swarms whose earliest expiry has passed, in batches, at most `SWEEP_ROUNDS` of them. */
  async sweep(): Promise<number> {
    const now = this.clock();
    let removed = 0;
    for (let round = 0; round < SWEEP_ROUNDS; round++) {
      const due = await this.bounded(() => this.client.zrangebyscore(INDEX_KEY, '-inf', `(${now}`, 'LIMIT', 0, SWEEP_BATCH));
      const counts = await Promise.all(due.map((hex) => this.sweepSwarm(hex, now)));
      for (const n of counts) removed += n;
      if (due.length < SWEEP_BATCH) break;
    }
    return removed;
  }

  private async sweepSwarm(hex: string, now: number): Promise<number> {
    const [peers, seeders, gone, earliest] = await this.bounded(() => this.scripts.btdSweep(...swarmKeys(hex), String(now), TRIM_LIMIT));
    this.pending.peers -= Number(peers);
    this.pending.seeders -= Number(seeders);
    this.pending.swarms -= Number(gone);
    if (Number(gone) === 1) this.forget(hex);
    if (Number(earliest) === 0) {
      this.touched.delete(hex);
      await this.bounded(() => this.client.zrem(INDEX_KEY, hex));
    } else {
      await this.bounded(() => this.client.zadd(INDEX_KEY, 'XX', earliest, hex));
    }
    return Number(peers);
  }

  /** Adds this instance's counts to the shared totals and reads them back; kept for the next try on failure. */
  async flush(): Promise<void> {
    if (this.flushing || !this.state.available) return;
    this.flushing = true;
    // Counts stay pending until the totals that include them are read back, so `totals()` never dips.
    const sent = { ...this.pending };
    const touched = this.touched;
    this.touched = new Map();
    const args: (string | number)[] = [sent.peers, sent.seeders, sent.swarms, sent.announces, sent.scrapes];
    // A negative time asks for the swarm to be looked at by the next sweep: it may lower the index score.
    for (const [hex, expiry] of touched) args.push(expiry < 0 ? `!${-expiry}` : String(expiry), hex);
    try {
      const pairs = await this.bounded(() => this.scripts.btdFlush(TOTALS_KEY, INDEX_KEY, ...args));
      for (const k of Object.keys(sent) as (keyof typeof sent)[]) this.pending[k] -= sent[k];
      const t = new Map<string, number>();
      for (let i = 0; i + 1 < pairs.length; i += 2) t.set(pairs[i], Number(pairs[i + 1]));
      const peers = t.get('peers') ?? 0;
      const seeders = t.get('seeders') ?? 0;
      this.sharedTotals = { torrents: t.get('swarms') ?? 0, seeders, leechers: peers - seeders, peers };
      this.rates.sample(t.get('announces') ?? 0, t.get('scrapes') ?? 0);
    } catch {
      for (const [hex, expiry] of touched) if (!this.touched.has(hex)) this.touched.set(hex, expiry);
    } finally {
      this.flushing = false;
    }
  }

  totals(): StoreTotals {
    const s = this.sharedTotals;
    const p = this.pending;
    const peers = Math.max(0, s.peers + p.peers);
    const seeders = Math.max(0, s.seeders + p.seeders);
    return { torrents: Math.max(0, s.torrents + p.swarms), seeders, leechers: Math.max(0, peers - seeders), peers };
  }

  health(): StoreHealth {
    return { ...this.state };
  }

  shared(): SharedCounters {
    return this.rates.counters();
  }

  async close(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush().catch(() => undefined);
    this.client.off('ready', this.onReady);
    this.client.off('close', this.onClose);
    this.client.off('error', this.onError);
    if (this.settings.ownsClient !== false) this.client.disconnect();
  }
}
