/** Torrents of very many files: the file cap and the parse in slices. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bdecode, bdecodeWithSpans, bdecodeWithSpansSteps, bencode, type BDict, type BValue } from '../../../daemon/src/bencode';
import { MAX_FILES, MetainfoError, parseMetainfo, parseMetainfoSliced, safeFilePath, safeFilePaths } from '../../../daemon/src/metainfo';

/** `n` one-byte files in 100 folders. */
function manyFiles(n: number): Uint8Array {
  const files = Array.from({ length: n }, (_, i) => ({ length: 1, path: [`d${i % 100}`, `f${i}`] }));
  return bencode({ info: { files, name: 'many', 'piece length': 1 << 20, pieces: new Uint8Array(20 * Math.ceil(n / (1 << 20))) } });
}

function refusedWith(code: string, run: () => unknown): void {
  assert.throws(run, (err: unknown) => err instanceof MetainfoError && err.code === code, `expected MetainfoError ${code}`);
}

describe('metainfo: many files', () => {
  test(`one file over MAX_FILES (${MAX_FILES}) is refused as too-many-files`, () => {
    refusedWith('too-many-files', () => parseMetainfo(manyFiles(MAX_FILES + 1)));
  });

  test('the sliced parse hands the event loop back and gives what the plain one gives', async () => {
    const bytes = manyFiles(30_000);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const sliced = await parseMetainfoSliced(bytes).finally(() => clearInterval(timer));
    assert.ok(turns > 0, 'no timer ran during the parse');
    const plain = parseMetainfo(bytes);
    assert.deepEqual(sliced.files, plain.files);
    assert.equal(sliced.infoHashHex, plain.infoHashHex);
    assert.deepEqual(sliced.dict, plain.dict, 'the top dictionary is decoded again on demand');
  });

  test('the sliced parse refuses what the plain one refuses', async () => {
    const dup = bencode({ info: { files: [{ length: 1, path: ['a'] }, { length: 1, path: ['A'] }], name: 'x', 'piece length': 16384, pieces: new Uint8Array(20) } });
    await assert.rejects(parseMetainfoSliced(dup), (err: unknown) => err instanceof MetainfoError && err.code === 'duplicate-path');
  });
});

describe('bencode: decoding in steps', () => {
  const sample = bencode({ a: [1, 2, [3, { b: 'c' }]], d: {}, e: [], f: 'xyz', g: -5 });

  test('one value per step gives the same value and spans as at once', () => {
    const steps = bdecodeWithSpansSteps(sample, undefined, undefined, 1);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    assert.ok(yields > 5);
    assert.deepEqual(step.value.value, bdecode(sample));
    const whole = bdecodeWithSpans(sample);
    const a = (step.value.value as BDict).get('a') as BValue[];
    assert.deepEqual(step.value.span(a), whole.span((whole.value as BDict).get('a') as BValue[]));
  });

  test('spans only down to spanDepth', () => {
    const d = bdecodeWithSpans(sample, undefined, 1);
    const top = d.value as BDict;
    assert.deepEqual(d.span(top), { start: 0, end: sample.length });
    assert.equal(d.span(top.get('a') as BValue[]), undefined);
  });
});

describe('safeFilePaths', () => {
  test('the paths safeFilePath gives, one per file', () => {
    const paths = [['t', 'a', 'b.txt'], ['t', 'a', 'c.txt'], ['t', 'd.txt']];
    assert.deepEqual(safeFilePaths('/save/here/', paths), paths.map((p) => safeFilePath('/save/here', p)));
  });

  test('refuses an unsafe component even after safe ones', () => {
    assert.throws(() => safeFilePaths('/save', [['t', 'a'], ['t', '..']]), (err: unknown) => err instanceof MetainfoError && err.code === 'unsafe-path');
    assert.throws(() => safeFilePaths('/save', [[]]), (err: unknown) => err instanceof MetainfoError && err.code === 'unsafe-path');
  });
});
