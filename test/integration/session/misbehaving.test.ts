import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import type { LogEntry } from '../../../daemon/src/session/types';
import { encodeHandshake } from '../../../daemon/src/wire/handshake';
import { encodeBitfield } from '../../../daemon/src/wire/messages';
import { checked, completed, Fixture, makeTorrent, sameFiles, seederAndLeecher } from './helpers';
import { corruptSeeder } from './fake-peer';

describe('misbehaving peers', () => {
  const fx = new Fixture();
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    await Promise.all(closers.map((c) => c()));
    await fx.dispose();
  });

  test('a peer sending corrupt blocks is banned and the download still completes', async () => {
    const { metainfo, contents, seeder, leecher, leechDir } = await seederAndLeecher(fx, 'corrupt-case', { 'data.bin': 1_200_000 }, {
      uploadRateLimit: 1_000_000,
    });
    const fake = await corruptSeeder(metainfo);
    closers.push(fake.close);
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
    const dir = await fx.dir();
    const { metainfo } = await makeTorrent(dir, 'prefix-case', { 'x.bin': 100_000 });
    const seeder = await fx.session(dir);
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
