/** Reads the bytes of a TorrentSource (a path the daemon can read, or base64), bounded in size. */
import { NotRegularFileError, readRegularFile } from '../util/regular-file';
import { ErrorCodes, type TorrentSource } from '../../../protocol/src';
import { rpcError } from './errors';
import { MAX_TORRENT_BYTES } from './params';

/** The .torrent bytes of a source; a magnet link has none (torrent/add fetches its metadata instead). */
export async function loadTorrentBytes(source: TorrentSource): Promise<Uint8Array> {
  if ('magnet' in source) {
    throw rpcError(ErrorCodes.NotSupported, 'a magnet link has no metadata to check existing data against; give the .torrent file (path or base64), or use torrent/add to download the magnet');
  }
  if ('base64' in source) return checkSize(Buffer.from(source.base64, 'base64'), 'torrent.base64');
  try {
    return await readRegularFile(source.path, MAX_TORRENT_BYTES);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw rpcError(ErrorCodes.InvalidParams, `torrent.path is not a file: ${err.message}`, { field: 'torrent.path' });
    if (err instanceof RangeError) throw rpcError(ErrorCodes.InvalidTorrent, `torrent.path: a .torrent is at most ${MAX_TORRENT_BYTES} bytes`, { field: 'torrent.path' });
    throw err;
  }
}

function checkSize<T extends { length: number }>(bytes: T, field: string): T {
  if (bytes.length > MAX_TORRENT_BYTES) {
    throw rpcError(ErrorCodes.InvalidTorrent, `${field}: a .torrent is at most ${MAX_TORRENT_BYTES} bytes`, { field });
  }
  return bytes;
}
