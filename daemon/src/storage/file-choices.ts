/**
 * The user's choices about a torrent's files, kept next to its resume state in
 * `<stateDir>/<infohash>.files`: each file's priority, which skipped files live in the parts file,
 * and sequential mode. JSON, versioned, validated on load, written atomically (temp, fsync, rename).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isFilePriority, type FilePriority } from '../picker/priorities';
import type { Metainfo } from '../metainfo/types';
import { writeFileAtomic } from './resume';

/** Priorities per file (torrent order), files kept in the parts file, sequential mode. */
export interface FileChoices {
  priorities: FilePriority[];
  inParts: number[];
  sequential: boolean;
}

const FORMAT = 'btd-files';
const VERSION = 1;

/** The choices file of a torrent inside `stateDir`. */
export function choicesFileOf(m: Pick<Metainfo, 'infoHashHex'>, stateDir: string): string {
  return join(stateDir, `${m.infoHashHex}.files`);
}

/** Every file normal, nothing in the parts file, rarest first. */
export function defaultChoices(fileCount: number): FileChoices {
  return { priorities: new Array<FilePriority>(fileCount).fill('normal'), inParts: [], sequential: false };
}

/** Largest choices file accepted for `fileCount` files. */
function maxSize(fileCount: number): number {
  return 4096 + fileCount * 20;
}

/** Serializes choices. */
export function encodeChoices(c: FileChoices): Uint8Array {
  return Buffer.from(JSON.stringify({ format: FORMAT, version: VERSION, priorities: c.priorities, inParts: c.inParts, sequential: c.sequential }), 'utf8');
}

/** A copy that shares no array with `c`. */
export function copyChoices(c: FileChoices): FileChoices {
  return { priorities: [...c.priorities], inParts: [...c.inParts], sequential: c.sequential };
}

/** Whether two choices say the same (parts file lists compared as sets); `undefined` (none saved) equals nothing. */
export function sameChoices(a: FileChoices | undefined, b: FileChoices): boolean {
  if (!a || a.sequential !== b.sequential || a.priorities.length !== b.priorities.length || a.inParts.length !== b.inParts.length) return false;
  for (let i = 0; i < a.priorities.length; i++) if (a.priorities[i] !== b.priorities[i]) return false;
  const parts = new Set(a.inParts);
  return b.inParts.every((i) => parts.has(i));
}

/** Parses choices for a torrent of `fileCount` files; throws Error naming what is wrong. */
export function decodeChoices(bytes: Uint8Array, fileCount: number): FileChoices {
  if (bytes.length > maxSize(fileCount)) throw new Error(`too large (${bytes.length} bytes)`);
  const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || o.format !== FORMAT || o.version !== VERSION) throw new Error('not a btd files state of a known version');
  const { priorities, inParts, sequential } = o;
  if (!Array.isArray(priorities) || priorities.length !== fileCount || !priorities.every(isFilePriority)) throw new Error('priorities do not match the torrent');
  if (!Array.isArray(inParts) || !inParts.every((i) => Number.isInteger(i) && i >= 0 && i < fileCount)) throw new Error('bad parts file list');
  if (typeof sequential !== 'boolean') throw new Error('bad sequential flag');
  return { priorities: priorities as FilePriority[], inParts: [...new Set(inParts as number[])], sequential };
}

/** Reads the choices file: undefined when absent; a reason when unusable. Never throws. */
export async function loadChoices(path: string, fileCount: number): Promise<{ choices?: FileChoices; problem?: string }> {
  try {
    const st = await stat(path);
    if (st.size > maxSize(fileCount)) return { problem: `ignoring ${path}: too large` };
    return { choices: decodeChoices(await readFile(path), fileCount) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { problem: `ignoring ${path}: ${(err as Error).message}` };
  }
}

/** Writes the choices so that the file is the old or the new version at every instant. */
export function saveChoices(path: string, c: FileChoices): Promise<void> {
  return writeFileAtomic(path, encodeChoices(c));
}
