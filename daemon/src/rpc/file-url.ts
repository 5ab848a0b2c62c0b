/** `torrent/fileUrl`: the file server's URL for one file, with the protocol's errors. */
import * as P from '../../../protocol/src';
import { FileServerError, type FileServer } from '../stream';
import type { Daemon } from './daemon';
import { rpcError } from './errors';

/** The URL of a file; UnknownTorrent, or InvalidParams naming `infoHash` (no metadata yet) or `fileIndex`. */
export async function fileUrl(daemon: Daemon, server: FileServer, p: P.TorrentFileUrlParams): Promise<P.TorrentFileUrlResult> {
  const t = daemon.withFiles(p.infoHash);
  try {
    return { url: await server.urlFor(t.infoHashHex, p.fileIndex) };
  } catch (err) {
    if (err instanceof FileServerError && err.code === 'no-file') throw rpcError(P.ErrorCodes.InvalidParams, `fileIndex: ${err.message}`, { field: 'fileIndex' });
    if (err instanceof FileServerError) throw rpcError(P.ErrorCodes.InvalidParams, err.message, { field: 'infoHash' });
    throw err;
  }
}
