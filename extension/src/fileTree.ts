/**
 * The files of a torrent as a folder hierarchy, from the daemon's flat `torrent/files` list: per-file and
 * per-folder size and progress, check boxes (wanted or skipped) and which file indexes a row stands for.
 */
import type { FilePriority, TorrentFileStatus } from '../../protocol/src';
import { formatBytes, formatPercent } from './format';

/** A folder or a file of the hierarchy. */
export interface FileTreeEntry {
  /** The entry's name (one path component). */
  name: string;
  /** Path components from the torrent's top (the torrent's own folder left out). */
  path: string[];
  /** Files below (or the file itself): their indexes in the torrent. */
  indexes: number[];
  length: number;
  bytesDone: number;
  /** Set on a file. */
  file?: TorrentFileStatus;
  /** Sub-folders first, then files, each by name. */
  children: FileTreeEntry[];
}

/** The folder hierarchy of a torrent's files; a multi-file torrent's common top folder is left out. */
export function buildFileTree(files: readonly TorrentFileStatus[]): FileTreeEntry {
  const strip = commonTop(files);
  const root = folder('', []);
  const folders = new Map<string, FileTreeEntry>([['', root]]);
  for (const f of files) {
    const parts = f.path.slice(strip);
    let parent: FileTreeEntry = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const key = parts.slice(0, i + 1).join('/');
      let next = folders.get(key);
      if (next === undefined) {
        next = folder(parts[i], parts.slice(0, i + 1));
        folders.set(key, next);
        parent.children.push(next);
      }
      parent = next;
    }
    parent.children.push({ name: parts[parts.length - 1] ?? f.path.join('/'), path: parts, indexes: [f.index], length: f.length, bytesDone: f.bytesDone, file: f, children: [] });
  }
  total(root);
  return root;
}

/** The entry at `path` (components from the top), or undefined when the torrent has no such folder. */
export function findEntry(root: FileTreeEntry, path: readonly string[]): FileTreeEntry | undefined {
  let at: FileTreeEntry | undefined = root;
  for (const name of path) {
    at = at.children.find((c) => c.name === name);
    if (at === undefined) return undefined;
  }
  return at;
}

/** True when some file below is wanted (its check box is ticked). */
export function isWanted(entry: FileTreeEntry): boolean {
  return entry.file !== undefined ? entry.file.priority !== 'skip' : entry.children.some(isWanted);
}

/** A row's description: `42% of 1.2 MB`, with the priority when it is not normal. */
export function entryDescription(entry: FileTreeEntry): string {
  const progress = entry.length > 0 ? entry.bytesDone / entry.length : 1;
  const parts = [`${formatPercent(progress)} of ${formatBytes(entry.length)}`];
  const priority = entryPriority(entry);
  if (priority !== 'normal') parts.push(priority === 'mixed' ? 'mixed priorities' : priority);
  return parts.join(' · ');
}

/** The one priority of every file below, or 'mixed'. */
export function entryPriority(entry: FileTreeEntry): FilePriority | 'mixed' {
  const seen = new Set<FilePriority>();
  const visit = (e: FileTreeEntry): void => {
    if (e.file !== undefined) seen.add(e.file.priority);
    else e.children.forEach(visit);
  };
  visit(entry);
  return seen.size === 1 ? [...seen][0] : 'mixed';
}

/** The priorities to send when a row's check box changes: ticked = normal (high/low kept), unticked = skip. */
export function checkboxPriorities(entry: FileTreeEntry, checked: boolean): { index: number; priority: FilePriority }[] {
  const out: { index: number; priority: FilePriority }[] = [];
  const visit = (e: FileTreeEntry): void => {
    if (e.file === undefined) return e.children.forEach(visit);
    if (!checked) out.push({ index: e.file.index, priority: 'skip' });
    else if (e.file.priority === 'skip') out.push({ index: e.file.index, priority: 'normal' });
  };
  visit(entry);
  return out;
}

function folder(name: string, path: string[]): FileTreeEntry {
  return { name, path, indexes: [], length: 0, bytesDone: 0, children: [] };
}

/** Sums sizes and indexes into folders, and orders children: folders, then files, by name. */
function total(entry: FileTreeEntry): void {
  if (entry.file !== undefined) return;
  for (const c of entry.children) {
    total(c);
    entry.length += c.length;
    entry.bytesDone += c.bytesDone;
    for (const i of c.indexes) entry.indexes.push(i);
  }
  entry.children.sort((a, b) => Number(a.file !== undefined) - Number(b.file !== undefined) || a.name.localeCompare(b.name));
}

/** 1 when every path starts with the same folder (a multi-file torrent's name), else 0. */
function commonTop(files: readonly TorrentFileStatus[]): number {
  if (files.length === 0 || files.some((f) => f.path.length < 2)) return 0;
  const top = files[0].path[0];
  return files.every((f) => f.path[0] === top) ? 1 : 0;
}
