/**
 * Transfer benchmark: one seeder → one leecher, and one seeder → N leechers, on loopback, with btd,
 * WebTorrent and aria2 measured in the same run on the same file. Prints throughput, ratios against
 * the goals, and the peak RSS (VmHWM) of every btd process. See bench/transfer.md.
 *
 *   node out/bench/transfer.js [--size-mib 1024] [--leechers 4] [--rounds 3] [--clients btd,webtorrent,aria2] [--smaps]
 *
 * The same script is its own WebTorrent worker (`--role wt-seed|wt-leech`), so each WebTorrent peer
 * is a separate process like the others.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sameContent, writeSampleFile } from '../daemon/src/cli/demo-data';
import { createTorrent } from '../daemon/src/metainfo';
import { startTracker, type RunningTracker } from '../daemon/src/tracker/server';

const REPO = resolve(__dirname, '../..');
const BTD = join(REPO, 'bin/btd.js');
const MB = 1e6;
/** `--smaps`: also record where each process's memory was at its largest RSS. */
let SMAPS = false;
const NAME = 'bench.bin';

/** A child process whose output lines can be awaited and whose peak RSS is sampled. */
interface Proc {
  pid: number;
  name: string;
  /** First line (stdout or stderr) matching `re`; rejects if the process ends first. */
  line(re: RegExp): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
  /** Largest VmHWM seen, in bytes. */
  peakRss(): number;
  /** With `--smaps`: where the resident memory was at the largest RSS sampled (MB per kind), else undefined. */
  peakBreakdown(): string | undefined;
  /** The end of its output (stdout and stderr), for error messages. */
  tail(): string;
  kill(): void;
}

function launch(name: string, cmd: string, args: string[], cwd: string): Proc {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let peak = 0;
  const waiters: { re: RegExp; ok: (m: RegExpExecArray) => void; fail: (e: Error) => void }[] = [];
  let ended = false;
  const check = (): void => {
    for (const w of [...waiters]) {
      const m = text.split('\n').map((l) => w.re.exec(l)).find((x) => x !== null);
      if (m) w.ok(m);
      else if (ended) w.fail(new Error(`${name} ended before ${w.re}:\n${text.slice(-2000)}`));
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const onData = (c: Buffer): void => {
    text += c.toString();
    check();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let breakdownRss = 0;
  let breakdown: string | undefined;
  const sample = (): void => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const m = /VmHWM:\s+(\d+) kB/.exec(status);
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      if (SMAPS && rss > breakdownRss) {
        breakdownRss = rss;
        breakdown = smapsBreakdown(readFileSync(`/proc/${child.pid}/smaps`, 'utf8'));
      }
    } catch {
      // The process is gone; the last sample stands.
    }
  };
  const sampler = setInterval(sample, 100);
  const exited = new Promise<number | null>((done) =>
    child.on('close', (code) => {
      clearInterval(sampler);
      ended = true;
      check();
      done(code);
    }),
  );
  return {
    pid: child.pid as number,
    name,
    line: (re) => new Promise((ok, fail) => (waiters.push({ re, ok, fail }), check())),
    exited,
    peakRss: () => (sample(), peak),
    peakBreakdown: () => breakdown,
    tail: () => text.slice(-1500),
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
  };
}

/** Resident memory by kind from a /proc/<pid>/smaps text: node's binary, the C heap, other anonymous memory, other files. */
function smapsBreakdown(text: string): string {
  const kb = { binary: 0, heap: 0, anonymous: 0, files: 0 };
  let kind: keyof typeof kb = 'anonymous';
  for (const line of text.split('\n')) {
    const map = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (map) {
      const name = map[1];
      kind = name === process.execPath ? 'binary' : name === '[heap]' ? 'heap' : name === '' || name.startsWith('[') ? 'anonymous' : 'files';
    } else if (line.startsWith('Rss:')) {
      kb[kind] += Number(line.split(/\s+/)[1]);
    }
  }
  const mb = (k: number): string => fmt((k * 1024) / MB, 0);
  return `node binary ${mb(kb.binary)}, C heap ${mb(kb.heap)}, other anonymous ${mb(kb.anonymous)}, other files ${mb(kb.files)} MB`;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}

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
  /** Whether its processes' RSS is held to the 100 MB goal. */
  rssGoal: boolean;
}

const LOCAL = ['--bind', '127.0.0.1'];

const btd: Client = {
  name: 'btd',
  rssGoal: true,
  seed: async (s, port) => {
    const p = launch('btd seed', process.execPath, [BTD, 'seed', s.plainTorrent, '-f', s.dataPath, '-p', String(port), ...LOCAL], s.root);
    await p.line(/^seeding /);
    return p;
  },
  leech: (s, dir, port, peers) =>
    launch('btd download', process.execPath, [BTD, 'download', s.plainTorrent, '-o', dir, '-p', String(port), ...LOCAL, ...peers.flatMap((x) => ['--peer', `127.0.0.1:${x}`])], s.root),
};

