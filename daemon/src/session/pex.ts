/**
 * Peer exchange (BEP 11, `ut_pex`) for one swarm: each connection that supports it hears of the
 * swarm's other peers at most once a minute, and what peers tell us goes to the address book. Never
 * used for private torrents (BEP 27): the torrent leaves it out of the swarm's extensions.
 */
import { decodePex, encodePex, PexDiff, PexFlag, type PexPeer } from '../wire/ut-pex';
import type { PeerExtension } from './extensions';
import type { Peer } from './peer';

/** BEP 11: no more than one message per minute to a peer. */
export const PEX_INTERVAL_MS = 60_000;

/** What the exchange does with addresses a peer names. */
export type LearnPeer = (ip: string, port: number, flags: number) => void;

interface PexLink {
  diff: PexDiff;
  /** When the next message may go; the first goes on the first tick with a peer to list. */
  nextAt: number;
}

/** The `ut_pex` extension of one swarm. */
export class PexExchange implements PeerExtension {
  readonly name = 'ut_pex' as const;
  private readonly links = new Map<Peer, PexLink>();

  constructor(
    private readonly learn: LearnPeer,
    private readonly intervalMs = PEX_INTERVAL_MS,
  ) {}

  peerReady(peer: Peer): void {
    if (peer.conn.ext.supports('ut_pex') && !this.links.has(peer)) this.links.set(peer, { diff: new PexDiff(), nextAt: 0 });
  }

  message(peer: Peer, payload: Uint8Array): void {
    const m = decodePex(payload);
    for (const a of m.added) if (`${a.ip}:${a.port}` !== peer.key) this.learn(a.ip, a.port, a.flags);
  }

  detached(peer: Peer): void {
    this.links.delete(peer);
  }

  tick(now: number, peers: ReadonlyMap<string, Peer>): void {
    let listed: Map<string, PexPeer> | undefined;
    for (const [peer, link] of this.links) {
      if (now < link.nextAt || peer.conn.closed) continue;
      listed ??= listenAddresses(peers);
      const others = new Map(listed);
      others.delete(listenKey(peer) ?? '');
      const msg = link.diff.next(others);
      // At most one message a minute (BEP 11), counted from the last one sent: a tick with nothing new
      // to say does not use up the minute, or a peer that joins a second later waits a whole one.
      if (!msg) continue;
      link.nextAt = now + this.intervalMs;
      peer.conn.ext.send('ut_pex', encodePex(msg));
    }
  }
}

/** Where a peer accepts connections: the address we dialled, or the port its extended handshake names. */
function listenKey(peer: Peer): string | undefined {
  if (peer.conn.direction === 'outgoing') return peer.key;
  const p = peer.conn.ext.peer?.p;
  return p === undefined ? undefined : `${peer.ip}:${p}`;
}

/**
 * Whether we had a useful exchange with a peer, so passing it on helps: it sent us payload or we sent
 * it payload. A peer that only claims pieces and never unchokes (a fake seeder) or only keeps the
 * connection open is not passed on.
 */
export function pexWorthy(peer: { conn: { downloadedBytes: number; uploadedBytes: number } }): boolean {
  return peer.conn.downloadedBytes > 0 || peer.conn.uploadedBytes > 0;
}

/** The swarm's peers others can dial and we had a useful exchange with (pexWorthy), with BEP 11 flags. */
function listenAddresses(peers: ReadonlyMap<string, Peer>): Map<string, PexPeer> {
  const out = new Map<string, PexPeer>();
  for (const peer of peers.values()) {
    const key = listenKey(peer);
    if (key === undefined || !pexWorthy(peer)) continue;
    const port = Number(key.slice(key.lastIndexOf(':') + 1));
    let flags = 0;
    if (peer.conn.peerPieces.complete) flags |= PexFlag.seed;
    if (peer.conn.direction === 'outgoing') flags |= PexFlag.reachable;
    out.set(key, { ip: peer.ip, port, flags });
  }
  return out;
}
