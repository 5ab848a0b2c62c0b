import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { SessionError } from '../../../daemon/src/session/types';
import { checked, completed, Fixture, seederAndLeecher, startSession } from './helpers';

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('session options', () => {
  const fx = new Fixture();
  after(() => fx.dispose());

  test('a new port takes effect live and peers reach us there', async () => {
    const { metainfo, seeder, leecher } = await seederAndLeecher(fx, 'port-case', { 'p.bin': 150_000 });
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
    const dir = await fx.dir();
    await assert.rejects(
      startSession(dir, { peerId: new Uint8Array(5) }),
      (e: unknown) => e instanceof SessionError && e.code === 'invalid',
    );
  });
});
