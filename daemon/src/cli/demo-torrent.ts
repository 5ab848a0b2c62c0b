/** The demo's metainfo: made with btd's own torrent maker, announcing to the demo's tracker. */
import type { Metainfo } from '../metainfo/types';

/** Piece size of the demo torrent: small enough that a few tens of MiB make a real piece map. */
export const DEMO_PIECE_LENGTH = 256 * 1024;

/** Creates and parses the torrent of `source`. */
export async function makeDemoTorrent(source: string, trackerUrl: string): Promise<Metainfo> {
  void source;
  void trackerUrl;
  throw new Error('torrent maker not available yet');
}
