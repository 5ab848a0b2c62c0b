/**
 * Real `redis-server` processes for tests (Debian's package): each on a free loopback port with its own
 * temporary folder, no persistence, killed and removed after. `startRedisCluster` makes three of them
 * one Redis Cluster with `redis-cli --cluster create`.
 */
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when `redis-server` and `redis-cli` are on the PATH (scripts/setup-system.sh installs them). */
export function haveRedis(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version']).status === 0);
}

/** The `skip` option of a test that needs Redis: false when present or on CI (which installs it), else the reason. */
export const NEEDS_REDIS: false | string = haveRedis() || process.env.CI === 'true' ? false : 'redis-server is not installed (run scripts/setup-system.sh)';

/** A free TCP port on 127.0.0.1 (closed again at once, for a child process to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** One running `redis-server`. */
export interface RedisProcess {
  port: number;
  url: string;
  dir: string;
  /** Runs `redis-cli -p <port> <args>` and returns its output. */
  cli(...args: string[]): Promise<string>;
  /** Stops (SIGSTOP) and continues (SIGCONT) the server: a Redis that is there but does not answer. */
  pause(): void;
  resume(): void;
  /** Kills the server (SIGKILL) and waits for it to exit; the folder stays for `restart`. */
  kill(): Promise<void>;
  /** Starts the server again on the same port, empty. */
  restart(): Promise<void>;
  /** Kills the server and removes its folder. */
  stop(): Promise<void>;
}

async function waitForPing(port: number, child: ChildProcess, ms: number): Promise<void> {
  const giveUpAt = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`);
    try {
      const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], { timeout: 1000 });
      if (stdout.trim() === 'PONG') return;
    } catch {
      // not listening yet
    }
    if (Date.now() >= giveUpAt) throw new Error(`redis-server on ${port} did not answer PING within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts `redis-server` on a free loopback port; `extra` adds arguments (e.g. cluster mode). */
export async function startRedis(extra: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'btd-redis-'));
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: 'ignore' });
    await waitForPing(port, child, 10_000);
  };
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    child.kill('SIGCONT');
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    cli: async (...args) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    kill,
    restart: launch,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Three master nodes in cluster mode on loopback, joined with `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<{ nodes: RedisProcess[]; url: string; stop(): Promise<void> }> {
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startRedis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000']));
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    const giveUpAt = Date.now() + 20_000;
    while (!(await nodes[0].cli('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
      if (Date.now() >= giveUpAt) throw new Error('cluster did not reach cluster_state:ok within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw err;
  }
  return { nodes, url: nodes[0].url, stop: () => Promise.all(nodes.map((n) => n.stop())).then(() => undefined) };
}
