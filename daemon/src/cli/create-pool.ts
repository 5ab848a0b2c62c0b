/**
 * The hash pool of `btd create`: its worker starts as soon as the command is known (bin/btd.js asks
 * before the command line is even parsed), so the worker's start-up overlaps loading the CLI, and the
 * main thread, which has nothing else to do, hashes as one of the lanes instead of a second worker.
 */
import { availableParallelism } from 'node:os';
import { HashPool } from '../hash/pool';

/** Threads hashing at once, as many as a default pool's workers. */
const LANES = Math.min(2, availableParallelism());

let pool: HashPool | undefined;

/** The command's pool, created and warmed on the first call. */
export function createCommandPool(): HashPool {
  if (!pool) {
    pool = new HashPool({ workers: LANES - 1, laneOnThisThread: true });
    pool.warm();
  }
  return pool;
}
