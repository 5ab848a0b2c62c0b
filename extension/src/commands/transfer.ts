/** BitTorrent: Seed and BitTorrent: Download — hand a .torrent (or magnet link) to the daemon. */
import { dirname } from 'node:path';
import { TorrentAddRequest, TorrentSeedRequest, type TorrentInfo, type TorrentSource } from '../../../protocol/src';
import { describeError } from '../errors';
import { resolveDownloadFolder } from '../settings';
import { objectArg, pathArg, stringField } from './args';
import type { CommandContext } from './context';

const TORRENT_FILTER = { Torrents: ['torrent'] };

/** Seeds existing data. Argument: a .torrent Uri, or `{ torrentPath, dataPath }`; what is missing is asked. */
export async function seedTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentInfo | undefined> {
  const given = objectArg(arg);
  const torrentPath = pathArg(arg) ?? stringField(given, 'torrentPath') ?? (await ctx.ui.openDialog({
    title: 'Seed: choose the .torrent file', files: true, folders: false, filters: TORRENT_FILTER,
  }));
  if (torrentPath === undefined) return undefined;
  const dataPath = stringField(given, 'dataPath') ?? (await ctx.ui.openDialog({
    title: 'Seed: choose the file or folder the torrent was made of', files: true, folders: true, defaultPath: dirname(torrentPath),
  }));
  if (dataPath === undefined) return undefined;
  try {
    const torrent = await ctx.daemon.request(TorrentSeedRequest.type, { torrent: { path: torrentPath }, dataPath });
    ctx.store.upsert(torrent);
    void ctx.ui.info(`Seeding ${torrent.name}.`);
    return torrent;
  } catch (err) {
    void ctx.ui.error(describeError('Seed', err));
    return undefined;
  }
}

/**
 * Downloads a torrent. Argument: a .torrent Uri, or `{ torrentPath | magnet, destination? }`; without a
 * destination in the object form, the btd.downloadFolder setting is used.
 */
export async function downloadTorrent(ctx: CommandContext, arg?: unknown): Promise<TorrentInfo | undefined> {
  const given = objectArg(arg);
  // Only callers passing an object skip the question; a .torrent from the Explorer still asks where to.
  const fromArgs = Object.keys(given).length > 0;
  const source = sourceFromArg(arg, given) ?? (await askSource(ctx));
  if (source === undefined) return undefined;
  const defaultFolder = resolveDownloadFolder(ctx.settings(), ctx.homeDir);
  const savePath = stringField(given, 'destination') ?? (fromArgs ? defaultFolder : await askDestination(ctx, defaultFolder));
  if (savePath === undefined) return undefined;
  try {
    const torrent = await ctx.daemon.request(TorrentAddRequest.type, { torrent: source, savePath });
    ctx.store.upsert(torrent);
    void ctx.ui.info(`Downloading ${torrent.name} to ${savePath}.`, 'Open Folder').then((choice) => {
      if (choice === 'Open Folder') void ctx.ui.revealFolder(savePath);
    });
    return torrent;
  } catch (err) {
    void ctx.ui.error(describeError('Download', err));
    return undefined;
  }
}

function sourceFromArg(arg: unknown, given: Record<string, unknown>): TorrentSource | undefined {
  const path = pathArg(arg) ?? stringField(given, 'torrentPath');
  if (path !== undefined) return { path };
  const magnet = stringField(given, 'magnet');
  return magnet !== undefined ? { magnet } : undefined;
}

/** A magnet link alone on the clipboard (surrounding white space aside), if it holds one. */
export function magnetOnClipboard(text: string): string | undefined {
  const t = text.trim();
  return /^magnet:\?\S*xt=urn:btih:[0-9a-z]{32,40}\S*$/i.test(t) && t.length <= 8192 ? t : undefined;
}

async function askSource(ctx: CommandContext): Promise<TorrentSource | undefined> {
  const clipped = magnetOnClipboard(await ctx.ui.paste().catch(() => ''));
  const kind = await ctx.ui.pick(
    [
      ...(clipped ? [{ label: 'The magnet link on the clipboard', description: clipped.slice(0, 80), value: 'clipboard' as const }] : []),
      { label: 'A .torrent file…', value: 'file' as const },
      { label: 'A magnet link…', value: 'magnet' as const },
    ],
    { title: 'Download: what to download' },
  );
  if (kind === undefined) return undefined;
  if (kind.value === 'clipboard' && clipped) return { magnet: clipped };
  if (kind.value === 'file') {
    const path = await ctx.ui.openDialog({ title: 'Download: choose the .torrent file', files: true, folders: false, filters: TORRENT_FILTER });
    return path === undefined ? undefined : { path };
  }
  const magnet = await ctx.ui.input({
    title: 'Download: magnet link',
    prompt: 'Paste a magnet link',
    placeHolder: 'magnet:?xt=urn:btih:…',
    ...(clipped ? { value: clipped } : {}),
    validate: (v) => (/^magnet:\?/i.test(v.trim()) ? undefined : 'A magnet link starts with magnet:?'),
  });
  return magnet === undefined ? undefined : { magnet: magnet.trim() };
}

async function askDestination(ctx: CommandContext, defaultFolder: string): Promise<string | undefined> {
  const choice = await ctx.ui.pick(
    [
      { label: defaultFolder, description: 'the btd.downloadFolder setting', value: 'default' as const },
      { label: 'Choose another folder…', value: 'other' as const },
    ],
    { title: 'Download: destination folder' },
  );
  if (choice === undefined) return undefined;
  if (choice.value === 'default') return defaultFolder;
  return ctx.ui.openDialog({ title: 'Download into this folder', files: false, folders: true, defaultPath: defaultFolder });
}
