/**
 * The file choices of a torrent added from a magnet link, made before its file list is known: the
 * magnet's BEP 53 `so` selection and the priorities given at add time. Once the metadata is here they
 * become the priorities the torrent opens with, so a file not chosen is never created.
 */
import { countBeyond, isSelected, type FileSelection } from '../metainfo/select-only';
import type { Metainfo } from '../metainfo/types';
import type { FilePriority } from '../picker/priorities';
import type { AddTorrentOptions } from './types';

/** The priority of one file by its index in the torrent (padding files count). */
export interface FilePriorityChange {
  index: number;
  priority: FilePriority;
}

/** Options of Session.addMagnet: as a torrent's, with priorities by index since the file count is not known yet. */
export interface AddMagnetOptions extends Omit<AddTorrentOptions, 'filePriorities' | 'after'> {
  /** Priorities of some files, applied after the magnet's `so` selection; indices the torrent lacks are ignored with a warning. */
  filePriorities?: readonly FilePriorityChange[];
}

/**
 * One priority per file of `m` (torrent order): with a `so` selection the files it names are normal
 * and the others skipped, then `changes` apply on top. Indices beyond the file list, and padding
 * files, are ignored with a warning. Undefined when there is nothing to choose (the saved or
 * default priorities stand).
 */
export function magnetPriorities(
  m: Pick<Metainfo, 'files'>,
  choices: { selectOnly?: FileSelection; filePriorities?: readonly FilePriorityChange[] },
  warn: (message: string) => void,
): FilePriority[] | undefined {
  const { selectOnly, filePriorities = [] } = choices;
  if (!selectOnly && filePriorities.length === 0) return undefined;
  const count = m.files.length;
  const out = m.files.map((f, i): FilePriority => (selectOnly && !f.padding && !isSelected(selectOnly, i) ? 'skip' : 'normal'));
  if (selectOnly) {
    const beyond = countBeyond(selectOnly, count);
    if (beyond > 0) warn(`so: ${beyond} file ${beyond === 1 ? 'index names' : 'indices name'} no file (the torrent has ${count}); ignored`);
    if (m.files.every((f, i) => f.padding || out[i] === 'skip')) warn(`so: selects none of the ${count} files; nothing will be downloaded`);
  }
  const refused: number[] = [];
  for (const { index, priority } of filePriorities) {
    if (index >= count || m.files[index].padding) refused.push(index);
    else out[index] = priority;
  }
  if (refused.length > 0) {
    const list = refused.slice(0, 5).join(', ') + (refused.length > 5 ? ` and ${refused.length - 5} more` : '');
    warn(`filePriorities: no file ${list} (the torrent has ${count}, padding files excepted); ignored`);
  }
  return out;
}

/** The options a magnet's torrent opens with once its metainfo `m` is here. */
export function magnetOpenOptions(m: Metainfo, selectOnly: FileSelection | undefined, opts: AddMagnetOptions, warn: (message: string) => void): AddTorrentOptions {
  const { filePriorities: changes, ...rest } = opts;
  const filePriorities = magnetPriorities(m, { ...(selectOnly ? { selectOnly } : {}), ...(changes ? { filePriorities: changes } : {}) }, warn);
  return { ...rest, ...(filePriorities ? { filePriorities } : {}) };
}
