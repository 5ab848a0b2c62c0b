import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeResumeState, encodeResumeState, ResumeFormatError, type FileState } from '../../../daemon/src/storage/resume-format';
import { Bitfield } from '../../../daemon/src/util/bitfield';

const HASH = 'ab'.repeat(20);

const stateArb = fc.record({
  bits: fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }),
  files: fc.array(
    fc.option(fc.record({ size: fc.maxSafeNat(), mtimeNs: fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String) }).map((f) => ({ ...f })), {
      nil: null,
    }),
    { minLength: 1, maxLength: 20 },
  ),
});

const build = (bits: boolean[], files: FileState[]) => ({
  infoHashHex: HASH,
  have: Bitfield.fromString(bits.map((b) => (b ? '*' : ' ')).join('')),
  files,
});

/** Decoding must return a state or throw ResumeFormatError: nothing else, whatever the bytes. */
function decodesOrRefuses(bytes: Uint8Array, pieceCount: number, fileCount: number): void {
  try {
    const s = decodeResumeState(bytes, { infoHashHex: HASH, pieceCount, fileCount });
    assert.equal(s.have.length, pieceCount);
    assert.equal(s.files.length, fileCount);
  } catch (err) {
    if (!(err instanceof ResumeFormatError)) throw err;
  }
}

test('encode then decode gives the state back', () => {
  fc.assert(
    fc.property(stateArb, ({ bits, files }) => {
      const state = build(bits, files);
      const back = decodeResumeState(encodeResumeState(state), { infoHashHex: HASH, pieceCount: bits.length, fileCount: files.length });
      assert.equal(back.have.toString(), state.have.toString());
      assert.deepEqual(back.files, files);
    }),
  );
});

test('random bytes and random JSON are refused with ResumeFormatError only', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => decodesOrRefuses(bytes, 8, 2)));
  fc.assert(fc.property(fc.jsonValue(), (v) => decodesOrRefuses(Buffer.from(JSON.stringify(v) ?? ''), 8, 2)));
});

test('mutated valid files are decoded consistently or refused', () => {
  fc.assert(
    fc.property(stateArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 32, max: 126 })), { minLength: 1, maxLength: 4 }), ({ bits, files }, edits) => {
      const bytes = Buffer.from(encodeResumeState(build(bits, files)));
      for (const [at, ch] of edits) bytes[at % bytes.length] = ch;
      decodesOrRefuses(bytes, bits.length, files.length);
    }),
  );
});

test('a state for another torrent shape is refused', () => {
  const bytes = encodeResumeState(build([true, false, true], [null]));
  assert.throws(() => decodeResumeState(bytes, { infoHashHex: 'cd'.repeat(20), pieceCount: 3, fileCount: 1 }), /another torrent/);
  assert.throws(() => decodeResumeState(bytes, { infoHashHex: HASH, pieceCount: 4, fileCount: 1 }), /piece count/);
  assert.throws(() => decodeResumeState(bytes, { infoHashHex: HASH, pieceCount: 3, fileCount: 2 }), /file list/);
  assert.throws(() => decodeResumeState(new Uint8Array(1 << 20), { infoHashHex: HASH, pieceCount: 3, fileCount: 1 }), /too large/);
});
