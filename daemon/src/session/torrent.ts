import { EventEmitter } from 'node:events';
import type { Metainfo, PeerSummary, TorrentSummary, TrackerStatus } from './types';

/** One swarm: wires picker, storage, connections and tracker announces. */
export class Torrent extends EventEmitter {
  readonly infoHashHex: string;

  constructor(
    readonly metainfo: Metainfo,
    readonly savePath: string,
  ) {
    super();
    this.infoHashHex = metainfo.infoHashHex;
  }

  /** A snapshot for display. */
  summary(): TorrentSummary {
    throw new Error('not implemented');
  }

  /** Snapshots of live connections. */
  peers(): PeerSummary[] {
    throw new Error('not implemented');
  }

  /** Snapshots of the trackers. */
  trackers(): TrackerStatus[] {
    throw new Error('not implemented');
  }

  /** Stops transfers and announces 'stopped'; keeps the data. */
  async pause(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Restarts a paused torrent. */
  async resume(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Re-hashes all data. */
  async verify(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Dials a known peer directly. */
  addPeer(ip: string, port: number): void {
    void ip;
    void port;
    throw new Error('not implemented');
  }
}
