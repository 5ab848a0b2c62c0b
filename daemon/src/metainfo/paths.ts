/**
 * File paths from torrents are hostile input. These checks refuse any component that could leave the
 * download folder, or name a device, on any OS — not only the one we run on.
 */
import { resolve, sep } from 'node:path';
import { MetainfoError } from './errors';

/** Longest component accepted, in UTF-8 bytes (the common filesystem limit). */
export const MAX_COMPONENT_BYTES = 255;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;
const DRIVE = /^[a-z]:/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/** Why this component is unsafe as one path segment, or undefined if it is fine. */
export function componentProblem(component: string): string | undefined {
  if (component.length === 0) return 'empty path component';
  if (CONTROL.test(component)) return 'control character (e.g. NUL) in path component';
  if (component.includes('/') || component.includes('\\')) return 'slash or backslash inside a path component';
  // Windows drops trailing dots and spaces, so ".. " or "..." would act as ".." or "".
  if (/^[. ]+$/.test(component)) return `"${component}" is not a file name`;
  if (DRIVE.test(component)) return 'drive letter in path component';
  const base = component.split('.')[0].replace(/[ ]+$/, '');
  if (WINDOWS_RESERVED.test(base)) return `"${component}" is a reserved device name on Windows`;
  if (Buffer.byteLength(component, 'utf8') > MAX_COMPONENT_BYTES) return `path component longer than ${MAX_COMPONENT_BYTES} bytes`;
  return undefined;
}

/** Throws MetainfoError('unsafe-path') naming `what` if any component is unsafe. */
export function checkPathParts(parts: readonly string[], what: string): void {
  if (parts.length === 0) throw new MetainfoError('unsafe-path', `${what}: empty path`);
  for (const part of parts) {
    const problem = componentProblem(part);
    // JSON quoting shows control characters as escapes instead of sending them to a terminal.
    if (problem) throw new MetainfoError('unsafe-path', `${what}: ${problem} in ${JSON.stringify(parts.join('/'))}`);
  }
}

/**
 * The only way btd turns a torrent's file path into a disk path: checks every component, joins under
 * `root`, and verifies the result stays inside it.
 */
export function safeFilePath(root: string, pathParts: readonly string[]): string {
  checkPathParts(pathParts, 'file path');
  const base = resolve(root);
  const full = resolve(base, ...pathParts);
  const prefix = base.endsWith(sep) ? base : base + sep;
  if (!full.startsWith(prefix)) {
    throw new MetainfoError('unsafe-path', `file path "${pathParts.join('/')}" would leave ${base}`);
  }
  return full;
}

/** Refuses two files with the same path, or a file that is also a folder of another file. */
export function checkDuplicatePaths(paths: readonly (readonly string[])[]): void {
  const files = new Set<string>();
  const folders = new Set<string>();
  for (const parts of paths) {
    const key = parts.join('/');
    if (files.has(key) || folders.has(key)) {
      throw new MetainfoError('duplicate-path', `file path "${key}" appears twice (or is also a folder)`);
    }
    files.add(key);
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (files.has(folder)) throw new MetainfoError('duplicate-path', `"${folder}" is both a file and a folder`);
      folders.add(folder);
    }
  }
}
