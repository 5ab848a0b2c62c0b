/**
 * libuv thread pool benchmark: SHA-1 of 1 MiB buffers through daemon/src/hash/digest.ts (WebCrypto,
 * on libuv's pool, as the download path hashes), alone and while disk loops keep the pool busy:
 * each loop writes 4 MiB to its own file and fsyncs it, again and again. Prints hashing throughput
 * and the slowest digest. `--stuck N` stands for N very slow disk calls (an fsync behind a slow
 * disk): N opens of a FIFO that nobody writes to, each holding a pool thread until the run ends.
 * Run it once per pool size: the size is read when the pool starts.
 *
 *   UV_THREADPOOL_SIZE=4 node out/bench/threadpool.js [--mib 512] [--loops 4] [--stuck 0] [--deadline-ms 5000]
 *
 * See bench/threadpool.md.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sha1 } from '../daemon/src/hash/digest';

const MiB = 1024 * 1024;

/**
 * Hashes `mib` MiB, two digests at a time as the intake does, giving up at `deadlineMs`; throughput
 * and the slowest digest (one still waiting at the deadline counts as that long).
 */
async function hashRun(mib: number, deadlineMs = Infinity): Promise<{ mibPerS: number; worstMs: number; done: number }> {
  const data = new Uint8Array(MiB).fill(7);
  let next = 0;
  let done = 0;
  let worst = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next++ < mib) {
      const t = performance.now();
      await sha1(data);
      done++;
      worst = Math.max(worst, performance.now() - t);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(deadlineMs, 2 ** 31 - 1))));
  await Promise.race([Promise.all([lane(), lane()]), deadline]);
  clearTimeout(timer);
  const elapsed = performance.now() - started;
  if (done < mib) {
    next = mib; // the lanes stop after the digest they wait for
    worst = Math.max(worst, elapsed);
  }
  return { mibPerS: done / (elapsed / 1000), worstMs: worst, done };
}

/** `n` pool threads held by opens of a FIFO without a writer; `release` lets them finish. */
async function stuckCalls(dir: string, n: number): Promise<{ release(): Promise<void> }> {
  if (n === 0) return { release: async () => undefined };
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const opens = Array.from({ length: n }, () => open(fifo, 'r'));
  await new Promise((resolve) => setTimeout(resolve, 100)); // they reach the pool
  return {
    async release() {
      // On the main thread: with every pool thread held, an asynchronous open would wait for ever.
      const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      for (const fh of await Promise.all(opens)) await fh.close();
      closeSync(writer);
    },
  };
}

/** `loops` writers, each writing 4 MiB to its file then fsyncing it, until `stop` is set; fsyncs done. */
function diskLoops(dir: string, loops: number): { stop(): Promise<number> } {
  let stopped = false;
  let fsyncs = 0;
  const chunk = new Uint8Array(4 * MiB).fill(1);
  const runs = Array.from({ length: loops }, async (_, i) => {
    const fh = await open(join(dir, `f${i}`), 'w');
    try {
      let at = 0;
      while (!stopped) {
        await fh.write(chunk, 0, chunk.length, at);
        at = (at + chunk.length) % (64 * MiB);
        await fh.sync();
        fsyncs++;
      }
    } finally {
      await fh.close();
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(runs);
      return fsyncs;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mib: { type: 'string', default: '512' }, loops: { type: 'string', default: '4' }, stuck: { type: 'string', default: '0' }, 'deadline-ms': { type: 'string', default: '5000' } } });
  const mib = Number(values.mib);
  const loops = Number(values.loops);
  const stuck = Number(values.stuck);
  const deadlineMs = Number(values['deadline-ms']);
  const dir = await mkdtemp(join(tmpdir(), 'btd-threadpool-'));
  try {
    console.log(`loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}; UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '(unset: 4)'}`);
    await hashRun(32); // warm-up
    const alone = await hashRun(mib);
    console.log(`alone:              ${alone.mibPerS.toFixed(0)} MiB/s hashed, slowest digest ${alone.worstMs.toFixed(1)} ms`);
    const held = await stuckCalls(dir, stuck);
    const disk = diskLoops(dir, loops);
    const busy = await hashRun(mib, deadlineMs);
    const what = `${loops} fsync loops${stuck > 0 ? ` and ${stuck} stuck calls` : ''}`;
    const stalled = busy.done < mib ? `, STALLED: ${busy.done} of ${mib} MiB in ${deadlineMs} ms` : '';
    await held.release();
    const fsyncs = await disk.stop();
    console.log(`with ${what}: ${busy.mibPerS.toFixed(0)} MiB/s hashed, slowest digest ${busy.worstMs.toFixed(1)} ms${stalled} (${fsyncs} fsyncs of 4 MiB meanwhile)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
