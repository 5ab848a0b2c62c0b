/**
 * One Mainline DHT node (BEP 5, IPv4): a UDP socket, the routing table, the answers to other nodes,
 * lookups for peers and announces, bootstrap, refresh of stale buckets, and the table saved in the
 * state folder. BEP 42: once three nodes agree on our external address, our id is derived from it.
 */
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import { loopbackOnly, mayConnect } from '../util/loopback';
import type { CompactNode, NodeAddress } from './krpc';
import { lookup, type LookupNet, type LookupResult } from './lookup';
import { bep42Id, isBep42Exempt, isBep42Valid, randomId, sameId } from './node-id';
import { loadTable, saveTable } from './persist';
import { PeerStore } from './peer-store';
import { answer } from './responder';
import { RoutingTable } from './routing-table';
import { KrpcSocket, type Answer, type IncomingQuery, type RpcOptions } from './rpc';
import { TokenIssuer } from './tokens';

/** The well-known routers, by host name; the default bootstrap list. */
export const DEFAULT_BOOTSTRAP = ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881', 'dht.libtorrent.org:25401'];
/** How often stale buckets are refreshed and questionable nodes pinged. */
export const MAINTENANCE_MS = 60_000;
const SAVE_EVERY_MS = 10 * 60_000;
/** Nodes that queried us being pinged at once before they may enter the table. */
const MAX_VERIFYING = 16;
/** Lookups into buckets with room after a bootstrap. */
const MAX_FILL_LOOKUPS = 8;
/** Votes (distinct nodes) needed before we believe an external address. */
const IP_VOTES = 3;

