/**
 * `btd download <magnet>`: the metadata comes from peers first (status lines say from how many), and
 * is kept in the state folder, so running the same command again resumes without a second fetch.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetainfoError, parseMagnet, parseMetainfo, type Magnet, type Metainfo } from '../metainfo';
import { writeAtomic } from '../session/catalog';
import type { AnyTorrent, Torrent } from '../session';
import type { RunBase } from './download-run';
import { CliError } from './errors';

/** The magnet of a command-line argument, or a one-line error. */
export function magnetArgument(text: string): Magnet {
  try {
    return parseMagnet(text);
  } catch (err) {
    throw new CliError(err instanceof MetainfoError ? err.message : String(err));
  }
}

/** Where a fetched magnet's .torrent is kept. */
export function fetchedTorrentPath(stateDir: string, magnet: Magnet): string {
  return join(stateDir, `${magnet.infoHashHex}.torrent`);
}

/** The metainfo kept by an earlier run, if any and if it is this magnet's. */
export async function storedMetainfo(stateDir: string, magnet: Magnet): Promise<Metainfo | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(fetchedTorrentPath(stateDir, magnet));
  } catch {
    return undefined;
  }
  try {
    const m = parseMetainfo(bytes);
    return m.infoHashHex === magnet.infoHashHex ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fetches the metadata into the run's session; resolves with the torrent that takes the magnet's
 * place, or undefined when a signal came first.
 */
export async function fetchMetadata(run: RunBase, magnet: Magnet, stateDir: string, savePath: string): Promise<Torrent | undefined> {
  const session = run.session;
  const pending = session.addMagnet(magnet, { savePath });
  for (const p of run.peers) pending.addPeer(p.ip, p.port);
  let last = '';
  const report = (t: AnyTorrent): void => {
    if (t !== pending) return;
    const s = pending.summary();
    const line = `fetching metadata from ${s.metadataPeers ?? 0} peers (${s.peers} connected)`;
    if (line !== last) run.view.line((last = line));
  };
  session.on('progress', report);
  report(pending);
  const fetched = new Promise<Torrent>((resolve) => {
    const onMetadata = (t: Torrent, bytes: Uint8Array): void => {
      if (t.infoHashHex !== magnet.infoHashHex) return;
      session.off('metadata', onMetadata);
      void writeAtomic(fetchedTorrentPath(stateDir, magnet), bytes).catch((err: unknown) => run.view.line(`warning: cannot keep the metadata: ${String(err)}`));
      resolve(t);
    };
    session.on('metadata', onMetadata);
  });
  const t = await Promise.race([fetched, run.interrupted.then(() => undefined)]);
  session.off('progress', report);
  if (t) run.view.line(`metadata of ${t.metainfo.name}: ${t.metainfo.pieceCount} pieces, ${t.metainfo.files.length} file(s)`);
  return t;
}
