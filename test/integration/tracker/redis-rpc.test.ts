/**
 * `tracker/start` with `store` (what the extension's btd.trackerStore setting sends): the daemon's
 * tracker keeps its swarms in a real redis-server, shared with a `btd tracker --store` process.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as P from '../../../protocol/src';
import { bdecode, type BDict } from '../../../daemon/src/bencode';
import { buildAnnounceUrl, httpGet } from '../../../daemon/src/tracker/client';
import { NEEDS_REDIS, freePort, startRedis, type RedisProcess } from '../../support/redis';
import { within } from '../../support/deadline';
import { BTD, spawnDaemon } from '../rpc/daemon-process';

const HASH = new Uint8Array(20).fill(0x6b);

async function announce(base: string, n: number): Promise<BDict> {
  const url = buildAnnounceUrl(base, { infoHash: HASH, peerId: Buffer.from(`-RP0001-${String(n).padStart(12, '0')}`), port: 7100 + n, uploaded: 0, downloaded: 0, left: 100, event: 'started' });
  return bdecode(await httpGet(url, { timeoutMs: 10_000, maxBytes: 1 << 20 })) as BDict;
}

describe('tracker/start with a Redis store', { skip: NEEDS_REDIS }, () => {
  let redis: RedisProcess;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.stop());

  test('the daemon\'s tracker and a btd tracker process on one Redis return each other\'s peers', { timeout: 60_000 }, async (t) => {
    const state = mkdtempSync(join(tmpdir(), 'btd-redis-rpc-'));
    const daemon = spawnDaemon(state, ['--no-dht']);
    const port = await freePort();
    const cli = spawn(process.execPath, [BTD, 'tracker', '--port', String(port), '--store', redis.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    t.after(() => {
      daemon.kill();
      if (cli.exitCode === null) cli.kill('SIGKILL');
      rmSync(state, { recursive: true, force: true });
    });
    let out = '';
    cli.stdout.setEncoding('utf8');
    await within(20_000, new Promise<void>((resolve, reject) => {
      cli.stdout.on('data', (d: string) => {
        out += d;
        if (/announce URL/.test(out)) resolve();
      });
      cli.once('exit', (code) => reject(new Error(`btd tracker exited ${code}`)));
    }), 'btd tracker to start');
    await within(20_000, daemon.initialize(), 'initialize');
    const info = await within(20_000, daemon.conn.sendRequest(P.TrackerStartRequest.type, { port: 0, store: redis.url }), 'tracker/start with the Redis store');

    const first = await announce(info.url, 1);
    assert.equal(first.get('incomplete'), 1);
    const second = await announce(`http://127.0.0.1:${port}/announce`, 2);
    assert.equal(second.get('incomplete'), 2, 'the CLI tracker counts the peer announced to the daemon\'s');
    assert.deepEqual(Buffer.from(second.get('peers') as Uint8Array), Buffer.from([127, 0, 0, 1, (7101 >> 8) & 0xff, 7101 & 0xff]));
    const third = await announce(info.url, 3);
    assert.equal(third.get('incomplete'), 3);

    await assert.rejects(daemon.conn.sendRequest(P.TrackerStartRequest.type, { port: 0, store: 'redis://:pw@127.0.0.1:1' }), /store/);
    assert.equal(await within(20_000, daemon.stop(), 'the daemon to stop'), 0);
  });
});
