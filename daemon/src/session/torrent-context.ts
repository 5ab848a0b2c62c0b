import type { Duplex } from 'node:stream';
import type { Throttle } from '../util/throttle';
import type { WireSetup } from './dialer';
import type { HeldBudget } from './intake';
import type { ReadCache } from './read-cache';

/** What a torrent needs from its session. */
export interface TorrentContext {
  peerId: Uint8Array;
  port(): number;
  announceIp(): string | undefined;
  uploadThrottle: Throttle;
  downloadThrottle: Throttle;
  readCache: ReadCache;
  /** Memory for pieces in progress, shared by the session's torrents. */
  heldBudget: HeldBudget;
  maxConnectionsPerTorrent(): number;
  /** Most connections from one IP address (loopback is exempt). */
  maxConnectionsPerIp?(): number;
  /** Room for one more connection under the global cap. */
  globalRoom(): boolean;
  /** Addresses we may connect to (all but in loopback-only mode; see session). */
  mayDial(ip: string): boolean;
  /**
   * Opens a TCP connection (injectable for tests). Received bytes go to `onData` (the chunk may be
   * reused after the call) or, if the stream cannot do that, come as 'data' events.
   */
  connect(ip: string, port: number, onData: (chunk: Uint8Array) => void): Duplex;
  /** Session-wide connection setup, if any. */
  wire?: WireSetup;
  /** The torrent may have work for the next ticks (a tick that returns false is not called again until then). */
  wake?(): void;
}
