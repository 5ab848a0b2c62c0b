/** Reads the bytes of a TorrentSource (a path the daemon can read, or base64), bounded in size. */
import { promises as fs } from 'node:fs';
import { ErrorCodes, type TorrentSource } from '../../../protocol/src';
import { rpcError } from './errors';
import { MAX_TORRENT_BYTES } from './params';

/** The .torrent bytes of a source; a magnet link has none (torrent/add fetches its metadata instead). */
export async function loadTorrentBytes(source: TorrentSource): Promise<Uint8Array> {
  if ('magnet' in source) {
    throw rpcError(ErrorCodes.NotSupported, 'a magnet link has no metadata to check existing data against; give the .torrent file (path or base64), or use torrent/add to download the magnet');
  }
  if ('base64' in source) return checkSize(Buffer.from(source.base64, 'base64'), 'torrent.base64');
  const handle = await fs.open(source.path, 'r');
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw rpcError(ErrorCodes.InvalidParams, `torrent.path is not a file: ${source.path}`, { field: 'torrent.path' });
    checkSize({ length: st.size }, 'torrent.path');
    return checkSize(await handle.readFile(), 'torrent.path');
  } finally {
    await handle.close();
  }
}

function checkSize<T extends { length: number }>(bytes: T, field: string): T {
  if (bytes.length > MAX_TORRENT_BYTES) {
    throw rpcError(ErrorCodes.InvalidTorrent, `${field}: a .torrent is at most ${MAX_TORRENT_BYTES} bytes`, { field });
  }
  return bytes;
}
