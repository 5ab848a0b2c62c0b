/** Dropping on the torrents view: .torrent files (from the Explorer or the desktop) and magnet links as text. */
import { fileURLToPath } from 'node:url';
import type { TorrentInfo } from '../../../protocol/src';
import type { CommandContext } from './context';
import { downloadTorrent, magnetOnClipboard } from './transfer';

/** At most this many torrents from one drop: a dropped folder listing must not start hundreds of downloads. */
export const MAX_DROPPED = 20;

/** A torrent in a drop: a .torrent file or a magnet link. */
export type DroppedSource = { path: string } | { magnet: string };

/** The torrents a drop holds: `text/uri-list` lines naming .torrent files, or a magnet link as plain text. */
export function droppedSources(uriList: string, text: string): DroppedSource[] {
  const out: DroppedSource[] = [];
  for (const line of uriList.split(/\r?\n/)) {
    const uri = line.trim();
    if (uri === '' || uri.startsWith('#')) continue;
    const magnet = magnetOnClipboard(uri);
    if (magnet !== undefined) out.push({ magnet });
    else if (/^file:/i.test(uri) && /\.torrent$/i.test(uri)) {
      try {
        out.push({ path: fileURLToPath(uri) });
      } catch {
        // Not a local file URI (another host): skipped.
      }
    }
  }
  if (out.length === 0) {
    for (const line of text.split(/\r?\n/)) {
      const magnet = magnetOnClipboard(line);
      if (magnet !== undefined) out.push({ magnet });
    }
  }
  return out.slice(0, MAX_DROPPED);
}

/** Downloads every torrent of a drop into the download folder; says so when the drop held none. */
export async function downloadDropped(ctx: CommandContext, uriList: string, text: string): Promise<(TorrentInfo | undefined)[]> {
  const sources = droppedSources(uriList, text);
  if (sources.length === 0) {
    void ctx.ui.warn('Drop .torrent files or a magnet link here to download them.');
    return [];
  }
  const added: (TorrentInfo | undefined)[] = [];
  for (const s of sources) added.push(await downloadTorrent(ctx, 'path' in s ? { torrentPath: s.path } : { magnet: s.magnet }));
  return added;
}
