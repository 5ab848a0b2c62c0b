/** Peer methods and notifications. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { TorrentIdParams } from './torrent';

/** Who opened the connection. */
export namespace PeerDirection {
  export const Incoming = 'incoming' as const;
  export const Outgoing = 'outgoing' as const;
}
/** One of PeerDirection. */
export type PeerDirection = 'incoming' | 'outgoing';

/** A snapshot of one connection. */
export interface PeerInfo {
  /** 'ip:port' */
  id: string;
  ip: string;
  port: number;
  /** From the peer id, e.g. 'Transmission 3.00'. */
  client: string;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  direction: PeerDirection;
  /** How the daemon came to know the peer (older daemons leave it out). */
  source?: PeerSource;
}

/** How a peer was found: a tracker, peer exchange (BEP 11), the magnet link's `x.pe`, by hand, it connected to us, or the DHT (BEP 5). */
export type PeerSource = 'tracker' | 'pex' | 'magnet' | 'manual' | 'incoming' | 'dht';

/** `peer/list` result. */
export interface PeerListResult {
  peers: PeerInfo[];
}

/** Live connections of one torrent. */
export namespace PeerListRequest {
  export const method = 'peer/list' as const;
  export const type = new RequestType<TorrentIdParams, PeerListResult, void>(method);
}

/** What happened to a connection. */
export namespace PeerChangeKind {
  export const Added = 'added' as const;
  export const Removed = 'removed' as const;
  export const Updated = 'updated' as const;
}
/** One of PeerChangeKind. */
export type PeerChangeKind = 'added' | 'removed' | 'updated';

/** `peer/changed` params. */
export interface PeerChangedParams {
  infoHash: string;
  kind: PeerChangeKind;
  peer: PeerInfo;
}

/** A connection was added or removed (sent at once) or updated (throttled per connection). */
export namespace PeerChangedNotification {
  export const method = 'peer/changed' as const;
  export const type = new NotificationType<PeerChangedParams>(method);
}
