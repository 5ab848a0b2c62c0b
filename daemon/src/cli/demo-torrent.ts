/** The demo's metainfo: made with btd's own torrent maker, announcing to the demo's tracker. */
import { createTorrent, type Metainfo } from '../metainfo';

/** Piece size of the demo torrent: small enough that a few tens of MiB make a real piece map. */
export const DEMO_PIECE_LENGTH = 256 * 1024;

/** Creates the torrent of `source` (nothing written to disk). */
export async function makeDemoTorrent(source: string, trackerUrl: string): Promise<Metainfo> {
  const { metainfo } = await createTorrent(source, { trackers: [trackerUrl], pieceLength: DEMO_PIECE_LENGTH });
  return metainfo;
}
