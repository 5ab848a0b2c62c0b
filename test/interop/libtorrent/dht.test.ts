/**
 * libtorrent (python3-libtorrent) and btd on a loopback DHT whose only router is a btd DHT node: a btd
 * download of a magnet link with no tracker finds a libtorrent seeder through the DHT alone, and
 * libtorrent finds a btd seeder the same way. Both copies are compared byte for byte.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sameContent, writeSampleFile } from '../../../daemon/src/cli/demo-data';
import { Dht } from '../../../daemon/src/dht/dht';
import { buildMagnet, createTorrent, parseMagnet, parseMetainfo } from '../../../daemon/src/metainfo';
import { Session, type Torrent } from '../../../daemon/src/session';
import { REPO_ROOT, startProcess, type BtdProcess } from '../../integration/cli/btd-process';
import { completed } from '../../integration/session/helpers';
import { within } from '../../support/deadline';

process.env.BTD_LOOPBACK_ONLY = '1';
const PYTHON = '/usr/bin/python3';
const LT_PEER = resolve(REPO_ROOT, 'test/interop/libtorrent/lt_peer.py');
const haveLibtorrent = spawnSync(PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;
const DEADLINE = 60_000;

describe('btd and libtorrent on a loopback DHT', { skip: !haveLibtorrent && process.env.CI !== 'true' && 'python3-libtorrent missing (CI installs it and runs this)', timeout: 120_000 }, () => {
  let dir: string;
  let router: Dht;
  const procs: BtdProcess[] = [];
  const sessions: Session[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'btd-lt-dht-'));
    router = await Dht.start({ port: 0, host: '127.0.0.1', bootstrap: [] });
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.kill()));
    await Promise.all(sessions.map((s) => s.close()));
    await router.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function sample(name: string, size: number): Promise<{ data: string; torrentPath: string; infoHash: Uint8Array }> {
    const data = join(dir, 'seed', name);
    await mkdir(join(dir, 'seed'), { recursive: true });
    await writeSampleFile(data, size, size & 0xff);
    const { bytes, metainfo } = await createTorrent(data, { trackers: [], pieceLength: 64 * 1024 });
    const torrentPath = join(dir, `${name}.torrent`);
    await writeFile(torrentPath, bytes);
    return { data, torrentPath, infoHash: metainfo.infoHash };
  }

  async function session(downloadDir: string): Promise<Session> {
    const s = await Session.start({ downloadDir, listenHost: '127.0.0.1', port: 0, dht: true, dhtBootstrap: [`127.0.0.1:${router.port}`] });
    sessions.push(s);
    return s;
  }

  test('a btd magnet download with no tracker finds a libtorrent seeder through the DHT', async () => {
    const { data, torrentPath, infoHash } = await sample('from-lt.bin', 1024 * 1024 + 333);
    const seeder = startProcess(PYTHON, [LT_PEER, 'dht-seed', torrentPath, join(dir, 'seed'), `127.0.0.1:${router.port}`]);
    procs.push(seeder);
    await within(DEADLINE, seeder.waitFor(/^seeding on port \d+$/), 'libtorrent seeding');
    const out = join(dir, 'btd-out');
    const leecher = await session(out);
    leecher.addMagnet(parseMagnet(buildMagnet({ infoHash, name: 'from-lt.bin' })));
    const [t] = (await within(DEADLINE, once(leecher, 'metadata'), `the metadata never came (libtorrent: ${seeder.stderr()})`)) as [Torrent];
    await within(DEADLINE, completed(t), 'the download did not complete');
    assert.ok(await sameContent(data, join(out, 'from-lt.bin')), 'byte-identical');
    console.log(`# the btd router's table: ${router.size} nodes (the libtorrent seeder and the btd leecher)`);
  });

  test('libtorrent finds a btd seeder through the DHT and downloads a byte-identical copy', async () => {
    const { data, torrentPath, infoHash } = await sample('from-btd.bin', 900_001);
    const seeder = await session(join(dir, 'seed'));
    const t = await seeder.addTorrent(parseMetainfo(await readFile(torrentPath)));
    await within(DEADLINE, completed(t), 'btd checked its data');
    const out = join(dir, 'lt-out');
    const leecher = startProcess(PYTHON, [LT_PEER, 'dht-download', buildMagnet({ infoHash, name: 'from-btd.bin' }), out, `127.0.0.1:${router.port}`]);
    procs.push(leecher);
    const r = await within(DEADLINE, leecher.exited, 'libtorrent did not finish');
    assert.equal(r.code, 0, leecher.stderr());
    assert.match(leecher.stdout(), /^complete: 900001 bytes$/m);
    assert.ok(await sameContent(data, join(out, 'from-btd.bin')), 'byte-identical');
  });
});
