/**
 * aria2c and btd on a loopback DHT whose only entry point is a btd DHT node: aria2c downloads a btd
 * seeder's torrent from a magnet link with no tracker, and btd downloads an aria2c seeder's the same
 * way. Copies are compared byte for byte.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sameContent, writeSampleFile } from '../../../daemon/src/cli/demo-data';
import { Dht } from '../../../daemon/src/dht/dht';
import { buildMagnet, createTorrent, parseMagnet, parseMetainfo } from '../../../daemon/src/metainfo';
import { Session, type Torrent } from '../../../daemon/src/session';
import { startProcess, type BtdProcess } from '../../integration/cli/btd-process';
import { completed } from '../../integration/session/helpers';
import { within } from '../../support/deadline';
import { ARIA2_LOCAL, freePort } from './peers';

process.env.BTD_LOOPBACK_ONLY = '1';
const DEADLINE = 60_000;

describe('btd and aria2c on a loopback DHT', { timeout: 120_000 }, () => {
  let dir: string;
  let router: Dht;
  const procs: BtdProcess[] = [];
  const sessions: Session[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btd-aria2-dht-'));
    router = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: [] });
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(sessions.map((s) => s.close()));
    await router.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** aria2c with its DHT on, entered through the btd router only. */
  async function aria2(args: string[], cwd: string, name: string): Promise<BtdProcess> {
    const dht = ['--enable-dht=true', `--dht-entry-point=127.0.0.1:${router.port}`, `--dht-listen-port=${await freePort()}`, `--dht-file-path=${join(dir, `${name}-dht.dat`)}`];
    const p = startProcess('aria2c', [...ARIA2_LOCAL.filter((f) => f !== '--enable-dht=false'), ...dht, `--listen-port=${await freePort()}`, ...args], cwd);
    procs.push(p);
    return p;
  }

  async function sample(name: string, size: number): Promise<{ data: string; torrentPath: string; infoHash: Uint8Array }> {
    await mkdir(join(dir, 'seed'), { recursive: true });
    const data = join(dir, 'seed', name);
    await writeSampleFile(data, size, 3);
    const { bytes, metainfo } = await createTorrent(data, { trackers: [], pieceLength: 32 * 1024 });
    const torrentPath = join(dir, `${name}.torrent`);
    await writeFile(torrentPath, bytes);
    return { data, torrentPath, infoHash: metainfo.infoHash };
  }

  async function session(downloadDir: string): Promise<Session> {
    const s = await Session.start({ downloadDir, listenHost: '127.0.0.1', port: 0, dht: true, dhtBootstrap: [`127.0.0.1:${router.port}`] });
    sessions.push(s);
    return s;
  }

  test('aria2c downloads a magnet link with no tracker from a btd seeder found through the DHT', async () => {
    const { data, torrentPath, infoHash } = await sample('to-aria2.bin', 800_003);
    const seeder = await session(join(dir, 'seed'));
    await within(DEADLINE, completed(await seeder.addTorrent(parseMetainfo(await readFile(torrentPath)))), 'btd checked its data');
    const out = join(dir, 'aria2-out');
    await mkdir(out);
    const leecher = await aria2(['--seed-time=0', `--dir=${out}`, buildMagnet({ infoHash, name: 'to-aria2.bin' })], out, 'leecher');
    const r = await within(DEADLINE, leecher.exited, 'aria2c did not finish');
    assert.equal(r.code, 0, leecher.stdout());
    assert.ok(await sameContent(data, join(out, 'to-aria2.bin')));
  });

  test('btd downloads a magnet link with no tracker from an aria2c seeder found through the DHT', async () => {
    const { data, torrentPath, infoHash } = await sample('from-aria2.bin', 600_007);
    const seedDir = join(dir, 'seed');
    const seeder = await aria2(['--check-integrity=false', '--bt-seed-unverified=true', '--seed-time=99999', '--seed-ratio=0.0', `--dir=${seedDir}`, torrentPath], seedDir, 'seeder');
    await within(DEADLINE, seeder.waitFor(/IPv4 BitTorrent: listening on TCP port \d+/, 'both'), 'aria2c listening');
    const out = join(dir, 'btd-out');
    const leecher = await session(out);
    leecher.addMagnet(parseMagnet(buildMagnet({ infoHash, name: 'from-aria2.bin' })));
    const [t] = (await within(DEADLINE, once(leecher, 'metadata'), `the metadata never came (aria2c: ${seeder.stdout().slice(-500)})`)) as [Torrent];
    await within(DEADLINE, completed(t), 'the download did not complete');
    assert.ok(await sameContent(data, join(out, 'from-aria2.bin')));
  });
});
