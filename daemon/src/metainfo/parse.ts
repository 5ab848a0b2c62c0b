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
  getString,
  isBytes,
  isList,
  optInt,
  optString,
  asString,
} from '../bencode';
import type { BDict, BValue, Span } from '../bencode';
import { MetainfoError } from './errors';
import { readFileList, MAX_FILES } from './file-list';
import { checkPathParts } from './paths';
import { checkPieceLength } from './piece-length';
import type { FileEntry, Metainfo } from './types';
import { pieceCountOf } from '../util/geometry';

/** Largest .torrent accepted (a 10 TB torrent with 16 MiB pieces needs ~12 MB). */
export const MAX_METAINFO_SIZE = 64 * 1024 * 1024;
/** Deepest nesting accepted; real files need 5 levels. */
export const MAX_METAINFO_DEPTH = 32;
export { MAX_FILES };
/**
 * Most bencoded values in a .torrent. A file entry with a path of n components is 5 + n values, so
 * MAX_FILES files of up to 10 components fit; the decoder stops here before building the rest.
 */
export const MAX_METAINFO_ITEMS = 3_000_000;
/** Bencoded values decoded between two yields to the event loop in `parseMetainfoSliced` (files: see file-list). */
const VALUES_PER_SLICE = 50_000;
/** The list the decoder checks but leaves to `readFileList`. */
const FILES_PATH = ['info', 'files'] as const;

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
  const decoded = yield* bdecodeWithSpansSteps(raw, limits, 2, VALUES_PER_SLICE, FILES_PATH);
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
  const { files, multiFile } = yield* parseFiles(info, name, decoded.skipped, raw);
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

function* parseFiles(info: BDict, name: string, files: Span | undefined, raw: Uint8Array): Generator<void, { files: FileEntry[]; multiFile: boolean }> {
  const list = info.get('files');
  if (list === undefined) {
    if (!info.has('length') && info.has('file tree')) {
      throw new MetainfoError('unsupported', 'v2-only torrents (BEP 52) are not supported');
    }
    const length = getInt(info, 'length', 'info.length');
    if (length < 0) throw new MetainfoError('bad-length', `info.length: negative length ${length}`);
    return { files: [{ path: [name], length, offset: 0 }], multiFile: false };
  }
  if (info.has('length')) throw new MetainfoError('bad-field', 'info: has both "length" and "files"');
  asList(list, 'info.files');
  // A list there was checked by the decoder but not built: it is read from its bytes.
  if (files === undefined) throw new Error('bencode span of info.files missing');
  return { files: yield* readFileList(raw, files, name), multiFile: true };
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
