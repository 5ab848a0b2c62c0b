import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashPool } from '../../../daemon/src/hash/pool';
import { checkExisting, loadResumeState } from '../../../daemon/src/storage';
import { makeTorrent, tempDir } from './fixtures';

test('after kill -9 every piece recorded in the resume state is on disk intact, and no verified piece is lost', async () => {
  const { dir, cleanup } = await tempDir();
  const pool = new HashPool({ workers: 1 });
  const { m, data } = makeTorrent(
    [
      { path: ['x'], length: 700_000 },
      { path: ['y'], length: 1_500_000 },
    ],
    16384,
    'crash',
  );
  await writeFile(join(dir, 'crash.torrent'), m.raw);
  await writeFile(join(dir, 'source'), data);
  const stateFile = join(dir, 'state', 'crash.resume');
  const child = spawn(process.execPath, [join(__dirname, 'crash-child.js'), join(dir, 'crash.torrent'), join(dir, 'source'), join(dir, 'save'), stateFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  try {
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/saved ([5-9]|\d\d+)\n/.test(seen)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const verified = [...seen.matchAll(/verified (\d+)\n/g)].map((x) => Number(x[1]));
    const recorded = (await loadResumeState(stateFile, m)).state?.have;
    assert.ok(recorded && recorded.count >= 5, `recorded ${recorded?.count}`);
    const found = await checkExisting(m, join(dir, 'save'), { stateFile, pool });
    for (const p of recorded.indices()) assert.ok(found.have.has(p), `recorded piece ${p} lost`);
    for (const p of verified) assert.ok(found.have.has(p), `piece ${p}, verified before the kill, must be found again`);
    assert.notEqual(found.mode, 'full', 'the state is used');
    assert.ok(found.hashed <= m.pieceCount - recorded.count, `recorded pieces are not hashed again (${found.hashed} hashed)`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    await pool.close();
    await cleanup();
  }
});
