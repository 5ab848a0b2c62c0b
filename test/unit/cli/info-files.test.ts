import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { bencode } from '../../../daemon/src/bencode';
import { infoJson, infoText } from '../../../daemon/src/cli/info';
import { parseMetainfo } from '../../../daemon/src/metainfo';

test('btd info hides padding files, shows attr flags, and numbers files with --files', () => {
  const files = [
    { length: 10_000, path: ['run.sh'], attr: 'x' },
    { length: 6_384, path: ['.pad', '6384'], attr: 'p' },
    { length: 5_000, path: ['.hidden'], attr: 'h' },
  ];
  const total = 21_384;
  const pieces = Buffer.concat([0, 1].map(() => createHash('sha1').update('x').digest()));
  const m = parseMetainfo(bencode({ info: { files, name: 'tool', 'piece length': 16384, pieces: total > 16384 ? pieces : pieces.subarray(0, 20) } }));
  const text = infoText(m);
  assert.match(text, /^files \(2\):$/m);
  assert.match(text, /^ {2}tool\/run\.sh {2}\(.*\) {2}\[x\]$/m);
  assert.doesNotMatch(text, /\.pad/);
  const numbered = infoText(m, true);
  assert.match(numbered, /^ {2}0 {2}tool\/run\.sh/m);
  assert.match(numbered, /^ {2}2 {2}tool\/\.hidden .*\[h\]$/m, 'indexes are the torrent\'s, padding files counted');
  assert.deepEqual(infoJson(m).files, [
    { index: 0, path: 'tool/run.sh', length: 10_000, attr: 'x' },
    { index: 2, path: 'tool/.hidden', length: 5_000, attr: 'h' },
  ]);
});
