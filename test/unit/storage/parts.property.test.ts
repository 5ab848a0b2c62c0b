import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bencode, type Encodable } from '../../../daemon/src/bencode';
import { HashPool } from '../../../daemon/src/hash/pool';
import { parseMetainfo } from '../../../daemon/src/metainfo/parse';
import { piecePriorities, type FilePriority } from '../../../daemon/src/picker';
import { openTorrentFiles, partsFileOf } from '../../../daemon/src/storage';
import { seeded } from '../picker/fixtures';
import { bytes, tempDir } from './fixtures';

const pool = new HashPool({ workers: 1 });
after(() => pool.close());
const PIECE = 16384;
const exists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

test('random layouts with padding and skipped files: wanted pieces verify, skipped files never appear, turning all on completes', async () => {
  const rnd = seeded(21);
  for (let round = 0; round < 12; round++) {
    const { dir, cleanup } = await tempDir();
    try {
      const count = 3 + Math.floor(rnd() * 4);
      const entries: Encodable[] = [];
      const chunks: Uint8Array[] = [];
      const names: string[] = [];
      for (let i = 0; i < count; i++) {
        const padding = i > 0 && i < count - 1 && rnd() < 0.3;
        const length = padding ? 1 + Math.floor(rnd() * 9000) : Math.floor(rnd() * 40_000) * (rnd() < 0.15 ? 0 : 1);
        names.push(padding ? '' : `f${i}`);
        entries.push(padding ? { attr: 'p', length, path: ['.pad', String(length)] } : { length, path: [`f${i}`] });
        chunks.push(padding ? new Uint8Array(length) : bytes(length, round * 10 + i + 1));
      }
      const all = Buffer.concat(chunks);
      if (all.length === 0) continue;
      const hashes = [];
      for (let at = 0; at < all.length; at += PIECE) hashes.push(createHash('sha1').update(all.subarray(at, at + PIECE)).digest());
      const m = parseMetainfo(bencode({ info: { files: entries, name: 'r', 'piece length': PIECE, pieces: Buffer.concat(hashes) } }));
      const prio = m.files.map((f): FilePriority => (f.padding ? 'normal' : rnd() < 0.5 ? 'skip' : 'normal'));
      const stateDir = join(dir, 'state');
      const files = await openTorrentFiles(m, dir, stateDir, { pool, filePriorities: prio });
      await files.check('full');
      const wanted = piecePriorities(m, prio);
      const piece = (p: number): Uint8Array => all.subarray(p * PIECE, Math.min(all.length, (p + 1) * PIECE));
      for (let p = 0; p < m.pieceCount; p++) {
        if (wanted[p] === 0) continue;
        await files.storage.write(p, 0, piece(p));
        assert.equal(await files.storage.verifyPiece(p), true, `round ${round} piece ${p}`);
        files.pieceVerified(p);
      }
      for (let i = 0; i < m.files.length; i++) {
        if (prio[i] === 'skip') assert.equal(await exists(join(dir, 'r', names[i])), false, `round ${round}: skipped f${i} exists`);
      }
      await files.setFilePriorities(m.files.map(() => 'normal'));
      assert.equal(await exists(partsFileOf(m, stateDir)), false, `round ${round}: parts file left`);
      for (let p = 0; p < m.pieceCount; p++) {
        if (wanted[p] !== 0) continue;
        await files.storage.write(p, 0, piece(p));
      }
      for (let p = 0; p < m.pieceCount; p++) assert.equal(await files.storage.verifyPiece(p), true, `round ${round} piece ${p} at the end`);
      await files.storage.close();
      for (let i = 0; i < m.files.length; i++) {
        if (m.files[i].padding) continue;
        assert.deepEqual(await readFile(join(dir, 'r', names[i])), Buffer.from(chunks[i]), `round ${round} f${i}`);
      }
    } finally {
      await cleanup();
    }
  }
});
