/**
 * Real clients through two btd trackers that share one redis-server: libtorrent seeds and announces to
 * instance B only, aria2 leeches and announces to instance A only; aria2 learns libtorrent's address from A
 * and downloads a byte-identical copy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTracker, type AnnounceNotice, type RunningTracker } from '../../../daemon/src/tracker/server';
import { createTorrent } from '../../../daemon/src/metainfo';
import { NEEDS_REDIS, startRedis, type RedisProcess } from '../../support/redis';
import { freePort, run, sha1File, stop, type Program } from './helpers';

const PYTHON = '/usr/bin/python3';
const LT_PEER = resolve(__dirname, '..', '..', '..', '..', 'test', 'interop', 'libtorrent', 'lt_peer.py');
const haveClients = spawnSync('aria2c', ['--version']).status === 0 && spawnSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;
const skip = NEEDS_REDIS || (!haveClients && process.env.CI !== 'true' && 'aria2c or python3-libtorrent missing (CI installs them and runs this)');
const DEADLINE_MS = 90_000;

/** Resolves with the first match of `re` in the program's output, or rejects after `ms` or on exit. */
function waitForOutput(p: Program, re: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolveMatch, reject) => {
    const timer = setInterval(() => {
      const m = re.exec(p.output());
      if (m) {
        clearInterval(timer);
        resolveMatch(m);
      }
    }, 20);
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${re} within ${ms} ms:\n${p.output()}`));
    }, ms);
    void p.exited.then(() => {
      clearInterval(timer);
      clearTimeout(giveUp);
      const m = re.exec(p.output());
      if (m) resolveMatch(m);
      else reject(new Error(`exited before ${re}:\n${p.output()}`));
    });
  });
}

test('libtorrent announces to tracker B, aria2 to tracker A; they find each other through Redis and transfer byte-identical', { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'btd-redis-clients-'));
  let redis: RedisProcess | undefined;
  let a: RunningTracker | undefined;
  let b: RunningTracker | undefined;
  let seeder: Program | undefined;
  let leecher: Program | undefined;
  try {
    redis = await startRedis();
    const seen: { a: AnnounceNotice[]; b: AnnounceNotice[] } = { a: [], b: [] };
    a = await startTracker({ port: 0, interval: 60, store: redis.url, onAnnounce: (n) => seen.a.push(n) });
    b = await startTracker({ port: 0, interval: 60, store: redis.url, onAnnounce: (n) => seen.b.push(n) });
    await mkdir(join(dir, 'seed'));
    await mkdir(join(dir, 'leech'));
    const data = join(dir, 'seed', 'payload.bin');
    await writeFile(data, randomBytes(3 * 1024 * 1024 + 777));
    // One info dictionary, two torrents: the announce URL lies outside the info dictionary.
    const viaA = await createTorrent(data, { trackers: [a.url], pieceLength: 64 * 1024 });
    const viaB = await createTorrent(data, { trackers: [b.url], pieceLength: 64 * 1024 });
    assert.equal(viaA.metainfo.infoHashHex, viaB.metainfo.infoHashHex);
    await writeFile(join(dir, 'a.torrent'), viaA.bytes);
    await writeFile(join(dir, 'b.torrent'), viaB.bytes);

    seeder = run(PYTHON, [LT_PEER, 'seed', join(dir, 'b.torrent'), join(dir, 'seed')]);
    const ltPort = Number((await waitForOutput(seeder, /seeding on port (\d+)/, 30_000))[1]);
    const giveUpAt = Date.now() + 30_000;
    while (!seen.b.some((n) => n.port === ltPort)) {
      if (Date.now() >= giveUpAt) throw new Error(`libtorrent did not announce to B: ${seeder.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    leecher = run('aria2c', [
      '--interface=127.0.0.1', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
      '--file-allocation=none', '--console-log-level=notice', '--summary-interval=0', '--no-conf=true',
      `--listen-port=${await freePort()}`, '--seed-time=0', `--dir=${join(dir, 'leech')}`, join(dir, 'a.torrent'),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no download after ${DEADLINE_MS / 1000} s\naria2:\n${leecher?.output()}\nlibtorrent:\n${seeder?.output()}`)), DEADLINE_MS);
    });
    const code = await Promise.race([leecher.exited, overdue]).finally(() => clearTimeout(timer));
    assert.equal(code, 0, leecher.output());
    assert.equal(await sha1File(join(dir, 'leech', 'payload.bin')), await sha1File(data));
    assert.ok(seen.a.length > 0 && seen.a.every((n) => n.port !== ltPort), 'aria2 announced to A, libtorrent never did');
    assert.ok(seen.b.every((n) => n.port === ltPort), 'only libtorrent announced to B');
  } finally {
    await stop(leecher);
    await stop(seeder);
    await a?.close();
    await b?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
