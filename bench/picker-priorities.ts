/**
 * Picker benchmark: the cost of one `pick` (16 blocks, up to 4 new pieces) on a torrent of 100,000
 * pieces seen by 20 peers, rarest first, with 99 of 100 files skipped, with mixed priorities, and in
 * sequential mode. Each picked block is received at once, so partial pieces complete.
 *
 *   node out/bench/picker-priorities.js [--pieces 100000] [--picks 2000]
 */
import { Picker, piecePriorities, type FilePriority } from '../daemon/src/picker';
import { Bitfield } from '../daemon/src/util/bitfield';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const N = flag('--pieces', 100_000);
const PICKS = flag('--picks', 2000);
const PIECE = 256 * 1024;
const FILES = 100;
const layout = { pieceLength: PIECE, totalLength: N * PIECE, files: Array.from({ length: FILES }, (_, i) => ({ offset: (i * N * PIECE) / FILES, length: (N * PIECE) / FILES })) };

function run(label: string, setup: (p: Picker) => void): void {
  const p = new Picker({ pieceCount: N, pieceLength: PIECE, totalLength: N * PIECE });
  const all = Bitfield.full(N);
  for (let i = 0; i < 20; i++) p.addPeer(all);
  setup(p);
  const start = process.hrtime.bigint();
  let blocks = 0;
  for (let i = 0; i < PICKS; i++) {
    const key = `p${i % 50}`;
    for (const r of p.pick(all, 16, key, 4)) {
      p.blockReceived(r, key);
      blocks++;
    }
  }
  const us = Number(process.hrtime.bigint() - start) / 1000 / PICKS;
  console.log(`${label.padEnd(34)} ${us.toFixed(1).padStart(7)} us per pick  (${blocks} blocks)`);
}

const prio = (f: (i: number) => FilePriority): FilePriority[] => layout.files.map((_, i) => f(i));
run('every file normal (rarest first)', () => undefined);
run('99 of 100 files skipped', (p) => p.setPriorities(piecePriorities(layout, prio((i) => (i === FILES - 1 ? 'normal' : 'skip')))));
run('low / normal / high by file', (p) => p.setPriorities(piecePriorities(layout, prio((i) => (['low', 'normal', 'high'] as const)[i % 3]))));
run('sequential', (p) => p.setSequential(true));
