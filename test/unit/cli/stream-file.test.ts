import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseStreamFile } from '../../../daemon/src/cli/stream-file';
import type { FileEntry } from '../../../daemon/src/metainfo/types';

function torrent(files: [string, number, boolean?][]): { name: string; multiFile: boolean; files: FileEntry[] } {
  let offset = 0;
  return {
    name: 'show',
    multiFile: true,
    files: files.map(([p, length, padding]) => {
      const f: FileEntry = { path: ['show', ...p.split('/')], length, offset, ...(padding ? { padding } : {}) };
      offset += length;
      return f;
    }),
  };
}

describe('chooseStreamFile', () => {
  const m = torrent([['e01.mkv', 500], ['.pad/0', 12, true], ['e02.mkv', 900], ['extras/notes.txt', 40]]);

  test('default: the largest file', () => {
    assert.equal(chooseStreamFile(m, undefined), 2);
  });
  test('an index names the file; a padding file or one out of range is refused', () => {
    assert.equal(chooseStreamFile(m, '3'), 3);
    assert.throws(() => chooseStreamFile(m, '1'), { name: 'CliError', message: /has no file 1/ });
    assert.throws(() => chooseStreamFile(m, '4'), { name: 'CliError', message: /has no file 4 \(it has 4/ });
  });
  test('a glob: the largest match; no match is refused', () => {
    assert.equal(chooseStreamFile(m, 'e01*'), 0);
    assert.equal(chooseStreamFile(m, '*.mkv'), 2);
    assert.equal(chooseStreamFile(m, 'extras/*'), 3);
    assert.throws(() => chooseStreamFile(m, '*.avi'), { name: 'CliError', message: /--file \*\.avi matches no file/ });
  });
});
