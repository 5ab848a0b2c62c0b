import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import fc from 'fast-check';
import { MetainfoError, componentProblem, filePathsOf, parseMetainfo, safeFilePath } from '../../../daemon/src/metainfo';
import { checkDuplicatePaths } from '../../../daemon/src/metainfo/paths';
import { bencode } from '../../../daemon/src/bencode';

const root = resolve('/tmp/dl');

describe('componentProblem', () => {
  const bad = ['', '.', '..', '...', '.. ', ' ', 'a/b', 'a\\b', 'a\u0000', 'x\ny', 'del\u007f', 'c1\u0085', 'gpj\u202e.exe', 'iso\u2066x', 'C:', 'c:evil', 'CON', 'con.txt', 'Nul', 'COM1.log', 'lpt9', 'aux .x', 'x'.repeat(256)];
  for (const c of bad) test(`refuses ${JSON.stringify(c.slice(0, 20))}`, () => assert.ok(componentProblem(c)));
  const good = ['a', '.hidden', 'a.', 'Movie: Part 2', 'console', 'COM10', 'é文', 'x'.repeat(255), 'a..b'];
  for (const c of good) test(`accepts ${JSON.stringify(c.slice(0, 20))}`, () => assert.equal(componentProblem(c), undefined));
});

describe('checkDuplicatePaths', () => {
  const collide = (a: string[], b: string[]): void =>
    assert.throws(() => checkDuplicatePaths([a, b]), (e: unknown) => e instanceof MetainfoError && e.code === 'duplicate-path', `${a.join('/')} vs ${b.join('/')}`);
  test('refuses paths that would be one file on some file system', () => {
    collide(['d', 'a.txt'], ['d', 'a.txt']);
    collide(['d', 'Readme'], ['d', 'README']);
    collide(['D', 'x'], ['d', 'x']);
    collide(['a.'], ['a']);
    collide(['caf\u00e9'], ['cafe\u0301']);
    collide(['x'], ['X', 'y']);
    collide(['X', 'y'], ['x']);
  });
  test('accepts what differs for every file system; folders that differ in case only merge', () => {
    assert.doesNotThrow(() => checkDuplicatePaths([['a', 'x'], ['A', 'y'], ['b'], ['a.b'], ['a', 'x.1']]));
  });
  test('200,000 paths sharing folders: the last one colliding is found', () => {
    const paths = Array.from({ length: 200_000 }, (_, i) => ['dir', `sub${i % 100}`, `file ${i}.bin`]);
    checkDuplicatePaths(paths);
    paths.push(['DIR', 'SUB7', 'FILE 7.BIN']);
    assert.throws(() => checkDuplicatePaths(paths), /"dir\/sub7\/file 7\.bin" and "DIR\/SUB7\/FILE 7\.BIN" differ only in case/);
  });
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
