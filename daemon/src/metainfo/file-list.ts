/**
 * A multi-file torrent's `info.files`, read straight from the raw bytes into file entries. The decoder
 * has already checked that list as strict bencode (and counted it against the item cap) without
 * building it, so no tree of a dictionary per file is ever alive: for 100,000 files that tree was most
 * of the parse's time, in garbage collection. Every field is checked here as the typed getters would,
 * in the same order and with the same messages.
 */
import { Reader, type Span } from '../bencode';
import { MetainfoError } from './errors';
import { checkPathParts, PathCollisions } from './paths';
import type { FileEntry } from './types';

/** Most files in one torrent (docs/limits.md): twice the 100,000 that btd adds in about a second. */
export const MAX_FILES = 200_000;
/** Files read between two yields to the event loop. */
const FILES_PER_SLICE = 10_000;
/** Nesting of a file entry's dictionary (top 1, info 2, files 3). */
const ENTRY_DEPTH = 4;

const LOWER_D = 0x64;
const LOWER_E = 0x65;
const LOWER_I = 0x69;
const LOWER_L = 0x6c;

const utf8 = new TextDecoder('utf-8');

/** The kind of the value starting with byte `c`, named as the typed getters name it. */
function kindOf(c: number): string {
  if (c === LOWER_I) return 'integer';
  if (c === LOWER_L) return 'list';
  if (c === LOWER_D) return 'dictionary';
  return 'byte string';
}

function wrongType(what: string, expected: string, c: number): MetainfoError {
  return new MetainfoError('bad-field', `${what}: expected ${expected}, got ${kindOf(c)}`);
}

/** What one entry's dictionary held, before it is checked. */
interface Fields {
  /** The length, or the first byte of a value of another kind. */
  length?: number | { kind: number };
  path?: { parts: string[]; bad?: { at: number; kind: number } } | { kind: number };
  attr?: Uint8Array | { kind: number };
}

/**
 * Reads the files of the list at `span` of `raw` (already checked as bencode), yielding between slices
 * of FILES_PER_SLICE files. `name` is the torrent's name, the first component of every path.
 */
export function* readFileList(raw: Uint8Array, span: Span, name: string): Generator<void, FileEntry[]> {
  const r = new Reader(raw.subarray(0, span.end), span.start + 1);
  if (r.peek() === LOWER_E) throw new MetainfoError('empty', 'info.files: empty list');
  const files: FileEntry[] = [];
  const collisions = new PathCollisions();
  const names = new Names();
  let offset = 0;
  for (let i = 0; r.peek() !== LOWER_E; i++) {
    if (i >= MAX_FILES) throw new MetainfoError('too-many-files', `info.files: more than ${MAX_FILES} files; btd takes at most ${MAX_FILES}`);
    if (i > 0 && i % FILES_PER_SLICE === 0) yield;
    const what = `info.files[${i}]`;
    const c = r.peek();
    if (c !== LOWER_D) throw wrongType(what, 'a dictionary', c);
    const file = entryOf(readFields(r, names), what, name, offset, names);
    files.push(file);
    // Padding files are never written, and libtorrent gives pads of one size the same path (.pad/N).
    if (!file.padding) collisions.add(file.path);
    offset += file.length;
    if (!Number.isSafeInteger(offset)) throw new MetainfoError('bad-length', 'info.files: total length too large');
  }
  return files;
}

/** Reads the dictionary at `r.pos`, keeping the fields a file entry uses and stepping over the rest. */
function readFields(r: Reader, names: Names): Fields {
  const fields: Fields = {};
  r.pos++; // 'd'
  while (r.peek() !== LOWER_E) {
    const key = r.key();
    const c = r.peek();
    if (key === 'length') fields.length = c === LOWER_I ? r.integer() : skipped(r, c);
    else if (key === 'path') fields.path = c === LOWER_L ? readParts(r, names) : skipped(r, c);
    else if (key === 'attr' && c !== LOWER_I && c !== LOWER_L && c !== LOWER_D) fields.attr = r.byteString();
    else if (key === 'attr') fields.attr = skipped(r, c);
    else r.skip(ENTRY_DEPTH, Number.POSITIVE_INFINITY);
  }
  r.pos++; // 'e'
  return fields;
}

function skipped(r: Reader, kind: number): { kind: number } {
  r.skip(ENTRY_DEPTH, Number.POSITIVE_INFINITY);
  return { kind };
}

function readParts(r: Reader, names: Names): { parts: string[]; bad?: { at: number; kind: number } } {
  const parts: string[] = [];
  let bad: { at: number; kind: number } | undefined;
  r.pos++; // 'l'
  for (let j = 0; r.peek() !== LOWER_E; j++) {
    const c = r.peek();
    if (c === LOWER_I || c === LOWER_L || c === LOWER_D) {
      bad ??= { at: j, kind: c };
      r.skip(ENTRY_DEPTH + 1, Number.POSITIVE_INFINITY);
      continue;
    }
    const from = r.stringStart();
    parts.push(names.text(r, from));
  }
  r.pos++; // 'e'
  return { parts, bad };
}

/** Checks one entry's fields in the order, and with the messages, of the typed getters. */
function entryOf(f: Fields, what: string, name: string, offset: number, names: Names): FileEntry {
  if (f.length === undefined) throw new MetainfoError('missing-field', `${what}.length: missing`);
  if (typeof f.length !== 'number') throw wrongType(`${what}.length`, 'an integer', f.length.kind);
  if (f.length < 0) throw new MetainfoError('bad-length', `${what}.length: negative length ${f.length}`);
  if (f.path === undefined) throw new MetainfoError('missing-field', `${what}.path: missing`);
  if (!('parts' in f.path)) throw wrongType(`${what}.path`, 'a list', f.path.kind);
  const { parts, bad } = f.path;
  if (bad !== undefined) throw wrongType(`${what}.path[${bad.at}]`, 'a byte string', bad.kind);
  names.check(parts, `${what}.path`);
  if (f.attr !== undefined && !(f.attr instanceof Uint8Array)) throw wrongType(`${what}.attr`, 'a byte string', f.attr.kind);
  const entry: FileEntry = { path: [name, ...parts], length: f.length, offset };
  const flags = f.attr ? knownAttr(f.attr) : '';
  if (flags.includes('p')) entry.padding = true;
  if (flags) entry.attr = flags;
  return entry;
}

/** The BEP 47 flags btd knows that `attr` carries, in a fixed order; unknown bytes are ignored. */
export function knownAttr(attr: Uint8Array): string {
  return [...'pxhl'].filter((c) => attr.includes(c.charCodeAt(0))).join('');
}

/**
 * Path components: each decoded once per entry, the same string kept for a name seen before (folder
 * names repeat over many files), and each distinct one checked for safety once.
 */
class Names {
  private readonly safe = new Map<string, string>();

  /** The UTF-8 text of the string that ends at `r.pos` and starts at `from`. */
  text(r: Reader, from: number): string {
    const s = utf8.decode(r.bytesOf(from));
    return this.safe.get(s) ?? s;
  }

  /** Throws MetainfoError('unsafe-path') naming `what` if a component is unsafe; remembers safe ones. */
  check(parts: string[], what: string): void {
    let all = parts.length > 0;
    for (const p of parts) if (!this.safe.has(p)) all = false;
    if (all) return;
    checkPathParts(parts, what);
    for (const p of parts) this.safe.set(p, p);
  }
}
