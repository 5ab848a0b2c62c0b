/** The file rows of a torrent: tick or untick them, set their priority, open them. */
import { lookup } from 'mime-types';
import { TorrentFileUrlRequest, TorrentSetFilePrioritiesRequest, type FilePriority, type FilePriorityEntry } from '../../../protocol/src';
import { describeError } from '../errors';
import { checkboxPriorities, type FileTreeEntry } from '../fileTree';
import type { TreeNode } from '../treeModel';
import type { CommandContext } from './context';

/** Finds the files entry of a file or folder row (the tree's last list). */
export type EntryOf = (node: TreeNode) => FileTreeEntry | undefined;

/** A file or folder row given as a command argument, or undefined. */
export function fileRowArg(arg: unknown): TreeNode | undefined {
  const node = arg as Partial<TreeNode> | undefined;
  if (typeof node !== 'object' || node === null || typeof node.infoHash !== 'string' || !Array.isArray(node.path)) return undefined;
  return node.kind === 'file' || node.kind === 'file.complete' || node.kind === 'folder' ? (node as TreeNode) : undefined;
}

/** Sends new priorities; says what failed rather than throw. Resolves to whether the daemon took them. */
async function send(ctx: CommandContext, infoHash: string, priorities: FilePriorityEntry[]): Promise<boolean> {
  if (priorities.length === 0) return true;
  try {
    await ctx.daemon.request(TorrentSetFilePrioritiesRequest.type, { infoHash, priorities });
    return true;
  } catch (err) {
    void ctx.ui.error(describeError('Changing the file priorities', err));
    return false;
  }
}

/** Every file below a row gets `priority` (Skip, Low, Normal or High from the row's Priority menu). */
export async function setRowPriority(ctx: CommandContext, entryOf: EntryOf, arg: unknown, priority: FilePriority): Promise<boolean> {
  const node = fileRowArg(arg);
  const entry = node && entryOf(node);
  if (node === undefined || entry === undefined) return false;
  return send(ctx, node.infoHash, entry.indexes.map((index) => ({ index, priority })));
}

/** A check box changed: unticked files are skipped, ticked ones wanted (a skipped one becomes normal). */
export async function setRowWanted(ctx: CommandContext, entryOf: EntryOf, node: TreeNode, wanted: boolean): Promise<boolean> {
  const entry = entryOf(node);
  if (entry === undefined) return false;
  return send(ctx, node.infoHash, checkboxPriorities(entry, wanted));
}

/** MIME types VS Code shows itself; other files open with the system's program. */
export function opensInEditor(path: string): boolean {
  const type = lookup(path);
  if (type === false) return true; // no known extension: most likely text (README, LICENSE, Makefile)
  return type.startsWith('text/') || /^image\/(png|jpeg|gif|webp|bmp|svg\+xml)$/.test(type) ||
    /^application\/(json|xml|javascript|x-sh|toml|yaml|x-yaml|sql|x-httpd-php)$/.test(type);
}

/** How much of a file still downloading is shown in an editor: its head, fetched in deadline order. */
export const HEAD_BYTES = 1024 * 1024;
/** How long that may take before the user is told. */
export const HEAD_TIMEOUT_MS = 60_000;

/**
 * Open: a complete file in VS Code (text, images) or with the system's program (media, archives, …). A
 * file still downloading goes through the daemon's streaming URL: media to the system's player (which
 * reads it as it arrives, seeking included), text as its first lines once their pieces are there.
 * Resolves to what was opened (a path or a URL).
 */
export async function openFileRow(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  const node = fileRowArg(arg);
  if (node?.diskPath === undefined) return undefined;
  if (node.kind === 'file.complete') {
    if (opensInEditor(node.diskPath)) await ctx.ui.openFile(node.diskPath);
    else await ctx.ui.openExternal(`file://${encodeURI(node.diskPath)}`);
    return node.diskPath;
  }
  if (node.fileIndex === undefined) return undefined;
  try {
    const { url } = await ctx.daemon.request(TorrentFileUrlRequest.type, { infoHash: node.infoHash, fileIndex: node.fileIndex });
    if (!opensInEditor(node.diskPath)) {
      await ctx.ui.openExternal(url);
      return url;
    }
    ctx.ui.status(`Fetching the start of "${node.label}"…`);
    const res = await fetch(url, { headers: { Range: `bytes=0-${HEAD_BYTES - 1}` }, signal: AbortSignal.timeout(HEAD_TIMEOUT_MS) });
    if (res.status !== 200 && res.status !== 206) throw new Error(`the daemon's file server answered ${res.status}`);
    await ctx.ui.showText(await res.text());
    return url;
  } catch (err) {
    void ctx.ui.error(describeError(`Opening "${node.label}"`, err));
    return undefined;
  }
}
