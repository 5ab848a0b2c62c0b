/** Pause, resume and remove a torrent, open its folder, reload the list: the tree's context-menu commands. */
import {
  PeerListRequest, TorrentListRequest, TorrentPauseRequest, TorrentRemoveRequest, TorrentResumeRequest,
  type TorrentInfo,
} from '../../../protocol/src';
import { describeError } from '../errors';
import { resolveDownloadFolder } from '../settings';
import { infoHashArg } from './args';
import type { CommandContext } from './context';

/** Pauses the torrent named by a tree node or `{ infoHash }`, asking which when none is given. */
export async function pauseTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentInfo | undefined> {
  const infoHash = infoHashArg(arg) ?? (await pickTorrent(ctx, 'Pause which torrent?', (t) => t.state !== 'paused'));
  if (infoHash === undefined) return undefined;
  return update(ctx, 'Pause', () => ctx.daemon.request(TorrentPauseRequest.type, { infoHash }));
}

/** Resumes a paused torrent. */
export async function resumeTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentInfo | undefined> {
  const infoHash = infoHashArg(arg) ?? (await pickTorrent(ctx, 'Resume which torrent?', (t) => t.state === 'paused'));
  if (infoHash === undefined) return undefined;
  return update(ctx, 'Resume', () => ctx.daemon.request(TorrentResumeRequest.type, { infoHash }));
}

/**
 * Removes a torrent. With `{ infoHash, deleteData? }` it removes at once; from a menu or the palette it
 * asks first, offering to delete the downloaded files too. Resolves true when removed.
 */
export async function removeTorrent(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const infoHash = infoHashArg(arg) ?? (await pickTorrent(ctx, 'Remove which torrent?', () => true));
  if (infoHash === undefined) return false;
  let deleteData = (arg as { deleteData?: unknown } | undefined)?.deleteData;
  if (typeof deleteData !== 'boolean') {
    const name = ctx.store.get(infoHash)?.name ?? infoHash;
    const choice = await ctx.ui.confirm(`Remove "${name}"?`, 'Its files stay on disk unless you choose to delete them.', 'Remove', 'Remove and Delete Files');
    if (choice === undefined) return false;
    deleteData = choice === 'Remove and Delete Files';
  }
  try {
    await ctx.daemon.request(TorrentRemoveRequest.type, { infoHash, deleteData: deleteData as boolean });
    ctx.store.remove(infoHash);
    return true;
  } catch (err) {
    void ctx.ui.error(describeError('Remove', err));
    return false;
  }
}

/** Shows the folder of the given torrent, or the download folder. Resolves to the folder shown. */
export async function openFolder(ctx: CommandContext, arg?: unknown): Promise<string> {
  const infoHash = infoHashArg(arg);
  const folder = (infoHash !== undefined ? ctx.store.get(infoHash)?.savePath : undefined) ?? resolveDownloadFolder(ctx.settings(), ctx.homeDir);
  await ctx.ui.revealFolder(folder);
  return folder;
}

/** Reloads every torrent and its peers from the daemon. */
export async function refresh(ctx: CommandContext): Promise<void> {
  try {
    const { torrents } = await ctx.daemon.request0(TorrentListRequest.type);
    ctx.store.reset(torrents);
    await Promise.all(torrents.map(async (t) => {
      const { peers } = await ctx.daemon.request(PeerListRequest.type, { infoHash: t.infoHash });
      ctx.store.setPeers(t.infoHash, peers);
    }));
  } catch (err) {
    void ctx.ui.error(describeError('Refresh', err));
  }
}

async function update(ctx: CommandContext, action: string, send: () => Promise<TorrentInfo>): Promise<TorrentInfo | undefined> {
  try {
    const torrent = await send();
    ctx.store.upsert(torrent);
    return torrent;
  } catch (err) {
    void ctx.ui.error(describeError(action, err));
    return undefined;
  }
}

async function pickTorrent(ctx: CommandContext, title: string, filter: (t: TorrentInfo) => boolean): Promise<string | undefined> {
  const candidates = ctx.store.list().filter(filter);
  if (candidates.length === 0) {
    void ctx.ui.info('No torrent fits; add one with "BitTorrent: Download" or "BitTorrent: Seed".');
    return undefined;
  }
  const choice = await ctx.ui.pick(candidates.map((t) => ({ label: t.name, description: t.state, value: t.infoHash })), { title });
  return choice?.value;
}
