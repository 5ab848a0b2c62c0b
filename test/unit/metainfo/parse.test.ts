import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bencode } from '../../../daemon/src/bencode';
import type { Encodable } from '../../../daemon/src/bencode';
import { MetainfoError, parseMetainfo, pieceHash } from '../../../daemon/src/metainfo';

const FIXTURES = join(__dirname, '../../../../test/fixtures/metainfo');
const sha1hex = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');
const pieces = (n: number): Uint8Array => Uint8Array.from({ length: n * 20 }, (_, i) => i & 0xff);

function torrent(top: Record<string, Encodable | undefined>, info: Record<string, Encodable | undefined>): Uint8Array {
  return bencode({ ...top, info: { name: 'a.bin', 'piece length': 16384, length: 40000, pieces: pieces(3), ...info } });
}

describe('parseMetainfo: valid torrents', () => {
  test('single file, every optional field', () => {
    const bytes = torrent(
      { announce: 'http://t/a', comment: 'hello', 'created by': 'me', 'creation date': 1700000000, 'url-list': 'http://w/' },
      { private: 1 },
    );
    const m = parseMetainfo(bytes);
    assert.equal(m.name, 'a.bin');
    assert.equal(m.multiFile, false);
    assert.deepEqual(m.files, [{ path: ['a.bin'], length: 40000, offset: 0 }]);
    assert.equal(m.totalLength, 40000);
    assert.equal(m.pieceCount, 3);
    assert.equal(m.private, true);
    assert.equal(m.announce, 'http://t/a');
    assert.deepEqual(m.announceList, [['http://t/a']]);
    assert.deepEqual(m.urlList, ['http://w/']);
    assert.equal(m.comment, 'hello');
    assert.equal(m.createdBy, 'me');
    assert.equal(m.creationDate, 1700000000);
    assert.deepEqual(pieceHash(m, 2), pieces(3).subarray(40, 60));
    assert.throws(() => pieceHash(m, 3), RangeError);
    assert.equal(m.raw, bytes);
  });

  test('multi-file: offsets, zero-length files, padding, name prefix on paths', () => {
    const bytes = torrent(
      {},
      {
        name: 'dir',
        length: undefined,
        files: [
          { length: 30000, path: ['a', 'x.bin'] },
          { length: 0, path: ['empty'] },
          { length: 2768, path: ['.pad', '2768'], attr: 'p' },
          { length: 7232, path: ['b.txt'] },
        ],
      },
    );
    const m = parseMetainfo(bytes);
    assert.equal(m.multiFile, true);
    assert.equal(m.totalLength, 40000);
    assert.deepEqual(
      m.files.map((f) => [f.path.join('/'), f.offset, f.length, f.padding ?? false]),
      [
        ['dir/a/x.bin', 0, 30000, false],
        ['dir/empty', 30000, 0, false],
        ['dir/.pad/2768', 30000, 2768, true],
        ['dir/b.txt', 32768, 7232, false],
      ],
    );
  });

  test('announce-list wins over announce; bad tiers and entries are dropped', () => {
    const m = parseMetainfo(torrent({ announce: 'http://a/', 'announce-list': [['http://b/', 'http://c/'], [], 'junk', [3, 'http://d/']] }, {}));
    assert.deepEqual(m.announceList, [['http://b/', 'http://c/'], ['http://d/']]);
    assert.deepEqual(parseMetainfo(torrent({}, {})).announceList, []);
    assert.deepEqual(parseMetainfo(torrent({ 'url-list': ['http://x/', 5, ''] }, {})).urlList, ['http://x/']);
  });

  test('private is only the integer 1', () => {
    assert.equal(parseMetainfo(torrent({}, { private: 0 })).private, false);
    assert.equal(parseMetainfo(torrent({}, { private: '1' })).private, false);
  });

  test('unknown keys survive: info hash covers them, dict keeps them', () => {
    const plain = parseMetainfo(torrent({}, {}));
    const extra = parseMetainfo(torrent({ 'x-top': 'kept' }, { 'x-source': 'tracker' }));
    assert.notEqual(plain.infoHashHex, extra.infoHashHex);
    assert.deepEqual(extra.dict.get('x-top'), new TextEncoder().encode('kept'));
    assert.match(Buffer.from(extra.infoBytes).toString('latin1'), /8:x-source7:tracker/);
  });

  test('the info hash is SHA-1 of the raw info bytes, even when they are not canonical', () => {
    const bytes = readFileSync(join(FIXTURES, 'non-canonical.torrent'));
    const m = parseMetainfo(bytes);
    const text = bytes.toString('latin1');
    const start = text.indexOf('4:info') + 6;
    const raw = bytes.subarray(start, bytes.length - 1);
    assert.equal(m.infoHashHex, sha1hex(raw));
    assert.notEqual(m.infoHashHex, sha1hex(bencode(m.dict.get('info') as Map<string, Encodable>)), 'a re-encoding would differ');
    assert.deepEqual(m.infoBytes, new Uint8Array(raw));
    assert.equal(m.name, 'a.txt');
  });
});

describe('parseMetainfo: hostile fixtures', () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'hostile', 'expected.json'), 'utf8')) as Record<string, string>;
  const files = readdirSync(join(FIXTURES, 'hostile')).filter((f) => f.endsWith('.torrent'));

  test('every fixture has an expected code', () => {
    assert.deepEqual(files.map((f) => f.slice(0, -'.torrent'.length)).sort(), Object.keys(expected).sort());
    assert.ok(files.length >= 30);
  });

  for (const file of files) {
    const name = file.slice(0, -'.torrent'.length);
    test(`${name} is refused with ${expected[name]}`, () => {
      const bytes = readFileSync(join(FIXTURES, 'hostile', file));
      assert.throws(
        () => parseMetainfo(bytes),
        (err: unknown) => err instanceof MetainfoError && err.code === expected[name] && err.message.length > 10,
      );
    });
  }
});
