import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { runBtd } from './btd-process';
import { makeFixture, type Fixture } from './fixtures';

/** Bad input ends with exactly one `btd: ...` line on stderr and a non-zero status. */
async function expectOneLineError(args: string[], message: RegExp): Promise<void> {
  const r = await runBtd(args);
  assert.notEqual(r.code, 0, `btd ${args.join(' ')} succeeded`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
  assert.match(lines[0], /^btd: /);
  assert.match(lines[0], message);
}

describe('btd seed and btd download refuse bad input with one line', { timeout: 60_000 }, () => {
  let fx: Fixture;
  let busy: Server;
  let busyPort = 0;
  before(async () => {
    fx = await makeFixture({ name: 'e.bin', size: 100_000, pieceLength: 16 * 1024, trackers: [] });
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    busyPort = (busy.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((done) => busy.close(() => done()));
    await fx.remove();
  });

  test('a word that names no subcommand', async () => {
    const r = await runBtd(['foo']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "btd: unknown command 'foo' (run btd --help for usage)\n");
  });

  test('a missing torrent file or none at all', async () => {
    await expectOneLineError(['download', join(fx.dir, 'nope.torrent'), '-o', fx.dir], /torrent file not found/);
    await expectOneLineError(['seed', join(fx.dir, 'nope.torrent')], /torrent file not found/);
    await expectOneLineError(['download', '-o', fx.dir], /no torrent given/);
    await expectOneLineError(['download', fx.dir], /is a folder/);
    await expectOneLineError(['download', 'magnet:?xt=urn:btih:123', '-o', fx.dir], /^btd: magnet: info hash "123" is neither 40 hex nor 32 base32 digits$/);
    await expectOneLineError(['download', 'magnet:?dn=no-hash', '-o', fx.dir], /magnet/);
  });

  test('hostile torrents', async () => {
    const hostile: Record<string, string | Buffer> = {
      'garbage.torrent': 'this is not bencode',
      'deep.torrent': 'l'.repeat(100_000),
      'huge-string.torrent': 'd4:info999999999999:x',
      'no-info.torrent': 'd8:announce3:urle',
      'bad-pieces.torrent': 'd4:infod6:lengthi10e4:name1:x12:piece lengthi16384e6:pieces3:abcee',
      'traversal.torrent': 'd4:infod5:filesld6:lengthi1e4:pathl2:..6:passwdeee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee',
      'empty.torrent': '',
    };
    for (const [name, body] of Object.entries(hostile)) {
      const p = join(fx.dir, name);
      await writeFile(p, body);
      await expectOneLineError(['download', p, '-o', join(fx.dir, 'out'), '-p', '0', '--bind', '127.0.0.1'], /is not a valid torrent/);
    }
  });

  test('bad ports, addresses and peers', async () => {
    await expectOneLineError(['download', fx.torrentPath, '-p', '70000'], /invalid port: 70000/);
    await expectOneLineError(['seed', fx.torrentPath, '-f', fx.dataPath, '-p', 'http'], /invalid port: http/);
    await expectOneLineError(['download', fx.torrentPath, '--ip', 'not-an-ip'], /invalid IP address/);
    await expectOneLineError(['download', fx.torrentPath, '--peer', '127.0.0.1'], /invalid peer/);
    await expectOneLineError(['download', fx.torrentPath, '--max-download-rate', 'fast'], /invalid rate/);
    await expectOneLineError(
      ['download', fx.torrentPath, '-o', join(fx.dir, 'out'), '-p', String(busyPort), '--bind', '127.0.0.1'],
      /address in use/,
    );
  });

  test('seed without matching data', async () => {
    await expectOneLineError(['seed', fx.torrentPath, '-f', join(fx.dir, 'nowhere')], /data not found/);
    await expectOneLineError(['seed', fx.torrentPath, '-f', fx.dir, '-p', '0', '--bind', '127.0.0.1'], /torrent needs a file/);
    const wrong = join(fx.dir, 'wrong.bin');
    await writeFile(wrong, Buffer.alloc(100_000, 7));
    await expectOneLineError(['seed', fx.torrentPath, '-f', wrong, '-p', '0', '--bind', '127.0.0.1'], /does not match e\.bin: 0 of 7 pieces verified/);
  });
});
