/**
 * Swarm benchmark: one seeder and 8 leechers of a 256 MiB file, every peer its own process on
 * 127.0.0.1, the leechers finding each other through a tracker (btd's, in this process) only. btd and
 * libtorrent take turns in the same run (ABBA order over the rounds). Prints the time until every
 * leecher is complete, what each leecher received from the other leechers, CPU seconds and peak
 * memory. See bench/swarm.md.
 *
 *   node out/bench/swarm.js [--size-mib 256] [--leechers 8] [--rounds 2] [--clients btd,libtorrent]
 *
 * BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is put on the btd leechers' node command line.
 */
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sameContent, writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';
import { startTracker, type RunningTracker } from '../daemon/src/tracker/server';
import { ltLeech, ltSeed, received } from './libtorrent';
import { MB, fmt, freePort, launch, median, warmPageCache, type Proc } from './proc';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const NAME = 'swarm-bench.bin';
const LOCAL = ['--bind', '127.0.0.1', '--no-dht'];
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((x) => x !== '');

interface Setup {
  root: string;
  seedDir: string;
  dataPath: string;
  size: number;
  /** Announces to `tracker`, the leechers' only way to find peers. */
  torrent: string;
  tracker: RunningTracker;
}

interface Client {
  name: string;
  seed(s: Setup, port: number): Promise<Proc>;
  leech(s: Setup, dir: string, port: number): Proc;
}

const clients: Record<string, Client> = {
  btd: {
    name: 'btd',
    seed: async (s, port) => {
      const p = launch('btd seed', process.execPath, [BTD, 'seed', s.torrent, '-f', s.dataPath, '-p', String(port), ...LOCAL], s.root);
      await p.line(/^seeding /);
      return p;
    },
    leech: (s, dir, port) => launch('btd download', process.execPath, [...NODE_FLAGS, BTD, 'download', s.torrent, '-o', dir, '-p', String(port), ...LOCAL], s.root),
  },
  libtorrent: {
    name: 'libtorrent',
    seed: (s, port) => ltSeed(s.torrent, s.seedDir, port, s.root),
    leech: (s, dir, port) => ltLeech(s.torrent, dir, port, [], s.root),
  },
};

interface Leecher {
  seconds: number;
  cpu: number;
  rss: number;
  anon: number;
  fromSeeds: number;
  fromOthers: number;
}

interface Run {
  client: string;
  /** Until the last leecher is complete. */
  seconds: number;
  leechers: Leecher[];
  seeder: { rss: number; anon: number };
}

