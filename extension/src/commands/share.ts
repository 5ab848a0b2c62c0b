/**
 * Share Folder…: one step from a file or folder to a magnet link on the clipboard. The torrent is made
 * (announcing to this window's tracker when it runs, else found through the DHT), seeded from where the
 * data lies, and its magnet link copied.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TorrentCreateRequest, TorrentRemoveRequest, TorrentSeedRequest, type TorrentInfo } from '../../../protocol/src';
import { describeError } from '../errors';
import { objectArg, pathArg, stringField } from './args';
import type { CommandContext } from './context';

/** What Share Folder did. */
export interface ShareResult {
  torrent: TorrentInfo;
  magnet: string;
  torrentPath: string;
}

/** The .torrent file of a share: in the extension's storage, named after the data and its info hash. */
export function shareTorrentPath(storageDir: string, name: string, stamp: string): string {
  const safe = name.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'share';
  return join(storageDir, 'shared', `${safe}-${stamp}.torrent`);
}

/** Argument: an Explorer Uri or `{ path }`; asks for a file or folder otherwise. */
export async function shareFolder(ctx: CommandContext, arg?: unknown): Promise<ShareResult | undefined> {
  const path = pathArg(arg) ?? stringField(objectArg(arg), 'path') ?? (await ctx.ui.openDialog({
    title: 'Share: choose a folder or file', files: true, folders: true,
  }));
  if (path === undefined) return undefined;
  const tracker = ctx.state.tracker?.url;
  if (tracker === undefined && !ctx.settings().dht) {
    void ctx.ui.error('Share needs a way for peers to find it: start the tracker (BitTorrent: Start Tracker) or turn on btd.dht.');
    return undefined;
  }
  try {
    const torrentPath = shareTorrentPath(ctx.storageDir, basename(path), Date.now().toString(36));
    await mkdir(dirname(torrentPath), { recursive: true });
    const made = await ctx.ui.withProgress(`Sharing ${basename(path)}`, false, () =>
      ctx.daemon.request(TorrentCreateRequest.type, { path, trackers: tracker ? [tracker] : [], outputPath: torrentPath }));
    const torrent = await ctx.daemon.request(TorrentSeedRequest.type, { torrent: { base64: made.base64 }, dataPath: path });
    ctx.store.upsert(torrent);
    await ctx.ui.copy(made.magnet);
    const how = tracker ? 'through your tracker' : 'through the DHT';
    void ctx.ui.info(`Sharing "${made.name}" ${how}: its magnet link is on the clipboard.`, 'Copy Magnet', 'Copy .torrent Path', 'Stop Sharing').then(async (choice) => {
      if (choice === 'Copy Magnet') await ctx.ui.copy(made.magnet);
      else if (choice === 'Copy .torrent Path') await ctx.ui.copy(torrentPath);
      else if (choice === 'Stop Sharing') await ctx.daemon.request(TorrentRemoveRequest.type, { infoHash: made.infoHash, deleteData: false }).catch(() => undefined);
    });
    return { torrent, magnet: made.magnet, torrentPath };
  } catch (err) {
    void ctx.ui.error(describeError('Share', err));
    return undefined;
  }
}
