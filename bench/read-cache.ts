/**
 * Read cache benchmark: one seeder's ReadCache serving N leechers, each reading its own pieces block
 * by block with up to 8 reads in flight (as session/uploader.ts does), over btd's file storage of a
 * real file (warm in the page cache after the first pass). Prints bytes read from storage per byte
 * served, and the time. See bench/read-cache.md.
 *
 *   node out/bench/read-cache.js [--size-mib 64] [--piece-mib 4] [--leechers 4] [--window-kib 256] [--module <read-cache.js>]
 *
 * `--module` loads ReadCache from another build (e.g. a copy of an older out/daemon/src/session/read-cache.js)
 * to compare in the same way.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';
import { createFileStorage } from '../daemon/src/storage/file-storage';
import type { Storage } from '../daemon/src/storage/types';
import { ReadCache } from '../daemon/src/session/read-cache';

const BLOCK = 16384;
const READS_PER_PEER = 8;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '64' }, 'piece-mib': { type: 'string', default: '4' }, leechers: { type: 'string', default: '4' }, 'window-kib': { type: 'string' }, module: { type: 'string' } } });
  const size = Number(values['size-mib']) * 1024 * 1024;
  const pieceLength = Number(values['piece-mib']) * 1024 * 1024;
  const leechers = Number(values.leechers);
  const Cache = values.module ? (createRequire(__filename)(resolve(values.module)) as { ReadCache: typeof ReadCache }).ReadCache : ReadCache;
  const dir = await mkdtemp(join(tmpdir(), 'btd-read-cache-'));
  try {
    const file = join(dir, 'data.bin');
    await writeSampleFile(file, size);
    const { metainfo: m } = await createTorrent(file, { pieceLength });
    const storage = createFileStorage(m, dir);
    let fromDisk = 0;
    const counted: Storage = {
      ...storage,
      read: (piece, offset, length) => ((fromDisk += length), storage.read(piece, offset, length)),
      readInto: (piece, offset, into) => ((fromDisk += into.length), storage.readInto(piece, offset, into)),
    };
    const cache = values['window-kib'] ? new Cache(undefined, Number(values['window-kib']) * 1024) : new Cache();
    const owner = { storage: counted, id: m.infoHashHex };
    const pieceSize = (p: number): number => (p === m.pieceCount - 1 ? m.totalLength - p * m.pieceLength : m.pieceLength);
    let served = 0;
    /** Leecher `i` asks for pieces i, i + N, i + 2N, ... block by block, 8 reads in flight. */
    const leecher = async (i: number): Promise<void> => {
      const requests: [number, number, number][] = [];
      for (let p = i; p < m.pieceCount; p += leechers) for (let b = 0; b < pieceSize(p); b += BLOCK) requests.push([p, b, Math.min(BLOCK, pieceSize(p) - b)]);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < requests.length) {
          const [p, b, len] = requests[next++];
          const block = await cache.read(owner, p, pieceSize(p), b, len);
          served += block.data.length;
          block.release();
        }
      };
      await Promise.all(Array.from({ length: READS_PER_PEER }, lane));
    };
    console.log(`loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${values.module ?? 'this build'}; ${size / 2 ** 20} MiB, ${pieceLength / 2 ** 20} MiB pieces, ${leechers} leechers`);
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: leechers }, (_, i) => leecher(i)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`served ${(served / 2 ** 20).toFixed(0)} MiB, read ${(fromDisk / 2 ** 20).toFixed(0)} MiB from storage: ${(fromDisk / served).toFixed(2)} bytes read per byte served, ${ms.toFixed(0)} ms (${(served / 2 ** 20 / (ms / 1000)).toFixed(0)} MiB/s)`);
    await storage.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
