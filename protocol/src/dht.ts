/** The DHT (BEP 5) as the daemon reports it. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { RequestType0 } from 'vscode-jsonrpc';

/** Counts of the daemon's DHT node; `enabled` false (and every count 0) while the DHT is off. */
export interface DhtStats {
  enabled: boolean;
  /** Our node id, hex (40 characters); '' while off. */
  nodeId: string;
  /** UDP port; 0 while off. */
  port: number;
  /** Nodes in the routing table. */
  nodes: number;
  /** Nodes per bucket, from the farthest bucket (no bit shared with our id) to ours. */
  buckets: number[];
  lookupsInFlight: number;
  /** Peers other nodes announced to us, and the info hashes they are for. */
  peersStored: number;
  infoHashesStored: number;
  queriesInPerSecond: number;
  queriesOutPerSecond: number;
  /** Torrents the DHT looks for (active, not private). */
  torrents: number;
}

/** The DHT's counts. */
export namespace DhtStatsRequest {
  export const method = 'dht/stats' as const;
  export const type = new RequestType0<DhtStats, void>(method);
}
