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

  test('adds that come while the list is being written share the next write; order and failures stay per add', async (t) => {
    const dir = tempState(t);
    const c = await Catalog.open(dir);
    const hash = (i: number): string => i.toString(16).padStart(40, '0');
    const spy = sinon.spy(fsPromises, 'rename');
    t.after(() => spy.restore());
    const adds = Array.from({ length: 50 }, (_, i) => c.add({ infoHash: hash(i + 1), savePath: '/d', paused: false, addedAt: i }, Buffer.from(`t${i}`)));
    await Promise.all(adds);
    const listWrites = spy.getCalls().filter((call) => String(call.args[1]).endsWith('catalog.json')).length;
    spy.restore();
    assert.ok(listWrites < 50 / 2, `the list was written ${listWrites} times for 50 adds`);
    assert.deepEqual((await Catalog.open(dir)).list().map((e) => e.addedAt), Array.from({ length: 50 }, (_, i) => i));

    // Add, remove and add again of one hash, all queued at once: the last word wins.
    const again = Promise.all([c.add({ infoHash: H1, savePath: '/x', paused: false, addedAt: 100 }, Buffer.from('x')), c.remove(H1), c.add({ infoHash: H1, savePath: '/y', paused: false, addedAt: 101 }, Buffer.from('y'))]);
    await again;
    assert.equal((await Catalog.open(dir)).get(H1)?.savePath, '/y');

    // A .torrent that cannot be stored fails its own add only.
    const open = sinon.stub(fsPromises, 'open').callThrough();
    open.withArgs(sinon.match((p: unknown) => String(p).includes(H2))).rejects(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
    t.after(() => open.restore());
    const results = await Promise.allSettled([c.add({ infoHash: H2, savePath: '/b', paused: false, addedAt: 200 }, Buffer.from('b')), c.add({ infoHash: 'c'.repeat(40), savePath: '/c', paused: false, addedAt: 201 }, Buffer.from('c'))]);
    open.restore();
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled']);
    const reopened = await Catalog.open(dir);
    assert.equal(reopened.get(H2), undefined);
    assert.equal(reopened.get('c'.repeat(40))?.savePath, '/c');
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

  test('a magnet entry keeps its file choices across a reopen; malformed ones are dropped with a warning', async (t) => {
    const dir = tempState(t);
    const c = await Catalog.open(dir);
    const entry = { infoHash: H1, savePath: '/a', paused: false, addedAt: 1, magnet: `magnet:?xt=urn:btih:${H1}&so=0,2`, filePriorities: [{ index: 2, priority: 'high' as const }], sequential: true };
    await c.addMagnet(entry);
    assert.deepEqual((await Catalog.open(dir)).get(H1), entry);
    for (const bad of [{ filePriorities: [{ index: -1, priority: 'high' }] }, { filePriorities: [{ index: 0, priority: 'top' }] }, { filePriorities: 'all' }, { sequential: 'yes' }]) {
      const w: string[] = [];
      const m = parseCatalog(JSON.stringify({ torrents: [{ ...entry, filePriorities: undefined, sequential: undefined, ...bad }] }), w);
      assert.deepEqual(m.get(H1), { infoHash: H1, savePath: '/a', paused: false, addedAt: 1, magnet: entry.magnet }, JSON.stringify(bad));
      assert.match(w.join('\n'), /malformed file choices/);
    }
  });
});
