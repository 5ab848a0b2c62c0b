/**
 * `btd tracker --workers N`: N processes (node:cluster) serving one port over a shared store. The primary
 * only forks, prints the URLs the first worker reports, restarts a worker that dies (within a budget)
 * and stops them all on SIGINT/SIGTERM.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { RunningTracker } from '../tracker/server';
import { CliError } from './errors';

/** What a worker tells the primary once it listens. */
interface WorkerReady {
  kind: 'btd-tracker-ready';
  url: string;
  udpUrl?: string;
}

/** Restarts allowed per minute before the primary gives up (a worker that dies at once would loop). */
const RESTARTS_PER_MINUTE = 5;

/** In a worker: tells the primary the tracker listens, and closes it when told to stop. */
export function reportToPrimary(tracker: RunningTracker): void {
  const ready: WorkerReady = { kind: 'btd-tracker-ready', url: tracker.url, ...(tracker.udpUrl && { udpUrl: tracker.udpUrl }) };
  process.send?.(ready);
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    void tracker.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The primary went away without a word: nobody would stop this worker otherwise.
  process.on('disconnect', stop);
}

/** In the primary: forks `count` workers running the same command line, until interrupted. */
export async function runWorkers(count: number, flags: { store: string }): Promise<void> {
  let stopping = false;
  let listening = 0;
  const restarts: number[] = [];
  // The URLs are printed once every worker listens, so the port is served at full strength from then on.
  const first = new Promise<WorkerReady>((resolve, reject) => {
    // Workers share one UDP port: a connect one answers must be accepted by the others.
    const secret = process.env.BTD_TRACKER_UDP_SECRET || randomBytes(32).toString('hex');
    const fork = (): Worker => {
      const worker = cluster.fork({ BTD_TRACKER_UDP_SECRET: secret });
      worker.on('message', (msg: WorkerReady) => {
        if (msg?.kind === 'btd-tracker-ready' && ++listening >= count) resolve(msg);
      });
      worker.on('exit', (code, signal) => {
        if (stopping) return;
        const now = Date.now();
        while (restarts.length > 0 && restarts[0] < now - 60_000) restarts.shift();
        if (restarts.length >= RESTARTS_PER_MINUTE) {
          reject(new CliError(`tracker workers keep exiting (last: ${signal ?? `status ${code}`}); giving up`));
          return;
        }
        restarts.push(now);
        process.stderr.write(`btd: tracker worker ${worker.process.pid} exited (${signal ?? `status ${code}`}); starting another\n`);
        fork();
      });
      return worker;
    };
    for (let i = 0; i < count; i++) fork();
  });
  const ready = await first.catch((err: unknown) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    throw err;
  });
  const base = ready.url.slice(0, -'/announce'.length);
  process.stdout.write(`announce URL: ${ready.url}\n`);
  if (ready.udpUrl) process.stdout.write(`UDP announce: ${ready.udpUrl}\n`);
  process.stdout.write(`stats:        ${base}/stats  (JSON: ${base}/stats.json; one worker's rates, totals of all)\n`);
  process.stdout.write(`store:        ${flags.store}\n`);
  process.stdout.write(`workers:      ${count}\n`);
  process.stdout.write('press Ctrl-C to stop\n');
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let left = workers.length;
    const done = (): void => {
      process.stdout.write(`stopped ${count} workers\n`);
      process.exit(0);
    };
    if (left === 0) done();
    for (const w of workers) {
      w.once('exit', () => {
        if (--left === 0) done();
      });
      w.kill('SIGTERM');
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