/** Resolves once the tracker has been announced to more than `count` times. */
async function announcedAfter(t: RunningTracker, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (t.stats().announces <= count) {
    if (Date.now() > deadline) throw new Error('the seeder did not announce within 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(c: Client, s: Setup, n: number): Promise<Run> {
  const before = s.tracker.stats().announces;
  const seeder = await c.seed(s, await freePort());
  const leecherProcs: Proc[] = [];
  const dirs = Array.from({ length: n }, (_, i) => join(s.root, `${c.name}-${i}`));
  try {
    // The leechers learn of the seeder from the tracker only, so it must be there first.
    await announcedAfter(s.tracker, before);
    const ports = await Promise.all(dirs.map(() => freePort()));
    await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
    await warmPageCache(s.root, n * s.size);
    const started = performance.now();
    const ended: number[] = [];
    for (const [i, d] of dirs.entries()) leecherProcs.push(c.leech(s, d, ports[i]));
    const seederGone = seeder.exited.then((code) => {
      throw new Error(`${c.name}: the seeder exited (code ${code}) before the leechers were done:\n${seeder.tail()}`);
    });
    const codes = await Promise.race([Promise.all(leecherProcs.map((l, i) => l.exited.then((code) => ((ended[i] = (performance.now() - started) / 1000), code)))), seederGone]);
    const seconds = (performance.now() - started) / 1000;
    if (codes.some((code) => code !== 0)) throw new Error(`${c.name}: a leecher failed (exit codes ${codes.join(', ')}):\n${leecherProcs.map((l) => l.tail()).join('\n')}`);
    for (const d of dirs) {
      const out = join(d, NAME);
      if ((await stat(out)).size !== s.size || !(await sameContent(s.dataPath, out))) throw new Error(`${c.name}: ${out} differs from the original`);
    }
    const leechers = leecherProcs.map((l, i) => {
      const got = received(l);
      if (!got) throw new Error(`${c.name}: no "received" figures in the leecher's output:\n${l.tail()}`);
      const mem = l.peak();
      return { seconds: ended[i], cpu: l.cpu(), rss: mem.rss, anon: mem.anon, ...got };
    });
    const mem = seeder.peak();
    if (process.env.BENCH_SWARM_DUMP === '1') for (const l of leecherProcs) console.log(`\n--- ${l.name}\n${l.output()}`);
    return { client: c.name, seconds, leechers, seeder: { rss: mem.rss, anon: mem.anon } };
  } finally {
    seeder.kill();
    leecherProcs.forEach((l) => l.kill());
    await seeder.exited;
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

async function prepare(sizeMib: number): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), 'btd-bench-swarm-'));
  const seedDir = join(root, 'seed');
  await mkdir(seedDir);
  const dataPath = join(seedDir, NAME);
  const size = sizeMib * 1024 * 1024;
  await writeSampleFile(dataPath, size, 11);
  const data = await open(dataPath, 'r+');
  await data.sync().finally(() => data.close());
  const tracker = await startTracker({ host: '127.0.0.1', port: 0, interval: 5, minInterval: 1 });
  const { bytes } = await createTorrent(dataPath, { pieceLength: 256 * 1024, trackers: [tracker.url] });
  const torrent = join(root, 'swarm.torrent');
  await writeFile(torrent, bytes);
  return { root, seedDir, dataPath, size, torrent, tracker };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function describe(r: Run, size: number): string {
  const others = r.leechers.map((l) => fmt(l.fromOthers / MB, 0)).join(' ');
  const shared = sum(r.leechers.map((l) => l.fromOthers)) / (r.leechers.length * size);
  const cpu = sum(r.leechers.map((l) => l.cpu));
  const ends = r.leechers.map((l) => l.seconds);
  return `${fmt(r.seconds).padStart(6)} s (first leecher done at ${fmt(Math.min(...ends))} s), ${fmt(cpu, 1)} CPU-s; from other leechers (MB): ${others} (${fmt(100 * shared, 0)} % of all delivered)`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'size-mib': { type: 'string', default: '256' }, leechers: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' }, clients: { type: 'string', default: 'btd,libtorrent' } } });
  const n = Number(values.leechers);
  const rounds = Math.max(1, Number(values.rounds));
  const chosen = values.clients.split(',').map((name) => clients[name.toLowerCase()]).filter((c): c is Client => c !== undefined);
  const setup = await prepare(Number(values['size-mib']));
  const runs: Run[] = [];
  try {
    console.log(`1 seeder -> ${n} leechers of ${fmt(setup.size / 2 ** 20, 0)} MiB (256 KiB pieces), peers from a tracker only; ${rounds} rounds of ${chosen.map((c) => c.name).join(', ')}`);
    for (let round = 0; round < rounds; round++) {
      // ABBA: each client goes first as often as the other.
      for (const c of round % 2 === 0 ? chosen : [...chosen].reverse()) {
        process.stdout.write(`  round ${round + 1} ${c.name.padEnd(10)} `);
        const r = await run(c, setup, n);
        runs.push(r);
        console.log(describe(r, setup.size));
      }
    }
  } finally {
    await setup.tracker.close();
    await rm(setup.root, { recursive: true, force: true });
  }
  console.log('\nmedians over the rounds:');
  const med: Record<string, number> = {};
  for (const c of chosen) {
    const mine = runs.filter((r) => r.client === c.name);
    med[c.name] = median(mine.map((r) => r.seconds));
    const all = mine.flatMap((r) => r.leechers);
    const rss = Math.max(...all.map((l) => l.rss));
    const anon = Math.max(...all.map((l) => l.anon));
    const seedRss = Math.max(...mine.map((r) => r.seeder.rss));
    const shared = sum(all.map((l) => l.fromOthers)) / (all.length * setup.size);
    const cpu = median(mine.map((r) => sum(r.leechers.map((l) => l.cpu))));
    console.log(
      `  ${c.name.padEnd(10)} ${fmt(med[c.name])} s until all complete, ${fmt(cpu, 1)} CPU-s of the leechers; ${fmt(100 * shared, 0)} % of the leechers' bytes came from other leechers; ` +
        `peak RSS per leecher ${fmt(rss / MB, 0)} MB (anonymous ${fmt(anon / MB, 0)} MB), seeder ${fmt(seedRss / MB, 0)} MB`,
    );
  }
  if (med.btd !== undefined && med.libtorrent !== undefined) {
    const x = med.btd / med.libtorrent;
    console.log(`  btd time / libtorrent time: ${fmt(x)}x (goal <= 0.8x: ${x <= 0.8 ? 'met' : 'MISSED'})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
