/**
 * Transfer benchmark: one seeder → one leecher, and one seeder → N leechers, on loopback, with btd,
 * libtorrent, WebTorrent and aria2 measured in the same run on the same file. Prints throughput, the
 * leechers' CPU seconds, ratios against the goals, and the peak memory of every process. See bench/transfer.md.
 *
 *   node out/bench/transfer.js [--size-mib 1024] [--leechers 4] [--rounds 3] [--clients btd,libtorrent,webtorrent,aria2] [--smaps]
 *
 * WebTorrent peers run bench/webtorrent-peer.ts, libtorrent peers test/interop/libtorrent/lt_peer.py,
 * so every peer is a process of its own.
 */
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sameContent, writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';
import { startTracker, type RunningTracker } from '../daemon/src/tracker/server';
import { ltLeech, ltSeed, receivedTwice } from './libtorrent';
import { MB, fmt, freePort, launch, median, warmPageCache, type Memory, type Proc } from './proc';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const WT_PEER = join(__dirname, 'webtorrent-peer.js');
/** `--smaps`: also record where each btd process's memory was at its largest RSS. */
let SMAPS = false;
const NAME = 'bench.bin';

/** The shared input: one data file and two torrents of it (same info hash; one announces to a tracker). */
interface Setup {
  root: string;
  seedDir: string;
  dataPath: string;
  size: number;
  /** No announce: peers are given directly. */
  plainTorrent: string;
  /** Announces to the in-process tracker (aria2 cannot be given peers directly). */
  trackedTorrent: string;
  tracker: RunningTracker;
}

/** One client under test: how to start a seeder and a leecher. */
interface Client {
  name: string;
  seed(s: Setup, port: number): Promise<Proc>;
  leech(s: Setup, dir: string, port: number, peers: number[]): Proc;
}

/** Loopback only, no DHT: the benchmark sends nothing beyond 127.0.0.1 and resolves no name. */
const LOCAL = ['--bind', '127.0.0.1', '--no-dht'];

const btd: Client = {
  name: 'btd',
  seed: async (s, port) => {
    const p = launch('btd seed', process.execPath, [BTD, 'seed', s.plainTorrent, '-f', s.dataPath, '-p', String(port), ...LOCAL], s.root, { smaps: SMAPS });
    await p.line(/^seeding /);
    return p;
  },
  leech: (s, dir, port, peers) =>
    launch('btd download', process.execPath, [BTD, 'download', s.plainTorrent, '-o', dir, '-p', String(port), ...LOCAL, ...peers.flatMap((x) => ['--peer', `127.0.0.1:${x}`])], s.root, { smaps: SMAPS }),
};

const libtorrent: Client = {
  name: 'libtorrent',
  seed: (s, port) => ltSeed(s.plainTorrent, s.seedDir, port, s.root),
  leech: (s, dir, port, peers) => ltLeech(s.plainTorrent, dir, port, peers, s.root),
};

const webtorrent: Client = {
  name: 'WebTorrent',
  seed: async (s, port) => {
    const p = launch('wt seed', process.execPath, [WT_PEER, '--role', 'wt-seed', '--torrent', s.plainTorrent, '--dir', s.seedDir, '--port', String(port)], s.root);
    await p.line(/^ready$/);
    return p;
  },
  leech: (s, dir, port, peers) =>
    launch('wt leech', process.execPath, [WT_PEER, '--role', 'wt-leech', '--torrent', s.plainTorrent, '--dir', dir, '--port', String(port), '--peers', peers.join(',')], s.root),
};

const ARIA2 = ['--interface=127.0.0.1', '--disable-ipv6=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--file-allocation=none', '--enable-color=false', '--no-conf=true', '--summary-interval=0', '--console-log-level=notice'];

const aria2: Client = {
  name: 'aria2',
  seed: async (s, port) => {
    const before = s.tracker.stats().announces;
    const p = launch('aria2 seed', 'aria2c', [...ARIA2, '--check-integrity=false', '--bt-seed-unverified=true', '--seed-time=99999', '--seed-ratio=0.0', `--listen-port=${port}`, `--dir=${s.seedDir}`, s.trackedTorrent], s.root);
    await p.line(/listening on TCP port/);
    // Leechers only learn of the seeder from the tracker, so wait until it has announced.
    while (s.tracker.stats().announces === before) await new Promise((r) => setTimeout(r, 20));
    return p;
  },
  leech: (s, dir, port) => launch('aria2 leech', 'aria2c', [...ARIA2, '--seed-time=0', `--listen-port=${port}`, `--dir=${dir}`, s.trackedTorrent], s.root),
};

const CLIENTS = [btd, libtorrent, webtorrent, aria2];

/** One process's figures. */
interface ProcFigures {
  name: string;
  mem: Memory;
  breakdown?: string;
}

