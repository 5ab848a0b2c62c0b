/**
 * The tracker's swarm stores compared in one run: announces per second of `btd tracker` with the memory
 * store, with a Redis store and one worker, and with a Redis store and two workers (a real redis-server
 * on loopback); the Redis calls per announce from INFO commandstats; Redis CPU per announce; and Redis
 * memory per 100,000 peers.
 *
 *   node out/bench/tracker.js --stores [--duration 10] [--connections 50] [--rounds 3] [--peers 100000]
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { announcePaths, leanLoad } from './load';
import { parseAnnounceParams, RedisSwarmStore } from '../daemon/src/tracker/server';
import { freePort } from './proc';

const run = promisify(execFile);
const BIN = join(__dirname, '..', '..', 'bin', 'btd.js');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}


/** A redis-server on a free loopback port, no persistence, in a temporary folder. */
async function startRedis(): Promise<{ port: number; client: Redis; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'btd-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const client = new Redis({ host: '127.0.0.1', port, retryStrategy: (times) => (times > 50 ? null : 100) });
  client.on('error', () => undefined);
  await client.ping();
  return {
    port,
    client,
    stop: async () => {
      client.disconnect();
      child.kill('SIGKILL');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Field values of one INFO section, as numbers where they are. */
async function info(client: Redis, section: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const line of (await client.info(section)).split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

/** Calls per command name (`cmdstat_evalsha:calls=…`), including those made inside scripts. */
async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [k, v] of await info(client, 'commandstats')) out.set(k.replace(/^cmdstat_/, ''), Number(/calls=(\d+)/.exec(v)?.[1] ?? 0));
  return out;
}

async function redisCpuSeconds(client: Redis): Promise<number> {
  const cpu = await info(client, 'cpu');
  return Number(cpu.get('used_cpu_user')) + Number(cpu.get('used_cpu_sys'));
}

/** CPU seconds of a process and its children so far, from /proc (Linux). */
function processTreeCpuSeconds(pid: number): number {
  const ticks = (p: number): number => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // no children file: count the process alone
  }
  return [pid, ...children].reduce((sum, p) => sum + ticks(p), 0) / 100;
}

/** `btd tracker` on a free port, started as a user would start it. */
async function startCli(args: string[]): Promise<{ port: number; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  // BENCH_PROF=DIR: a CPU profile of each tracker process (the primary, with one worker) into DIR.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : [];
  const child = spawn(process.execPath, [...prof, BIN, 'tracker', '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (/press Ctrl-C/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`btd tracker ${args.join(' ')} exited ${code}`)));
  });
  return {
    port,
    child,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

interface StoreRun {
  name: string;
  args: string[];
}

/** One measured run: warm-up, then `duration` seconds of load; rates, CPU and Redis calls per announce. */
async function measure(r: StoreRun, redis: { client: Redis }, paths: string[], duration: number, connections: number) {
  await redis.client.flushall();
  const server = await startCli(r.args);
  try {
    await leanLoad(server.port, paths, connections, 2);
    await redis.client.config('RESETSTAT');
    const cpuBefore = processTreeCpuSeconds(server.child.pid as number);
    const redisBefore = await redisCpuSeconds(redis.client);
    const result = await leanLoad(server.port, paths, connections, duration);
    const calls = await commandCalls(redis.client);
    const redisCpu = (await redisCpuSeconds(redis.client)) - redisBefore;
    const trackerCpu = processTreeCpuSeconds(server.child.pid as number) - cpuBefore;
    const total = result.requests.total;
    return {
      rate: result.requests.average,
      total,
      errors: result.errors + result.non2xx,
      p99: result.latency.p99,
      trackerCpuPerAnnounceUs: (trackerCpu / total) * 1e6,
      redisCpuPerAnnounceUs: r.args.includes('--store') ? (redisCpu / total) * 1e6 : 0,
      evalsha: calls.get('evalsha') ?? 0,
      eval: calls.get('eval') ?? 0,
      calls,
    };
  } finally {
    await server.stop();
  }
}

/** Redis `used_memory` growth per peer for `peers` distinct peers over `torrents` swarms. */
async function memoryPerPeer(redis: { port: number; client: Redis }, peers: number, torrents: number): Promise<number> {
  await redis.client.flushall();
  const client = new Redis({ host: '127.0.0.1', port: redis.port, enableAutoPipelining: true });
  await client.ping();
  const store = new RedisSwarmStore(client, { limits: { maxTorrents: 10_000_000, maxPeersPerTorrent: 1_000_000, maxPeers: 100_000_000, peerTtlMs: 3_660_000 }, flushMs: 3_600_000 });
  const before = Number((await info(redis.client, 'memory')).get('used_memory'));
  const parseOptions = { source: '', trustIpParam: false, defaultNumwant: 50, maxNumwant: 200 };
  const paths = announcePaths(peers, torrents);
  for (let from = 0; from < peers; from += 1000) {
    await Promise.all(
      paths.slice(from, from + 1000).map((path, k) => {
        const n = from + k;
        parseOptions.source = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
        return store.announce(parseAnnounceParams(path.slice(path.indexOf('?') + 1), parseOptions), () => undefined);
      }),
    );
  }
  await store.flush();
  const after = Number((await info(redis.client, 'memory')).get('used_memory'));
  await store.close();
  return (after - before) / peers;
}

/** The `--stores` run. */
export async function stores(): Promise<void> {
  await run('redis-server', ['--version']).catch(() => {
    throw new Error('redis-server is not installed (scripts/setup-system.sh installs it)');
  });
  const duration = flag('--duration', 10);
  const connections = flag('--connections', 50);
  const rounds = flag('--rounds', 3);
  const peers = flag('--peers', 100_000);
  const redis = await startRedis();
  const url = `redis://127.0.0.1:${redis.port}`;
  // All load comes from 127.0.0.1: the per-address caps would turn it into refusals.
  const oneSource = ['--max-peers-per-ip', '10000000', '--max-new-torrents-per-ip', '10000000'];
  const runs: StoreRun[] = [
    { name: 'memory store', args: [...oneSource] },
    { name: 'redis, 1 worker', args: ['--store', url, ...oneSource] },
    { name: 'redis, 2 workers', args: ['--store', url, '--workers', '2', ...oneSource] },
  ];
  const paths = announcePaths(20_000, 1000);
  const rates = new Map<string, number[]>(runs.map((r) => [r.name, []]));
  try {
    const version = (await info(redis.client, 'server')).get('redis_version');
    console.log(`redis-server ${version}; ${connections} connections, ${duration} s per run, 20,000 peers over 1,000 swarms, numwant 50`);
    for (let round = 1; round <= rounds; round++) {
      for (const r of runs) {
        const m = await measure(r, redis, paths, duration, connections);
        rates.get(r.name)?.push(m.rate);
        const redisPart = r.args.includes('--store')
          ? `  Redis: EVALSHA ${(m.evalsha / m.total).toFixed(4)} + EVAL ${(m.eval / m.total).toFixed(4)} per announce, Redis CPU ${m.redisCpuPerAnnounceUs.toFixed(1)} µs per announce`
          : '';
        console.log(
          `round ${round}  ${r.name.padEnd(17)} ${m.rate.toFixed(0).padStart(6)} announces/s  tracker CPU ${m.trackerCpuPerAnnounceUs.toFixed(1)} µs per announce  p99 ${m.p99} ms  errors ${m.errors}${redisPart}`,
        );
        if (round === 1 && r.args.includes('--store') && !r.args.includes('--workers')) {
          const top = [...m.calls].filter(([name]) => ['evalsha', 'eval', 'zrange', 'zrangebyscore', 'zadd', 'zrem', 'info', 'hgetall'].includes(name));
          console.log(`         commandstats (calls inside scripts included): ${top.map(([k, v]) => `${k}=${v}`).join(' ')}; announces ${m.total}`);
        }
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const base = median(rates.get('memory store') ?? []);
    console.log('');
    for (const r of runs) console.log(`${r.name.padEnd(17)} median ${median(rates.get(r.name) ?? []).toFixed(0).padStart(6)} announces/s  (${(median(rates.get(r.name) ?? []) / base).toFixed(2)} × memory store)`);
    for (const [torrents, label] of [[Math.max(1, Math.floor(peers / 50)), '50 peers per swarm'], [Math.max(1, Math.floor(peers / 10_000)), '10,000 peers per swarm']] as const) {
      const perPeer = await memoryPerPeer(redis, peers, torrents);
      console.log(`Redis memory: ${perPeer.toFixed(0)} bytes per peer (${(perPeer * 100_000 / 1048576).toFixed(1)} MiB per 100,000 peers) with ${label}`);
    }
  } finally {
    await redis.stop();
  }
}
