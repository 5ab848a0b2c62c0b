/**
 * The iterative lookup of BEP 5 (find_node or get_peers): ask the α closest nodes not yet asked, learn
 * closer ones from their answers, and stop once the k closest that could answer have answered. A node
 * silent past the soft timeout no longer holds a slot; it is waited for (up to its query's timeout)
 * only while fewer than k closer nodes have answered, and its late answer is taken while the lookup runs.
 * A node among the k closest candidates that is slow past the soft timeout, or whose query timed out,
 * is asked again (a datagram lost, or a round trip from the far tail), up to TRIES queries in all, as
 * jech's dht resends search queries before it gives a node up.
 */
import { systemClock, type Clock, type TimerHandle } from './clock';
import { compareDistance, sameId } from './node-id';
import type { CompactNode, KrpcQuery, NodeAddress } from './krpc';
import { QueryError, type Answer } from './rpc';

/** Queries in flight per lookup. */
export const ALPHA = 3;
/** Nodes a lookup converges on. */
export const LOOKUP_K = 8;
/** Most queries one lookup sends. */
export const MAX_LOOKUP_QUERIES = 200;
/** Candidates kept, closest first; farther ones not yet asked are forgotten. */
const MAX_CANDIDATES = 64;
/** Queries sent to one node in one lookup (the first and one resend after a timeout). */
const TRIES = 3;
/** A lookup gives up after this long. */
const LOOKUP_DEADLINE_MS = 30_000;

/** What a lookup needs from its node. */
export interface LookupNet {
  ownId: Uint8Array;
  /**
   * Sends one query. `patience` (1 for a node's first query in a lookup, more for the next ones) scales
   * its timeout: a node asked again is given longer, since its slowness may be its own.
   */
  query(to: NodeAddress, q: KrpcQuery, patience: number): Promise<Answer>;
  /** How long to wait before a query stops holding a slot. */
  softTimeout(): number;
  /** Whether we may send to this address (loopback-only mode, sane port). */
  mayQuery(a: NodeAddress): boolean;
  /** A node answered (the table learns it). */
  responded(node: CompactNode): void;
  /** A node with this id did not answer. */
  failed(id: Uint8Array): void;
  /** Time and timers; default the system clock. */
  clock?: Clock;
}

/** One lookup's request. */
export interface LookupRequest {
  target: Uint8Array;
  method: 'find_node' | 'get_peers';
  /** Where to start: table nodes, and addresses without a known id (bootstrap nodes). */
  seeds: (NodeAddress & { id?: Uint8Array })[];
  /** Peers from each get_peers answer, as they arrive. */
  onPeers?(peers: NodeAddress[]): void;
}

/** A node that answered, with the token it gave (get_peers). */
export interface Reached {
  node: CompactNode;
  token?: Uint8Array;
}

/** The outcome: the closest nodes that answered (closest first) and what it cost. */
export interface LookupResult {
  closest: Reached[];
  queries: number;
  answers: number;
  peers: number;
  /** From the start to the end of the lookup. */
  ms: number;
  /**
   * From the start until the closest node of the result answered: when a get_peers has the peers of
   * the nodes nearest the torrent, and the result's head is known; the rest is the wait for the others.
   */
  closestMs: number;
}

type State = 'new' | 'inflight' | 'slow' | 'answered' | 'failed';

interface Candidate {
  addr: NodeAddress;
  id?: Uint8Array;
  state: State;
  token?: Uint8Array;
  tries: number;
  /** Its queries still open. */
  pending: number;
  /** When it answered (clock ms). */
  answeredAt?: number;
}

/** Runs one lookup to its end. */
export function lookup(net: LookupNet, req: LookupRequest): Promise<LookupResult> {
  return new Lookup(net, req).run();
}