/** Result of one scenario for one client. */
interface Run {
  client: string;
  seconds: number;
  /** User + system seconds of all the leecher processes together. */
  leecherCpu: number;
  /** The seeder first, then the leechers. */
  procs: ProcFigures[];
  /** btd only: bytes its leechers received twice (endgame duplicates), from their last line. */
  duplicates?: number;
}

/** One seeder and `n` leechers started together; the time until the last leecher has the whole file. */
async function swarm(c: Client, s: Setup, n: number, verify: boolean): Promise<Run> {
  const seedPort = await freePort();
  const seeder = await c.seed(s, seedPort);
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const dirs = ports.map((_, i) => join(s.root, `${c.name}-leecher-${i}`));
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  await warmPageCache(s.root, n * s.size);
  const started = process.hrtime.bigint();
  const leechers = ports.map((port, i) => c.leech(s, dirs[i], port, [seedPort, ...ports.filter((p) => p !== port)]));
  try {
    // A seeder that ends early leaves its leechers waiting for ever: report it instead.
    const seederGone = seeder.exited.then((code) => {
      throw new Error(`${c.name}: the seeder exited (code ${code}) before the leechers were done:\n${seeder.tail()}`);
    });
    const codes = await Promise.race([Promise.all(leechers.map((l) => l.exited)), seederGone]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (codes.some((code) => code !== 0)) throw new Error(`${c.name}: a leecher failed (exit codes ${codes.join(', ')}):\n${leechers.map((l) => l.tail()).join('\n')}`);
    for (const d of dirs) {
      const out = join(d, NAME);
      if ((await stat(out)).size !== s.size || (verify && !(await sameContent(s.dataPath, out)))) throw new Error(`${c.name}: ${out} differs`);
    }
    const procs = [seeder, ...leechers].map((p) => ({ name: p.name, mem: p.peak(), breakdown: p.peakBreakdown() }));
    const twice = leechers.map(receivedTwice);
    const duplicates = twice.every((x) => x !== undefined) ? twice.reduce((a, b) => a + b, 0) : undefined;
    const leecherCpu = leechers.reduce((sum, l) => sum + l.cpu(), 0);
    return { client: c.name, seconds, leecherCpu, procs, ...(duplicates !== undefined && { duplicates }) };
  } finally {
    seeder.kill();
    leechers.forEach((l) => l.kill());
    await seeder.exited;
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

async function prepare(sizeMib: number): Promise<Setup> {
  const root = await mkdtemp(join(tmpdir(), 'btd-bench-transfer-'));
  const seedDir = join(root, 'seed');
  await mkdir(seedDir);
  const dataPath = join(seedDir, NAME);
  const size = sizeMib * 1024 * 1024;
  await writeSampleFile(dataPath, size);
  // On disk before anything is timed: the kernel would otherwise write it back during the first run.
  const data = await open(dataPath, 'r+');
  await data.sync().finally(() => data.close());
  const tracker = await startTracker({ host: '127.0.0.1', port: 0, interval: 5 });
  const plain = await createTorrent(dataPath, { pieceLength: 1024 * 1024 });
  const tracked = await createTorrent(dataPath, { pieceLength: 1024 * 1024, trackers: [tracker.url] });
  if (plain.metainfo.infoHashHex !== tracked.metainfo.infoHashHex) throw new Error('the two torrents should share one info hash');
  const plainTorrent = join(root, 'plain.torrent');
  const trackedTorrent = join(root, 'tracked.torrent');
  await writeFile(plainTorrent, plain.bytes);
  await writeFile(trackedTorrent, tracked.bytes);
  return { root, seedDir, dataPath, size, plainTorrent, trackedTorrent, tracker };
}

/** A client's median 1 -> 1 run (by time), with each process's largest memory figures over all rounds. */
function medianRun(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)];
  // Every round runs the same processes in the same order.
  const procs = mid.procs.map((p, i) => {
    const all = runs.map((r) => r.procs[i]);
    const top = all.reduce((a, b) => (b.mem.rss > a.mem.rss ? b : a));
    const mem = { rss: top.mem.rss, anon: Math.max(...all.map((x) => x.mem.anon)) };
    return { name: p.name, mem, breakdown: top.breakdown };
  });
  return { ...mid, leecherCpu: median(runs.map((r) => r.leecherCpu)), procs };
}

const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');

function report(size: number, single: Run[], many: Run[], n: number, rounds: Run[][]): void {
  const rate = (r: Run): number => size / r.seconds / MB;
  const by = (runs: Run[], name: string): Run | undefined => runs.find((r) => r.client === name);
  console.log(`\n${fmt(size / 2 ** 20, 0)} MiB, 1 seeder -> 1 leecher (loopback; whole leecher processes; median of ${rounds[0]?.length ?? 0} rounds):`);
  for (const [i, r] of single.entries()) {
    const all = rounds[i].map((x) => fmt(x.seconds)).join(', ');
    console.log(`  ${r.client.padEnd(11)} ${fmt(r.seconds).padStart(7)} s  ${fmt(rate(r), 0).padStart(5)} MB/s  ${fmt(r.leecherCpu).padStart(6)} CPU-s   (rounds: ${all} s)`);
  }
  const b1 = by(single, 'btd');
  const ratio = (other: string, goal: number | undefined): void => {
    const o = by(single, other);
    if (!b1 || !o) return;
    const x = rate(b1) / rate(o);
    const cpu = `${fmt(b1.leecherCpu / o.leecherCpu)}x the CPU`;
    console.log(`  btd / ${other} throughput: ${fmt(x)}x, ${cpu}${goal === undefined ? '' : ` (goal >= ${goal}x: ${verdict(x >= goal)})`}`);
  };
  ratio('libtorrent', 1.3);
  ratio('WebTorrent', 3);
  ratio('aria2', undefined);
  if (many.length > 0) {
    console.log(`\n1 seeder -> ${n} leechers, time until every leecher is complete:`);
    for (const r of many) console.log(`  ${r.client.padEnd(11)} ${fmt(r.seconds).padStart(7)} s  (${fmt((n * size) / r.seconds / MB, 0)} MB/s delivered)  ${fmt(r.leecherCpu)} CPU-s of the leechers`);
    const bn = by(many, 'btd');
    const ln = by(many, 'libtorrent');
    const wn = by(many, 'WebTorrent');
    if (bn && ln) console.log(`  btd time / libtorrent time: ${fmt(bn.seconds / ln.seconds)}x (goal <= 0.8x: ${verdict(bn.seconds / ln.seconds <= 0.8)}), ${fmt(bn.leecherCpu / ln.leecherCpu)}x the CPU`);
    if (bn && wn) console.log(`  btd time / WebTorrent time: ${fmt(bn.seconds / wn.seconds)}x`);
    if (bn?.duplicates !== undefined) {
      console.log(`  btd received twice: ${fmt(bn.duplicates / MB)} MB of ${fmt((n * size) / MB, 0)} MB delivered (${fmt((100 * bn.duplicates) / (n * size), 3)} %)`);
    }
  }
  console.log('\npeak memory per process, MB: RSS (VmHWM) / anonymous (RssAnon: heaps and buffers, no file pages):');
  const mb = (x: number): string => fmt(x / MB, 0);
  for (const [label, runs] of [['1 -> 1', single], [`1 -> ${n}`, many]] as const) {
    for (const r of runs) {
      const worst = Math.max(...r.procs.map((x) => x.mem.rss));
      const goal = r.client === 'btd' ? `  (goal RSS <= 100 MB: ${verdict(worst <= 100 * MB)})` : '';
      console.log(`  ${label.padEnd(7)} ${r.client.padEnd(11)} ${r.procs.map((x) => `${x.name} ${mb(x.mem.rss)}/${mb(x.mem.anon)}`).join(', ')}${goal}`);
      for (const x of r.procs) if (x.breakdown) console.log(`    ${x.name} at its largest RSS: ${x.breakdown}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '1024' },
      leechers: { type: 'string', default: '4' },
      clients: { type: 'string', default: 'btd,libtorrent,webtorrent,aria2' },
      rounds: { type: 'string', default: '3' },
      smaps: { type: 'boolean', default: false },
    },
  });
  SMAPS = values.smaps;
  const chosen = CLIENTS.filter((c) => values.clients.toLowerCase().split(',').includes(c.name.toLowerCase()));
  const n = Number(values.leechers);
  const rounds = Math.max(1, Number(values.rounds));
  const setup = await prepare(Number(values['size-mib']));
  try {
    // 1 -> 1 takes about 2 s for btd, short enough for other work on the machine to double one run:
    // rounds alternate the clients and the report uses each client's median.
    const single: Run[][] = chosen.map(() => []);
    const many: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [i, c] of chosen.entries()) {
        process.stdout.write(`${c.name}: 1 -> 1, round ${round} of ${rounds} ... `);
        single[i].push(await swarm(c, setup, 1, c === btd));
        console.log(`${fmt(single[i][single[i].length - 1].seconds)} s`);
      }
    }
    for (const c of chosen.filter((x) => x !== aria2 && n > 1)) {
      process.stdout.write(`${c.name}: 1 -> ${n} ... `);
      many.push(await swarm(c, setup, n, c === btd));
      console.log(`${fmt(many[many.length - 1].seconds)} s`);
    }
    report(setup.size, single.map(medianRun), many, n, single);
  } finally {
    await setup.tracker.close();
    await rm(setup.root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
