/**
 * Torrent-creation benchmark: the `btd create` command, a whole process, against `mktorrent -t 2` (the
 * goal), with btd's createTorrent in process and npm create-torrent for scale, on the same page-cached
 * file with the same piece length, measured in the same run, with the CPU seconds of every process.
 * Checks that every tool gives the same info hash. See bench/create.md.
 *
 *   node out/bench/create.js [--size-mib 1024] [--piece-length 1048576] [--runs 9] [--compare-bin other/bin/btd.js]
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

/** One timed run: seconds, the .torrent bytes produced, and for a process its CPU seconds and peak RSS. */
interface Run {
  seconds: number;
  torrent?: Uint8Array;
  user?: number;
  sys?: number;
  peakRss?: number;
  minorFaults?: number;
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

/**
 * The environment of the process rows: this one's without NODE_EXTRA_CA_CERTS, which makes every Node
 * process parse that certificate file before it runs any code (about 40 ms here), a setting of this
 * machine rather than of a user's shell. The row "(NODE_EXTRA_CA_CERTS set)" shows what it costs.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/**
 * Runs a program under GNU time, which reports the child's rusage (user and system CPU seconds, peak
 * RSS, minor page faults) from wait4; the wall time is measured here.
 */
function timeProcess(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Run> {
  const report = join(cwd, 'time.txt');
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-o', report, '-f', '%U %S %M %R', cmd, ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) return fail(new Error(`${cmd} exited with ${code}: ${stderr.slice(-500)}`));
      const [user, sys, rssKb, faults] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      done({ seconds, user, sys, peakRss: rssKb * 1024, minorFaults: faults });
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

async function btdCli(file: string, pieceLength: number, dir: string, env?: NodeJS.ProcessEnv, bin = BTD): Promise<Run> {
  const out = join(dir, 'btd-cli.torrent');
  const t = await timeProcess(process.execPath, [bin, 'create', file, '--piece-length', String(pieceLength), '-o', out, '--force', '-q'], dir, env);
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

/** What a tool's rounds give: medians, and for processes the CPU seconds of the median round. */
interface Result {
  seconds: number;
  best: number;
  hash?: string;
  user?: number;
  sys?: number;
  peakRss?: number;
  minorFaults?: number;
}

function summarize(list: Run[]): Result {
  const seconds = median(list.map((x) => x.seconds));
  const at = (pick: (r: Run) => number | undefined): number | undefined => {
    const xs = list.map(pick).filter((x): x is number => x !== undefined);
    return xs.length > 0 ? median(xs) : undefined;
  };
  return {
    seconds,
    best: Math.min(...list.map((x) => x.seconds)),
    hash: list[0].torrent && parseMetainfo(list[0].torrent).infoHashHex,
    user: at((r) => r.user),
    sys: at((r) => r.sys),
    peakRss: Math.max(...list.map((x) => x.peakRss ?? 0)) || undefined,
    minorFaults: at((r) => r.minorFaults),
  };
}

function line(name: string, r: Result, size: number, reference: Result | undefined): string {
  const ratio = reference && r.hash ? `×${(reference.seconds / r.seconds).toFixed(2)}` : '     ';
  const rate = (s: number): string => (r.hash ? `${(size / MB / s).toFixed(0).padStart(5)} MB/s` : '          ');
  const cpu =
    r.user !== undefined && r.sys !== undefined
      ? `  cpu ${(r.user + r.sys).toFixed(2)} s (user ${r.user.toFixed(2)} sys ${r.sys.toFixed(2)})  ${r.minorFaults ?? '?'} minor faults`
      : '';
  const rss = r.peakRss ? `  peak RSS ${(r.peakRss / MiB).toFixed(0)} MiB` : '';
  return [
    name.padEnd(44),
    `median ${r.seconds.toFixed(3)} s ${rate(r.seconds)} ${ratio}`,
    `best ${r.best.toFixed(3)} s`,
    (r.hash ?? '-').slice(0, 12) + cpu + rss,
  ].join('  ');
}

const CLI = 'btd create (CLI process)';
const MKTORRENT = 'mktorrent -t 2';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'size-mib': { type: 'string', default: '1024' }, 'piece-length': { type: 'string' }, runs: { type: 'string', default: '9' }, 'compare-bin': { type: 'string' } },
  });
  const size = Number(values['size-mib']) * MiB;
  const pieceLength = values['piece-length'] ? Number(values['piece-length']) : autoPieceLength(size);
  const runs = Math.max(1, Number(values.runs));
  const dir = await mkdtemp(join(tmpdir(), 'btd-bench-create-'));
  try {
    const file = join(dir, 'bench.bin');
    console.log(`input: ${size / MiB} MiB random data (page-cached), piece length ${pieceLength}, ${runs} run(s) each, ratios are mktorrent's median time / the tool's`);
    console.log(`load average at the start: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
    makeInput(file, size);
    const npm = await loadCreateTorrent();
    const running = new HashPool({ workers: 2 });
    await Promise.all([running.sha1(new Uint8Array(1)), running.sha1(new Uint8Array(1))]);
    const tools: [string, () => Promise<Run>][] = [
      [CLI, () => btdCli(file, pieceLength, dir)],
      [MKTORRENT, () => mktorrent(file, pieceLength, dir)],
      ['btd createTorrent (API, 2 workers)', () => btdApi(file, pieceLength)],
      ['btd createTorrent (API, running pool)', () => btdApiRunningPool(running, file, pieceLength)],
      ['npm create-torrent', () => npmCreateTorrent(npm, file, pieceLength)],
      ['node -e 0 (Node start-up alone)', () => timeProcess(process.execPath, ['-e', '0'], dir)],
      ['btd --version', () => timeProcess(process.execPath, [BTD, '--version'], dir)],
    ];
    const other = values['compare-bin'];
    if (other) tools.push([`btd create (CLI process, ${other})`, () => btdCli(file, pieceLength, dir, undefined, resolve(other))]);
    if (process.env.NODE_EXTRA_CA_CERTS) {
      tools.push([`${CLI} (NODE_EXTRA_CA_CERTS set)`, () => btdCli(file, pieceLength, dir, process.env)]);
      tools.push(['node -e 0 (NODE_EXTRA_CA_CERTS set)', () => timeProcess(process.execPath, ['-e', '0'], dir, process.env)]);
    }
    // Interleaved rounds, so a slow moment of the machine does not land on one tool only.
    const samples = new Map<string, Run[]>(tools.map(([name]) => [name, []]));
    for (let r = 0; r < runs; r++) for (const [name, go] of tools) samples.get(name)?.push(await go());
    await running.close();
    const results = new Map([...samples].map(([name, list]) => [name, summarize(list)]));
    const reference = results.get(MKTORRENT);
    for (const [name, r] of results) console.log(line(name, r, size, reference));
    const hashes = new Set([...results.values()].flatMap((r) => (r.hash ? [r.hash] : [])));
    console.log(hashes.size === 1 ? 'info hashes: all equal' : `info hashes DIFFER: ${[...hashes].join(' ')}`);
    const cli = results.get(CLI);
    if (cli && reference) {
      const ratio = (reference.seconds / cli.seconds).toFixed(2);
      console.log(`goal btd create (the whole process) ≥ mktorrent -t 2, median of ${runs}: ×${ratio} ${cli.seconds <= reference.seconds ? 'met' : 'NOT met'}`);
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
