/** The file rows of a torrent: tick or untick them, set their priority, open them. */
import { lookup } from 'mime-types';
import { TorrentSetFilePrioritiesRequest, type FilePriority, type FilePriorityEntry } from '../../../protocol/src';
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

/** Open: a complete file in VS Code (text, images) or with the system's program (media, archives, …). */
export async function openFileRow(ctx: CommandContext, arg: unknown): Promise<string | undefined> {
  const node = fileRowArg(arg);
  if (node?.diskPath === undefined) return undefined;
  if (node.kind !== 'file.complete') {
    void ctx.ui.info(`"${node.label}" is not downloaded yet (${node.description}); it opens once it is complete.`);
    return undefined;
  }
  if (opensInEditor(node.diskPath)) await ctx.ui.openFile(node.diskPath);
  else await ctx.ui.openExternal(`file://${encodeURI(node.diskPath)}`);
  return node.diskPath;
}
