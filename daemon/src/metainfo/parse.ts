/** Parse and validate v1 metainfo (single and multi-file), hashing the info dictionary's raw bytes. */
import { createHash } from 'node:crypto';
import {
  BencodeError,
  asDict,
  asList,
  bdecodeWithSpans,
  bdecodeWithSpansSteps,
  getBytes,
  getDict,
  getInt,
  getList,
  getString,
  isBytes,
  isList,
  optBytes,
  optInt,
  optString,
  asString,
} from '../bencode';
import type { BDict, BValue } from '../bencode';
import { MetainfoError } from './errors';
import { checkPathParts, PathCollisions } from './paths';
import { checkPieceLength } from './piece-length';
import type { FileEntry, Metainfo } from './types';
import { pieceCountOf } from '../util/geometry';

/** Largest .torrent accepted (a 10 TB torrent with 16 MiB pieces needs ~12 MB). */
export const MAX_METAINFO_SIZE = 64 * 1024 * 1024;
/** Deepest nesting accepted; real files need 5 levels. */
export const MAX_METAINFO_DEPTH = 32;
/**
 * Most files in one torrent (docs/limits.md): twice the 100,000 that btd adds in about a second, and
 * about what libtorrent's default bound of 2 million decoder tokens admits (some 9 tokens a file).
 */
export const MAX_FILES = 200_000;
/**
 * Most bencoded values in a .torrent. A file entry with a path of n components is 5 + n values, so
 * MAX_FILES files of up to 10 components fit; the decoder stops here before building the rest.
 */
export const MAX_METAINFO_ITEMS = 3_000_000;
/** Files checked, and bencoded values decoded, between two yields to the event loop in `parseMetainfoSliced`. */
const FILES_PER_SLICE = 10_000;
const VALUES_PER_SLICE = 50_000;

