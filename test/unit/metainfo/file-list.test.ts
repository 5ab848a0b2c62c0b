/**
 * The file list read straight from the bytes gives what reading it from a decoded tree gives: the same
 * entries, or the same error with the same message. The oracle below reads the generic tree with the
 * typed getters, as the parse did before it read the list from the bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BencodeError, asDict, asList, asString, bdecode, bdecodeWithSpansSteps, bencode, getDict, getInt, getList, getString, optBytes,
  type BDict, type BValue,
} from '../../../daemon/src/bencode';
import { MAX_FILES, MetainfoError, checkPathParts, parseMetainfo, parseMetainfoSliced, type FileEntry } from '../../../daemon/src/metainfo';
import { PathCollisions } from '../../../daemon/src/metainfo/paths';
import { valueArb } from '../bencode/arbitraries';

/** The file list as the typed getters read it from a decoded tree; throws what they throw. */
function oracleFiles(info: BDict, name: string): FileEntry[] {
  const entries = getList(info, 'files', 'info.files');
  if (entries.length === 0) throw new MetainfoError('empty', 'info.files: empty list');
  const files: FileEntry[] = [];
  const collisions = new PathCollisions();
  let offset = 0;
  entries.forEach((v, i) => {
    const what = `info.files[${i}]`;
    const d = asDict(v, what);
    const length = getInt(d, 'length', `${what}.length`);
    if (length < 0) throw new MetainfoError('bad-length', `${what}.length: negative length ${length}`);
    const parts = getList(d, 'path', `${what}.path`).map((p, j) => asString(p, `${what}.path[${j}]`));
    checkPathParts(parts, `${what}.path`);
    const attr = optBytes(d, 'attr', `${what}.attr`);
    const flags = attr ? [...'pxhl'].filter((c) => attr.includes(c.charCodeAt(0))).join('') : '';
    const entry: FileEntry = { path: [name, ...parts], length, offset };
    if (flags.includes('p')) entry.padding = true;
    if (flags) entry.attr = flags;
    files.push(entry);
    if (!entry.padding) collisions.add(entry.path);
    offset += length;
    if (!Number.isSafeInteger(offset)) throw new MetainfoError('bad-length', 'info.files: total length too large');
  });
  return files;
}

/** The typed getters' failures as the metainfo parse reports them. */
function asMetainfoError(err: unknown): unknown {
  if (!(err instanceof BencodeError)) return err;
  return new MetainfoError(err.code === 'missing-key' ? 'missing-field' : 'bad-field', err.message);
}

type Outcome = { files: FileEntry[] } | { code: string; message: string };

function outcome(run: () => FileEntry[]): Outcome {
  try {
    return { files: run() };
  } catch (err) {
    const e = asMetainfoError(err);
    if (!(e instanceof MetainfoError)) throw e;
    return { code: e.code, message: e.message };
  }
}

/** A torrent around `files` whose pieces fit the oracle's total length, so only the list decides. */
function torrentOf(files: BValue): Uint8Array {
  const info: BDict = new Map<string, BValue>([['files', files], ['name', Buffer.from('t')], ['piece length', 16384]]);
  const expected = outcome(() => oracleFiles(info, 't'));
  let total = 1;
  if ('files' in expected && expected.files.length > 0) {
    const last = expected.files[expected.files.length - 1];
    total = last.offset + last.length;
  }
  // Pieces of 128 MiB at most; a total needing more than 10,000 of them gets one hash (refused as
  // bad-pieces, after the list was read).
  const pieces = Math.ceil(total / (128 << 20)) > 10_000 ? 1 : Math.max(1, Math.ceil(total / 16384));
  if (pieces > 10_000) info.set('piece length', 128 << 20);
  info.set('pieces', new Uint8Array(20 * (pieces > 10_000 ? Math.ceil(total / (128 << 20)) : pieces)));
  return bencode(new Map([['info', info]]));
}

function assertSame(bytes: Uint8Array): void {
  const info = getDict(asDict(bdecode(bytes, { maxDepth: 32, maxSize: 1 << 26 }), 'torrent'), 'info');
  const name = getString(info, 'name');
  const expected = outcome(() => oracleFiles(info, name));
  const got = outcome(() => parseMetainfo(bytes).files);
  if ('files' in expected && expected.files.length > 0 && expected.files.at(-1)!.offset + expected.files.at(-1)!.length === 0) {
    assert.deepEqual(got, { code: 'empty', message: 'torrent has no data (total length 0)' });
    return;
  }
  if ('files' in expected && 'code' in got && got.code === 'bad-pieces') return;
  assert.deepEqual(got, expected);
}

const names = fc.constantFrom('a', 'A', 'b', 'dir', 'é', 'x.txt', '..', '', 'con', 'a/b', 'ok\u202e', '.pad', '0');
const nameBytes = names.map((s) => Buffer.from(s));
const part = fc.oneof({ weight: 6, arbitrary: nameBytes }, { weight: 1, arbitrary: valueArb });
const entryArb: fc.Arbitrary<BValue> = fc
  .record(
    {
      length: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -2, max: 40_000 }) }, { weight: 1, arbitrary: valueArb }),
      path: fc.oneof({ weight: 6, arbitrary: fc.array(part, { maxLength: 3 }) }, { weight: 1, arbitrary: valueArb }),
      attr: fc.oneof(fc.constantFrom('p', 'x', 'hl', 'q', '').map((s) => Buffer.from(s)), valueArb),
      'sha1': valueArb,
      'symlink path': fc.array(nameBytes, { maxLength: 2 }),
    },
    { requiredKeys: [] },
  )
  .map((r): BValue => new Map(Object.entries(r) as [string, BValue][]));
