/**
 * How long reading the on-disk state of a torrent of many files takes when none is there yet (a new
 * download): btd's `fileStates` against one `stat` per file all at once, as it was done before.
 *
 *   node out/bench/file-states.js [--files 100000]
 */
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { torrentFilePaths } from '../daemon/src/storage/file-storage';
import { fileStates } from '../daemon/src/storage/resume';

async function measure(what: string, run: () => Promise<unknown>): Promise<void> {
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  await run();
  console.log(`${what.padEnd(34)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms, RSS +${((process.memoryUsage().rss - rss) / 1e6).toFixed(0)} MB`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '100000' } } });
  const n = Number(values.files);
  const m = { name: 'many', files: Array.from({ length: n }, (_, i) => ({ path: ['many', `d${i % 100}`, `f${i}.bin`], length: 1, offset: i })) };
  const where = join(tmpdir(), `btd-nowhere-${process.pid}`);
  console.log(`${n} files, none on disk yet`);
  // The new way first, so the old one's garbage does not land in its figures.
  await measure('fileStates (one listing per folder)', () => fileStates(m, where));
  await measure('one stat per file, all at once', () =>
    Promise.all(torrentFilePaths(m, where).map((p) => stat(p, { bigint: true }).catch(() => null))),
  );
}

void main();
