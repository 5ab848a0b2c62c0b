import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HashPool, HashReadError } from '../../../daemon/src/hash/pool';

/** Piece hashes computed the simple way. */
function expectedPieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceLength) out.push(createHash('sha1').update(data.subarray(i, i + pieceLength)).digest());
  return Buffer.concat(out);
}

describe('HashPool with a lane on this thread', () => {
  let dir: string;
  const pools: HashPool[] = [];
  const a = randomBytes(2 * 1024 * 1024 + 5);
  const b = randomBytes(777);
  const whole = Buffer.concat([a, b]);
  const layoutOf = (pieceLength: number) => ({
    files: [
      { path: join(dir, 'a'), length: a.length },
      { path: join(dir, 'b'), length: b.length },
    ],
    pieceLength,
    totalLength: whole.length,
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btd-lane-'));
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    pools.push(new HashPool({ workers: 0, laneOnThisThread: true }), new HashPool({ workers: 1, laneOnThisThread: true }));
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('hashPieces gives every piece, with no worker and with one beside it; progress adds up', async () => {
    for (const pool of pools) {
      let last = 0;
      const pieces = await pool.hashPieces(layoutOf(16384), { progressIntervalMs: 0, onProgress: (done) => (last = done) });
      assert.deepEqual(Buffer.from(pieces), expectedPieces(whole, 16384));
      assert.equal(last, whole.length);
    }
    assert.equal(pools[0].running, 0, 'workers: 0 starts no worker for a pieces job');
  });

  test('checkPieces finds good and corrupt pieces on this thread', async () => {
    const expected = expectedPieces(whole, 16384);
    expected[20 * 3] ^= 1;
    for (const pool of pools) {
      const verdicts = await pool.checkPieces(layoutOf(16384), expected);
      assert.equal(verdicts[3], 0);
      assert.equal(verdicts.reduce((n, v) => n + v, 0), verdicts.length - 1);
    }
  });

  test('a file that cannot be read rejects with HashReadError naming it', async () => {
    const missing = join(dir, 'missing');
    for (const pool of pools) {
      await assert.rejects(pool.hashPieces({ files: [{ path: missing, length: 10 }], pieceLength: 16384, totalLength: 10 }), (e: unknown) => {
        return e instanceof HashReadError && e.code === 'ENOENT' && e.path === missing;
      });
    }
  });

  test('cancelling rejects with the reason; the thread stops between slices', async () => {
    const abort = new AbortController();
    const run = pools[0].hashPieces(layoutOf(16384), { signal: abort.signal, progressIntervalMs: 0 });
    abort.abort(new Error('stop here'));
    await assert.rejects(run, /stop here/);
  });
});
