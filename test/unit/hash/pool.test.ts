import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { HashPool, HashReadError } from '../../../daemon/src/hash/pool';

const sha1 = (...parts: Uint8Array[]): string => {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Piece hashes computed the simple way, on this thread. */
function expectedPieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceLength) out.push(createHash('sha1').update(data.subarray(i, i + pieceLength)).digest());
  return Buffer.concat(out);
}

describe('HashPool', () => {
  let dir: string;
  let pool: HashPool;
  const a = randomBytes(3 * 1024 * 1024 + 17);
  const b = randomBytes(1000);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btd-hash-'));
    writeFileSync(join(dir, 'a'), a);
    writeFileSync(join(dir, 'b'), b);
    pool = new HashPool({ workers: 2 });
  });
  after(async () => {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('sha1 of bytes', async () => {
    assert.equal(hex(await pool.sha1(new TextEncoder().encode('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(hex(await pool.sha1(new Uint8Array(0))), sha1(new Uint8Array(0)));
  });

  test('sha1 of spans across files, at offsets, larger than the read buffer', async () => {
    const spans = [
      { path: join(dir, 'a'), offset: 5, length: a.length - 5 },
      { path: join(dir, 'b'), offset: 0, length: 0 },
      { path: join(dir, 'b'), offset: 10, length: 990 },
    ];
    assert.equal(hex(await pool.sha1Spans(spans)), sha1(a.subarray(5), b.subarray(10)));
    assert.equal(hex(await pool.sha1Spans([])), sha1());
  });

  test('many requests in parallel each get their own digest', async () => {
    const jobs = Array.from({ length: 200 }, (_, i) => ({ path: join(dir, 'a'), offset: i * 1000, length: 777 + i }));
    const digests = await Promise.all(jobs.map((s) => pool.sha1Spans([s])));
    digests.forEach((d, i) => assert.equal(hex(d), sha1(a.subarray(i * 1000, i * 1000 + 777 + i))));
  });

  test('read failures reject with HashReadError naming the file', async () => {
    await assert.rejects(pool.sha1Spans([{ path: join(dir, 'missing'), offset: 0, length: 1 }]), (e: unknown) => {
      return e instanceof HashReadError && e.code === 'ENOENT' && e.path === join(dir, 'missing') && e.message.includes('missing');
    });
    await assert.rejects(pool.sha1Spans([{ path: join(dir, 'b'), offset: 990, length: 20 }]), (e: unknown) => {
      return e instanceof HashReadError && e.code === 'ESHORT' && /ends before byte 1010/.test(e.message);
    });
    assert.equal(hex(await pool.sha1Spans([{ path: join(dir, 'b'), offset: 0, length: 1000 }])), sha1(b), 'still works after errors');
  });

  test('hashPieces: every piece of files laid end to end, across file ends and empty files', async () => {
    const files = [
      { path: join(dir, 'a'), length: a.length },
      { path: join(dir, 'b'), length: 0 },
      { path: join(dir, 'b'), length: b.length },
    ];
    const whole = Buffer.concat([a, b]);
    for (const pieceLength of [16384, 1 << 20, 4 << 20]) {
      const layout = { files, pieceLength, totalLength: whole.length };
      assert.deepEqual(Buffer.from(await pool.hashPieces(layout)), expectedPieces(whole, pieceLength), `piece length ${pieceLength}`);
    }
    assert.equal((await pool.hashPieces({ files: [], pieceLength: 16384, totalLength: 0 })).length, 0);
  });

  test('hashPieces: pieces spanning more files than a worker keeps open', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => randomBytes(500 + i));
    const files = parts.map((p, i) => {
      writeFileSync(join(dir, `many-${i}`), p);
      return { path: join(dir, `many-${i}`), length: p.length };
    });
    const whole = Buffer.concat(parts);
    const layout = { files, pieceLength: 16384, totalLength: whole.length };
    assert.deepEqual(Buffer.from(await pool.hashPieces(layout)), expectedPieces(whole, 16384));
  });

  test('hashPieces: progress adds up to the total, in order', async () => {
    const seen: number[] = [];
    const layout = { files: [{ path: join(dir, 'a'), length: a.length }], pieceLength: 16384, totalLength: a.length };
    await pool.hashPieces(layout, { progressIntervalMs: 0, onProgress: (done, total) => (assert.equal(total, a.length), seen.push(done)) });
    assert.equal(seen.length, Math.ceil(a.length / 16384), 'one report per piece at interval 0');
    assert.deepEqual([...seen].sort((x, y) => x - y), seen);
    assert.equal(seen[seen.length - 1], a.length);
  });

  test('hashPieces: a file that cannot be read fails the job, names the file, and stops the other workers', async () => {
    const sparse = join(dir, 'sparse');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, 256 << 20);
    closeSync(fd);
    const missing = join(dir, 'missing');
    // The missing file comes first: whichever worker claims piece 0 fails, and the sparse 256 MiB are not hashed to the end.
    let hashed = 0;
    const files = [{ path: missing, length: 1 }, { path: sparse, length: 256 << 20 }];
    const run = pool.hashPieces({ files, pieceLength: 1 << 20, totalLength: (256 << 20) + 1 }, { onProgress: (done) => (hashed = done) });
    await assert.rejects(run, (e: unknown) => e instanceof HashReadError && e.code === 'ENOENT' && e.path === missing);
    assert.ok(hashed < 128 << 20, `stopped early (${hashed} bytes hashed)`);
    const short = [{ path: join(dir, 'b'), length: b.length + 1 }];
    await assert.rejects(pool.hashPieces({ files: short, pieceLength: 16384, totalLength: b.length + 1 }), { code: 'ESHORT' });
    const layout = { files: [{ path: join(dir, 'b'), length: b.length }], pieceLength: 16384, totalLength: b.length };
    assert.deepEqual(Buffer.from(await pool.hashPieces(layout)), expectedPieces(b, 16384), 'still works after errors');
  });

  test('hashPieces: cancelling stops every worker after its current piece and rejects with the reason', async () => {
    const sparse = join(dir, 'sparse-cancel');
    const fd = openSync(sparse, 'w');
    ftruncateSync(fd, 256 << 20);
    closeSync(fd);
    const abort = new AbortController();
    let hashed = 0;
    const layout = { files: [{ path: sparse, length: 256 << 20 }], pieceLength: 1 << 20, totalLength: 256 << 20 };
    const run = pool.hashPieces(layout, {
      signal: abort.signal,
      progressIntervalMs: 0,
      onProgress: (done) => {
        hashed = done;
        abort.abort();
      },
    });
    await assert.rejects(run, { name: 'AbortError' });
    assert.ok(hashed > 0 && hashed < 256 << 20, `stopped early (${hashed} bytes hashed)`);
    await assert.rejects(pool.hashPieces(layout, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  test('checkPieces: good, corrupt, skipped and unreadable pieces, without failing the job', async () => {
    const pieceLength = 16384;
    const whole = Buffer.concat([a, b]);
    const expected = expectedPieces(whole, pieceLength);
    const count = expected.length / 20;
    const last = count - 1; // the piece that holds the end of a and all of b
    expected[7 * 20] ^= 1; // piece 7 does not match
    const skip = new Uint8Array(count);
    skip[3] = 1;
    const files = [
      { path: join(dir, 'a'), length: a.length },
      { path: join(dir, 'b'), length: b.length },
    ];
    const checked: number[] = [];
    const verdicts = await pool.checkPieces({ files, pieceLength, totalLength: whole.length }, expected, { skip, onProgress: (n) => checked.push(n) });
    assert.equal(verdicts.length, count);
    verdicts.forEach((v, i) => assert.equal(v, i === 3 || i === 7 ? 0 : 1, `piece ${i}`));
    assert.equal(checked[checked.length - 1], count, 'skipped pieces count as checked');
    // b is missing: the piece that needs it is missing, every other piece is still checked.
    const gone = [files[0], { path: join(dir, 'no-such-file'), length: b.length }];
    const partial = await pool.checkPieces({ files: gone, pieceLength, totalLength: whole.length }, expectedPieces(whole, pieceLength));
    partial.forEach((v, i) => assert.equal(v, i === last ? 0 : 1, `piece ${i}`));
    await assert.rejects(pool.checkPieces({ files, pieceLength, totalLength: whole.length }, new Uint8Array(20)), RangeError);
  });

  test('a closed pool rejects, and requests in flight at close reject instead of hanging', async () => {
    const p = new HashPool({ workers: 1 });
    const inFlight = p.sha1Spans([{ path: join(dir, 'a'), offset: 0, length: a.length }]);
    const closing = p.close();
    await assert.rejects(inFlight);
    await closing;
    await assert.rejects(p.sha1(new Uint8Array(1)), /closed/);
    await assert.rejects(p.hashPieces({ files: [], pieceLength: 16384, totalLength: 0 }), /closed/);
  });
});

test('a worker that dies rejects its requests, and the next request gets a new worker', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-hash-crash-'));
  try {
    const script = join(dir, 'crash.js');
    writeFileSync(script, "require('node:worker_threads').parentPort.on('message', () => process.exit(3));\n");
    const pool = new HashPool({ workers: 1, script });
    await assert.rejects(pool.sha1(new Uint8Array(1)), /hash worker exited \(code 3\)/);
    await assert.rejects(pool.sha1(new Uint8Array(1)), /hash worker exited \(code 3\)/);
    await assert.rejects(pool.hashPieces({ files: [{ path: script, length: 10 }], pieceLength: 16384, totalLength: 10 }), /hash worker exited \(code 3\)/);
    await pool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker without work stops after idleMs, and the next request starts a new one', { timeout: 30_000 }, async () => {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const pool = new HashPool({ workers: 1, idleMs: 1000 });
  try {
    const abc = new TextEncoder().encode('abc');
    assert.equal(hex(await pool.sha1(abc)), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(pool.running, 1);
    clock.tick(999);
    assert.equal(pool.running, 1);
    clock.tick(1);
    assert.equal(pool.running, 0, 'stopped once idle for idleMs');
    assert.equal(hex(await pool.sha1(abc)), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.equal(pool.running, 1);
    clock.tick(1000);
    assert.equal(pool.running, 0);
    pool.warm(); // a worker started ahead of need that gets no work stops as well
    assert.equal(pool.running, 1);
    clock.tick(1000);
    assert.equal(pool.running, 0);
  } finally {
    clock.restore();
    await pool.close();
  }
});

test('checkPieces with every piece skipped starts no worker (a new download has nothing on disk)', async () => {
  const pool = new HashPool({ workers: 1 });
  try {
    const layout = { files: [{ path: '/nonexistent/x', length: 40000 }], pieceLength: 16384, totalLength: 40000 };
    const progress: number[] = [];
    const verdicts = await pool.checkPieces(layout, new Uint8Array(60), { skip: new Uint8Array(3).fill(1), onProgress: (n) => progress.push(n) });
    assert.deepEqual([...verdicts], [0, 0, 0]);
    assert.deepEqual(progress, [3]);
    assert.equal(pool.running, 0);
  } finally {
    await pool.close();
  }
});

test('hashedBytes counts what was hashed: bytes, spans and pieces read, never skipped pieces', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'btd-hash-count-'));
  const pool = new HashPool({ workers: 1 });
  try {
    const data = randomBytes(40000);
    writeFileSync(join(dir, 'x'), data);
    assert.equal(pool.hashedBytes, 0);
    await pool.sha1(Buffer.from('abc'));
    await pool.sha1Spans([{ path: join(dir, 'x'), offset: 100, length: 1000 }]);
    assert.equal(pool.hashedBytes, 1003);
    const layout = { files: [{ path: join(dir, 'x'), length: data.length }], pieceLength: 16384, totalLength: data.length };
    await pool.checkPieces(layout, expectedPieces(data, 16384), { skip: new Uint8Array(3).fill(1) });
    assert.equal(pool.hashedBytes, 1003, 'skipped pieces are not read');
    await pool.checkPieces(layout, expectedPieces(data, 16384), { progressIntervalMs: 0 });
    assert.equal(pool.hashedBytes, 1003 + data.length);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an idle pool does not keep a process alive', { timeout: 30_000 }, async () => {
  const poolPath = join(__dirname, '../../../daemon/src/hash/pool.js');
  const script = `require(${JSON.stringify(poolPath)}).sharedHashPool().sha1(Buffer.from('abc')).then((d) => console.log(Buffer.from(d).toString('hex')))`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.equal(out.trim(), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});
