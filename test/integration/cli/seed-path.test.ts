import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSeedLocation } from '../../../daemon/src/cli/seed-path';
import { CliError } from '../../../daemon/src/cli/errors';
import type { Metainfo } from '../../../daemon/src/metainfo/types';

function meta(name: string, multiFile: boolean): Metainfo {
  return { name, multiFile } as Metainfo;
}

describe('where btd seed -f finds the data', () => {
  let root = '';
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'btd-seed-path-'));
    await writeFile(join(root, 'movie.bin'), 'single');
    await writeFile(join(root, 'renamed.bin'), 'renamed');
    await mkdir(join(root, 'album'));
    await writeFile(join(root, 'album', 'a.txt'), 'a');
    await mkdir(join(root, 'holder', 'album'), { recursive: true });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('no PATH: ./<name> in the current folder', async () => {
    const loc = await resolveSeedLocation(meta('movie.bin', false), undefined, root);
    assert.equal(loc.savePath, root);
    await assert.rejects(resolveSeedLocation(meta('absent.bin', false), undefined, root), CliError);
    await assert.rejects(resolveSeedLocation(meta('movie.bin', true), undefined, root), /no data/);
  });

  test('PATH named like the torrent: its parent folder holds it', async () => {
    assert.equal((await resolveSeedLocation(meta('movie.bin', false), join(root, 'movie.bin'), '/')).savePath, root);
    assert.equal((await resolveSeedLocation(meta('album', true), 'album', root)).savePath, root);
    await assert.rejects(resolveSeedLocation(meta('album', false), 'album', root), /needs a file/);
  });

  test('a folder holding <name> is the save folder', async () => {
    const loc = await resolveSeedLocation(meta('album', true), join(root, 'holder'), '/');
    assert.equal(loc.savePath, join(root, 'holder'));
  });

  test('data under another name is reached through a private link, removed by cleanup', async () => {
    const loc = await resolveSeedLocation(meta('movie.bin', false), 'renamed.bin', root);
    assert.notEqual(loc.savePath, root);
    assert.equal(await readFile(join(loc.savePath, 'movie.bin'), 'utf8'), 'renamed');
    await loc.cleanup();
    await assert.rejects(stat(loc.savePath));
    await assert.rejects(resolveSeedLocation(meta('movie.bin', false), 'album', root), /needs a file/);
  });

  test('missing data and unusable names are one-line errors', async () => {
    await assert.rejects(resolveSeedLocation(meta('movie.bin', false), 'nope', root), /data not found: nope/);
    await assert.rejects(resolveSeedLocation(meta('../x', false), 'movie.bin', root), /not a usable file name/);
  });
});
