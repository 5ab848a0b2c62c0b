/** The built-in tracker server, and the trackers a torrent announces to. */
/* eslint-disable @typescript-eslint/no-namespace -- each method is a namespace (method + typed handle), as LSP declares them */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** A tracker a torrent announces to. Times in ms since the epoch. */
export interface TrackerAnnounceInfo {
  url: string;
  tier: number;
  lastAnnounce?: number;
  nextAnnounce?: number;
  seeders?: number;
  leechers?: number;
  lastError?: string;
  lastWarning?: string;
}

/** `tracker/start` params. */
export interface TrackerStartParams {
  /** Default '127.0.0.1'. */
  host?: string;
  /** 0 = any free port (default). */
  port?: number;
  /** Announce interval in seconds, default 1800. */
  interval?: number;
  /** Also serve UDP announces (BEP 15) on the same port number; default false. */
  udp?: boolean;
  /**
   * Where swarms live: `memory` (default) or `redis://HOST:PORT[/DB]` / `rediss://HOST:PORT[/DB]`, shared
   * with other trackers on the same Redis or Redis Cluster. The password is never a param: the daemon
   * reads it from its BTD_REDIS_PASSWORD environment variable.
   */
  store?: string;
}

/** Where the tracker listens. */
export interface TrackerServerInfo {
  /** The announce URL to put in torrents. */
  url: string;
  /** `udp://host:port/announce` when started with `udp`. */
  udpUrl?: string;
  host: string;
  port: number;
}

/** Starts the built-in HTTP tracker (one per daemon). */
export namespace TrackerStartRequest {
  export const method = 'tracker/start' as const;
  export const type = new RequestType<TrackerStartParams, TrackerServerInfo, void>(method);
}

/** Stops the built-in tracker. Result null. */
export namespace TrackerStopRequest {
  export const method = 'tracker/stop' as const;
  export const type = new RequestType0<null, void>(method);
}

/** Counters of the built-in tracker. */
export interface TrackerServerStats extends TrackerServerInfo {
  /** Info hashes with at least one peer. */
  torrents: number;
  seeders: number;
  leechers: number;
  announces: number;
  scrapes: number;
}

/** Counters of the running built-in tracker. */
export namespace TrackerStatsRequest {
  export const method = 'tracker/stats' as const;
  export const type = new RequestType0<TrackerServerStats, void>(method);
}

/** The built-in tracker's counters changed (at most once per second). */
export namespace TrackerStatsNotification {
  export const method = 'tracker/stats' as const;
  export const type = new NotificationType<TrackerServerStats>(method);
}
