import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planRecheck } from '../../../daemon/src/storage/recheck';
import type { FileState } from '../../../daemon/src/storage/resume-format';
import { Bitfield } from '../../../daemon/src/util/bitfield';

// Four pieces over two files: pieces 0-1 in file 0, piece 2 straddles both, piece 3 in file 1.
const filesOf = (piece: number): number[] => (piece < 2 ? [0] : piece === 2 ? [0, 1] : [1]);
const f = (size: number, mtime: string): FileState => ({ size, mtimeNs: mtime });
const mask = (hash: Uint8Array): string => [...hash].map((b) => (b ? 'h' : '.')).join('');

describe('planRecheck', () => {
  test('clean stop, nothing changed: everything recorded is kept, nothing hashed', () => {
    const files = [f(100, '1'), f(50, '1')];
    const plan = planRecheck({ have: Bitfield.fromString('**.*'), files }, files, filesOf);
    assert.equal(plan.trusted.toString(), '**.*');
    assert.equal(mask(plan.hash), '....');
    assert.equal(plan.toHash, 0);
  });

  test('clean stop, one file touched: only the pieces touching it are hashed, none of them trusted', () => {
    const plan = planRecheck({ have: Bitfield.fromString('****'), files: [f(100, '1'), f(50, '1')] }, [f(100, '1'), f(50, '2')], filesOf);
    assert.equal(plan.trusted.toString(), '**..');
    assert.equal(mask(plan.hash), '..hh');
  });

  test('saved while downloading, files grew: recorded pieces kept, every other piece hashed', () => {
    const plan = planRecheck({ have: Bitfield.fromString('*...'), files: [f(40, '1'), null], writing: true }, [f(100, '2'), f(50, '2')], filesOf);
    assert.equal(plan.trusted.toString(), '*...');
    assert.equal(mask(plan.hash), '.hhh');
    assert.equal(plan.toHash, 3);
  });

  test('saved while downloading, a file shrank or vanished: its recorded pieces are hashed', () => {
    const shrank = planRecheck({ have: Bitfield.fromString('****'), files: [f(100, '1'), f(50, '1')], writing: true }, [f(100, '1'), f(20, '2')], filesOf);
    assert.equal(shrank.trusted.toString(), '**..');
    assert.equal(mask(shrank.hash), '..hh');
    const vanished = planRecheck({ have: Bitfield.fromString('****'), files: [f(100, '1'), f(50, '1')], writing: true }, [null, f(50, '1')], filesOf);
    assert.equal(vanished.trusted.toString(), '...*');
  });

  test('saved while downloading, mtimes unchanged: unrecorded pieces are still hashed (a write in the same tick)', () => {
    const files = [f(100, '1'), f(50, '1')];
    const plan = planRecheck({ have: Bitfield.fromString('**..'), files, writing: true }, files, filesOf);
    assert.equal(mask(plan.hash), '..hh');
  });
});
