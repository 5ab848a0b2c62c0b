/**
 * The routing table of BEP 5: buckets of at most k nodes, split only where our own id falls. Only
 * nodes that answered us enter it; a full bucket takes a newcomer in place of a bad node, by a split,
 * or in place of a questionable node that failed a ping (asked twice), never otherwise.
 */
import { commonPrefixLength, compareDistance, ID_BITS, isBep42Exempt, isBep42Valid, randomIdWithPrefix, sameId } from './node-id';
import { systemClock, type Clock } from './clock';
import type { CompactNode } from './krpc';

/** Nodes per bucket. */
export const K = 8;
/** A node silent this long is questionable; a bucket untouched this long is refreshed. */
export const QUESTIONABLE_AFTER_MS = 15 * 60_000;
/** Queries in a row a node failed to answer before it is bad. */
export const BAD_AFTER_FAILURES = 2;

/** BEP 5 node states. */
export type NodeState = 'good' | 'questionable' | 'bad';

/** One node of the table. */
export interface TableNode extends CompactNode {
  /** When it last answered one of our queries (0: never). */
  lastResponse: number;
  /** When it last queried us. */
  lastQuery: number;
  /** Queries in a row it did not answer. */
  failures: number;
}

interface Bucket {
  nodes: TableNode[];
  /** When a node in it last answered, or was added, or a lookup aimed into it. */
  touched: number;
  /** A ping of a questionable node is deciding whether `candidate` gets in. */
  candidate?: CompactNode;
}

/** Asks a node whether it is alive; resolves true when it answered. */
export type Pinger = (node: CompactNode) => Promise<boolean>;

/** A node at a public address whose id BEP 42 derives from that address. */
function verified(n: CompactNode): boolean {
  return !isBep42Exempt(n.ip) && isBep42Valid(n.id, n.ip);
}

/** A node's state at `now`. */
export function nodeState(n: TableNode, now: number): NodeState {
  if (n.failures >= BAD_AFTER_FAILURES) return 'bad';
  if (now - n.lastResponse < QUESTIONABLE_AFTER_MS) return 'good';
  if (n.lastResponse > 0 && now - n.lastQuery < QUESTIONABLE_AFTER_MS) return 'good';
  return 'questionable';
}

/** The table of one DHT node (IPv4). */
export class RoutingTable {
  private buckets: Bucket[];

  constructor(
    readonly ownId: Uint8Array,
    private readonly ping: Pinger,
    private readonly k = K,
    private readonly clock: Clock = systemClock,
  ) {
    this.buckets = [{ nodes: [], touched: clock.now() }];
  }

  /** Nodes in the table. */
  get size(): number {
    let n = 0;
    for (const b of this.buckets) n += b.nodes.length;
    return n;
  }

  /** Nodes per bucket, from the farthest bucket (no shared prefix) to ours. */
  fill(): number[] {
    return this.buckets.map((b) => b.nodes.length);
  }

  /** Every node, for persistence. */
  all(): TableNode[] {
    return this.buckets.flatMap((b) => b.nodes);
  }

  /** The table node with this id, if any. */
  get(id: Uint8Array): TableNode | undefined {
    return this.bucketOf(id).nodes.find((n) => sameId(n.id, id));
  }

  /** A node answered one of our queries: it is good, and enters the table if there is room for it. */
  responded(node: CompactNode, now = this.clock.now()): void {
    if (sameId(node.id, this.ownId)) return;
    const bucket = this.bucketOf(node.id);
    const known = bucket.nodes.find((n) => sameId(n.id, node.id));
    if (known) {
      if (known.ip !== node.ip || known.port !== node.port) return; // an id at another address: not ours to believe
      known.lastResponse = now;
      known.failures = 0;
      bucket.touched = now;
      return;
    }
    this.insert({ id: node.id, ip: node.ip, port: node.port, lastResponse: now, lastQuery: 0, failures: 0 }, now);
  }

  /** A node from a saved table: questionable until it answers, and only where there is room. */
  restore(node: CompactNode): void {
    if (sameId(node.id, this.ownId) || this.get(node.id)) return;
    for (;;) {
      const bucket = this.bucketOf(node.id);
      if (bucket.nodes.length < this.k) {
        bucket.nodes.push({ id: node.id, ip: node.ip, port: node.port, lastResponse: 0, lastQuery: 0, failures: 0 });
        return;
      }
      if (!this.splittable(bucket)) return;
      this.split();
    }
  }

  /** A node queried us; it counts as alive only if it once answered us too. */
  queried(id: Uint8Array, ip: string, port: number, now = this.clock.now()): void {
    const known = this.get(id);
    if (known && known.ip === ip && known.port === port) known.lastQuery = now;
  }

  /** Whether a node with this id would get into the table (worth pinging a node that queried us). */
  wouldAccept(id: Uint8Array, now = this.clock.now()): boolean {
    if (sameId(id, this.ownId)) return false;
    const b = this.bucketOf(id);
    if (b.nodes.some((n) => sameId(n.id, id))) return false;
    return b.nodes.length < this.k || this.splittable(b) || b.nodes.some((n) => nodeState(n, now) !== 'good');
  }

