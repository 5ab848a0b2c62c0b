/**
 * Tracker benchmark: announces per second of btd's tracker against the npm `bittorrent-tracker` server and a
 * bare Koa app returning a fixed body, all measured in the same run; plus a memory check with many distinct
 * peers. Each server runs in its own child process; this process loads it over keep-alive connections.
 *
 *   node out/bench/tracker.js [--duration 10] [--connections 50] [--rounds 3]   throughput
 *   --load autocannon|wrk      load with autocannon (npm) or wrk (Debian's package) instead of the lean generator
 *   node out/bench/tracker.js --memory [--memory-seconds 60] [--peers 100000]
 *   node out/bench/tracker.js --micro   CPU per announce of btd's own code, outside any server
 *   node out/bench/tracker.js --stores  memory store vs Redis store (1 and 2 workers): see tracker-stores.ts
 *   --targets btd,koa          only these servers (btd, bittorrent-tracker, koa, node-http)
 *   --profile DIR              write a CPU profile of each server process into DIR
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type RequestListener } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { stores } from './tracker-stores';
import { announcePaths, leanLoad, rotating, wrkLoad, type Autocannon, type AutocannonResult, type Load } from './load';
import { startTracker, SwarmTable, parseAnnounceParams } from '../daemon/src/tracker/server';
import { CompactAnnounceEncoder } from '../daemon/src/tracker/server/responses';
import { bencode } from '../daemon/src/bencode';

const BENCH_DIR = join(__dirname, '..', '..', 'bench');
const benchRequire = createRequire(join(BENCH_DIR, 'package.json'));
type Target = 'btd' | 'bittorrent-tracker' | 'koa' | 'node-http';
/** node-http (bare node:http, fixed body) is the ceiling: no server in the comparison can beat it. */
const TARGETS: Target[] = ['btd', 'bittorrent-tracker', 'koa', 'node-http'];


function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function textFlag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--targets btd,koa` narrows a run (for profiling); the default measures all four. */
function chosenTargets(): Target[] {
  const list = textFlag('--targets')?.split(',') ?? TARGETS;
  for (const t of list) if (!TARGETS.includes(t as Target)) throw new Error(`unknown target ${t}; known: ${TARGETS.join(', ')}`);
  return list as Target[];
}

/** Child role: serve one target on 127.0.0.1:0, report the port, answer RSS queries. */
async function serve(target: Target): Promise<void> {
  let port: number;
  if (target === 'btd') {
    // All load comes from 127.0.0.1: the per-address caps would turn it into refusals.
    port = (await startTracker({ port: 0, maxPeersPerIp: 10_000_000, maxNewSwarmsPerIpPerMinute: 10_000_000 })).port;
  } else if (target === 'koa' || target === 'node-http') {
    const body = Buffer.from(bencode({ complete: 10, incomplete: 40, interval: 1800, 'min interval': 900, peers: randomBytes(300) }));
    let handler: RequestListener;
    if (target === 'koa') {
      const app = new Koa();
      app.use((ctx) => {
        ctx.set('Content-Type', 'text/plain; charset=latin1');
        ctx.body = body;
      });
      handler = app.callback();
    } else {
      // No framework at all: the ceiling of node:http and of the load generator on this machine.
      handler = (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=latin1', 'Content-Length': body.length });
        res.end(body);
      };
    }
    const server = createServer(handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  } else {
    // ESM-only with an import-only exports map, and its index pulls in WebRTC: load server.js by file URL.
    const entry = pathToFileURL(join(BENCH_DIR, 'node_modules', 'bittorrent-tracker', 'server.js')).href;
    const Server = ((await import(entry)) as { default: new (o: object) => BtServer }).default;
    const server = new Server({ udp: false, ws: false, http: true, stats: false });
    server.on('error', () => undefined);
    server.on('warning', () => undefined);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = server.http.address().port;
  }
  // A normal exit, so that --cpu-prof writes its profile.
  process.on('SIGTERM', () => process.exit(0));
  process.on('message', (what) => {
    if (what === 'cpu') {
      const c = process.cpuUsage();
      process.send?.({ cpuMicros: c.user + c.system });
      return;
    }
    // Measure what is retained, not garbage a later collection would free.
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send?.({ rss: m.rss, heapUsed: m.heapUsed });
  });
  process.send?.({ port });
}
interface BtServer {
  listen(port: number, host: string, cb: () => void): void;
  on(event: string, cb: (...a: unknown[]) => void): void;
  http: { address(): { port: number } };
}

interface Memory {
  rss: number;
  heapUsed: number;
}

interface ServerHandle {
  child: ChildProcess;
  port: number;
  memory(): Promise<Memory>;
  /** CPU time the server process has used so far, in microseconds. */
  cpuMicros(): Promise<number>;
}

async function spawnServer(target: Target): Promise<ServerHandle> {
  const execArgv = ['--expose-gc'];
  const profileDir = textFlag('--profile');
  if (profileDir !== undefined) execArgv.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${target}-${Date.now()}.cpuprofile`);
  const child = fork(__filename, ['--serve', target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`${target} server exited (${code})`)));
  const [msg] = (await Promise.race([once(child, 'message'), exited])) as [{ port: number }];
  exited.catch(() => undefined);
  const memory = async (): Promise<Memory> => {
    child.send('memory');
    const [m] = (await once(child, 'message')) as [Memory];
    return m;
  };
  const cpuMicros = async (): Promise<number> => {
    child.send('cpu');
    const [m] = (await once(child, 'message')) as [{ cpuMicros: number }];
    return m.cpuMicros;
  };
  return { child, port: msg.port, memory, cpuMicros };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}


