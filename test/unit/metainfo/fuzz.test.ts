/** Fuzz: mutated torrents either parse into a consistent Metainfo or fail with MetainfoError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bencode } from '../../../daemon/src/bencode';
import { MetainfoError, parseMetainfo } from '../../../daemon/src/metainfo';

const seedTorrents = [
  bencode({ announce: 'http://t/', info: { name: 'a', 'piece length': 16384, length: 20000, pieces: new Uint8Array(40) } }),
  bencode({
    'announce-list': [['http://a/'], ['http://b/']],
    info: {
      name: 'd',
      'piece length': 16384,
      pieces: new Uint8Array(20),
      files: [
        { length: 5, path: ['x', 'y'] },
        { length: 0, path: ['z'] },
      ],
    },
  }),
];

const mutated = fc
  .tuple(fc.constantFrom(...seedTorrents), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 3 }))
  .map(([bytes, edits]) => {
    const out = Buffer.from(bytes);
    let end = out.length;
    for (const [at, byte, cut] of edits) {
      if (cut) end = at % end;
      else out[at % end] = byte;
    }
    return new Uint8Array(out.subarray(0, end));
  });

test('20,000 mutated torrents: a consistent Metainfo or a MetainfoError', { timeout: 60_000 }, () => {
  fc.assert(
    fc.property(mutated, (bytes) => {
      try {
        const m = parseMetainfo(bytes);
        const last = m.files[m.files.length - 1];
        assert.equal(last.offset + last.length, m.totalLength);
        assert.equal(m.pieces.length, 20 * Math.ceil(m.totalLength / m.pieceLength));
      } catch (err) {
        if (!(err instanceof MetainfoError)) throw err;
      }
    }),
    { numRuns: 20_000, seed: 3 },
  );
});
