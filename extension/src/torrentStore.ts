/** The client-side picture of the daemon's torrents and their peers, fed by responses and notifications. */
import type { PeerChangedParams, PeerInfo, TorrentInfo, TorrentStateChangedParams } from '../../protocol/src';

/** Holds the latest snapshot of every torrent and of the peers of each; tells listeners when it changes. */
export class TorrentStore {
  private readonly torrents = new Map<string, TorrentInfo>();
  private readonly peers = new Map<string, Map<string, PeerInfo>>();
  private readonly listeners = new Set<() => void>();

  /** Registers a change listener; returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** All torrents in the order the daemon added them. */
  list(): TorrentInfo[] {
    return [...this.torrents.values()];
  }

  /** One torrent, if known. */
  get(infoHash: string): TorrentInfo | undefined {
    return this.torrents.get(infoHash);
  }

  /** The known connections of one torrent. */
  peersOf(infoHash: string): PeerInfo[] {
    return [...(this.peers.get(infoHash)?.values() ?? [])];
  }

  /** Replaces everything with a `torrent/list` result (after a (re)start of the daemon). */
  reset(torrents: readonly TorrentInfo[]): void {
    this.torrents.clear();
    for (const t of torrents) this.torrents.set(t.infoHash, t);
    for (const key of [...this.peers.keys()]) if (!this.torrents.has(key)) this.peers.delete(key);
    this.emit();
  }

  /** Stores a fresh snapshot (`torrent/progress`, or a request's result). */
  upsert(torrent: TorrentInfo): void {
    this.torrents.set(torrent.infoHash, torrent);
    this.emit();
  }

  /** Applies `torrent/stateChanged`. */
  applyStateChanged(p: TorrentStateChangedParams): void {
    if (p.state === 'removed') {
      this.remove(p.infoHash);
      return;
    }
    const known = p.torrent ?? this.torrents.get(p.infoHash);
    if (known === undefined) return;
    this.torrents.set(p.infoHash, { ...known, state: p.state, error: p.error ?? (p.state === 'error' ? known.error : undefined) });
    this.emit();
  }

  /** Forgets a torrent and its peers. */
  remove(infoHash: string): void {
    const had = this.torrents.delete(infoHash);
    this.peers.delete(infoHash);
    if (had) this.emit();
  }

  /** Replaces the peers of one torrent with a `peer/list` result. */
  setPeers(infoHash: string, list: readonly PeerInfo[]): void {
    this.peers.set(infoHash, new Map(list.map((p) => [p.id, p])));
    this.emit();
  }

  /** Applies `peer/changed`. */
  applyPeerChanged(p: PeerChangedParams): void {
    let table = this.peers.get(p.infoHash);
    if (p.kind === 'removed') {
      if (table?.delete(p.peer.id)) this.emit();
      return;
    }
    if (table === undefined) {
      table = new Map();
      this.peers.set(p.infoHash, table);
    }
    table.set(p.peer.id, p.peer);
    this.emit();
  }

  private emit(): void {
    for (const l of [...this.listeners]) l();
  }
}
