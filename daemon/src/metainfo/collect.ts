/** Finds the files a new torrent will hold: one file, or a folder walked in a stable order. */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { MetainfoError } from './errors';
import { componentProblem } from './paths';
import { MAX_FILES } from './parse';

/** One file to put in a torrent. */
export interface SourceFile {
  /** Path inside the torrent, without the torrent's name. Empty for a single-file torrent. */
  parts: string[];
  diskPath: string;
  length: number;
  mtimeMs: number;
}

/** What `collectFiles` found. */
export interface Collected {
  name: string;
  multiFile: boolean;
  files: SourceFile[];
}

function check(parts: string[], input: string): void {
  for (const part of parts) {
    const problem = componentProblem(part);
    if (problem) throw new MetainfoError('unsafe-path', `cannot put "${join(input, ...parts)}" in a torrent: ${problem}`);
  }
}

/** Raw-byte order of '/'-joined paths, so every run (and every machine) gives the same file order. */
function byPathBytes(a: SourceFile, b: SourceFile): number {
  return Buffer.compare(Buffer.from(a.parts.join('/')), Buffer.from(b.parts.join('/')));
}

/** Options of `collectFiles`. */
export interface CollectOptions {
  /** Include entries whose names start with '.'. */
  includeHidden?: boolean;
  /** Absolute paths to leave out (e.g. the torrent being written into the folder). */
  exclude?: readonly string[];
}

interface Walk {
  root: string;
  rootReal: string;
  includeHidden: boolean;
  exclude: ReadonlySet<string>;
  out: SourceFile[];
}

async function walk(w: Walk, dir: string[]): Promise<void> {
  const { root, rootReal, out } = w;
  const entries = await readdir(join(root, ...dir), { withFileTypes: true });
  for (const entry of entries) {
    if (!w.includeHidden && entry.name.startsWith('.')) continue;
    const parts = [...dir, entry.name];
    const diskPath = join(root, ...parts);
    if (w.exclude.has(diskPath)) continue;
    if (entry.isDirectory()) {
      await walk(w, parts);
      continue;
    }
    if (entry.isSymbolicLink()) {
      // Followed only to regular files inside the folder; linked folders are skipped (no cycles, no escapes).
      const target = await realpath(diskPath).catch(() => undefined);
      if (!target || !target.startsWith(rootReal + sep)) continue;
      const st = await stat(target);
      if (!st.isFile()) continue;
      check(parts, root);
      out.push({ parts, diskPath: target, length: st.size, mtimeMs: st.mtimeMs });
    } else if (entry.isFile()) {
      check(parts, root);
      const st = await stat(diskPath);
      out.push({ parts, diskPath, length: st.size, mtimeMs: st.mtimeMs });
    }
    if (out.length > MAX_FILES) throw new MetainfoError('bad-field', `${root} holds more than ${MAX_FILES} files`);
  }
}

/** Collects a file or a folder (hidden entries skipped unless asked); refuses names unsafe in a torrent. */
export async function collectFiles(input: string, opts: CollectOptions = {}): Promise<Collected> {
  const path = resolve(input);
  const name = basename(path);
  check([name], input);
  const st = await lstat(path);
  const real = st.isSymbolicLink() ? await stat(path) : st;
  if (real.isFile()) {
    return { name, multiFile: false, files: [{ parts: [], diskPath: path, length: real.size, mtimeMs: real.mtimeMs }] };
  }
  if (!real.isDirectory()) throw new MetainfoError('bad-field', `${input} is neither a file nor a folder`);
  const files: SourceFile[] = [];
  const exclude = new Set((opts.exclude ?? []).map((p) => resolve(p)));
  await walk({ root: path, rootReal: await realpath(path), includeHidden: Boolean(opts.includeHidden), exclude, out: files }, []);
  if (files.length === 0) throw new MetainfoError('empty', `${input} holds no files to share`);
  files.sort(byPathBytes);
  return { name, multiFile: true, files };
}