  /** A query to this node went unanswered. */
  failed(id: Uint8Array): void {
    const n = this.get(id);
    if (n) n.failures++;
  }

  /** Takes a node out (e.g. it answered with an error meaning it is not a DHT node). */
  remove(id: Uint8Array): void {
    const b = this.bucketOf(id);
    b.nodes = b.nodes.filter((n) => !sameId(n.id, id));
  }

  /** Up to `count` nodes that are not bad, closest to `target` first. */
  closest(target: Uint8Array, count = this.k, now = this.clock.now()): TableNode[] {
    const out = this.all().filter((n) => nodeState(n, now) !== 'bad');
    out.sort((a, b) => compareDistance(target, a.id, b.id));
    return out.slice(0, count);
  }

  /** A lookup went toward `target`: its bucket counts as refreshed. */
  touch(target: Uint8Array, now = this.clock.now()): void {
    this.bucketOf(target).touched = now;
  }

  /** A random target inside each bucket not touched for 15 minutes; they are marked touched. */
  staleTargets(now = this.clock.now()): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.buckets.forEach((b, i) => {
      if (now - b.touched < QUESTIONABLE_AFTER_MS) return;
      b.touched = now;
      out.push(randomIdWithPrefix(this.ownId, i === this.buckets.length - 1 ? ID_BITS : i));
    });
    return out;
  }

  /** A random target inside each bucket with room, but ours (after bootstrap, to fill the table). */
  sparseTargets(): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.buckets.forEach((b, i) => {
      if (i < this.buckets.length - 1 && b.nodes.length < this.k) out.push(randomIdWithPrefix(this.ownId, i));
    });
    return out;
  }

  /** Questionable nodes, least recently heard first (a refresh pings them). */
  questionable(now = this.clock.now()): TableNode[] {
    return this.all()
      .filter((n) => nodeState(n, now) === 'questionable')
      .sort((a, b) => Math.max(a.lastResponse, a.lastQuery) - Math.max(b.lastResponse, b.lastQuery));
  }

  private bucketIndex(id: Uint8Array): number {
    return Math.min(commonPrefixLength(this.ownId, id), this.buckets.length - 1);
  }

  private bucketOf(id: Uint8Array): Bucket {
    return this.buckets[this.bucketIndex(id)];
  }

  /** Only the last bucket holds our own id; it may split until ids are exhausted. */
  private splittable(b: Bucket): boolean {
    return b === this.buckets[this.buckets.length - 1] && this.buckets.length < ID_BITS;
  }

  private insert(node: TableNode, now: number): void {
    for (;;) {
      const bucket = this.bucketOf(node.id);
      if (bucket.nodes.length < this.k) {
        bucket.nodes.push(node);
        bucket.touched = now;
        return;
      }
      const bad = bucket.nodes.findIndex((n) => nodeState(n, now) === 'bad');
      if (bad >= 0) {
        bucket.nodes[bad] = node;
        bucket.touched = now;
        return;
      }
      if (!this.splittable(bucket)) break;
      this.split();
    }
    const bucket = this.bucketOf(node.id);
    // BEP 42: a node whose id matches its address takes the place of one whose id does not.
    if (verified(node)) {
      const unverified = bucket.nodes.findIndex((n) => !isBep42Valid(n.id, n.ip));
      if (unverified >= 0) {
        bucket.nodes[unverified] = node;
        bucket.touched = now;
        return;
      }
    }
    if (bucket.candidate) return; // one replacement decided at a time per bucket
    if (!bucket.nodes.some((n) => nodeState(n, now) === 'questionable')) return;
    bucket.candidate = node;
    void this.challenge(bucket, node);
  }

  /** Pings the bucket's questionable nodes, least recently heard first, until one fails twice. */
  private async challenge(bucket: Bucket, newcomer: TableNode): Promise<void> {
    try {
      for (;;) {
        const now = this.clock.now();
        const old = bucket.nodes.filter((n) => nodeState(n, now) === 'questionable').sort((a, b) => a.lastResponse - b.lastResponse)[0];
        if (!old) return;
        const alive = (await this.ping(old)) || (await this.ping(old));
        if (!this.buckets.includes(bucket)) return; // split meanwhile: the newcomer may try again later
        if (alive) {
          old.lastResponse = this.clock.now();
          old.failures = 0;
          continue;
        }
        old.failures = Math.max(old.failures, BAD_AFTER_FAILURES);
        const at = bucket.nodes.indexOf(old);
        if (at >= 0 && !bucket.nodes.some((n) => sameId(n.id, newcomer.id))) {
          bucket.nodes[at] = newcomer;
          bucket.touched = this.clock.now();
        }
        return;
      }
    } finally {
      bucket.candidate = undefined;
    }
  }

  private split(): void {
    const i = this.buckets.length - 1;
    const last = this.buckets[i];
    const near: Bucket = { nodes: [], touched: last.touched };
    const far: Bucket = { nodes: [], touched: last.touched };
    for (const n of last.nodes) (commonPrefixLength(this.ownId, n.id) > i ? near : far).nodes.push(n);
    this.buckets.splice(i, 1, far, near);
  }
}
