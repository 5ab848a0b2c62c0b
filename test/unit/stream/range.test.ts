import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRange } from '../../../daemon/src/stream';
import { newToken, tokenMatches } from '../../../daemon/src/stream/token';
import { formatFilePath, parseFilePath, tokenOf } from '../../../daemon/src/stream/url-path';

describe('resolveRange', () => {
  test('no Range: the whole file', () => {
    assert.deepEqual(resolveRange(undefined, 100), { kind: 'full', start: 0, end: 99 });
  });
  test('one range, open ended, suffix, clipped', () => {
    assert.deepEqual(resolveRange('bytes=10-19', 100), { kind: 'partial', start: 10, end: 19 });
    assert.deepEqual(resolveRange('bytes=90-', 100), { kind: 'partial', start: 90, end: 99 });
    assert.deepEqual(resolveRange('bytes=-5', 100), { kind: 'partial', start: 95, end: 99 });
    assert.deepEqual(resolveRange('bytes=50-500', 100), { kind: 'partial', start: 50, end: 99 });
  });
  test('several ranges: the first after merging', () => {
    assert.deepEqual(resolveRange('bytes=0-9,5-20', 100), { kind: 'partial', start: 0, end: 20 });
  });
  test('unsatisfiable and malformed', () => {
    assert.deepEqual(resolveRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(resolveRange('bytes=0-1', 0), { kind: 'unsatisfiable' });
    assert.deepEqual(resolveRange('bytes=abc', 100), { kind: 'full', start: 0, end: 99 });
    assert.deepEqual(resolveRange('items=0-1', 100), { kind: 'full', start: 0, end: 99 });
    assert.deepEqual(resolveRange(undefined, 0), { kind: 'full', start: 0, end: -1 });
  });
});

describe('token', () => {
  test('tokens are long, URL-safe and differ', () => {
    const a = newToken();
    assert.match(a, /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a, newToken());
  });
  test('only the exact token matches', () => {
    const t = newToken();
    assert.ok(tokenMatches(t, t));
    assert.ok(!tokenMatches(undefined, t));
    assert.ok(!tokenMatches('', t));
    assert.ok(!tokenMatches(t.slice(1), t));
    assert.ok(!tokenMatches(`${t.slice(0, -1)}${t.endsWith('a') ? 'b' : 'a'}`, t));
  });
});

describe('file paths', () => {
  const hash = 'ab'.repeat(20);
  test('format and parse round-trip; the name is only for players', () => {
    const path = formatFilePath({ token: 'tok', infoHashHex: hash, fileIndex: 3 }, 'a film.mkv');
    assert.equal(path, `/tok/${hash}/3/a%20film.mkv`);
    assert.deepEqual(parseFilePath(path), { token: 'tok', infoHashHex: hash, fileIndex: 3 });
    assert.deepEqual(parseFilePath(`/tok/${hash.toUpperCase()}/0`), { token: 'tok', infoHashHex: hash, fileIndex: 0 });
    assert.equal(tokenOf(path), 'tok');
  });
  test('anything else is not a file path', () => {
    for (const p of ['/', '/tok', `/tok/${hash}`, `/tok/zz/0/x`, `/tok/${hash}/-1/x`, `/tok/${hash}/01/x`, `/tok/${hash}/1.5/x`, `/tok/${hash}/0/x/y`]) {
      assert.equal(parseFilePath(p), undefined, p);
    }
    assert.equal(tokenOf('/'), undefined);
  });
});
