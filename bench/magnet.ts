/**
 * Magnet benchmark: one libtorrent seeder on loopback, and a leecher given only the magnet link (its
 * tracker finds the seeder, the metadata comes over BEP 9), for btd, libtorrent and aria2 in turn in
 * the same run. Each leecher is a whole process timed from spawn to exit, with its CPU seconds and the
 * moment it had the metadata. See bench/magnet.md.
 *
 *   node out/bench/magnet.js [--size-mib 256] [--rounds 3] [--clients btd,libtorrent,aria2]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sameContent, writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';
import { startTracker } from '../daemon/src/tracker/server';
import { LT_PEER, PYTHON } from './libtorrent';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const NAME = 'magnet-bench.bin';
const ARIA2 = ['--interface=127.0.0.1', '--disable-ipv6=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--file-allocation=none', '--summary-interval=0', '--no-conf=true', '--seed-time=0'];

/** One leecher run: wall seconds, seconds until it had the metadata, CPU seconds (user + system). */
interface Run {
  client: string;
  wall: number;
  metadata: number;
  cpu: number;
}

/**
 * Runs a program under bash so that `times` reports its CPU seconds when it ends; resolves with the
 * wall time, the time the first output line matching `metadataLine` appeared, and the CPU time.
 */
function timed(client: string, cmd: string, args: string[], metadataLine: RegExp): Promise<Run> {
  const started = performance.now();
  const child = spawn('bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bench', cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTD_LOOPBACK_ONLY: '1' } });
  let out = '';
  let metadataAt = NaN;
  const onData = (c: Buffer): void => {
    out += c.toString();
    if (Number.isNaN(metadataAt) && metadataLine.test(out)) metadataAt = (performance.now() - started) / 1000;
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((done, fail) => {
    child.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return fail(new Error(`${client} exited with ${code}:\n${out.slice(-2000)}`));
      // `times` prints the shell's user/system line, then its children's: "0m1.234s 0m0.567s".
      const children = [...out.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].at(-1);
      const cpu = children ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]) : NaN;
      done({ client, wall, metadata: metadataAt, cpu });
    });
  });
}

const clients: Record<string, (magnet: string, dir: string) => Promise<Run>> = {
  btd: (magnet, dir) => timed('btd', process.execPath, [BTD, 'download', magnet, '-o', dir, '-p', '0', '--bind', '127.0.0.1'], /^metadata of /m),
  libtorrent: (magnet, dir) => timed('libtorrent', PYTHON, [LT_PEER, 'magnet', magnet, dir], /^metadata: /m),
  aria2: (magnet, dir) => timed('aria2', 'aria2c', [...ARIA2, `--dir=${dir}`, magnet], /Saved metadata|Download complete: \[METADATA\]/),
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, rounds: { type: 'string', default: '3' }, clients: { type: 'string', default: 'btd,libtorrent,aria2' } } });
  const size = Number(values['size-mib']) * 1024 * 1024;
  const rounds = Number(values.rounds);
  const chosen = values.clients.split(',').filter((c) => c in clients);
  const root = await mkdtemp(join(tmpdir(), 'btd-magnet-bench-'));
  const tracker = await startTracker({ host: '127.0.0.1', port: 0, interval: 5, minInterval: 1 });
  let seeder: ReturnType<typeof spawn> | undefined;
  try {
    const dataPath = join(root, 'seed', NAME);
    await mkdir(join(root, 'seed'));
    await writeSampleFile(dataPath, size, 7);
    const { bytes, metainfo } = await createTorrent(dataPath, { trackers: [tracker.url], pieceLength: 256 * 1024 });
    await writeFile(join(root, 'seed.torrent'), bytes);
    const started = spawn(PYTHON, [LT_PEER, 'seed', join(root, 'seed.torrent'), join(root, 'seed')], { stdio: ['ignore', 'pipe', 'inherit'] });
    seeder = started;
    await new Promise<void>((done) => started.stdout.on('data', (c: Buffer) => /seeding on port/.test(c.toString()) && done()));
    const magnet = `magnet:?xt=urn:btih:${metainfo.infoHashHex}&dn=${NAME}&tr=${encodeURIComponent(tracker.url)}`;
    console.log(`magnet of ${fmt(size / 1e6, 0)} MB (${metainfo.pieceCount} pieces of 256 KiB), seeded by libtorrent; ${rounds} rounds of ${chosen.join(', ')}`);
    const runs: Run[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const c of chosen) {
        const dir = join(root, `${c}-${r}`);
        const run = await clients[c](magnet, dir);
        if (!(await sameContent(dataPath, join(dir, NAME)))) throw new Error(`${c}'s copy differs`);
        await rm(dir, { recursive: true, force: true });
        console.log(`  round ${r + 1} ${c.padEnd(10)} ${fmt(run.wall)} s wall, metadata at ${fmt(run.metadata)} s, ${fmt(run.cpu)} s CPU`);
        runs.push(run);
      }
    }
    console.log('\nmedians (whole process, spawn to exit):');
    const med: Record<string, { wall: number; cpu: number; metadata: number }> = {};
    for (const c of chosen) {
      const mine = runs.filter((x) => x.client === c);
      med[c] = { wall: median(mine.map((x) => x.wall)), cpu: median(mine.map((x) => x.cpu)), metadata: median(mine.map((x) => x.metadata)) };
      console.log(`  ${c.padEnd(10)} ${fmt(med[c].wall)} s wall (${fmt(size / 1e6 / med[c].wall, 0)} MB/s), ${fmt(med[c].cpu)} s CPU, metadata at ${fmt(med[c].metadata)} s`);
    }
    for (const other of ['libtorrent', 'aria2']) {
      const goal = other === 'libtorrent' ? ' (goal: <= 0.8x the wall time, metadata no later)' : '';
      if (med.btd && med[other]) console.log(`  btd / ${other}: ${fmt(med.btd.wall / med[other].wall)}x the wall time, ${fmt(med.btd.cpu / med[other].cpu)}x the CPU${goal}`);
    }
  } finally {
    seeder?.kill();
    await tracker.close();
    await rm(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
