/** Session-wide methods: totals and settings. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { RequestType, RequestType0 } from 'vscode-jsonrpc';

/** Live settings of the session. Rates in bytes/s, 0 = unlimited. */
export interface Settings {
  /** Default folder for new torrents (absolute). */
  downloadDir: string;
  /** Listening port for peers; 0 = any free port. */
  port: number;
  maxConnections: number;
  maxConnectionsPerTorrent: number;
  /** Most connections a torrent takes from one IP address (loopback exempt); default 3. */
  maxConnectionsPerIp?: number;
  uploadRateLimit: number;
  downloadRateLimit: number;
  /** Run the DHT (BEP 5) for torrents that are not private; live on/off. */
  dht?: boolean;
  /** DHT bootstrap nodes as 'host:port' (default the well-known routers); used when the DHT (re)starts. */
  dhtBootstrap?: string[];
}

/** Session-wide totals. */
export interface SessionStats {
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  torrents: number;
  peers: number;
  /** The port actually listened on. */
  port: number;
  /**
   * Bytes SHA-1 hashed since the daemon started: checks of data already on disk and pieces received.
   * A restart whose resume state still holds hashes nothing, so this stays 0 while only seeding.
   */
  hashedBytes: number;
  /** Nodes in the DHT routing table; absent while the DHT is off. */
  dhtNodes?: number;
}

/** Totals over all torrents. */
export namespace SessionStatsRequest {
  export const method = 'session/stats' as const;
  export const type = new RequestType0<SessionStats, void>(method);
}

/** The current settings. */
export namespace SessionGetSettingsRequest {
  export const method = 'session/getSettings' as const;
  export const type = new RequestType0<Settings, void>(method);
}

/** Changes some settings live; the result is the settings after the change. */
export namespace SessionSetSettingsRequest {
  export const method = 'session/setSettings' as const;
  export const type = new RequestType<Partial<Settings>, Settings, void>(method);
}
