/** Cross-checks with independent torrent makers and readers: transmission-show/-create and mktorrent. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bdecode, bencode } from '../../../daemon/src/bencode';
import { btd, run, transmissionShow } from './run';

interface InfoJson {
  name: string;
  infoHash: string;
  pieceLength: number;
  pieceCount: number;
  totalLength: number;
  files: { path: string; length: number }[];
  trackers: string[][];
  private: boolean;
  magnet: string;
}

async function btdInfo(torrent: string, cwd: string): Promise<InfoJson> {
  const r = await btd(['info', '--json', torrent], cwd);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as InfoJson;
}

describe('metainfo interop', { timeout: 60_000 }, () => {
  let dir: string;
  const tracker = 'http://127.0.0.1:6969/announce';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'btd-interop-meta-'));
    const root = join(dir, 'Share set');
    mkdirSync(join(root, 'deep', 'er'), { recursive: true });
    writeFileSync(join(root, 'deep', 'er', 'big.bin'), randomBytes(700_000));
    writeFileSync(join(root, 'deep', 'small.txt'), 'small\n');
    writeFileSync(join(root, 'zero'), '');
    writeFileSync(join(root, 'Ünïcode ☃.txt'), randomBytes(40_000));
    writeFileSync(join(root, 'b.bin'), randomBytes(123_457));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a multi-file torrent made by btd reads the same in transmission-show', async () => {
    const r = await btd(['create', 'Share set', '-t', tracker, '--comment', 'interop', '-q'], dir);
    assert.equal(r.code, 0, r.stderr);
    const torrent = join(dir, 'Share set.torrent');
    const ours = await btdInfo(torrent, dir);
    const theirs = await transmissionShow(torrent, dir);
    assert.equal(theirs.hash, ours.infoHash);
    assert.match(r.stdout, new RegExp(`info hash: ${ours.infoHash}`));
    assert.match(r.stdout, new RegExp(`magnet: magnet:\\?xt=urn:btih:${ours.infoHash}`));
    assert.deepEqual([...theirs.files].sort(), ours.files.map((f) => f.path).sort());
    assert.equal(ours.files.length, 5);
  });

  test('a torrent made by mktorrent reads in btd with the info hash transmission reports', async () => {
    const out = join(dir, 'mk.torrent');
    const r = await run('mktorrent', ['-l', '16', '-a', tracker, '-p', '-o', out, 'Share set'], dir);
    assert.equal(r.code, 0, r.stderr);
    const ours = await btdInfo(out, dir);
    assert.equal(ours.infoHash, (await transmissionShow(out, dir)).hash);
    assert.equal(ours.pieceLength, 65536);
    assert.equal(ours.private, true);
    assert.deepEqual(ours.trackers, [[tracker]]);
    assert.equal(ours.totalLength, 700_000 + 6 + 40_000 + 123_457);
  });

  test('a torrent made by transmission-create reads in btd with the same info hash', async () => {
    const out = join(dir, 'tr.torrent');
    const r = await run('transmission-create', ['-o', out, '-t', tracker, '-s', '32', 'Share set'], dir);
    assert.equal(r.code, 0, r.stderr);
    const ours = await btdInfo(out, dir);
    assert.equal(ours.infoHash, (await transmissionShow(out, dir)).hash);
    assert.equal(ours.pieceLength, 32768);
    assert.equal(ours.name, 'Share set');
  });

  test('btd and mktorrent make the same info hash for the same single file and piece length', async () => {
    const file = join(dir, 'Share set', 'b.bin');
    const mk = join(dir, 'single-mk.torrent');
    assert.equal((await run('mktorrent', ['-l', '15', '-o', mk, file], dir)).code, 0);
    const r = await btd(['create', file, '--piece-length', '32K', '-o', 'single-btd.torrent', '-q'], dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await btdInfo('single-btd.torrent', dir)).infoHash, (await btdInfo(mk, dir)).infoHash);
  });

  test('a hand-written non-canonical info dictionary keeps its original info hash', async () => {
    const info = 'd6:lengthi5e4:name5:a.txt12:piece lengthi16384e6:pieces20:' + 'p'.repeat(20) + 'e';
    const path = join(dir, 'hand.torrent');
    // "z" before "length", "piece length" before "pieces": both out of canonical order.
    writeFileSync(path, Buffer.from(`d4:infod1:zi1e${info.slice(1)}e`, 'latin1'));
    const raw = readFileSync(path);
    const infoBytes = raw.subarray('d4:info'.length, raw.length - 1);
    const expected = createHash('sha1').update(infoBytes).digest('hex');
    const canonical = createHash('sha1').update(bencode(bdecode(infoBytes))).digest('hex');
    assert.notEqual(canonical, expected, 'the input really is non-canonical');
    assert.equal((await btdInfo(path, dir)).infoHash, expected);
    // Transmission 3.00 hashes a re-encoding of the info dictionary (fixed in 4.0), so it may report
    // the canonical hash here; any other value would mean the two readers disagree on the bytes.
    assert.ok([expected, canonical].includes((await transmissionShow(path, dir)).hash));
  });
});
