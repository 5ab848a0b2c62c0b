/**
 * An in-memory network of DHT nodes for the simulation: each node is the daemon's own KRPC socket,
 * routing table, responder and lookup, wired as dht.ts wires them, on a virtual clock. A query
 * datagram arrives after one round trip drawn from the network's distribution and its answer at
 * once; datagrams to silent or departed nodes are lost.
 */
import type { DatagramSource, DatagramTransport } from '../../daemon/src/dht/clock';
import type { CompactNode, KrpcQuery, NodeAddress } from '../../daemon/src/dht/krpc';
import { lookup, type LookupNet, type LookupResult } from '../../daemon/src/dht/lookup';
import { sameId } from '../../daemon/src/dht/node-id';
import { PeerStore } from '../../daemon/src/dht/peer-store';
import { answer } from '../../daemon/src/dht/responder';
import { RoutingTable } from '../../daemon/src/dht/routing-table';
import { KrpcSocket, QueryError, type Answer, type IncomingQuery } from '../../daemon/src/dht/rpc';
import { TokenIssuer } from '../../daemon/src/dht/tokens';
import type { Scheduler } from './scheduler';
import { mulberry32 } from '../../daemon/src/util/prng';

/** What a traced lookup asked and learned, by address (ip:port). */
export interface LookupTrace {
  asked: Map<string, { at: number; outcome: string }>;
  learned: Set<string>;
}

/** A seeded PRNG, uniform in [0, 1). */
export const prng = mulberry32;

/** Round trips to one node, or (with no node) to a node drawn at random. */
export type RttDraw = (to?: SimNode) => number;

/**
 * Log-normal round trips: median `medianMs`, a share `tail` of them over `tailMs`. `persist` (0 to 1)
 * is the share of the log-variance that belongs to the destination node for its whole life (a slow
 * path stays slow); the rest is drawn afresh for each datagram. Either way one round trip to a node
 * drawn at random has the same distribution.
 */
export function logNormal(rand: () => number, medianMs: number, tailMs: number, tail: number, persist = 0): { draw: RttDraw; nodeFactor(): number } {
  const sigma = Math.log(tailMs / medianMs) / probit(1 - tail);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const nodeSigma = sigma * Math.sqrt(persist);
  const jitterSigma = sigma * Math.sqrt(1 - persist);
  return {
    draw: (to) => (to ? medianMs * to.rttFactor * Math.exp(jitterSigma * gaussian()) : medianMs * Math.exp(sigma * gaussian())),
    nodeFactor: () => (persist > 0 ? Math.exp(nodeSigma * gaussian()) : 1),
  };
}

