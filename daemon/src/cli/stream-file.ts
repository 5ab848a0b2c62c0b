/** `btd stream --file N|GLOB`: which file of a torrent to stream. */
import type { Metainfo } from '../metainfo/types';
import { CliError } from './errors';
import { selectFiles } from './file-select';

/**
 * The index of the file `spec` names: a number is a file index (as `btd info --files` lists it), anything
 * else a glob over the paths inside the torrent (the largest match wins). Without `spec`, the largest
 * file. A padding file, an index out of range or a glob matching nothing is a CliError.
 */
export function chooseStreamFile(m: Pick<Metainfo, 'files' | 'multiFile' | 'name'>, spec: string | undefined): number {
  const candidates = m.files.map((f, i) => ({ f, i })).filter(({ f }) => !f.padding);
  let chosen = candidates;
  if (spec !== undefined && /^\d+$/.test(spec)) {
    const index = Number(spec);
    if (index >= m.files.length || m.files[index].padding) throw new CliError(`--file ${spec}: ${m.name} has no file ${index} (it has ${m.files.length}; see btd info --files)`);
    return index;
  }
  if (spec !== undefined) {
    let priorities: string[];
    try {
      priorities = selectFiles(m, [spec], []) ?? [];
    } catch {
      throw new CliError(`--file ${spec} matches no file of ${m.name} (see btd info --files)`);
    }
    chosen = candidates.filter(({ i }) => priorities[i] !== 'skip');
  }
  const best = chosen.reduce((a, b) => (b.f.length > a.f.length ? b : a), chosen[0]);
  if (!best) throw new CliError(`${m.name} has no file to stream`);
  return best.i;
}
