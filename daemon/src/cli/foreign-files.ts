/**
 * `btd download` never overwrites a file it did not write: on a first run (no resume state of ours),
 * files already standing under the torrent's names are checked like any data, and one that holds no
 * verified piece of the torrent stops the run, unless `--force` says to overwrite it.
 */
import { lstat } from 'node:fs/promises';
import type { Metainfo } from '../metainfo';
import { torrentFilePaths } from '../storage/file-storage';
import { stateFileOf } from '../storage/torrent-data';

const present = (path: string): Promise<{ size: number } | undefined> => lstat(path).then((st) => st, () => undefined);

/** Indexes of the torrent's files that exist, non-empty, before a first run (none once we have resume state). */
export async function preexistingFiles(m: Metainfo, savePath: string, stateDir: string): Promise<number[]> {
  if (await present(stateFileOf(m, stateDir))) return [];
  const paths = torrentFilePaths(m, savePath);
  const out: number[] = [];
  for (const [i, path] of paths.entries()) {
    const st = await present(path);
    if (st && st.size > 0) out.push(i);
  }
  return out;
}

/** The paths, among `indexes`, of files that overlap no verified piece. */
export function unverifiedFiles(m: Metainfo, savePath: string, indexes: readonly number[], verified: { has(piece: number): boolean }): string[] {
  const paths = torrentFilePaths(m, savePath);
  let offset = 0;
  const starts = m.files.map((f) => {
    const at = offset;
    offset += f.length;
    return at;
  });
  return indexes
    .filter((i) => {
      const first = Math.floor(starts[i] / m.pieceLength);
      const last = Math.floor((starts[i] + m.files[i].length - 1) / m.pieceLength);
      for (let p = first; p <= last; p++) if (verified.has(p)) return false;
      return true;
    })
    .map((i) => paths[i]);
}