/** The standard normal quantile (Acklam's rational approximation; plenty for a fit). */
function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The address of the i-th node (127/8 has room for 16 M; one node per address). */
export function addressOf(i: number): NodeAddress {
  const n = i + 1;
  return { ip: `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, port: 6881 };
}

const QUERY_MARK = Buffer.from('1:y1:q');
/** Nodes that queried us being pinged at once before they may enter the table (as in dht.ts). */
const MAX_VERIFYING = 16;

/** The shared medium: who is at which address, and the delay of each datagram. */
export class SimNetwork {
  readonly byIp = new Map<string, SimNode>();
  datagrams = 0;
  lost = 0;

  constructor(
    readonly clock: Scheduler,
    private readonly rtt: RttDraw,
  ) {}

  /** One round trip drawn from the distribution. */
  drawRtt(): number {
    return this.rtt();
  }

  deliver(from: NodeAddress, bytes: Uint8Array, port: number, ip: string): void {
    this.datagrams++;
    const to = this.byIp.get(ip);
    if (!to || !to.answers || to.address.port !== port) {
      this.lost++;
      return;
    }
    const copy = Buffer.from(bytes);
    const delay = copy.indexOf(QUERY_MARK) >= 0 ? this.rtt(to) : 0;
    this.clock.setTimeout(() => to.receive(copy, from), delay);
  }
}

/** One simulated node. */
export class SimNode {
  readonly rpc: KrpcSocket;
  readonly table: RoutingTable;
  /** False for silent nodes and departed ones: nothing reaches them. */
  answers: boolean;
  private listener: ((b: Buffer, from: DatagramSource) => void) | undefined;
  private readonly tokens = new TokenIssuer();
  private readonly store = new PeerStore();
  private readonly verifying = new Set<string>();

  constructor(
    private readonly net: SimNetwork,
    readonly id: Uint8Array,
    readonly address: NodeAddress,
    readonly silent: boolean,
    /** This node's share of every round trip to it (1 when slowness does not persist). */
    readonly rttFactor = 1,
  ) {
    this.answers = !silent;
    const transport: DatagramTransport = {
      send: (bytes, port, ip) => net.deliver(address, bytes, port, ip),
      on: (_event, listener) => (this.listener = listener),
    };
    this.rpc = new KrpcSocket(transport, { clock: net.clock });
    this.rpc.on('query', (q) => this.onQuery(q));
    this.table = new RoutingTable(id, (n) => this.ping(n).then((got) => got !== undefined && sameId(got, n.id)), 8, net.clock);
    net.byIp.set(address.ip, this);
  }

  get compact(): CompactNode {
    return { id: this.id, ...this.address };
  }

  receive(bytes: Buffer, from: NodeAddress): void {
    if (this.answers) this.listener?.(bytes, { address: from.ip, port: from.port });
  }

  /** The node leaves: nothing reaches it, its queries fail. */
  leave(): void {
    this.answers = false;
    this.rpc.close();
  }

  /** As Dht.bootstrap: find_node of our own id from these addresses, then one into each bucket with room. */
  async bootstrap(from: NodeAddress[]): Promise<void> {
    await this.lookup('find_node', this.id, from);
    await Promise.all(this.table.sparseTargets().slice(0, 8).map((t) => this.lookup('find_node', t, this.table.closest(t))));
  }

  lookup(method: 'find_node' | 'get_peers', target: Uint8Array, seeds: (NodeAddress & { id?: Uint8Array })[] = this.table.closest(target), trace?: LookupTrace): Promise<LookupResult> {
    this.table.touch(target);
    return lookup(this.lookupNet(trace), { target, method, seeds });
  }

  private lookupNet(trace?: LookupTrace): LookupNet {
    const query = (to: NodeAddress, q: KrpcQuery, patience: number): Promise<Answer> => {
      const timeout = this.rpc.patientTimeout(patience);
      if (!trace) return this.rpc.query(to, q, timeout);
      const key = `${to.ip}:${to.port}`;
      trace.asked.set(key, { at: this.net.clock.now(), outcome: 'pending' });
      return this.rpc.query(to, q, timeout).then(
        (a) => {
          trace.asked.set(key, { at: this.net.clock.now(), outcome: 'answered' });
          for (const n of a.r.nodes ?? []) trace.learned.add(`${n.ip}:${n.port}`);
          return a;
        },
        (err: unknown) => {
          trace.asked.set(key, { at: this.net.clock.now(), outcome: err instanceof QueryError ? err.kind : 'error' });
          throw err;
        },
      );
    };
    return {
      ownId: this.id,
      clock: this.net.clock,
      query,
      softTimeout: () => this.rpc.rtt.softTimeout,
      mayQuery: () => true,
      responded: (n) => this.table.responded(n),
      failed: (id) => this.table.failed(id),
    };
  }

  private ping(to: NodeAddress): Promise<Uint8Array | undefined> {
    return this.rpc.query(to, { method: 'ping', id: this.id }).then(
      (a) => (sameId(a.r.id, this.id) ? undefined : a.r.id),
      () => undefined,
    );
  }

  private onQuery(q: IncomingQuery): void {
    answer({ rpc: this.rpc, table: () => this.table, tokens: this.tokens, store: this.store, badTokens: { count: 0 }, maybeAdd: (iq) => this.verify(iq) }, q);
  }

  /** As Dht.verify: a node that queried us enters the table once it answers a ping with the same id. */
  private verify(q: IncomingQuery): void {
    const key = `${q.from.ip}:${q.from.port}`;
    if (this.verifying.has(key) || this.verifying.size >= MAX_VERIFYING || !this.table.wouldAccept(q.q.id)) return;
    this.verifying.add(key);
    void this.ping(q.from).then((id) => {
      this.verifying.delete(key);
      if (id && sameId(id, q.q.id)) this.table.responded({ id, ...q.from });
    });
  }
}
