/**
 * Torrent-creation benchmark: btd's createTorrent (in process and as the `btd create` command) against
 * `mktorrent -t 2` and npm create-torrent, on the same page-cached file with the same piece length,
 * measured in the same run. Checks that every tool gives the same info hash. See bench/create.md.
 *
 *   node out/bench/create.js [--size-mib 1024] [--piece-length 1048576] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HashPool } from '../daemon/src/hash/pool';
import { autoPieceLength, createTorrent, parseMetainfo } from '../daemon/src/metainfo';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const MiB = 1024 * 1024;
const MB = 1e6;

/** One timed run: seconds, the .torrent bytes produced, and the peak RSS where it was measurable. */
interface Run {
  seconds: number;
  torrent: Uint8Array;
  peakRss?: number;
}

/** Random (incompressible) data, then read once so every tool starts from the page cache. */
function makeInput(path: string, bytes: number): void {
  const chunk = Buffer.allocUnsafe(MiB);
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += chunk.length) writeSync(fd, randomFillSync(chunk), 0, Math.min(chunk.length, bytes - done));
  closeSync(fd);
  const rfd = openSync(path, 'r');
  while (readSync(rfd, chunk) > 0);
  closeSync(rfd);
}

/** Runs a program, sampling its peak RSS (VmHWM) from /proc while it runs. */
function timeProcess(cmd: string, args: string[], cwd: string): Promise<{ seconds: number; peakRss: number }> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const sampler = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // Exited between samples; the last one stands.
      }
    }, 20);
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(sampler);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) done({ seconds, peakRss: peak });
      else fail(new Error(`${cmd} exited with ${code}: ${stderr.slice(-500)}`));
    });
  });
}

async function btdApi(file: string, pieceLength: number): Promise<Run> {
  const started = process.hrtime.bigint();
  const pool = new HashPool({ workers: 2 });
  try {
    const { bytes } = await createTorrent(file, { pieceLength, pool });
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, torrent: bytes };
  } finally {
    await pool.close();
  }
}

/** The same with a pool that already runs, as in a daemon after its first torrent: hashing alone. */
async function btdApiRunningPool(pool: HashPool, file: string, pieceLength: number): Promise<Run> {
  const started = process.hrtime.bigint();
  const { bytes } = await createTorrent(file, { pieceLength, pool });
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, torrent: bytes };
}

async function btdCli(file: string, pieceLength: number, dir: string): Promise<Run> {
  const out = join(dir, 'btd-cli.torrent');
  const t = await timeProcess(process.execPath, [BTD, 'create', file, '--piece-length', String(pieceLength), '-o', out, '--force', '-q'], dir);
  return { ...t, torrent: await readFile(out) };
}

async function mktorrent(file: string, pieceLength: number, dir: string): Promise<Run> {
  const out = join(dir, 'mktorrent.torrent');
  await rm(out, { force: true });
  const t = await timeProcess('mktorrent', ['-t', '2', '-l', String(Math.log2(pieceLength)), '-o', out, file], dir);
  return { ...t, torrent: await readFile(out) };
}

type CreateTorrentFn = (input: string, opts: object, cb: (err: Error | null, torrent: Uint8Array) => void) => void;

async function loadCreateTorrent(): Promise<CreateTorrentFn> {
  // The package exports an ESM entry only ({ import }), which require.resolve cannot see; find its folder.
  const paths = createRequire(join(REPO, 'bench/package.json')).resolve.paths('create-torrent') ?? [];
  const folder = paths.map((p) => join(p, 'create-torrent')).find((p) => existsSync(join(p, 'package.json')));
  if (!folder) throw new Error('create-torrent is not installed in bench/ (cd bench && npm install)');
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { exports?: { import?: string }; main?: string };
  const entry = join(folder, pkg.exports?.import ?? pkg.main ?? 'index.js');
  return ((await import(pathToFileURL(entry).href)) as { default: CreateTorrentFn }).default;
}