const filesArb = fc.oneof({ weight: 8, arbitrary: fc.array(fc.oneof({ weight: 8, arbitrary: entryArb }, { weight: 1, arbitrary: valueArb }), { maxLength: 6 }) }, { weight: 1, arbitrary: valueArb });

describe('metainfo: the file list read from the bytes', () => {
  test('5,000 generated file lists: the same entries or the same error as the decoded tree', () => {
    fc.assert(fc.property(filesArb, (files) => assertSame(torrentOf(files))), { numRuns: 5_000, seed: 17 });
  });

  test('5,000 mutated multi-file torrents: the same outcome as decoding them whole', () => {
    const seed = torrentOf([
      new Map<string, BValue>([['length', 5], ['path', [Buffer.from('x'), Buffer.from('y')]]]),
      new Map<string, BValue>([['attr', Buffer.from('p')], ['length', 3], ['path', [Buffer.from('.pad'), Buffer.from('3')]]]),
      new Map<string, BValue>([['length', 0], ['path', [Buffer.from('z')]], ['md5sum', Buffer.from('00')]]),
    ]);
    const mutated = fc.array(fc.tuple(fc.nat(), fc.constantFrom(...Buffer.from('ilde0123456789:-xpz'))), { minLength: 1, maxLength: 3 }).map((edits) => {
      const out = Buffer.from(seed);
      for (const [at, byte] of edits) out[at % out.length] = byte;
      return new Uint8Array(out);
    });
    fc.assert(
      fc.property(mutated, (bytes) => {
        let whole: unknown;
        try {
          whole = bdecode(bytes, { maxDepth: 32, maxSize: 1 << 26 });
        } catch (err) {
          // Refused as bencode: the parse refuses it with the decoder's own message.
          assert.ok(err instanceof BencodeError);
          assert.throws(() => parseMetainfo(bytes), (e: unknown) => e instanceof MetainfoError && e.message.endsWith(err.message));
          return;
        }
        if (!(whole instanceof Map)) return;
        const info = whole.get('info');
        if (!(info instanceof Map) || !Array.isArray(info.get('files')) || !(info.get('name') instanceof Uint8Array)) return;
        const expected = outcome(() => oracleFiles(info, asString(info.get('name')!, 'name')));
        const got = outcome(() => parseMetainfo(bytes).files);
        if ('files' in got) assert.deepEqual(got, expected);
        else if (got.message.startsWith('info.files')) assert.deepEqual(got, expected);
      }),
      { numRuns: 5_000, seed: 5 },
    );
  });

  test('the decoder checks the skipped list as strictly as the rest: a repeated key inside a file entry', () => {
    const bytes = Buffer.from('d4:infod5:filesld6:lengthi1e6:lengthi2e4:pathl1:aeee4:name1:t12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee');
    assert.throws(() => parseMetainfo(bytes), (e: unknown) => e instanceof MetainfoError && e.code === 'not-bencode' && /duplicate dictionary key "length"/.test(e.message));
  });

  test('one entry over MAX_FILES is refused as too-many-files', async () => {
    const entries = Array.from({ length: MAX_FILES + 1 }, (_, i) => `d6:lengthi1e4:pathl${String(i).length}:${i}ee`).join('');
    const bytes = Buffer.from(`d4:infod5:filesl${entries}e4:name1:t12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee`);
    await assert.rejects(parseMetainfoSliced(bytes), (e: unknown) => e instanceof MetainfoError && e.code === 'too-many-files' && /more than 200000 files/.test(e.message));
  });

  test('the skipped list counts against the item cap while it is decoded', () => {
    // 25,000 entries of 120 path components: 3.1 million values, past the cap before any entry is read.
    const entry = `d6:lengthi1e4:pathl${'1:a'.repeat(120)}ee`;
    const bytes = Buffer.from(`d4:infod5:filesl${entry.repeat(25_000)}e4:name1:t12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee`);
    assert.throws(() => parseMetainfo(bytes), (e: unknown) => e instanceof MetainfoError && e.code === 'too-many-files' && /more than 3000000 bencoded values/.test(e.message));
  });

  test('only the list at the path is skipped; the same key elsewhere is decoded', () => {
    const bytes = bencode({ files: [1, 2], info: { files: [{ length: 1, path: ['a'] }], name: 't', 'piece length': 16384, pieces: new Uint8Array(20) }, x: { files: [3] } });
    const steps = bdecodeWithSpansSteps(bytes, undefined, 2, Number.POSITIVE_INFINITY, ['info', 'files']);
    let step = steps.next();
    while (!step.done) step = steps.next();
    const top = asDict(step.value.value, 'top');
    assert.deepEqual(top.get('files'), [1, 2]);
    assert.deepEqual(asDict(top.get('x')!, 'x').get('files'), [3]);
    const standIn = asList(getDict(top, 'info').get('files')!, 'files');
    assert.deepEqual(standIn, []);
    const span = step.value.skipped!;
    assert.deepEqual(step.value.span(standIn), span);
    assert.deepEqual(bdecode(bytes.subarray(span.start, span.end)), bdecode(bencode([{ length: 1, path: ['a'] }])));
    assert.equal(parseMetainfo(bytes).files.length, 1);
  });
});
