/**
 * `vscode://btd.btd/add?magnet=<magnet link>`: a magnet link from a browser or another program. The user
 * confirms before anything is downloaded.
 */
import type { TorrentInfo } from '../../../protocol/src';
import type { CommandContext } from './context';
import { downloadTorrent, magnetOnClipboard } from './transfer';

/** What an add URI asks for, or why it cannot be used. */
export type AddUri = { magnet: string; name: string } | { error: string };

/** Reads `/add?magnet=…` (the query as VS Code gives it, still percent-encoded). */
export function parseAddUri(path: string, query: string): AddUri {
  if (path !== '/add') return { error: `unknown BitTorrent link path ${JSON.stringify(path.slice(0, 40))} (expected /add?magnet=…)` };
  const magnet = magnetOnClipboard(new URLSearchParams(query).get('magnet') ?? '');
  if (magnet === undefined) return { error: 'the link carries no valid magnet link (expected /add?magnet=magnet:?xt=urn:btih:…)' };
  const name = new URLSearchParams(magnet.slice(magnet.indexOf('?') + 1)).get('dn');
  const hash = /xt=urn:btih:([0-9a-z]+)/i.exec(magnet)?.[1] ?? '';
  return { magnet, name: name !== null && name !== '' ? name : hash };
}

/** Handles an add URI: says what is wrong with a bad one; asks, then downloads into the download folder. */
export async function addFromUri(ctx: CommandContext, path: string, query: string): Promise<TorrentInfo | undefined> {
  const add = parseAddUri(path, query);
  if ('error' in add) {
    void ctx.ui.error(`BitTorrent link: ${add.error}.`);
    return undefined;
  }
  const choice = await ctx.ui.confirm(`Download "${add.name}"?`, `A link asks to download this magnet link:\n${add.magnet.slice(0, 300)}`, 'Download');
  if (choice !== 'Download') return undefined;
  return downloadTorrent(ctx, { magnet: add.magnet });
}
