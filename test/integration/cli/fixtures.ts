/** Temporary folders holding a sample file and its .torrent, for tests that run real transfers. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSampleFile } from '../../../daemon/src/cli/demo-data';
import { createTorrent, type Metainfo } from '../../../daemon/src/metainfo';

/** A sample file in `<dir>/seed/<name>` and its torrent at `<dir>/<name>.torrent`. */
export interface Fixture {
  dir: string;
  dataPath: string;
  torrentPath: string;
  meta: Metainfo;
  remove(): Promise<void>;
}

/** Makes a fixture; `trackers` may be empty (peers then come from --peer). */
export async function makeFixture(opts: { name: string; size: number; pieceLength: number; trackers: string[]; seed?: number }): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'btd-cli-test-'));
  await mkdir(join(dir, 'seed'));
  const dataPath = join(dir, 'seed', opts.name);
  await writeSampleFile(dataPath, opts.size, opts.seed);
  const { bytes, metainfo } = await createTorrent(dataPath, { trackers: opts.trackers, pieceLength: opts.pieceLength });
  const torrentPath = join(dir, `${opts.name}.torrent`);
  await writeFile(torrentPath, bytes);
  return { dir, dataPath, torrentPath, meta: metainfo, remove: () => rm(dir, { recursive: true, force: true }) };
}