/** Parses and validates a .torrent file; throws MetainfoError naming the field on any problem. */
export function parseMetainfo(bytes: Uint8Array): Metainfo {
  const steps = parseSteps(bytes);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `parseMetainfo` that hands the event loop back between slices of FILES_PER_SLICE files, so a
 * daemon goes on answering while it checks a torrent of very many files.
 */
export async function parseMetainfoSliced(bytes: Uint8Array): Promise<Metainfo> {
  const steps = parseSteps(bytes);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The parse as steps: each `next()` does a bounded share of the work. */
function* parseSteps(bytes: Uint8Array): Generator<void, Metainfo> {
  try {
    return yield* parseChecked(bytes);
  } catch (err) {
    if (err instanceof BencodeError) throw fromBencodeError(err);
    throw err;
  }
}

function fromBencodeError(err: BencodeError): MetainfoError {
  // Only file entries can make a valid torrent this large (the piece hashes are one string).
  if (err.code === 'too-many-items') return new MetainfoError('too-many-files', `more than ${MAX_METAINFO_ITEMS} bencoded values; btd takes at most ${MAX_FILES} files`);
  const code = err.code === 'missing-key' ? 'missing-field' : err.code === 'wrong-type' ? 'bad-field' : 'not-bencode';
  const prefix = code === 'not-bencode' ? 'not a torrent file: ' : '';
  return new MetainfoError(code, `${prefix}${err.message}`);
}

function* parseChecked(raw: Uint8Array): Generator<void, Metainfo> {
  const limits = { maxSize: MAX_METAINFO_SIZE, maxDepth: MAX_METAINFO_DEPTH, maxItems: MAX_METAINFO_ITEMS };
  const decoded = yield* bdecodeWithSpansSteps(raw, limits, 2, VALUES_PER_SLICE);
  const top = asDict(decoded.value, 'torrent');
  const info = getDict(top, 'info');
  const span = decoded.span(info);
  if (!span) throw new Error('bencode span of info missing');
  const infoBytes = Uint8Array.from(raw.subarray(span.start, span.end));
  const infoHash = new Uint8Array(createHash('sha1').update(infoBytes).digest());

  const name = getString(info, 'name', 'info.name');
  checkPathParts([name], 'info.name');
  const pieceLength = getInt(info, 'piece length', 'info.piece length');
  checkPieceLength(pieceLength);
  const { files, multiFile } = yield* parseFiles(info, name);
  const last = files[files.length - 1];
  const totalLength = last.offset + last.length;
  if (totalLength === 0) throw new MetainfoError('empty', 'torrent has no data (total length 0)');
  const pieceCount = pieceCountOf(pieceLength, totalLength);
  const pieces = getBytes(info, 'pieces', 'info.pieces');
  if (pieces.length % 20 !== 0) {
    throw new MetainfoError('bad-pieces', `info.pieces: length ${pieces.length} is not a multiple of 20`);
  }
  if (pieces.length !== pieceCount * 20) {
    throw new MetainfoError(
      'bad-pieces',
      `info.pieces: ${pieces.length / 20} hashes, but ${totalLength} bytes in ${pieceLength}-byte pieces need ${pieceCount}`,
    );
  }
  const announce = optString(top, 'announce');
  const list = parseAnnounceList(top.get('announce-list'));
  let dict: BDict | undefined;
  return {
    infoHash,
    infoHashHex: Buffer.from(infoHash).toString('hex'),
    name,
    pieceLength,
    pieceCount,
    totalLength,
    pieces,
    files,
    multiFile,
    announce,
    announceList: list.length > 0 ? list : announce ? [[announce]] : [],
    private: info.get('private') === 1,
    urlList: parseUrlList(top.get('url-list')),
    comment: optString(top, 'comment'),
    createdBy: optString(top, 'created by'),
    creationDate: optInt(top, 'creation date'),
    infoBytes,
    raw,
    // Decoded again when asked: keeping the tree of a torrent of many files costs a kilobyte a file.
    get dict(): BDict {
      dict ??= asDict(bdecodeWithSpans(raw, limits, 1).value, 'torrent');
      return dict;
    },
  };
}

function checkLength(n: number, what: string): number {
  if (n < 0) throw new MetainfoError('bad-length', `${what}: negative length ${n}`);
  return n;
}

function* parseFiles(info: BDict, name: string): Generator<void, { files: FileEntry[]; multiFile: boolean }> {
  const list = info.get('files');
  if (list === undefined) {
    if (!info.has('length') && info.has('file tree')) {
      throw new MetainfoError('unsupported', 'v2-only torrents (BEP 52) are not supported');
    }
    const length = checkLength(getInt(info, 'length', 'info.length'), 'info.length');
    return { files: [{ path: [name], length, offset: 0 }], multiFile: false };
  }
  if (info.has('length')) throw new MetainfoError('bad-field', 'info: has both "length" and "files"');
  const entries = asList(list, 'info.files');
  if (entries.length === 0) throw new MetainfoError('empty', 'info.files: empty list');
  if (entries.length > MAX_FILES) throw new MetainfoError('too-many-files', `info.files: ${entries.length} files; btd takes at most ${MAX_FILES}`);
  const files: FileEntry[] = [];
  const collisions = new PathCollisions();
  const checkedParts = new Set<string>();
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    if (i > 0 && i % FILES_PER_SLICE === 0) yield;
    const file = parseFileEntry(entries[i], `info.files[${i}]`, name, offset, checkedParts);
    // The decoded entry is not needed again (the metainfo re-decodes its dictionary when asked):
    // letting it go as its file entry is built keeps the live heap, and the collector's work, smaller.
    entries[i] = 0;
    files.push(file);
    // Padding files are never written, and libtorrent gives pads of one size the same path (.pad/N).
    if (!file.padding) collisions.add(file.path);
    offset += file.length;
    if (!Number.isSafeInteger(offset)) throw new MetainfoError('bad-length', 'info.files: total length too large');
  }
  return { files, multiFile: true };
}

/** `checked`: components already found safe (folder names repeat over many files). */
function parseFileEntry(v: BValue, what: string, name: string, offset: number, checked: Set<string>): FileEntry {
  const d = asDict(v, what);
  const length = checkLength(getInt(d, 'length', `${what}.length`), `${what}.length`);
  const parts = getList(d, 'path', `${what}.path`).map((p, j) => asString(p, `${what}.path[${j}]`));
  if (parts.length === 0 || parts.some((p) => !checked.has(p))) {
    checkPathParts(parts, `${what}.path`);
    for (const p of parts) checked.add(p);
  }
  const attr = optBytes(d, 'attr', `${what}.attr`);
  const entry: FileEntry = { path: [name, ...parts], length, offset };
  const flags = attr ? knownAttr(attr) : '';
  if (flags.includes('p')) entry.padding = true;
  if (flags) entry.attr = flags;
  return entry;
}

/** The BEP 47 flags btd knows that `attr` carries, in a fixed order; unknown bytes are ignored. */
function knownAttr(attr: Uint8Array): string {
  return [...'pxhl'].filter((c) => attr.includes(c.charCodeAt(0))).join('');
}

/** BEP 12 tiers. Lenient like other clients: non-string entries and empty tiers are dropped. */
function parseAnnounceList(v: BValue | undefined): string[][] {
  if (!isList(v)) return [];
  const tiers: string[][] = [];
  for (const tier of v) {
    if (!isList(tier)) continue;
    const urls = tier.filter(isBytes).map((u) => asString(u, 'announce-list')).filter((u) => u.length > 0);
    if (urls.length > 0) tiers.push(urls);
  }
  return tiers;
}

/** BEP 19 web seeds: one URL or a list of them. */
function parseUrlList(v: BValue | undefined): string[] {
  if (isBytes(v)) return v.length > 0 ? [asString(v, 'url-list')] : [];
  if (!isList(v)) return [];
  return v.filter(isBytes).map((u) => asString(u, 'url-list')).filter((u) => u.length > 0);
}

/** The 20-byte SHA-1 of piece `i` from the metainfo. */
export function pieceHash(m: Metainfo, i: number): Uint8Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.pieceCount) throw new RangeError(`piece ${i} out of range`);
  return m.pieces.subarray(i * 20, i * 20 + 20);
}
