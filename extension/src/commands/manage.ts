/**
 * Pause, resume, verify and remove a torrent, copy its magnet link, open its folder, reload the list: the
 * tree's context-menu commands.
 */
import {
  PeerListRequest, TorrentGetRequest, TorrentListRequest, TorrentPauseRequest, TorrentRemoveRequest, TorrentResumeRequest,
  TorrentVerifyRequest, type TorrentInfo,
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

/** Re-hashes a torrent's data on disk (Transmission's "Verify Local Data"); the tree shows it checking. */
export async function verifyTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentInfo | undefined> {
  const infoHash = infoHashArg(arg) ?? (await pickTorrent(ctx, 'Verify the data of which torrent?', (t) => t.state !== 'checking'));
  if (infoHash === undefined) return undefined;
  const torrent = await update(ctx, 'Verify', () => ctx.daemon.request(TorrentVerifyRequest.type, { infoHash }));
  if (torrent !== undefined) ctx.ui.status(`Verifying the data of "${torrent.name}"…`);
  return torrent;
}

/** Puts a torrent's magnet link on the clipboard; resolves to the link copied. */
export async function copyMagnet(ctx: CommandContext, arg?: unknown): Promise<string | undefined> {
  const infoHash = infoHashArg(arg) ?? (await pickTorrent(ctx, 'Copy the magnet link of which torrent?', () => true));
  if (infoHash === undefined) return undefined;
  try {
    const details = await ctx.daemon.request(TorrentGetRequest.type, { infoHash });
    await ctx.ui.copy(details.magnet);
    ctx.ui.status(`Copied the magnet link of "${details.name}".`);
    return details.magnet;
  } catch (err) {
    void ctx.ui.error(describeError('Copy Magnet Link', err));
    return undefined;
  }
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
