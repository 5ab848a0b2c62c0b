/**
 * Peers other nodes announced to us (announce_peer), by info hash: each expires 30 minutes after its
 * last announce, and caps per info hash and in total drop the oldest first.
 */
import type { NodeAddress } from './krpc';

/** An announced peer is forgotten this long after its last announce. */
export const PEER_TTL_MS = 30 * 60_000;
/** Default caps. */
export const MAX_PEERS_PER_HASH = 200;
export const MAX_PEERS_TOTAL = 10_000;

interface Stored extends NodeAddress {
  hash: string;
  at: number;
}

/** The store; Maps keep insertion order, so the first entry is always the oldest. */
export class PeerStore {
  /** Every entry, oldest first; key hash|ip:port. */
  private readonly byAge = new Map<string, Stored>();
  /** Per info hash (hex): the keys of its entries, oldest first. */
  private readonly byHash = new Map<string, Map<string, Stored>>();

  constructor(
    private readonly maxPerHash = MAX_PEERS_PER_HASH,
    private readonly maxTotal = MAX_PEERS_TOTAL,
  ) {}

  /** Peers stored. */
  get size(): number {
    return this.byAge.size;
  }

  /** Info hashes with at least one peer. */
  get hashes(): number {
    return this.byHash.size;
  }

  /** Stores (or refreshes) an announce. */
  add(infoHash: Uint8Array, peer: NodeAddress, now = Date.now()): void {
    const hash = Buffer.from(infoHash).toString('hex');
    const key = `${hash}|${peer.ip}:${peer.port}`;
    this.delete(key);
    const old = this.byHash.get(hash);
    while (old && old.size >= this.maxPerHash) this.delete(old.keys().next().value as string);
    while (this.byAge.size >= this.maxTotal) this.delete(this.byAge.keys().next().value as string);
    const entry: Stored = { hash, ip: peer.ip, port: peer.port, at: now };
    this.byAge.set(key, entry);
    let peers = this.byHash.get(hash);
    if (!peers) this.byHash.set(hash, (peers = new Map()));
    peers.set(key, entry);
  }

  /** Up to `max` live peers of an info hash, the most recent first. */
  get(infoHash: Uint8Array, max = 50, now = Date.now()): NodeAddress[] {
    this.expire(now);
    const peers = this.byHash.get(Buffer.from(infoHash).toString('hex'));
    if (!peers) return [];
    const all = [...peers.values()];
    const out: NodeAddress[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < max; i--) out.push({ ip: all[i].ip, port: all[i].port });
    return out;
  }

  /** Drops entries past their lifetime. */
  expire(now = Date.now()): void {
    for (const [key, e] of this.byAge) {
      if (now - e.at < PEER_TTL_MS) break;
      this.delete(key);
    }
  }

  private delete(key: string): void {
    const e = this.byAge.get(key);
    if (!e) return;
    this.byAge.delete(key);
    const peers = this.byHash.get(e.hash);
    peers?.delete(key);
    if (peers?.size === 0) this.byHash.delete(e.hash);
  }
}
