/** `--only` and `--skip`: file priorities from globs over the paths inside a torrent. */
import { minimatch } from 'minimatch';
import type { Metainfo } from '../metainfo/types';
import type { FilePriority } from '../picker/priorities';
import { CliError } from './errors';

/** The path a glob is matched against: inside the torrent's folder (the name itself for a single file). */
function innerPath(m: Pick<Metainfo, 'multiFile'>, path: readonly string[]): string {
  return (m.multiFile ? path.slice(1) : path).join('/');
}

/** Does `glob` match this path? A glob without '/' also matches the file name alone (`*.mkv`). */
function matches(glob: string, path: string): boolean {
  return minimatch(path, glob, { dot: true, matchBase: !glob.includes('/'), nocase: false });
}

/**
 * Priorities for every file (torrent order): with `only`, the files matching one of its globs are
 * normal and the others skipped; then files matching a `skip` glob are skipped. Undefined when neither
 * is given. A glob that matches no file, or a selection that leaves nothing, is a CliError.
 */
export function selectFiles(m: Pick<Metainfo, 'files' | 'multiFile'>, only: readonly string[], skip: readonly string[]): FilePriority[] | undefined {
  if (only.length === 0 && skip.length === 0) return undefined;
  const paths = m.files.map((f) => (f.padding ? undefined : innerPath(m, f.path)));
  const hits = (glob: string, flag: string): boolean[] => {
    const hit = paths.map((p) => p !== undefined && matches(glob, p));
    if (!hit.includes(true)) throw new CliError(`${flag} ${glob} matches no file of the torrent (see btd info --files)`);
    return hit;
  };
  const onlyHits = only.map((g) => hits(g, '--only'));
  const skipHits = skip.map((g) => hits(g, '--skip'));
  const out = m.files.map((_, i): FilePriority => {
    if (only.length > 0 && !onlyHits.some((h) => h[i])) return 'skip';
    return skipHits.some((h) => h[i]) ? 'skip' : 'normal';
  });
  if (m.files.every((f, i) => f.padding || f.length === 0 || out[i] === 'skip')) throw new CliError('--only/--skip leave no file to download');
  return out;
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
