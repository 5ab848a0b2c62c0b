import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { selectFiles } from '../../../daemon/src/cli/file-select';
import { CliError } from '../../../daemon/src/cli/errors';

const m = {
  multiFile: true,
  files: [
    { path: ['show', 'e01.mkv'], length: 10, offset: 0 },
    { path: ['show', '.pad', '6'], length: 6, offset: 10, padding: true },
    { path: ['show', 'e02.mkv'], length: 10, offset: 16 },
    { path: ['show', 'extras', 'poster.jpg'], length: 10, offset: 26 },
  ],
};

describe('--only and --skip', () => {
  test('globs over paths inside the torrent; a glob without / matches names at any depth', () => {
    assert.equal(selectFiles(m, [], []), undefined);
    assert.deepEqual(selectFiles(m, ['*.mkv'], []), ['normal', 'skip', 'normal', 'skip']);
    assert.deepEqual(selectFiles(m, ['*.mkv'], ['e02*']), ['normal', 'skip', 'skip', 'skip']);
    assert.deepEqual(selectFiles(m, [], ['extras/**']), ['normal', 'normal', 'normal', 'skip']);
    assert.deepEqual(selectFiles(m, ['*.jpg'], []), ['skip', 'skip', 'skip', 'normal']);
  });

  test('a glob matching nothing, padding only, or nothing left are errors', () => {
    assert.throws(() => selectFiles(m, ['*.avi'], []), (e: unknown) => e instanceof CliError && /--only \*\.avi matches no file/.test(e.message));
    assert.throws(() => selectFiles(m, [], ['.pad/*']), CliError, 'padding files are not matched');
    assert.throws(() => selectFiles(m, [], ['*']), /leave no file/);
  });
});
