/**
 * The wire extensions (BEP 10) of one swarm: which ones we offer, our extended handshake, and the
 * dispatch of each received message to the module that owns its extension.
 */
import { LocalExtensionId, type ExtendedHandshake } from '../wire/extended';
import type { ExtensionName } from '../wire/connection';
import { VERSION } from '../version';
import type { Peer } from './peer';
import { UPLOAD_QUEUE_LENGTH } from './peer';

/** One extension's behaviour on a swarm's connections. */
export interface PeerExtension {
  readonly name: ExtensionName;
  /** What it adds to our extended handshake (e.g. `metadataSize`). */
  handshakeFields?(): Partial<ExtendedHandshake>;
  /** The peer's extended handshake arrived. */
  peerReady?(peer: Peer): void;
  /** A message of this extension from the peer; a WireError thrown here closes that connection. */
  message(peer: Peer, payload: Uint8Array): void;
  /** The connection closed. */
  detached?(peer: Peer): void;
  /** Once a second, with the swarm's live peers. */
  tick?(now: number, peers: ReadonlyMap<string, Peer>): void;
}

/** Our client name in extended handshakes (`v`), shown by other clients' peer lists. */
export const CLIENT_NAME = `btd ${VERSION}`;

/** The extensions a swarm offers, wired to each connection as it attaches. */
export class ExtensionRegistry {
  constructor(
    private readonly extensions: readonly PeerExtension[],
    /** Our listening port, sent as `p`. */
    private readonly port: () => number,
  ) {}

  /** Our extended handshake as this peer should see it (`yourip` is its address). */
  handshakeFor(peer: Peer): ExtendedHandshake {
    const h: ExtendedHandshake = { m: {}, v: CLIENT_NAME, reqq: UPLOAD_QUEUE_LENGTH, yourip: peer.ip };
    const port = this.port();
    if (port > 0) h.p = port;
    for (const ext of this.extensions) {
      h.m[ext.name] = LocalExtensionId[ext.name];
      Object.assign(h, ext.handshakeFields?.());
    }
    return h;
  }

  /** Sends our handshake and routes the connection's extension messages. */
  attach(peer: Peer): void {
    const conn = peer.conn;
    if (!conn.ext.enabled) return;
    conn.ext.sendHandshake(this.handshakeFor(peer));
    conn.on('extended-handshake', () => {
      for (const ext of this.extensions) ext.peerReady?.(peer);
    });
    conn.on('extended', (name, payload) => {
      const ext = this.extensions.find((e) => e.name === name);
      if (!ext) return;
      try {
        ext.message(peer, payload);
      } catch (err) {
        conn.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** The connection closed. */
  detach(peer: Peer): void {
    for (const ext of this.extensions) ext.detached?.(peer);
  }

  /** Once a second. */
  tick(now: number, peers: ReadonlyMap<string, Peer>): void {
    for (const ext of this.extensions) ext.tick?.(now, peers);
  }
}
