/** `btd create` and `btd info` as a person uses them: output files, refusals, one-line errors, cancel. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { btd } from './run';

const FIXTURES = join(__dirname, '../../../../test/fixtures/metainfo/hostile');

function assertOneLineError(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0], /^btd: \S/);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('btd create / btd info', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btd-cli-meta-'));
    writeFileSync(join(dir, 'data.bin'), Buffer.alloc(100_000, 7));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('create writes <name>.torrent in cwd, prints hash and magnet, refuses to overwrite unless --force', async () => {
    const first = await btd(['create', 'data.bin', '-t', 'http://127.0.0.1:1/a'], dir);
    assert.equal(first.code, 0, first.stderr);
    const hash = /info hash: ([0-9a-f]{40})/.exec(first.stdout)?.[1];
    assert.ok(hash, first.stdout);
    assert.match(first.stdout, /magnet: magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=data.bin&tr=http%3A%2F%2F127.0.0.1%3A1%2Fa/);
    assert.match(first.stderr, /^hashing +100\.0% /m, 'plain progress lines when stderr is not a terminal');
    const again = await btd(['create', 'data.bin'], dir);
    assert.equal(again.code, 1);
    assertOneLineError(again.stderr);
    assert.match(again.stderr, /already exists.*--force/);
    const forced = await btd(['create', 'data.bin', '--force', '-q'], dir);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stderr, '');
    const info = await btd(['info', 'data.bin.torrent'], dir);
    assert.equal(info.code, 0);
    assert.match(info.stdout, /^name: +data\.bin$/m);
    assert.match(info.stdout, /^pieces: +7$/m);
    assert.match(info.stdout, /^magnet: +magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=data\.bin$/m);
    assert.match(info.stdout, /^ {2}data\.bin {2}\(97\.7 KiB\)$/m);
    assert.deepEqual(readdirSync(dir).sort(), ['data.bin', 'data.bin.torrent']);
  });

  test('bad input gives one line on stderr and a non-zero exit', async () => {
    const cases = [
      ['create', 'missing'],
      ['create', 'data.bin', '--piece-length', '1000', '-o', 'x.torrent'],
      ['info', 'missing.torrent'],
      ['info', 'data.bin'],
      ['info', '.'],
      ['create', 'data.bin', '-t', 'ftp://127.0.0.1/x', '-o', 'x.torrent'],
      ['create', 'data.bin', '-t', 'http://127.0.0.1/a,not a url', '-o', 'x.torrent'],
      ['create', 'data.bin', '--web-seed', 'udp://127.0.0.1:1', '-o', 'x.torrent'],
    ];
    for (const args of cases) {
      const r = await btd(args, dir);
      assert.notEqual(r.code, 0, args.join(' '));
      assertOneLineError(r.stderr);
    }
    assert.ok(!readdirSync(dir).includes('x.torrent'));
  });

  test('every hostile torrent is refused with one clear line, and nothing is written', async () => {
    const work = mkdtempSync(join(tmpdir(), 'btd-hostile-'));
    try {
      for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.torrent'))) {
        const r = await btd(['info', join(FIXTURES, file)], work);
        assert.equal(r.code, 1, file);
        assertOneLineError(r.stderr);
        assert.equal(r.stdout, '', file);
      }
      assert.deepEqual(readdirSync(work), []);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('Ctrl-C while hashing leaves no output and no temporary file', async () => {
    const work = mkdtempSync(join(tmpdir(), 'btd-cancel-'));
    try {
      // A sparse 8 GiB file: takes no disk, and hashing it takes far longer than the signal does to arrive.
      const fd = openSync(join(work, 'huge.bin'), 'w');
      ftruncateSync(fd, 8 * 1024 * 1024 * 1024);
      closeSync(fd);
      let signalled = false;
      const r = await btd(['create', 'huge.bin'], work, (text, pid) => {
        if (!signalled && /hashing/.test(text)) {
          signalled = true;
          process.kill(pid, 'SIGINT');
        }
      });
      assert.ok(signalled);
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /btd: cancelled; nothing written/);
      assert.deepEqual(readdirSync(work), ['huge.bin']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
