import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changedPriorities, fileReports, WantedBytes } from '../../../daemon/src/session/files';
import { SessionError } from '../../../daemon/src/session/types';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { makeTorrent } from '../storage/fixtures';
import { seeded } from '../picker/fixtures';

// a 20000, b 50000, c 20000 in 16 KiB pieces (6 pieces; 1 and 4 shared).
const { m } = makeTorrent([{ path: ['a'], length: 20_000 }, { path: ['b'], length: 50_000 }, { path: ['c'], length: 20_000 }], 16384, 'w');

describe('wanted bytes and file reports', () => {
  test('counted piece by piece as from scratch, under any priorities', () => {
    const rnd = seeded(5);
    for (let round = 0; round < 50; round++) {
      const prio = m.files.map(() => (['skip', 'low', 'normal', 'high'] as const)[Math.floor(rnd() * 4)]);
      const have = new Bitfield(m.pieceCount);
      const live = new WantedBytes(m);
      live.get(have, prio, 1);
      for (let p = 0; p < m.pieceCount; p++) {
        if (rnd() < 0.5) continue;
        have.set(p);
        live.pieceVerified(p, prio);
        assert.deepEqual(live.get(have, prio, 1), new WantedBytes(m).get(have.clone(), prio, 1));
      }
    }
  });

  test('reports per file: bytes and pieces done; wanted length leaves out skipped files', () => {
    const have = Bitfield.fromString('**  **');
    const prio = ['normal', 'skip', 'normal'] as const;
    assert.deepEqual(
      fileReports(m, have, prio).map((f) => [f.index, f.priority, f.bytesDone, f.piecesDone, f.pieceCount]),
      [
        [0, 'normal', 20_000, 2, 2],
        [1, 'skip', 32768 - 20_000 + 70_000 - 65536, 2, 4],
        [2, 'normal', 20_000, 2, 2],
      ],
    );
    assert.deepEqual(new WantedBytes(m).get(have, prio, 0), { wantedLength: 40_000, wantedDone: 40_000, skipped: true });
  });

  test('a priority change for a file that is not there changes nothing', () => {
    const current = ['normal', 'normal', 'normal'] as const;
    assert.throws(() => changedPriorities(m, current, [{ index: 0, priority: 'skip' }, { index: 3, priority: 'skip' }]), SessionError);
    assert.deepEqual(current, ['normal', 'normal', 'normal']);
    assert.deepEqual(changedPriorities(m, current, [{ index: 2, priority: 'high' }]), ['normal', 'normal', 'high']);
  });
});
