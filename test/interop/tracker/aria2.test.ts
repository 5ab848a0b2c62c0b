import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { randomBytes, createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startTracker, type AnnounceNotice, type RunningTracker } from '../../../daemon/src/tracker/server';
import { scrape } from '../../../daemon/src/tracker/client';
import { bdecodeWithSpans, type BDict } from '../../../daemon/src/bencode';
import { freePort, run, sha1File, stop, type Program } from './helpers';

const ARIA2_COMMON = [
  '--interface=127.0.0.1',
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--enable-peer-exchange=false',
  '--file-allocation=none',
  '--console-log-level=notice',
  '--summary-interval=0',
  '--no-conf=true',
];

/** Longest the leecher may take; past it the test fails with both programs' output instead of hanging. */
const LEECH_DEADLINE_MS = 90_000;

const haveAria2 = spawnSync('aria2c', ['--version']).status === 0 && spawnSync('mktorrent', ['-h']).status !== null;

test('two aria2c find each other through btd tracker and transfer a file byte-identical', { skip: !haveAria2 && process.env.CI !== 'true' && 'aria2c or mktorrent missing (CI installs them and runs this)', timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'btd-aria2-'));
  let tracker: RunningTracker | undefined;
  let seeder: Program | undefined;
  let leecher: Program | undefined;
  try {
    const notices: AnnounceNotice[] = [];
    let seederSeen!: () => void;
    const seederAnnounced = new Promise<void>((resolve) => (seederSeen = resolve));
    tracker = await startTracker({ port: 0, interval: 60, onAnnounce: (n) => {
      notices.push(n);
      if (n.seeder) seederSeen();
    } });
    await mkdir(join(dir, 'seed'));
    await mkdir(join(dir, 'leech'));
    const data = join(dir, 'seed', 'payload.bin');
    await writeFile(data, randomBytes(3 * 1024 * 1024 + 12345));
    const torrent = join(dir, 'payload.torrent');
    const made = spawnSync('mktorrent', ['-a', tracker.url, '-l', '18', '-o', torrent, data]);
    assert.equal(made.status, 0, made.stderr.toString());
    const raw = await readFile(torrent);
    const decoded = bdecodeWithSpans(raw);
    const span = decoded.span((decoded.value as BDict).get('info') as BDict);
    assert.ok(span);
    const infoHash = createHash('sha1').update(raw.subarray(span.start, span.end)).digest();

    seeder = run('aria2c', [...ARIA2_COMMON, `--listen-port=${await freePort()}`, '--check-integrity=false', '--bt-seed-unverified=true', '--seed-time=99999',
      // aria2 stops seeding at a share ratio of 1.0 by default; endgame duplicates can reach it before the leecher has every piece.
      '--seed-ratio=0.0', `--dir=${join(dir, 'seed')}`, torrent]);
    await Promise.race([seederAnnounced, seeder.exited.then(() => Promise.reject(new Error(`seeder exited: ${seeder?.output()}`)))]);
    leecher = run('aria2c', [...ARIA2_COMMON, `--listen-port=${await freePort()}`, '--seed-time=0', `--dir=${join(dir, 'leech')}`, torrent]);
    let deadline: NodeJS.Timeout | undefined;
    const overdue = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => {
        reject(new Error(`no download after ${LEECH_DEADLINE_MS / 1000} s\nleecher:\n${leecher?.output()}\nseeder:\n${seeder?.output()}\nannounces: ${JSON.stringify(notices)}`));
      }, LEECH_DEADLINE_MS);
    });
    const code = await Promise.race([leecher.exited, overdue]).finally(() => clearTimeout(deadline));
    assert.equal(code, 0, leecher.output());

    assert.equal(await sha1File(join(dir, 'leech', 'payload.bin')), await sha1File(data));
    const leecherPort = notices.find((n) => !n.seeder && n.event === 'started')?.port;
    assert.ok(leecherPort !== undefined, `the leecher announced started: ${JSON.stringify(notices)}`);
    const last = notices.filter((n) => n.port === leecherPort).pop();
    assert.deepEqual([last?.event, last?.seeder], ['stopped', true], 'the leecher left as a seeder');
    const figures = (await scrape(tracker.url, [infoHash])).get(infoHash.toString('hex'));
    assert.ok(figures !== undefined);
  } finally {
    await stop(leecher);
    await stop(seeder);
    await tracker?.close();
    await rm(dir, { recursive: true, force: true });
  }
});