async function npmCreateTorrent(fn: CreateTorrentFn, file: string, pieceLength: number): Promise<Run> {
  const started = process.hrtime.bigint();
  const torrent = await new Promise<Uint8Array>((done, fail) =>
    fn(file, { pieceLength, announceList: [] }, (err, t) => (err ? fail(err) : done(t))),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, torrent };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'size-mib': { type: 'string', default: '1024' }, 'piece-length': { type: 'string' }, runs: { type: 'string', default: '3' } },
  });
  const size = Number(values['size-mib']) * MiB;
  const pieceLength = values['piece-length'] ? Number(values['piece-length']) : autoPieceLength(size);
  const runs = Math.max(1, Number(values.runs));
  const dir = await mkdtemp(join(tmpdir(), 'btd-bench-create-'));
  try {
    const file = join(dir, 'bench.bin');
    console.log(`input: ${size / MiB} MiB random data (page-cached), piece length ${pieceLength}, ${runs} run(s) each, ratios are mktorrent's median time / the tool's`);
    makeInput(file, size);
    const npm = await loadCreateTorrent();
    const running = new HashPool({ workers: 2 });
    await Promise.all([running.sha1(new Uint8Array(1)), running.sha1(new Uint8Array(1))]);
    const tools: [string, () => Promise<Run>][] = [
      ['btd createTorrent (API, 2 workers)', () => btdApi(file, pieceLength)],
      ['btd createTorrent (API, running pool)', () => btdApiRunningPool(running, file, pieceLength)],
      ['btd create (CLI process)', () => btdCli(file, pieceLength, dir)],
      ['mktorrent -t 2', () => mktorrent(file, pieceLength, dir)],
      ['npm create-torrent', () => npmCreateTorrent(npm, file, pieceLength)],
    ];
    const results = new Map<string, { seconds: number; best: number; hash: string; peakRss?: number }>();
    // Interleaved rounds, so a slow moment of the machine does not land on one tool only.
    const samples = new Map<string, Run[]>(tools.map(([name]) => [name, []]));
    for (let r = 0; r < runs; r++) for (const [name, go] of tools) samples.get(name)?.push(await go());
    await running.close();
    for (const [name, list] of samples) {
      const peaks = list.map((x) => x.peakRss ?? 0);
      results.set(name, {
        seconds: median(list.map((x) => x.seconds)),
        best: Math.min(...list.map((x) => x.seconds)),
        hash: parseMetainfo(list[0].torrent).infoHashHex,
        peakRss: Math.max(...peaks) || undefined,
      });
    }
    const reference = results.get('mktorrent -t 2');
    for (const [name, r] of results) {
      const ratio = reference ? (reference.seconds / r.seconds).toFixed(2) : '-';
      const rss = r.peakRss ? `  peak RSS ${(r.peakRss / MiB).toFixed(0)} MiB` : '';
      const line = [
        name.padEnd(39),
        `median ${r.seconds.toFixed(3)} s ${(size / MB / r.seconds).toFixed(0).padStart(5)} MB/s ×${ratio}`,
        `best ${r.best.toFixed(3)} s ${(size / MB / r.best).toFixed(0).padStart(5)} MB/s`,
        r.hash.slice(0, 12) + rss,
      ];
      console.log(line.join('  '));
    }
    const hashes = new Set([...results.values()].map((r) => r.hash));
    console.log(hashes.size === 1 ? 'info hashes: all equal' : `info hashes DIFFER: ${[...hashes].join(' ')}`);
    const btd = results.get('btd createTorrent (API, 2 workers)');
    if (btd && reference) {
      const ratio = (reference.seconds / btd.seconds).toFixed(2);
      console.log(`goal createTorrent ≥ mktorrent -t 2 (median, worker start-up included): ×${ratio} ${btd.seconds <= reference.seconds ? 'met' : 'NOT met'}`);
      const warm = results.get('btd createTorrent (API, running pool)');
      if (warm) console.log(`with the pool already running: ×${(reference.seconds / warm.seconds).toFixed(2)} ${warm.seconds <= reference.seconds ? 'met' : 'NOT met'}`);
    }
    if (hashes.size !== 1) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