const webtorrent: Client = {
  name: 'WebTorrent',
  rssGoal: false,
  seed: async (s, port) => {
    const p = launch('wt seed', process.execPath, [__filename, '--role', 'wt-seed', '--torrent', s.plainTorrent, '--dir', s.seedDir, '--port', String(port)], s.root);
    await p.line(/^ready$/);
    return p;
  },
  leech: (s, dir, port, peers) =>
    launch('wt leech', process.execPath, [__filename, '--role', 'wt-leech', '--torrent', s.plainTorrent, '--dir', dir, '--port', String(port), '--peers', peers.join(',')], s.root),
};

const ARIA2 = ['--interface=127.0.0.1', '--disable-ipv6=true', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false', '--file-allocation=none', '--enable-color=false', '--no-conf=true', '--summary-interval=0', '--console-log-level=notice'];

const aria2: Client = {
  name: 'aria2',
  rssGoal: false,
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

/** Result of one scenario for one client. */
interface Run {
  client: string;
  seconds: number;
  rss: { name: string; bytes: number; breakdown?: string }[];
  /** btd only: bytes its leechers received twice (endgame duplicates), from their last line. */
  duplicates?: number;
}

const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };

/** The "…; 1.2 MiB received twice" of a btd download's last line, in bytes (undefined for other clients). */
function receivedTwice(p: Proc): number | undefined {
  const m = /; ([\d.]+) (B|KiB|MiB|GiB) received twice/.exec(p.tail());
  return m ? Number(m[1]) * UNITS[m[2]] : undefined;
}

/**
 * Writes and deletes `bytes` of scratch data, so that the leechers about to run find the kernel's
 * free pages as warm as every other client does. On this machine (a VM whose host takes back free
 * memory within about 20 s) writing into pages the guest has not used lately costs about 2.5 s of
 * system CPU per GiB, against 0.2 s for pages freed a moment ago (`dd` shows the same); without
 * this step the client that runs first pays for its whole download and the next one pays nothing.
 */
async function warmPageCache(dir: string, bytes: number): Promise<void> {
  const path = join(dir, 'warm-up.tmp');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) await fh.write(chunk, 0, Math.min(chunk.length, bytes - done));
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
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
    if (codes.some((code) => code !== 0)) throw new Error(`${c.name}: a leecher failed (exit codes ${codes.join(', ')})`);
    for (const d of dirs) {
      const out = join(d, NAME);
      if ((await stat(out)).size !== s.size || (verify && !(await sameContent(s.dataPath, out)))) throw new Error(`${c.name}: ${out} differs`);
    }
    const rss = [seeder, ...leechers].map((p) => ({ name: p.name, bytes: p.peakRss(), breakdown: p.peakBreakdown() }));
    const twice = leechers.map(receivedTwice);
    const duplicates = twice.every((x) => x !== undefined) ? twice.reduce((a, b) => a + b, 0) : undefined;
    return { client: c.name, seconds, rss, ...(duplicates !== undefined && { duplicates }) };
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

const fmt = (x: number, d = 2): string => x.toFixed(d);

/**
 * A client's median 1 -> 1 run (the upper median for an even count), with the peak RSS of each of
 * its processes over all rounds.
 */
function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const mid = sorted[Math.floor(sorted.length / 2)];
  // Each process's largest peak over the rounds (every round runs the same processes in the same order).
  const rss = mid.rss.map((_, i) => runs.map((r) => r.rss[i]).reduce((a, b) => (b.bytes > a.bytes ? b : a)));
  return { client: mid.client, seconds: mid.seconds, rss };
}

