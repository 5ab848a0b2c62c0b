/** Reads a .torrent file named on the command line; every failure is one line for the person typing. */
import { NotRegularFileError, openRegularFile } from '../util/regular-file';
import { MAX_METAINFO_SIZE, parseMetainfo, type Metainfo } from '../metainfo';
import { CliError } from './errors';

/** The parser's own cap; checked against the file size so a huge file is never read into memory. */
export const MAX_TORRENT_FILE_BYTES = MAX_METAINFO_SIZE;

/** Reads and parses `path`, refusing files over the cap before reading them. */
export async function loadTorrent(path: string): Promise<Metainfo> {
  const bytes = await readCapped(path);
  try {
    return parseMetainfo(bytes);
  } catch (err) {
    throw new CliError(`${path} is not a valid torrent: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function readCapped(path: string): Promise<Uint8Array> {
  let file;
  try {
    file = await openRegularFile(path);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new CliError(err.kind === 'folder' ? `${path} is a folder, not a torrent file` : err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`torrent file not found: ${path}`);
    if (code === 'EISDIR') throw new CliError(`${path} is a folder, not a torrent file`);
    throw new CliError(`cannot read ${path}: ${code ?? String(err)}`);
  }
  try {
    const st = await file.stat();
    if (st.isDirectory()) throw new CliError(`${path} is a folder, not a torrent file`);
    if (!st.isFile()) throw new CliError(`${path} is not a regular file`);
    if (st.size > MAX_TORRENT_FILE_BYTES) throw new CliError(`${path} is too large for a torrent file (${st.size} bytes)`);
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await file.read(buf, 0, st.size, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  } finally {
    await file.close();
  }
}
