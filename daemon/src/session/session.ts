import { EventEmitter } from 'node:events';
import { Torrent } from './torrent';
import type { AddTorrentOptions, Metainfo, SessionOptions, SessionSettings, SessionStats } from './types';

/** The daemon's whole BitTorrent state: one listening port, the torrents, limits. */
export class Session extends EventEmitter {
  private constructor(
    readonly port: number,
    readonly peerId: Uint8Array,
  ) {
    super();
  }

  /** Starts a session; it is listening when the promise resolves. */
  static async start(opts: SessionOptions): Promise<Session> {
    void opts;
    throw new Error('not implemented');
  }

  /** Adds a torrent, checks existing data, then downloads or seeds. */
  async addTorrent(m: Metainfo, opts?: AddTorrentOptions): Promise<Torrent> {
    void m;
    void opts;
    throw new Error('not implemented');
  }

  /** The torrent with this info hash (hex), if any. */
  get(infoHashHex: string): Torrent | undefined {
    void infoHashHex;
    throw new Error('not implemented');
  }

  /** All torrents, in the order added. */
  list(): Torrent[] {
    throw new Error('not implemented');
  }

  /** Stops and forgets a torrent; optionally deletes its files. */
  async remove(infoHashHex: string, opts?: { deleteData?: boolean }): Promise<void> {
    void infoHashHex;
    void opts;
    throw new Error('not implemented');
  }

  /** Changes options on a live session. */
  async setOptions(partial: SessionSettings): Promise<void> {
    void partial;
    throw new Error('not implemented');
  }

  /** Session-wide totals. */
  stats(): SessionStats {
    throw new Error('not implemented');
  }

  /** Announces 'stopped' (bounded wait), closes connections and files, saves resume data. */
  async close(): Promise<void> {
    throw new Error('not implemented');
  }
}