function report(size: number, single: Run[], many: Run[], n: number, rounds: Run[][]): void {
  const rate = (r: Run): number => size / r.seconds / MB;
  const by = (runs: Run[], name: string): Run | undefined => runs.find((r) => r.client === name);
  console.log(`\n${fmt(size / 2 ** 20, 0)} MiB, 1 seeder -> 1 leecher (loopback; times include process start-up; median of ${rounds[0]?.length ?? 0} rounds):`);
  for (const [i, r] of single.entries()) {
    const all = rounds[i].map((x) => fmt(x.seconds)).join(', ');
    console.log(`  ${r.client.padEnd(11)} ${fmt(r.seconds).padStart(7)} s  ${fmt(rate(r), 0).padStart(6)} MB/s   (rounds: ${all} s)`);
  }
  const b1 = by(single, 'btd');
  const w1 = by(single, 'WebTorrent');
  const a1 = by(single, 'aria2');
  if (b1 && w1) console.log(`  btd / WebTorrent throughput: ${fmt(rate(b1) / rate(w1))}x (goal >= 2.5x)`);
  if (b1 && a1) console.log(`  btd / aria2 throughput:      ${fmt(rate(b1) / rate(a1))}x (goal >= 1.0x)`);
  if (many.length > 0) {
    console.log(`\n1 seeder -> ${n} leechers, time until every leecher is complete:`);
    for (const r of many) console.log(`  ${r.client.padEnd(11)} ${fmt(r.seconds).padStart(7)} s  (${fmt((n * size) / r.seconds / MB, 0)} MB/s delivered)`);
    const bn = by(many, 'btd');
    const wn = by(many, 'WebTorrent');
    if (bn && wn) console.log(`  btd time / WebTorrent time: ${fmt(bn.seconds / wn.seconds)}x (goal <= 0.4x)`);
    if (bn?.duplicates !== undefined) {
      console.log(`  btd received twice: ${fmt(bn.duplicates / MB)} MB of ${fmt((n * size) / MB, 0)} MB delivered (${fmt((100 * bn.duplicates) / (n * size), 3)} %)`);
    }
  }
  console.log('\npeak RSS (VmHWM) per process:');
  for (const r of [...single, ...many]) {
    const worst = Math.max(...r.rss.map((x) => x.bytes));
    console.log(`  ${r.client.padEnd(11)} ${r.rss.map((x) => `${x.name} ${fmt(x.bytes / MB, 0)} MB`).join(', ')}${r.client === 'btd' ? `  (goal <= 100 MB: ${worst <= 100 * MB ? 'met' : 'MISSED'})` : ''}`);
    for (const x of r.rss) if (x.breakdown && r.client === 'btd') console.log(`    ${x.name} at its largest RSS: ${x.breakdown}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'size-mib': { type: 'string', default: '1024' },
      leechers: { type: 'string', default: '4' },
      clients: { type: 'string', default: 'btd,webtorrent,aria2' },
      role: { type: 'string' },
      torrent: { type: 'string' },
      dir: { type: 'string' },
      port: { type: 'string' },
      peers: { type: 'string', default: '' },
      rounds: { type: 'string', default: '3' },
      smaps: { type: 'boolean', default: false },
    },
  });
  if (values.role !== undefined) return webTorrentRole(values.role, values.torrent as string, values.dir as string, Number(values.port), values.peers);
  SMAPS = values.smaps;
  const chosen = [btd, webtorrent, aria2].filter((c) => values.clients.toLowerCase().split(',').includes(c.name.toLowerCase()));
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
    report(setup.size, single.map(median), many, n, single);
  } finally {
    await setup.tracker.close();
    await rm(setup.root, { recursive: true, force: true });
  }
}

/**
 * Module resolution hooks for the WebTorrent worker:
 * - webrtc-polyfill loads node-datachannel, a native module without a build here (bench/ was installed
 *   with --ignore-scripts and its prebuilt binary cannot be fetched); WebRTC is off, so an empty module stands in.
 * - webtorrent 2.8.5 passes parse-torrent 11's hex-string info hash to uint8-util 2.3's arr2hex (for a
 *   debug id), which throws on strings; a wrapper lets strings through unchanged.
 */
const WEBTORRENT_HOOKS = `
const data = (src) => 'data:text/javascript,' + encodeURIComponent(src);
const RTC = 'export class RTCPeerConnection {} export class RTCSessionDescription {} export class RTCIceCandidate {} export default {}';
export async function resolve(specifier, context, next) {
  if (specifier === 'webrtc-polyfill') return { url: data(RTC), shortCircuit: true };
  if (specifier !== 'uint8-util') return next(specifier, context);
  const real = JSON.stringify((await next(specifier, context)).url);
  return { url: data('export * from ' + real + '; import * as u from ' + real + '; export const arr2hex = (d) => typeof d === "string" ? d : u.arr2hex(d);'), shortCircuit: true };
}`;

/**
 * A WebTorrent peer in its own process: TCP only (no DHT, trackers, LSD, uTP, WebRTC, web seeds).
 * Loaded through WEBTORRENT_HOOKS.
 */
async function webTorrentRole(role: string, torrentPath: string, dir: string, port: number, peers: string): Promise<void> {
  register(`data:text/javascript,${encodeURIComponent(WEBTORRENT_HOOKS)}`);
  const entry = createRequire(join(REPO, 'bench/package.json')).resolve('webtorrent');
  const WebTorrent = ((await import(pathToFileURL(entry).href)) as { default: new (opts: object) => WtClient }).default;
  const client = new WebTorrent({ dht: false, tracker: false, lsd: false, utp: false, webSeeds: false, natUpnp: false, natPmp: false, torrentPort: port });
  client.on('error', (e: unknown) => {
    console.error(String(e));
    process.exit(1);
  });
  const torrent = client.add(await readFile(torrentPath), { path: dir, skipVerify: role === 'wt-seed' });
  torrent.on('error', (e: unknown) => {
    console.error(String(e));
    process.exit(1);
  });
  if (role === 'wt-seed') {
    torrent.on('ready', () => console.log('ready'));
    return;
  }
  torrent.on('infoHash', () => {
    for (const p of peers.split(',').filter((x) => x !== '')) torrent.addPeer(`127.0.0.1:${p}`);
  });
  torrent.on('done', () => {
    console.log('done');
    client.destroy(() => process.exit(0));
  });
}

/** The few WebTorrent calls used here. */
interface WtClient {
  on(event: 'error', fn: (e: unknown) => void): void;
  add(torrent: Uint8Array, opts: { path: string; skipVerify: boolean }): WtTorrent;
  destroy(cb: () => void): void;
}
interface WtTorrent {
  on(event: string, fn: (e?: unknown) => void): void;
  addPeer(addr: string): void;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
