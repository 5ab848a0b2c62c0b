import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetainfoError, buildMagnet, parseMagnet } from '../../../daemon/src/metainfo';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
const BASE32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK';

test('parses hex and base32 info hashes, name and trackers', () => {
  const m = parseMagnet(`magnet:?xt=urn:btih:${HEX}&dn=My+File%21&tr=http%3A%2F%2Fa%2Fann&tr=udp://b:1&tr=http%3A%2F%2Fa%2Fann`);
  assert.equal(m.infoHashHex, HEX);
  assert.equal(m.name, 'My File!');
  assert.deepEqual(m.trackers, ['http://a/ann', 'udp://b:1']);
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${BASE32}`).infoHashHex, HEX);
  assert.equal(parseMagnet(`magnet:?xt=urn:btih:${BASE32.toLowerCase()}`).infoHashHex, HEX);
  assert.equal(parseMagnet(`MAGNET:?xt.1=urn:btmh:1220aa&xt.2=urn:btih:${HEX.toUpperCase()}`).infoHashHex, HEX);
});

test('refuses what has no usable v1 info hash', () => {
  for (const uri of [
    'http://x/',
    'magnet:?dn=x',
    'magnet:?xt=urn:btih:abc',
    `magnet:?xt=urn:btih:${HEX}0`,
    'magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKE1',
    'magnet:?xt=urn:btmh:1220' + 'aa'.repeat(32),
    `magnet:?xt=urn:btih:${HEX}&${'x'.repeat(70_000)}`,
  ]) {
    assert.throws(() => parseMagnet(uri), (e: unknown) => e instanceof MetainfoError && e.code === 'bad-magnet', uri.slice(0, 60));
  }
});

test('build then parse round-trips', () => {
  const infoHash = Uint8Array.from(Buffer.from(HEX, 'hex'));
  const uri = buildMagnet({ infoHash, name: 'a b&c', trackers: ['http://t/a?x=1&y=2', 'udp://u:2'] });
  assert.equal(uri, `magnet:?xt=urn:btih:${HEX}&dn=a%20b%26c&tr=http%3A%2F%2Ft%2Fa%3Fx%3D1%26y%3D2&tr=udp%3A%2F%2Fu%3A2`);
  const back = parseMagnet(uri);
  assert.deepEqual(back.infoHash, infoHash);
  assert.equal(back.name, 'a b&c');
  assert.deepEqual(back.trackers, ['http://t/a?x=1&y=2', 'udp://u:2']);
  assert.throws(() => buildMagnet({ infoHash: new Uint8Array(3) }), RangeError);
});
