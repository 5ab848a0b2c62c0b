/** `btd tracker --store redis://… --workers N`: processes on one port sharing one real redis-server. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { buildAnnounceUrl, httpGet, udpAnnounce } from '../../../daemon/src/tracker/client';
import { NEEDS_REDIS, freePort, startRedis, type RedisProcess } from '../../support/redis';
import { within } from '../../support/deadline';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'btd.js');
const HASH = new Uint8Array(20).fill(0x5a);

function run(args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [BIN, 'tracker', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { child, out: () => out, err: () => err };
}

async function refusal(args: string[]): Promise<string> {
  const r = run(args);
  const [code] = await within(20_000, once(r.child, 'exit'), `btd tracker ${args.join(' ')} to exit`);
  assert.equal(code, 1);
  return r.err().trim();
}

test('--workers with the memory store is refused with the reason', async () => {
  assert.match(await refusal(['--workers', '2', '--port', '0']), /^btd: --workers needs a shared store: .*--store redis:\/\/HOST:PORT$/);
});

test('--store refuses a password in the URL and names the variable to use', async () => {
  assert.equal(await refusal(['--store', 'redis://:secret@127.0.0.1:6379']), 'btd: --store: put the Redis password in the BTD_REDIS_PASSWORD environment variable, not in the URL');
});

describe('btd tracker --workers 2 over one Redis', { skip: NEEDS_REDIS }, () => {
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.stop());

  test('an unreachable Redis is one line at start', async () => {
    assert.match(await refusal(['--store', `redis://127.0.0.1:${await freePort()}`, '--port', '0']), /^btd: --store: cannot reach Redis at 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });

  test('two worker processes serve one port; peers announced to any worker meet; SIGINT stops them all', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const r = run(['--workers', '2', '--port', String(port), '--store', redis.url, '--udp']);
    try {
      await within(20_000, new Promise<void>((resolve, reject) => {
        r.child.stdout?.on('data', () => /workers:\s+2/.test(r.out()) && resolve());
        r.child.once('exit', (code) => reject(new Error(`exited ${code}: ${r.err()}`)));
      }), 'workers to start');
      assert.match(r.out(), new RegExp(`announce URL: http://127\\.0\\.0\\.1:${port}/announce`));
      const answers: BDict[] = [];
      // Fresh connections each time: the primary hands them to the workers in turn.
      for (let n = 0; n < 20; n++) {
        const url = buildAnnounceUrl(`http://127.0.0.1:${port}/announce`, { infoHash: HASH, peerId: Buffer.from(`-WK0001-${String(n).padStart(12, '0')}`), port: 7000 + n, uploaded: 0, downloaded: 0, left: 100, event: 'started' });
        answers.push(bdecode(await httpGet(url, { timeoutMs: 10_000, maxBytes: 1 << 20 })) as BDict);
      }
      assert.deepEqual(answers.map((a) => a.get('incomplete')), Array.from({ length: 20 }, (_, i) => i + 1));
      assert.match(r.out(), new RegExp(`UDP announce: udp://127\\.0\\.0\\.1:${port}/announce`));
      assert.equal((answers[19].get('peers') as Uint8Array).length, 19 * 6);
      // UDP: a connection id from one worker is good at the other (they share the key), so none is refused.
      for (let n = 20; n < 30; n++) {
        const a = await udpAnnounce(`udp://127.0.0.1:${port}`, { infoHash: HASH, peerId: Buffer.from(`-WK0001-${String(n).padStart(12, '0')}`), port: 7000 + n, uploaded: 0, downloaded: 0, left: 100, event: 'started' }, { timeoutMs: 5000 });
        assert.equal(a.peers.length, n);
      }
      // Each worker counts its own announces; the shared counter in Redis has all of them.
      const giveUpAt = Date.now() + 10_000;
      for (;;) {
        const body = await httpGet(`http://127.0.0.1:${port}/stats.json`, { timeoutMs: 10_000, maxBytes: 1 << 20 });
        const s = JSON.parse(Buffer.from(body).toString()) as { announces: number; shared: { announces: number } };
        assert.ok(s.announces < 30, `one worker counted ${s.announces} of 30 announces`);
        if (s.shared.announces === 30) break;
        if (Date.now() >= giveUpAt) throw new Error(`shared announces stayed at ${s.shared.announces}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const exited = once(r.child, 'exit');
      r.child.kill('SIGINT');
      const [code] = await within(20_000, exited, 'the primary to exit');
      assert.equal(code, 0);
      assert.match(r.out(), /stopped 2 workers/);
    } finally {
      if (r.child.exitCode === null) r.child.kill('SIGKILL');
    }
  });
});
