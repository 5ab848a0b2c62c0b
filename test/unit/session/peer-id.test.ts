import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clientName, generatePeerId, peerIdPrefix } from '../../../daemon/src/util/peer-id';

const id = (s: string): Uint8Array => Buffer.from(s.padEnd(20, 'x'), 'latin1');

describe('peer ids', () => {
  test('ours start with -BT0100- and differ in the random part', () => {
    assert.equal(peerIdPrefix('0.1.0'), '-BT0100-');
    assert.equal(peerIdPrefix('1.12.3'), '-BT1C30-');
    const a = generatePeerId();
    const b = generatePeerId();
    assert.equal(a.length, 20);
    assert.equal(Buffer.from(a.subarray(0, 8)).toString('latin1'), peerIdPrefix());
    assert.notDeepEqual(a, b);
  });

  test('client names from well-known ids', () => {
    const cases: [string, string][] = [
      ['-TR3000-', 'Transmission 3.00'],
      ['-TR2940-', 'Transmission 2.94'],
      ['A2-1-36-0-', 'aria2 1.36.0'],
      ['-BT0100-', 'btd 0.1.0'],
      ['-lt0D60-', 'libtorrent (Rasterbar) 0.13.6'],
      ['-qB4250-', 'qBittorrent 4.2.5'],
      ['-WW0109-', 'WebTorrent 1.9'],
      ['-DE13F0-', 'Deluge 1.3.15'],
      ['S58B-----', 'Shadow 5.8.11'],
      ['T03I-----', 'BitTornado 0.3.18'],
      ['M7-4-2--', 'Mainline 7.4.2'],
    ];
    for (const [prefix, name] of cases) assert.equal(clientName(id(prefix)), name, prefix);
  });

  test('unknown ids become a hex prefix; any bytes give a string', () => {
    assert.equal(clientName(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])), '0102030405060708');
    fc.assert(fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (b) => typeof clientName(b) === 'string'));
  });
});