function chosenLoad(): Load {
  const name = textFlag('--load');
  if (name === 'wrk') return wrkLoad;
  if (name !== 'autocannon') return leanLoad;
  const autocannon = benchRequire('autocannon') as Autocannon;
  return (port, paths, connections, duration) => autocannon({ url: `http://127.0.0.1:${port}`, connections, duration, requests: rotating(paths) });
}

/** One measured run: the load generator's result and how busy each side was. */
interface Measurement {
  rate: number;
  result: AutocannonResult;
  /** Announces per CPU-second of the server process: its cost per request, whoever is the bottleneck. */
  perServerCpuSecond: number;
  /** Share of one core used by the server and by the load generator (this process) during the run. */
  serverCpu: number;
  loadCpu: number;
}

/** One warmed-up run against a fresh server process. */
async function measure(load: Load, target: Target, paths: string[], duration: number, connections: number): Promise<Measurement> {
  const server = await spawnServer(target);
  try {
    await load(server.port, paths, connections, 2);
    const serverBefore = await server.cpuMicros();
    const loadBefore = process.cpuUsage();
    const startedAt = process.hrtime.bigint();
    const result = await load(server.port, paths, connections, duration);
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const loadCpu = process.cpuUsage(loadBefore);
    const serverSeconds = ((await server.cpuMicros()) - serverBefore) / 1e6;
    return {
      rate: result.requests.average,
      result,
      perServerCpuSecond: result.requests.total / serverSeconds,
      serverCpu: serverSeconds / seconds,
      loadCpu: (result.cpuSeconds ?? (loadCpu.user + loadCpu.system) / 1e6) / seconds,
    };
  } finally {
    await stopServer(server.child);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`.padStart(4);

/**
 * Targets are measured in interleaved rounds: on a shared machine a burst of other work then hurts one round
 * of every target rather than all rounds of one. Besides announces per second, each run reports announces
 * per CPU-second of the server: when the load generator saturates its core first (a fast server can outrun
 * it on two cores), requests per second understate that server and only the CPU figure shows its cost.
 */
async function throughput(): Promise<void> {
  const load = chosenLoad();
  const duration = flag('--duration', 10);
  const connections = flag('--connections', 50);
  const rounds = flag('--rounds', 3);
  const targets = chosenTargets();
  const paths = announcePaths(20_000, 1000);
  const runs = new Map<Target, Measurement[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const m = await measure(load, target, paths, duration, connections);
      runs.get(target)?.push(m);
      const r = m.result;
      console.log(
        `round ${round}  ${target.padEnd(20)} ${m.rate.toFixed(0).padStart(7)} req/s  ${m.perServerCpuSecond.toFixed(0).padStart(7)} per server CPU-s  ` +
          `server CPU ${pct(m.serverCpu)}  load generator CPU ${pct(m.loadCpu)}  p99 ${r.latency.p99} ms  errors ${r.errors}  non-2xx ${r.non2xx}`,
      );
    }
  }
  const ratios = (of: Target, pick: (m: Measurement) => number): number[] => {
    const mine = runs.get('btd') ?? [];
    const theirs = runs.get(of) ?? [];
    return mine.map((m, i) => pick(m) / pick(theirs[i]));
  };
  console.log('');
  for (const [of, goal] of [['bittorrent-tracker', 3], ['koa', 0.8]] as const) {
    if (!runs.has('btd') || !runs.has(of)) continue;
    const perSecond = ratios(of, (m) => m.rate);
    const perCpu = ratios(of, (m) => m.perServerCpuSecond);
    const list = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
    console.log(`btd / ${of}: announces per second ${list(perSecond)} (median ${median(perSecond).toFixed(2)}, goal >= ${goal}); per server CPU-second ${list(perCpu)} (median ${median(perCpu).toFixed(2)})`);
  }
}

async function memory(): Promise<void> {
  const autocannon = benchRequire('autocannon') as Autocannon;
  const seconds = flag('--memory-seconds', 60);
  const peers = flag('--peers', 100_000);
  const { child, port, memory } = await spawnServer('btd');
  try {
    const before = await memory();
    const paths = announcePaths(peers, 2000);
    const startedAt = Date.now();
    const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, amount: peers, overallRate: Math.ceil(peers / seconds), requests: rotating(paths) });
    const elapsed = (Date.now() - startedAt) / 1000;
    const after = await memory();
    const stats = (await (await fetch(`http://127.0.0.1:${port}/stats.json`)).json()) as { peers: number; torrents: number };
    const mb = (b: number): string => `${(b / 1048576).toFixed(1)} MiB`;
    const perPeer = (b: number): string => `${(b / Math.max(stats.peers, 1)).toFixed(0)} bytes per peer`;
    console.log(`announces sent ${r.requests.total} in ${elapsed.toFixed(1)} s (asked for ~${seconds} s), errors ${r.errors}`);
    console.log(`tracker holds ${stats.peers} peers in ${stats.torrents} torrents`);
    console.log(`RSS  before ${mb(before.rss)}, after ${mb(after.rss)}, growth ${mb(after.rss - before.rss)} (${perPeer(after.rss - before.rss)})`);
    console.log(`heap before ${mb(before.heapUsed)}, after ${mb(after.heapUsed)}, growth ${mb(after.heapUsed - before.heapUsed)} (${perPeer(after.heapUsed - before.heapUsed)})`);
  } finally {
    await stopServer(child);
  }
}