/** Options of a DHT node. */
export interface DhtOptions extends RpcOptions {
  /** UDP port; 0 = any free one. */
  port: number;
  /** Default '0.0.0.0'. */
  host?: string;
  /** 'host:port' entries; default none (the session passes DEFAULT_BOOTSTRAP unless told otherwise). */
  bootstrap?: string[];
  /** Where the table is kept across restarts. */
  stateFile?: string;
  /** A fixed id (tests); default the saved one or a random one. */
  nodeId?: Uint8Array;
  log?(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** What `stats()` reports. */
export interface DhtStats {
  nodeId: string;
  port: number;
  nodes: number;
  /** Nodes per bucket, farthest bucket first. */
  buckets: number[];
  lookupsInFlight: number;
  peersStored: number;
  infoHashesStored: number;
  queriesInPerSecond: number;
  queriesOutPerSecond: number;
  queriesIn: number;
  queriesOut: number;
  timeouts: number;
  /** announce_peer queries refused for a bad token. */
  badTokens: number;
  rttMs: number;
}

/** The outcome of an announce: the get_peers lookup and how many nodes took the announce. */
export interface AnnounceResult {
  lookup: LookupResult;
  announced: number;
}

/** A DHT node; start() it, close() it. */
export class Dht extends EventEmitter {
  private table: RoutingTable;
  private readonly rpc: KrpcSocket;
  private readonly tokens = new TokenIssuer();
  private readonly store = new PeerStore();
  private readonly badTokens = { count: 0 };
  private readonly verifying = new Set<string>();
  private readonly ipVotes = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;
  private lookups = 0;
  private savedAt = Date.now();
  private externalIp: string | undefined;
  private closed = false;
  /** Settles when the first bootstrap lookup is done. */
  readonly bootstrapped: Promise<void>;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly opts: DhtOptions,
    id: Uint8Array,
    saved: CompactNode[],
  ) {
    super();
    this.table = this.newTable(id);
    for (const n of saved) this.table.restore(n);
    this.rpc = new KrpcSocket(socket, opts);
    this.rpc.on('query', (q) => this.onQuery(q));
    socket.on('error', (err) => this.log('warn', `DHT socket: ${err.message}`));
    this.timer = setInterval(() => this.maintain(), MAINTENANCE_MS);
    this.timer.unref();
    this.bootstrapped = this.bootstrap().then(() => undefined);
  }

  /** Binds the socket, reloads the saved table and starts bootstrapping. */
  static async start(opts: DhtOptions): Promise<Dht> {
    const saved = opts.stateFile ? await loadTable(opts.stateFile) : undefined;
    const socket = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port, opts.host ?? '0.0.0.0', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new Dht(socket, opts, opts.nodeId ?? saved?.id ?? randomId(), saved?.nodes ?? []);
  }

  /** Our node id. */
  get nodeId(): Uint8Array {
    return this.table.ownId;
  }

  /** The UDP port we listen on. */
  get port(): number {
    return this.socket.address().port;
  }

  /** Nodes in the routing table. */
  get size(): number {
    return this.table.size;
  }

  /** The table's nodes (tests, stats). */
  nodes(): CompactNode[] {
    return this.table.all();
  }

  /** A find_node lookup of our own id from the table and the bootstrap nodes, then one into each bucket with room. */
  async bootstrap(): Promise<LookupResult> {
    const seeds: (NodeAddress & { id?: Uint8Array })[] = [...this.table.closest(this.nodeId), ...(await this.bootstrapAddresses())];
    const result = await this.run('find_node', this.nodeId, seeds);
    await Promise.all(this.table.sparseTargets().slice(0, MAX_FILL_LOOKUPS).map((t) => this.findNode(t)));
    return result;
  }

  /** A find_node lookup toward `target`; resolves with the closest nodes that answered. */
  findNode(target: Uint8Array): Promise<LookupResult> {
    return this.run('find_node', target, this.table.closest(target));
  }

  /** A get_peers lookup; peers go to `onPeers` as they arrive. */
  async getPeers(infoHash: Uint8Array, onPeers: (peers: NodeAddress[]) => void): Promise<LookupResult> {
    const local = this.store.get(infoHash);
    if (local.length > 0) onPeers(local); // announced to us: we are one of the closest nodes
    const seeds: (NodeAddress & { id?: Uint8Array })[] = this.table.closest(infoHash);
    if (seeds.length < 8) seeds.push(...(await this.bootstrapAddresses()));
    return this.run('get_peers', infoHash, seeds, onPeers);
  }

  /** get_peers, then announce_peer to the closest nodes that gave a token; `port` undefined means implied_port. */
  async announce(infoHash: Uint8Array, port: number | undefined, onPeers: (peers: NodeAddress[]) => void): Promise<AnnounceResult> {
    const result = await this.getPeers(infoHash, onPeers);
    const sent = result.closest
      .filter((r) => r.token)
      .map((r) =>
        this.rpc.query(r.node, { method: 'announce_peer', id: this.nodeId, infoHash, port: port ?? 0, impliedPort: port === undefined, token: r.token as Uint8Array }).then(
          () => 1,
          () => 0,
        ),
      );
    const announced = (await Promise.all(sent)).reduce<number>((a, b) => a + b, 0);
    return { lookup: result, announced };
  }

  /** A node named by a peer (BEP 5 port message): pinged, and added once it answers. */
  addNode(ip: string, port: number): void {
    if (this.closed || !this.mayQuery({ ip, port })) return;
    const key = `${ip}:${port}`;
    if (this.verifying.has(key) || this.verifying.size >= MAX_VERIFYING) return;
    this.verifying.add(key);
    void this.ping({ ip, port }).then((id) => {
      this.verifying.delete(key);
      if (id) this.table.responded({ id, ip, port });
    });
  }

  /** Our external address is known (BEP 10 `yourip`, trackers, or votes): adopt a BEP 42 id for it if ours is not one. */
  setExternalIp(ip: string): void {
    if (!isIPv4(ip) || ip === this.externalIp) return;
    this.externalIp = ip;
    if (isBep42Exempt(ip) || isBep42Valid(this.nodeId, ip)) return;
    const old = this.table.all();
    this.table = this.newTable(bep42Id(ip));
    for (const n of old) this.table.restore(n);
    this.log('info', `DHT: external address ${ip}; node id now ${Buffer.from(this.nodeId).toString('hex')} (BEP 42)`);
    void this.bootstrap();
  }

  /** Counts for `dht/stats`. */
  stats(): DhtStats {
    const c = this.rpc.counts;
    return {
      nodeId: Buffer.from(this.nodeId).toString('hex'),
      port: this.port,
      nodes: this.table.size,
      buckets: this.table.fill(),
      lookupsInFlight: this.lookups,
      peersStored: this.store.size,
      infoHashesStored: this.store.hashes,
      queriesInPerSecond: this.rpc.inRate.rate(),
      queriesOutPerSecond: this.rpc.outRate.rate(),
      queriesIn: c.queriesIn,
      queriesOut: c.queriesOut,
      timeouts: c.timeouts,
      badTokens: this.badTokens.count,
      rttMs: Math.round(this.rpc.rtt.mean * 10) / 10,
    };
  }

  /** Saves the table (if there is a state file). */
  async save(): Promise<void> {
    if (!this.opts.stateFile) return;
    this.savedAt = Date.now();
    await saveTable(this.opts.stateFile, { id: this.nodeId, nodes: this.table.all() }).catch((err: Error) => this.log('warn', `DHT: cannot save the table: ${err.message}`));
  }

  /** Saves the table and closes the socket; pending queries fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.save();
    this.rpc.close();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private newTable(id: Uint8Array): RoutingTable {
    return new RoutingTable(id, (n) => this.ping(n).then((got) => got !== undefined && sameId(got, n.id)));
  }

  /** Pings an address; resolves with the id it answered with, or undefined. */
  private ping(to: NodeAddress): Promise<Uint8Array | undefined> {
    return this.rpc.query(to, { method: 'ping', id: this.nodeId }).then(
      (a) => (this.noteIp(a), sameId(a.r.id, this.nodeId) ? undefined : a.r.id),
      () => undefined,
    );
  }

  private async run(method: 'find_node' | 'get_peers', target: Uint8Array, seeds: (NodeAddress & { id?: Uint8Array })[], onPeers?: (p: NodeAddress[]) => void): Promise<LookupResult> {
    this.lookups++;
    this.table.touch(target);
    try {
      return await lookup(this.net(), { target, method, seeds, ...(onPeers ? { onPeers } : {}) });
    } finally {
      this.lookups--;
    }
  }

  private net(): LookupNet {
    return {
      ownId: this.nodeId,
      query: (to, q, patience) => this.rpc.query(to, q, this.rpc.patientTimeout(patience)).then((a) => (this.noteIp(a), a)),
      softTimeout: () => this.rpc.rtt.softTimeout,
      mayQuery: (a) => this.mayQuery(a),
      responded: (n) => this.table.responded(n),
      failed: (id) => this.table.failed(id),
    };
  }

  private mayQuery(a: NodeAddress): boolean {
    return Number.isInteger(a.port) && a.port > 0 && a.port <= 65535 && isIPv4(a.ip) && mayConnect(a.ip);
  }

  private onQuery(q: IncomingQuery): void {
    if (this.closed) return;
    answer({ rpc: this.rpc, table: () => this.table, tokens: this.tokens, store: this.store, badTokens: this.badTokens, maybeAdd: (iq) => this.verify(iq) }, q);
  }

  /** A node that queried us and would fit in the table: it enters once it answers a ping with the same id. */
  private verify(q: IncomingQuery): void {
    const key = `${q.from.ip}:${q.from.port}`;
    if (this.verifying.has(key) || this.verifying.size >= MAX_VERIFYING || !this.table.wouldAccept(q.q.id) || !this.mayQuery(q.from)) return;
    this.verifying.add(key);
    void this.ping(q.from).then((id) => {
      this.verifying.delete(key);
      if (id && sameId(id, q.q.id)) this.table.responded({ id, ...q.from });
    });
  }

  /** BEP 42 votes: the address nodes say they see us at. */
  private noteIp(a: Answer): void {
    if (a.ip) this.voteExternalIp(a.ip.ip, a.from.ip);
  }

  /** `voter` (a node or a peer, by address) says our external address is `ip`; three distinct voters make it ours. */
  voteExternalIp(ip: string, voter: string): void {
    if (this.closed || !isIPv4(ip)) return;
    if (this.ipVotes.size > 32) this.ipVotes.clear();
    let voters = this.ipVotes.get(ip);
    if (!voters) this.ipVotes.set(ip, (voters = new Set()));
    if (voters.size < IP_VOTES) voters.add(voter);
    if (voters.size >= IP_VOTES) this.setExternalIp(ip);
  }

  private async bootstrapAddresses(): Promise<NodeAddress[]> {
    const out: NodeAddress[] = [];
    for (const entry of this.opts.bootstrap ?? []) {
      const at = entry.lastIndexOf(':');
      const host = entry.slice(0, at).replace(/^\[|\]$/g, '');
      const port = Number(entry.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) continue;
      if (isIPv4(host)) out.push({ ip: host, port });
      else if (host === 'localhost') out.push({ ip: '127.0.0.1', port });
      else if (loopbackOnly()) this.log('debug', `DHT: loopback-only mode, bootstrap node ${entry} not resolved`);
      else {
        try {
          out.push({ ip: (await dnsLookup(host, { family: 4 })).address, port });
        } catch (err) {
          this.log('debug', `DHT: cannot resolve ${entry}: ${(err as Error).message}`);
        }
      }
    }
    return out.filter((a) => this.mayQuery(a));
  }

  private maintain(): void {
    if (this.closed) return;
    const now = Date.now();
    this.store.expire(now);
    if (this.table.size === 0) void this.bootstrap();
    for (const target of this.table.staleTargets(now)) void this.findNode(target);
    for (const n of this.table.questionable(now).slice(0, 3)) {
      void this.ping(n).then((id) => (id && sameId(id, n.id) ? this.table.responded(n) : this.table.failed(n.id)));
    }
    if (now - this.savedAt >= SAVE_EVERY_MS) void this.save();
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.opts.log?.(level, message);
  }
}
