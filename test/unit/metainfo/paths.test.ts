import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { MetainfoError, componentProblem, filePathsOf, parseMetainfo, safeFilePath } from '../../../daemon/src/metainfo';
import { bencode } from '../../../daemon/src/bencode';

const root = resolve('/tmp/dl');

describe('componentProblem', () => {
  const bad = ['', '.', '..', '...', '.. ', ' ', 'a/b', 'a\\b', 'a\u0000', 'x\ny', 'C:', 'c:evil', 'CON', 'con.txt', 'Nul', 'COM1.log', 'lpt9', 'aux .x', 'x'.repeat(256)];
  for (const c of bad) test(`refuses ${JSON.stringify(c.slice(0, 20))}`, () => assert.ok(componentProblem(c)));
  const good = ['a', '.hidden', 'a.', 'Movie: Part 2', 'console', 'COM10', 'é文', 'x'.repeat(255), 'a..b'];
  for (const c of good) test(`accepts ${JSON.stringify(c.slice(0, 20))}`, () => assert.equal(componentProblem(c), undefined));
});

describe('safeFilePath', () => {
  test('joins safe parts under root', () => {
    assert.equal(safeFilePath(root, ['d', 'a', 'b.txt']), join(root, 'd', 'a', 'b.txt'));
    assert.equal(safeFilePath(root + sep, ['x']), join(root, 'x'));
  });

  test('refuses anything that could leave root', () => {
    for (const parts of [['..'], ['a', '..', '..'], ['/etc/passwd'], ['..\\x'], ['C:', 'x'], []]) {
      assert.throws(() => safeFilePath(root, parts), (e: unknown) => e instanceof MetainfoError && e.code === 'unsafe-path');
    }
  });

  test('property: any accepted path stays strictly inside root', () => {
    const part = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('..', '.', '/', '\\', 'C:', 'a', '', '..\\..'));
    fc.assert(
      fc.property(fc.array(part, { maxLength: 5 }), (parts) => {
        let full: string;
        try {
          full = safeFilePath(root, parts);
        } catch (err) {
          assert.ok(err instanceof MetainfoError);
          return;
        }
        assert.ok(full.startsWith(root + sep));
      }),
      { numRuns: 2000 },
    );
  });

  test('filePathsOf maps every file of a torrent', () => {
    const m = parseMetainfo(
      bencode({ info: { name: 'd', 'piece length': 16384, pieces: new Uint8Array(20), files: [{ length: 1, path: ['a'] }, { length: 1, path: ['b', 'c'] }] } }),
    );
    assert.deepEqual(filePathsOf(m, root), [join(root, 'd', 'a'), join(root, 'd', 'b', 'c')]);
  });
});
