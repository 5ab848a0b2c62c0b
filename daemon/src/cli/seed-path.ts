/**
 * Where `btd seed -f PATH` finds a torrent's data. The session wants the folder that *holds* the
 * torrent's name, while people naturally point at the data itself, possibly under another name.
 */
import { lstat, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Metainfo } from '../metainfo/types';
import { CliError } from './errors';

/** The folder to hand to the session, and a cleanup for anything made to get there. */
export interface SeedLocation {
  savePath: string;
  /** The data as found on disk (for messages). */
  dataPath: string;
  /** Removes the temporary folder of a renamed data link, if one was made. */
  cleanup(): Promise<void>;
}

/**
 * Resolves the data of `meta` from `dataPath` (relative to `cwd`):
 * - no PATH: `cwd/<name>`;
 * - PATH named like the torrent (file for single-file, folder for multi-file): its parent folder;
 * - a folder holding `<name>`: that folder;
 * - data under another name: a link named `<name>` in a private temporary folder, removed on cleanup.
 */
export async function resolveSeedLocation(meta: Metainfo, dataPath: string | undefined, cwd: string): Promise<SeedLocation> {
  const name = meta.name;
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name)) throw new CliError(`torrent name is not a usable file name: ${JSON.stringify(name)}`);
  const multi = meta.multiFile;
  const noop = async (): Promise<void> => {};
  if (dataPath === undefined) {
    const at = join(cwd, name);
    await expectKind(at, multi, `no data for ${name} in ${cwd} (use -f PATH)`);
    return { savePath: cwd, dataPath: at, cleanup: noop };
  }
  const abs = resolve(cwd, dataPath);
  const kind = await kindOf(abs);
  if (kind === undefined) throw new CliError(`data not found: ${dataPath}`);
  if (basename(abs) === name) {
    await expectKind(abs, multi, `${dataPath} is a ${kind} but the torrent needs a ${multi ? 'folder' : 'file'}`);
    return { savePath: dirname(abs), dataPath: abs, cleanup: noop };
  }
  if (kind === 'folder' && (await kindOf(join(abs, name))) === (multi ? 'folder' : 'file')) {
    return { savePath: abs, dataPath: join(abs, name), cleanup: noop };
  }
  if ((kind === 'folder') !== multi) throw new CliError(`${dataPath} is a ${kind} but the torrent needs a ${multi ? 'folder' : 'file'}`);
  return linkUnderName(abs, name);
}

async function linkUnderName(abs: string, name: string): Promise<SeedLocation> {
  const dir = await mkdtemp(join(tmpdir(), 'btd-seed-'));
  await symlink(await realpath(abs), join(dir, name));
  return { savePath: dir, dataPath: abs, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

type Kind = 'file' | 'folder' | 'other';

async function kindOf(p: string): Promise<Kind | undefined> {
  try {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return kindOf(await realpath(p));
    return st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'other';
  } catch {
    return undefined;
  }
}

async function expectKind(p: string, multi: boolean, message: string): Promise<void> {
  if ((await kindOf(p)) !== (multi ? 'folder' : 'file')) throw new CliError(message);
}
