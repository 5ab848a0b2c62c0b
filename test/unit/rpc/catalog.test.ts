/** The persisted torrent catalog: atomic writes, round trips, and damaged files kept aside. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, promises as fsPromises, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import sinon from 'sinon';
import { Catalog, parseCatalog } from '../../../daemon/src/session/catalog';

const H1 = 'a'.repeat(40);
const H2 = 'b'.repeat(40);

function tempState(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'btd-catalog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('Catalog', () => {
  test('add, setPaused, remove survive a reopen; the .torrent copy follows its entry', async (t) => {
    const dir = tempState(t);
    const c = await Catalog.open(dir);
    await c.add({ infoHash: H1, savePath: '/a', paused: false, addedAt: 1 }, Buffer.from('one'));
    await c.add({ infoHash: H2, savePath: '/b', paused: false, addedAt: 2 }, Buffer.from('two'));
    await c.setPaused(H2, true);
    const again = await Catalog.open(dir);
    assert.deepEqual(again.list(), [
      { infoHash: H1, savePath: '/a', paused: false, addedAt: 1 },
      { infoHash: H2, savePath: '/b', paused: true, addedAt: 2 },
    ]);
    assert.equal(Buffer.from(await again.readTorrent(H2)).toString(), 'two');
    await again.remove(H1);
    assert.equal(existsSync(again.torrentPath(H1)), false);
    assert.deepEqual((await Catalog.open(dir)).list().map((e) => e.infoHash), [H2]);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  });

  test('a failed write leaves memory and disk as they were, and no temp file', async (t) => {
    const dir = tempState(t);
    const c = await Catalog.open(dir);
    await c.add({ infoHash: H1, savePath: '/a', paused: false, addedAt: 1 }, Buffer.from('one'));
    // A full disk as the rename sees it: the temp file is written, the switch-over fails.
    const rename = sinon.stub(fsPromises, 'rename').rejects(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    t.after(() => rename.restore());
    await assert.rejects(c.setPaused(H1, true), /ENOSPC/);
    rename.restore();
    assert.equal(c.get(H1)?.paused, false);
    assert.equal((await Catalog.open(dir)).get(H1)?.paused, false);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  });

  test('an unreadable catalog is kept aside and the daemon starts empty', async (t) => {
    const dir = tempState(t);
    writeFileSync(join(dir, 'catalog.json'), '{"torrents": [tru');
    const c = await Catalog.open(dir);
    assert.deepEqual(c.list(), []);
    assert.equal(c.warnings.length, 1);
    const aside = readdirSync(dir).find((f) => f.startsWith('catalog.json.unreadable-'));
    assert.ok(aside);
    assert.equal(readFileSync(join(dir, aside), 'utf8'), '{"torrents": [tru');
  });

  test('parseCatalog skips malformed entries and never throws anything but a parse error', () => {
    const w: string[] = [];
    const m = parseCatalog(JSON.stringify({ version: 1, torrents: [{ infoHash: H1, savePath: '/a', paused: false, addedAt: 1 }, { infoHash: 'zz' }, null] }), w);
    assert.deepEqual([...m.keys()], [H1]);
    assert.equal(w.length, 2);
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
        try {
          parseCatalog(JSON.stringify({ torrents: [doc] }));
        } catch {
          assert.fail('a well-formed list must not throw');
        }
      }),
      { numRuns: 300 },
    );
  });
});