class Lookup {
  private readonly candidates: Candidate[] = [];
  private readonly addresses = new Set<string>();
  private readonly clock: Clock;
  private readonly started: number;
  private queries = 0;
  private answers = 0;
  private peers = 0;
  private finished = false;
  private done: (r: LookupResult) => void = () => undefined;
  private deadline: TimerHandle | undefined;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly net: LookupNet,
    private readonly req: LookupRequest,
  ) {
    this.clock = net.clock ?? systemClock;
    this.started = this.clock.now();
    for (const s of req.seeds) this.add(s, s.id);
  }

  run(): Promise<LookupResult> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.deadline = this.clock.setTimeout(() => this.finish(), LOOKUP_DEADLINE_MS);
      this.pump();
    });
  }

  private add(addr: NodeAddress, id: Uint8Array | undefined): void {
    const key = `${addr.ip}:${addr.port}`;
    if (this.addresses.has(key) || !this.net.mayQuery(addr)) return;
    if (id && (sameId(id, this.net.ownId) || this.candidates.some((c) => c.id && sameId(c.id, id)))) return;
    this.addresses.add(key);
    this.candidates.push({ addr: { ip: addr.ip, port: addr.port }, ...(id ? { id } : {}), state: 'new', tries: 0, pending: 0 });
  }

  /** Nodes without a known id come first (they are where we start); the rest by distance. */
  private sort(): void {
    const t = this.req.target;
    this.candidates.sort((a, b) => (!a.id || !b.id ? (a.id ? 1 : 0) - (b.id ? 1 : 0) : compareDistance(t, a.id, b.id)));
    for (let i = this.candidates.length - 1; i >= MAX_CANDIDATES; i--) {
      const c = this.candidates[i];
      if (c.state === 'new' || c.state === 'failed') this.candidates.splice(i, 1);
    }
  }

  private pump(): void {
    if (this.finished) return;
    let active = this.candidates.filter((c) => c.state === 'inflight').length;
    let answered = 0;
    let open = 0; // candidates in the running that may still answer in time (new or in flight)
    let slow = 0;
    for (const c of this.candidates) {
      if (answered >= LOOKUP_K) break;
      if (c.state === 'answered') answered++;
      else if (c.state === 'slow') slow++;
      else if (c.state === 'inflight') open++;
      else if (c.state === 'new') {
        open++;
        if (active < ALPHA && this.queries < MAX_LOOKUP_QUERIES) {
          active++;
          this.ask(c);
        }
      }
    }
    // A slow node with fewer than k closer answers is waited for (up to its query's timeout): it may
    // well be one of the k closest; one with k closer answers is never reached by the scan above.
    const exhausted = this.queries >= MAX_LOOKUP_QUERIES && active === 0;
    if (exhausted || (open === 0 && slow === 0)) this.finish();
  }

  private ask(c: Candidate): void {
    c.state = 'inflight';
    this.send(c);
  }

  /** One query to `c`: its first, or another while the earlier ones are still open. */
  private send(c: Candidate): void {
    const attempt = ++c.tries;
    c.pending++;
    this.queries++;
    const soft = this.clock.setTimeout(() => {
      this.timers.delete(soft);
      if (c.tries !== attempt || (c.state !== 'inflight' && c.state !== 'slow')) return;
      c.state = 'slow';
      // One of the k closest that is slow is asked again at once, without holding a slot, its earlier
      // queries still open: a lost datagram or a round trip from the far tail then costs one soft
      // timeout instead of a whole timeout.
      if (c.tries < TRIES && this.amongClosest(c)) this.send(c);
      this.pump();
    }, this.net.softTimeout());
    this.timers.add(soft);
    this.net.query(c.addr, this.queryFor(), attempt).then(
      (a) => {
        c.pending--;
        this.answered(c, a);
      },
      (err: unknown) => {
        c.pending--;
        if (c.state === 'answered' || c.state === 'failed' || c.pending > 0) return;
        const timeout = err instanceof QueryError && err.kind === 'timeout';
        c.state = timeout && c.tries < TRIES && this.amongClosest(c) ? 'new' : 'failed';
        if (c.state === 'failed' && c.id && timeout) this.net.failed(c.id);
        this.pump();
      },
    );
  }

  /** Whether `c` is among the k closest candidates that have not failed (those whose answer counts). */
  private amongClosest(c: Candidate): boolean {
    let rank = 0;
    for (const o of this.candidates) {
      if (o === c) return rank < LOOKUP_K;
      if (o.state !== 'failed') rank++;
    }
    return false;
  }

  private queryFor(): KrpcQuery {
    const id = this.net.ownId;
    return this.req.method === 'get_peers' ? { method: 'get_peers', id, infoHash: this.req.target } : { method: 'find_node', id, target: this.req.target };
  }

  private answered(c: Candidate, a: Answer): void {
    if (c.state === 'answered' || c.state === 'failed') return; // the answer to a second query, or after a refusal
    const id = a.r.id;
    // Our own id, or an id other than the one it was listed with: not a node to trust.
    if (sameId(id, this.net.ownId) || (c.id && !sameId(c.id, id)) || (!c.id && this.candidates.some((o) => o.id && sameId(o.id, id)))) {
      c.state = 'failed';
      this.pump();
      return;
    }
    this.answers++;
    c.id = id;
    c.state = 'answered';
    c.answeredAt = this.clock.now();
    if (a.r.token) c.token = a.r.token;
    this.net.responded({ id, ip: c.addr.ip, port: c.addr.port });
    if (this.finished) return;
    if (a.r.values && a.r.values.length > 0 && this.req.method === 'get_peers') {
      this.peers += a.r.values.length;
      this.req.onPeers?.(a.r.values);
    }
    // Only the k closest of each answer: a node cannot flood the lookup with made-up nodes.
    const t = this.req.target;
    const nodes = [...(a.r.nodes ?? [])].sort((x, y) => compareDistance(t, x.id, y.id)).slice(0, LOOKUP_K);
    for (const n of nodes) if (n.port > 0) this.add(n, n.id);
    this.sort();
    this.pump();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.clock.clearTimeout(this.deadline);
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    const reached = this.candidates.filter((c) => c.state === 'answered' && c.id).slice(0, LOOKUP_K);
    const closest = reached.map((c): Reached => ({ node: { id: c.id as Uint8Array, ip: c.addr.ip, port: c.addr.port }, ...(c.token ? { token: c.token } : {}) }));
    const now = this.clock.now();
    const closestMs = (reached[0]?.answeredAt ?? now) - this.started;
    this.done({ closest, queries: this.queries, answers: this.answers, peers: this.peers, ms: now - this.started, closestMs });
  }
}
