import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import type { Session } from '../../../daemon/src/session';
import type { LogEntry } from '../../../daemon/src/session/types';
import { encodeHandshake } from '../../../daemon/src/wire/handshake';
import { encodeBitfield } from '../../../daemon/src/wire/messages';
import { checked, cleanup, completed, makeTorrent, sameFiles, startSession, tempDir } from './helpers';
import { corruptSeeder } from './fake-peer';

describe('misbehaving peers', () => {
  const dirs: string[] = [];
  const sessions: Session[] = [];
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    await Promise.all(closers.map((c) => c()));
    await Promise.all(sessions.map((s) => s.close()));
    await cleanup(...dirs);
  });

  test('a peer sending corrupt blocks is banned and the download still completes', async () => {
    const seedDir = await tempDir();
    const leechDir = await tempDir();
    dirs.push(seedDir, leechDir);
    const { metainfo, contents } = await makeTorrent(seedDir, 'corrupt-case', { 'data.bin': 1_200_000 });
    const fake = await corruptSeeder(metainfo);
    closers.push(fake.close);
    const seeder = await startSession(seedDir, { uploadRateLimit: 1_000_000 });
    const leecher = await startSession(leechDir);
    sessions.push(seeder, leecher);
    await checked(await seeder.addTorrent(metainfo));
    const logs: LogEntry[] = [];
    leecher.on('log', (e: LogEntry) => logs.push(e));
    const t = await leecher.addTorrent(metainfo);
    await checked(t);
    t.addPeer('127.0.0.1', fake.port);
    t.addPeer('127.0.0.1', seeder.port);
    await completed(t);
    assert.ok(await sameFiles(leechDir, 'corrupt-case', contents));
    assert.ok(
      logs.some((e) => e.level === 'warn' && e.message.includes(`banned 127.0.0.1:${fake.port}`)),
      'the corrupt peer was banned',
    );
    assert.ok(logs.some((e) => e.message.includes('failed its hash check')));
    assert.equal(fake.connections(), 1, 'a banned address is not dialled again');
    assert.ok(!t.peers().some((p) => p.port === fake.port));
  });

  test('a peer sending a 4 GiB length prefix is dropped without buffering its data', async () => {
    const dir = await tempDir();
    dirs.push(dir);
    const { metainfo } = await makeTorrent(dir, 'prefix-case', { 'x.bin': 100_000 });
    const seeder = await startSession(dir);
    sessions.push(seeder);
    await checked(await seeder.addTorrent(metainfo));
    const before = process.memoryUsage().arrayBuffers;
    const socket = net.connect({ host: '127.0.0.1', port: seeder.port });
    await once(socket, 'connect');
    socket.on('error', () => undefined);
    socket.write(encodeHandshake({ reserved: new Uint8Array(8), infoHash: metainfo.infoHash, peerId: Buffer.from('-XX0001-bigprefix000') }));
    socket.write(encodeBitfield(new Uint8Array(Math.ceil(metainfo.pieceCount / 8))));
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    const junk = Buffer.alloc(1 << 20, 0x55);
    let sent = 0;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Keep pushing data until the session hangs up; a naive framer would buffer all of it.
    while (!socket.destroyed && sent < 256 << 20) {
      if (!socket.write(junk)) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      sent += junk.length;
    }
    await closed;
    assert.ok(sent < 256 << 20, 'the session closed the connection');
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 64 << 20, `array buffers grew by ${grown} bytes`);
    assert.equal(seeder.get(metainfo.infoHashHex)?.peers().length, 0);
  });
});
