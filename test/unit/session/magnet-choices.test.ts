/** A magnet's file choices made before its file list is known: `so` and add-time priorities into one priority per file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelectOnly } from '../../../daemon/src/metainfo';
import { magnetOpenOptions, magnetPriorities } from '../../../daemon/src/session/magnet-choices';
import type { Metainfo } from '../../../daemon/src/metainfo';

const files = (n: number, padding: number[] = []): Pick<Metainfo, 'files'> => ({
  files: Array.from({ length: n }, (_, i) => ({ path: [`f${i}`], length: 100, offset: 100 * i, ...(padding.includes(i) ? { padding: true } : {}) })),
});

test('so: the files named are normal, the others skipped; padding files are left alone', () => {
  const warnings: string[] = [];
  const p = magnetPriorities(files(7, [3]), { selectOnly: parseSelectOnly(['0,2,4-5']) }, (w) => warnings.push(w));
  assert.deepEqual(p, ['normal', 'skip', 'normal', 'normal', 'normal', 'normal', 'skip']);
  assert.deepEqual(warnings, []);
});

test('nothing chosen: undefined, so the saved or default priorities stand', () => {
  assert.equal(magnetPriorities(files(3), {}, () => assert.fail()), undefined);
  assert.equal(magnetPriorities(files(3), { filePriorities: [] }, () => assert.fail()), undefined);
});

test('indices beyond the file count are ignored with a warning', () => {
  const warnings: string[] = [];
  const p = magnetPriorities(files(3), { selectOnly: parseSelectOnly(['1,5,7-9']) }, (w) => warnings.push(w));
  assert.deepEqual(p, ['skip', 'normal', 'skip']);
  assert.deepEqual(warnings, ['so: 4 file indices name no file (the torrent has 3); ignored']);
  const none: string[] = [];
  assert.deepEqual(magnetPriorities(files(2), { selectOnly: parseSelectOnly(['4']) }, (w) => none.push(w)), ['skip', 'skip']);
  assert.deepEqual(none, ['so: 1 file index names no file (the torrent has 2); ignored', 'so: selects none of the 2 files; nothing will be downloaded']);
});

test('add-time priorities apply on top of so; indices the torrent lacks, or padding ones, are ignored with a warning', () => {
  const warnings: string[] = [];
  const p = magnetPriorities(
    files(4, [2]),
    { selectOnly: parseSelectOnly(['0']), filePriorities: [{ index: 0, priority: 'high' }, { index: 3, priority: 'low' }, { index: 2, priority: 'high' }, { index: 9, priority: 'skip' }] },
    (w) => warnings.push(w),
  );
  assert.deepEqual(p, ['high', 'skip', 'normal', 'low']);
  assert.deepEqual(warnings, ['filePriorities: no file 2, 9 (the torrent has 4, padding files excepted); ignored']);
  assert.deepEqual(magnetPriorities(files(2), { filePriorities: [{ index: 1, priority: 'skip' }] }, () => assert.fail()), ['normal', 'skip'], 'without so the others are normal');
});

test('magnetOpenOptions: the options of the torrent, priorities resolved, the rest kept', () => {
  const m = { ...files(3), name: 'x' } as unknown as Metainfo;
  assert.deepEqual(magnetOpenOptions(m, parseSelectOnly(['2']), { savePath: '/s', paused: false, sequential: true }, () => undefined), {
    savePath: '/s',
    paused: false,
    sequential: true,
    filePriorities: ['skip', 'skip', 'normal'],
  });
  assert.deepEqual(magnetOpenOptions(m, undefined, { savePath: '/s' }, () => undefined), { savePath: '/s' });
});
