import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bencode } from '../../../daemon/src/bencode';
import { HashPool } from '../../../daemon/src/hash/pool';
import { parseMetainfo } from '../../../daemon/src/metainfo/parse';
import { checkExisting, createFileStorage } from '../../../daemon/src/storage';
import { bytes, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());
const PIECE = 16384;

/** a.bin (10000) + .pad (6384, zeros) + b.bin (20000): piece 0 ends in padding. */
function padded() {
  const a = bytes(10_000, 1);
  const b = bytes(20_000, 2);
  const all = Buffer.concat([a, Buffer.alloc(6384), b]);
  const hashes = [];
  for (let at = 0; at < all.length; at += PIECE) hashes.push(createHash('sha1').update(all.subarray(at, at + PIECE)).digest());
  const files = [
    { length: a.length, path: ['a.bin'], attr: 'xh' },
    { length: 6384, path: ['.pad', '6384'], attr: 'p' },
    { length: b.length, path: ['b.bin'], attr: 'lq' },
  ];
  const m = parseMetainfo(bencode({ info: { files, name: 'p', 'piece length': PIECE, pieces: Buffer.concat(hashes) } }));
  return { m, all };
}

describe('padding files in storage', () => {
  test('attr flags are kept, unknown ones dropped', () => {
    const { m } = padded();
    assert.deepEqual(m.files.map((f) => [f.attr, f.padding ?? false]), [['xh', false], ['p', true], ['l', false]]);
  });

  test('padding is never written, reads as zeros, and pieces covering it verify', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const { m, all } = padded();
      const s = createFileStorage(m, dir, { pool });
      for (let p = 0; p < m.pieceCount; p++) {
        const piece = all.subarray(p * PIECE, (p + 1) * PIECE);
        await s.write(p, 0, piece);
      }
      for (let p = 0; p < m.pieceCount; p++) assert.equal(await s.verifyPiece(p), true, `piece ${p}`);
      assert.deepEqual(await s.read(0, 9_000, 2_000), Uint8Array.from(all.subarray(9_000, 11_000)));
      await s.close();
      assert.deepEqual((await readdir(join(dir, 'p'))).sort(), ['a.bin', 'b.bin']);
      const found = await checkExisting(m, dir, { stateFile: join(dir, 'none.resume'), full: true, pool });
      assert.equal(found.have.count, m.pieceCount, 'a full check counts padding as present zeros');
      const s2 = createFileStorage(m, dir, { pool });
      // A fresh storage created none of the files: they go because they hold verified pieces.
      assert.deepEqual(await s2.deleteData(found.have), []);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await cleanup();
    }
  });
});

describe('padding files in the metainfo', () => {
  test('two padding files of one size share a path, as in libtorrent torrents, and the torrent still parses', () => {
    const files = [
      { length: 10_000, path: ['a'] },
      { length: 6384, path: ['.pad', '6384'], attr: 'p' },
      { length: 10_000, path: ['b'] },
      { length: 6384, path: ['.pad', '6384'], attr: 'p' },
      { length: 10_000, path: ['c'] },
    ];
    const pieces = Buffer.alloc(20 * 3);
    const m = parseMetainfo(bencode({ info: { files, name: 'lt', 'piece length': PIECE, pieces } }));
    assert.equal(m.files.filter((f) => f.padding).length, 2);
    const dup = [...files.slice(0, 2), { length: 10_000, path: ['a'] }];
    assert.throws(() => parseMetainfo(bencode({ info: { files: dup, name: 'lt', 'piece length': PIECE, pieces: Buffer.alloc(40) } })), /appears twice/);
  });
});
