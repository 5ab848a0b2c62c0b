/**
 * `btd stream`: with stdout captured (as in `mpv "$(btd stream …)"`) it prints one URL line and returns,
 * the download going on in a background process that serves the file with Range from a rate-limited
 * seeder; that process stops by itself once no reader came for --idle-exit seconds.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '../../support/deadline';
import { httpGet } from '../../support/http-get';
import { runBtd } from './btd-process';
import { LOCAL, useSwarm } from './swarm';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('btd stream', { timeout: 120_000 }, () => {
  const swarm = useSwarm();

  test('prints a URL at once and serves ranges while the download goes on', async () => {
    const size = 16 * 1024 * 1024;
    const fx = await swarm.fixture({ name: 'clip.mp4', size, pieceLength: 262_144 });
    const dir = await mkdtemp(join(tmpdir(), 'btd-cli-stream-'));
    let pid: number | undefined;
    try {
      const seeder = swarm.btd(['seed', fx.torrentPath, '-f', fx.dataPath, ...LOCAL, '--max-upload-rate', '2M']);
      const m = await within(30_000, seeder.waitFor(/^seeding clip\.mp4 on port (\d+)$/), 'the seeder');
      const bad = await runBtd(['stream', fx.torrentPath, '--file', '3', '-o', dir, ...LOCAL]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--file 3: clip\.mp4 has no file 3/);

      const run = await within(30_000, runBtd(['stream', fx.torrentPath, '--file', '0', '-o', dir, ...LOCAL, '--peer', `127.0.0.1:${m[1]}`, '--idle-exit', '3']), 'btd stream returns');
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `one line on stdout: ${run.stdout}`);
      const url = lines[0];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}\/[0-9a-f]{40}\/0\/clip\.mp4$/);
      pid = Number(/pid (\d+)/.exec(run.stderr)?.[1]);
      assert.ok(pid > 0 && alive(pid), run.stderr);

      const source = await readFile(fx.dataPath);
      const start = Math.floor(size * 0.8);
      const a = await within(20_000, httpGet(url, { range: `bytes=${start}-${start + 65_535}` }), 'a range at 80 %');
      assert.equal(a.status, 206);
      assert.equal(a.headers['content-type'], 'video/mp4');
      assert.ok(a.body.equals(source.subarray(start, start + 65_536)));
      const whole = await within(60_000, httpGet(url), 'the whole file');
      assert.equal(whole.status, 200);
      assert.ok(whole.body.equals(source), 'byte-identical');

      const gone = pid;
      await within(30_000, new Promise<void>((done) => {
        const poll = setInterval(() => {
          if (!alive(gone)) {
            clearInterval(poll);
            done();
          }
        }, 100);
      }), 'the background process stops once idle');
      pid = undefined;
    } finally {
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
