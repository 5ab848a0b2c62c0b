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
const PLAIN = /^(?=.*[^. ])[\x20-\x2e\x30-\x39\x3b-\x5b\x5d-\x7e]+$/;
// C0 and C1 controls, DEL, and the bidirectional overrides and isolates that make a name display as
// another (e.g. U+202E turning "gpj.exe" into "exe.jpg" on screen).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * A name quoted for a message: JSON quoting, and every control or bidirectional-override character
 * as a \\uXXXX escape, so that nothing raw reaches a terminal.
 */
export function quoted(name: string): string {
  return JSON.stringify(name).replace(new RegExp(CONTROL.source, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why this component is unsafe as one path segment, or undefined if it is fine. */
export function componentProblem(component: string): string | undefined {
  // Most names: printable ASCII without a slash, backslash or colon, and not only dots and spaces.
  if (component.length <= MAX_COMPONENT_BYTES && PLAIN.test(component) && !WINDOWS_RESERVED.test(component.split('.')[0].replace(/[ ]+$/, ''))) return undefined;
  if (component.length === 0) return 'empty path component';
  if (CONTROL.test(component)) return 'control or bidirectional-override character in path component';
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
    if (problem) throw new MetainfoError('unsafe-path', `${what}: ${problem} in ${quoted(parts.join('/'))}`);
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

/**
 * `safeFilePath` for every file of a torrent: the same checks, with each distinct component checked
 * once (a torrent of many files repeats its folder names) and the root resolved once.
 */
export function safeFilePaths(root: string, paths: readonly (readonly string[])[]): string[] {
  const base = resolve(root);
  const prefix = base.endsWith(sep) ? base : base + sep;
  const fine = new Set<string>();
  return paths.map((parts) => {
    if (parts.length === 0 || parts.some((p) => !fine.has(p))) {
      checkPathParts(parts, 'file path');
      for (const p of parts) fine.add(p);
    }
    // Every component is a plain name (no separator, not "." or ".."), so joining stays under base.
    const full = prefix + parts.join(sep);
    if (!full.startsWith(prefix)) throw new MetainfoError('unsafe-path', `file path "${parts.join('/')}" would leave ${base}`);
    return full;
  });
}

/**
 * A component as case-insensitive, normalizing file systems see it (macOS, Windows): NFC, lower case,
 * trailing dots and spaces dropped (Windows drops them).
 */
function folded(component: string): string {
  // eslint-disable-next-line no-control-regex -- ASCII needs no normalization
  const nfc = /^[\u0000-\u007f]*$/.test(component) ? component : component.normalize('NFC');
  const lower = nfc.toLowerCase();
  const end = lower.length - (/[. ]+$/.exec(lower)?.[0].length ?? 0);
  return end === lower.length ? lower : lower.slice(0, end);
}

/**
 * Refuses two files with the same path, a file that is also a folder of another file, and paths that
 * differ only in case, Unicode normalization or trailing dots — one file would overwrite the other on
 * macOS or Windows. Linear: one Map lookup per path level, each key built once.
 */
export class PathCollisions {
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, string>();

  /** Adds one file's path; MetainfoError('duplicate-path') if it collides with one added before. */
  add(parts: readonly string[]): void {
    let key = '';
    let shown = '';
    for (let i = 0; i < parts.length; i++) {
      key = i === 0 ? folded(parts[0]) : `${key}/${folded(parts[i])}`;
      shown = i === 0 ? parts[0] : `${shown}/${parts[i]}`;
      const last = i === parts.length - 1;
      const file = this.files.get(key);
      const folder = this.folders.get(key);
      if (file !== undefined || (last && folder !== undefined)) {
        const other = file ?? folder ?? '';
        if (other === shown) throw new MetainfoError('duplicate-path', `file path "${shown}" appears twice (or is also a folder)`);
        throw new MetainfoError('duplicate-path', `"${other}" and "${shown}" differ only in case, Unicode normalization or trailing dots; they would be one file on macOS and Windows`);
      }
      if (last) this.files.set(key, shown);
      else if (!this.folders.has(key)) this.folders.set(key, shown);
    }
  }
}

/** Checks a whole list of paths at once (see PathCollisions). */
export function checkDuplicatePaths(paths: readonly (readonly string[])[]): void {
  const seen = new PathCollisions();
  for (const parts of paths) seen.add(parts);
}
