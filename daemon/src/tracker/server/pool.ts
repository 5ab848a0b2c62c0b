/**
 * One pool of a swarm (its seeders or its leechers) with the peers' compact forms kept side by side in one
 * contiguous byte store, entry i belonging to peer i. A compact answer is then a few copies of ranges of
 * that store instead of a walk over peer objects.
 */
import { encodeCompactPeer } from '../compact';

/** Bytes of one compact entry per family (BEP 23, BEP 7). */
export const V4_BYTES = 6;
export const V6_BYTES = 18;
/** Smallest store allocated; below it a store is not worth shrinking. */
const MIN_ENTRIES = 4;
const NONE = new Uint8Array(0);

/** One peer of one swarm. Its compact forms live in its pool's stores, at `index`. */
export interface SwarmPeer {
  /** 20 bytes as a latin1 string. */
  readonly peerId: string;
  ipv4: string | undefined;
  ipv6: string | undefined;
  port: number;
  seeder: boolean;
  /** Milliseconds since the table was created: small enough to stay an unboxed integer for 24 days. */
  lastSeen: number;
  key: string | undefined;
  /** Position in its pool, for O(1) removal and for its entries in the pool's stores. */
  index: number;
}

/**
 * Peers in swap-remove order and their compact entries. An entry of a family the peer has no address in
 * is all zeros: port 0 never comes from a valid announce, so readers skip such entries by their port.
 */
export class PeerPool {
  readonly peers: SwarmPeer[] = [];
  /** IPv4 entries, `V4_BYTES` each; capacity grows and shrinks by halves. */
  v4: Uint8Array = NONE;
  /** IPv6 entries, `V6_BYTES` each; allocated on the first peer with an IPv6 address. */
  v6: Uint8Array = NONE;
  /** Peers with no IPv4 address: when 0, any range of `v4` is copied whole. */
  withoutV4 = 0;
  /** Peers with an IPv6 address: when 0, no `peers6` key is written. */
  withV6 = 0;

  get length(): number {
    return this.peers.length;
  }

  /** Appends `peer` and sets its `index`. */
  add(peer: SwarmPeer): void {
    const i = this.peers.length;
    this.peers.push(peer);
    peer.index = i;
    if ((i + 1) * V4_BYTES > this.v4.length) this.v4 = resized(this.v4, Math.max(MIN_ENTRIES, 2 * (i + 1)) * V4_BYTES);
    this.writeEntries(peer);
  }

  /** Removes `peer` by moving the last peer (and its entries) into its place. */
  remove(peer: SwarmPeer): void {
    this.countFamilies(peer, -1);
    const last = this.peers.pop() as SwarmPeer;
    const n = this.peers.length;
    if (last !== peer) {
      this.peers[peer.index] = last;
      last.index = peer.index;
      this.v4.copyWithin(peer.index * V4_BYTES, n * V4_BYTES, (n + 1) * V4_BYTES);
      if (this.v6.length > 0) this.v6.copyWithin(peer.index * V6_BYTES, n * V6_BYTES, (n + 1) * V6_BYTES);
    }
    if (this.withV6 === 0) this.v6 = NONE;
    // Shrink when three quarters are unused, so a swarm that emptied does not hold its peak.
    if (n * 4 * V4_BYTES < this.v4.length && this.v4.length > MIN_ENTRIES * V4_BYTES) {
      this.v4 = resized(this.v4, Math.max(MIN_ENTRIES, 2 * n) * V4_BYTES);
      if (this.v6.length > 0) this.v6 = resized(this.v6, (this.v4.length / V4_BYTES) * V6_BYTES);
    }
  }

  /** Rewrites the entries of a peer of this pool whose address or port changed (fields already set). */
  readdress(peer: SwarmPeer, before: { ipv4: string | undefined; ipv6: string | undefined }): void {
    if (before.ipv4 === undefined) this.withoutV4--;
    if (before.ipv6 !== undefined) this.withV6--;
    this.writeEntries(peer);
  }

  private countFamilies(peer: SwarmPeer, delta: number): void {
    if (peer.ipv4 === undefined) this.withoutV4 += delta;
    if (peer.ipv6 !== undefined) this.withV6 += delta;
  }

  /** Writes the entries at `peer.index` and counts its families; the v6 store follows the v4 capacity. */
  private writeEntries(peer: SwarmPeer): void {
    this.countFamilies(peer, 1);
    const i = peer.index;
    if (peer.ipv4 === undefined) this.v4.fill(0, i * V4_BYTES, (i + 1) * V4_BYTES);
    else this.v4.set(encodeCompactPeer(peer.ipv4, peer.port), i * V4_BYTES);
    const v6Size = (this.v4.length / V4_BYTES) * V6_BYTES;
    if ((peer.ipv6 !== undefined || this.v6.length > 0) && this.v6.length !== v6Size) this.v6 = resized(this.v6, v6Size);
    if (this.v6.length === 0) return;
    if (peer.ipv6 === undefined) this.v6.fill(0, i * V6_BYTES, (i + 1) * V6_BYTES);
    else this.v6.set(encodeCompactPeer(peer.ipv6, peer.port), i * V6_BYTES);
  }
}

/**
 * A copy of `store` with `size` bytes. Plain Uint8Arrays rather than Buffers: a small Buffer is a view of a
 * shared 8 KiB slab and would pin all of it for as long as the swarm lives.
 */
function resized(store: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(size >= store.length ? store : store.subarray(0, size));
  return out;
}
