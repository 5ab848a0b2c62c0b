import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import type { Session } from '../../../daemon/src/session';
import { SessionError } from '../../../daemon/src/session/types';
import { checked, cleanup, completed, makeTorrent, startSession, tempDir } from './helpers';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('session options', () => {
  const dirs: string[] = [];
  const sessions: Session[] = [];
  after(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await cleanup(...dirs);
  });

  test('a new port takes effect live and peers reach us there', async () => {
    const seedDir = await tempDir();
    const leechDir = await tempDir();
    dirs.push(seedDir, leechDir);
    const { metainfo } = await makeTorrent(seedDir, 'port-case', { 'p.bin': 150_000 });
    const seeder = await startSession(seedDir);
    const leecher = await startSession(leechDir);
    sessions.push(seeder, leecher);
    await checked(await seeder.addTorrent(metainfo));
    const oldPort = seeder.port;
    const newPort = await freePort();
    await seeder.setOptions({ port: newPort, maxConnections: 10, uploadRateLimit: 0 });
    assert.equal(seeder.port, newPort);
    assert.equal(seeder.stats().port, newPort);
    const refused = net.connect({ host: '127.0.0.1', port: oldPort });
    const [err] = await once(refused, 'error');
    assert.equal((err as NodeJS.ErrnoException).code, 'ECONNREFUSED', 'the old port is closed');
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', newPort);
    await completed(t);
    const stats = leecher.stats();
    assert.equal(stats.torrents, 1);
    assert.ok(stats.downloaded >= metainfo.totalLength);
  });

  test('bad options are SessionError invalid', async () => {
    await assert.rejects(startSession(''), (e: unknown) => e instanceof SessionError && e.code === 'invalid');
    const dir = await tempDir();
    dirs.push(dir);
    await assert.rejects(
      startSession(dir, { peerId: new Uint8Array(5) }),
      (e: unknown) => e instanceof SessionError && e.code === 'invalid',
    );
  });
});