/** CPU nanoseconds per call of `fn` over the benchmark's announces: best of 5 runs after a warm-up. */
function nsPerCall(count: number, fn: (i: number) => void): number {
  for (let i = 0; i < count / 4; i++) fn(i);
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) fn(i);
    const used = process.cpuUsage(before);
    best = Math.min(best, ((used.user + used.system) * 1000) / count);
  }
  return best;
}

/** btd's own work per announce, outside any server: parse, swarm table, compact encoding. */
function micro(): void {
  const queries = announcePaths(20_000, 1000).map((p) => p.slice(p.indexOf('?') + 1));
  const parseOptions = { source: '::ffff:127.0.0.1', trustIpParam: false, defaultNumwant: 50, maxNumwant: 200 };
  const table = new SwarmTable({ maxTorrents: 100_000, maxPeersPerTorrent: 20_000, maxPeers: 500_000, peerTtlMs: 3_600_000 });
  const encoder = new CompactAnnounceEncoder({ interval: 1800, minInterval: 900 });
  const params = queries.map((q) => parseAnnounceParams(q, parseOptions));
  for (const p of params) table.announce(p);
  let sink = 0;
  const n = 200_000;
  const at = (i: number): number => i % queries.length;
  const parse = nsPerCall(n, (i) => (sink += parseAnnounceParams(queries[at(i)], parseOptions).port));
  const swarm = nsPerCall(n, (i) => (sink += encoder.encode(table.announce(params[at(i)])).length));
  const all = nsPerCall(n, (i) => (sink += encoder.encode(table.announce(parseAnnounceParams(queries[at(i)], parseOptions))).length));
  console.log(`CPU per announce: parse ${parse.toFixed(0)} ns, swarm update + selection + compact answer ${swarm.toFixed(0)} ns, all ${all.toFixed(0)} ns (${sink > 0 ? 'ok' : '?'})`);
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) void serve(process.argv[serveAt + 1] as Target);
else if (process.argv.includes('--micro')) micro();
else if (process.argv.includes('--stores')) stores().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
else (process.argv.includes('--memory') ? memory() : throughput()).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
