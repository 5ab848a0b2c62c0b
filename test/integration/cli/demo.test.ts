import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBtd } from './btd-process';

test('btd demo (npm run demo) runs a swarm on loopback, verifies both copies and exits 0', { timeout: 90_000 }, async () => {
  const r = await runBtd(['demo']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^tracker listening at http:\/\/127\.0\.0\.1:\d+\/announce$/m);
  assert.match(r.stdout, /both leechers hold a byte-identical copy of btd-demo\.bin \(32\.0 MiB\)/);
  const shared = [...r.stdout.matchAll(/^ {2}(leecher-\d) received .* from the seeder, ([\d.]+ \w+) from leecher-\d$/gm)];
  assert.equal(shared.length, 2, r.stdout);
});
