/** A .torrent file around an info dictionary fetched from peers (BEP 9), with a magnet's trackers. */
import { bencode, type Encodable } from '../bencode';

/**
 * The .torrent bytes for `info` (kept byte for byte, so the info hash stays the same) announcing to
 * `trackers`, one tier each as magnet links list them. Keys stay sorted: announce, announce-list, info.
 */
export function torrentFromInfo(info: Uint8Array, trackers: readonly string[]): Uint8Array {
  const head = new Map<string, Encodable>();
  if (trackers.length > 0) {
    head.set('announce', trackers[0]);
    head.set('announce-list', trackers.map((t) => [t]));
  }
  const prefix = bencode(head);
  const out = new Uint8Array(prefix.length - 1 + 6 + info.length + 1);
  out.set(prefix.subarray(0, prefix.length - 1), 0);
  let at = prefix.length - 1;
  out.set(Buffer.from('4:info', 'latin1'), at);
  at += 6;
  out.set(info, at);
  out[at + info.length] = 0x65; // 'e'
  return out;
}
