/** Starting a torrent's tracker client, shared by a torrent and by a magnet's metadata fetch. */
import { isSupportedTrackerUrl, TrackerClient, type TransferStats } from '../tracker/client/client';
import type { LogEntry } from './types';

/** What announcing needs. */
export interface AnnounceSetup {
  announceList: string[][];
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  ip?: string;
  getStats(): TransferStats;
  /** Addresses a tracker answered with. */
  peers(list: { ip: string; port: number }[]): void;
  log(level: LogEntry['level'], message: string): void;
}

/** Starts announcing; undefined when no tracker URL is one we can announce to. */
export function startAnnouncing(s: AnnounceSetup): TrackerClient | undefined {
  if (!s.announceList.flat().some(isSupportedTrackerUrl)) return undefined;
  const tracker = new TrackerClient({
    announceList: s.announceList,
    infoHash: s.infoHash,
    peerId: s.peerId,
    port: s.port,
    ...(s.ip ? { ip: s.ip } : {}),
    getStats: s.getStats,
  });
  tracker.on('peers', (peers) => s.peers(peers));
  tracker.on('warning', (message) => s.log('warn', `tracker: ${message}`));
  tracker.on('error', (message, url) => s.log('warn', `tracker ${url}: ${message}`));
  tracker.start();
  return tracker;
}
