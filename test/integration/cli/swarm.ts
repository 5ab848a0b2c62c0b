/**
 * The set-up that every test of real transfers between processes shares: a tracker on 127.0.0.1, and
 * the processes and fixtures a describe block starts, all stopped and removed after it.
 */
import { after, before } from 'node:test';
import { startTracker, type RunningTracker } from '../../../daemon/src/tracker/server';
import { startBtd, type BtdProcess } from './btd-process';
import { makeFixture, type Fixture } from './fixtures';

/** Arguments that keep a btd peer on loopback, on a free port. */
export const LOCAL = ['-p', '0', '--bind', '127.0.0.1'];

/** Something the swarm stops after the block: a process, or a daemon with its own stop. */
export interface Stoppable {
  kill(): Promise<void>;
}

/** The handle a describe block uses; valid from its first test on. */
export interface Swarm {
  /** The block's tracker (its `url` is the announce URL). */
  readonly tracker: RunningTracker;
  /** Starts `btd <args>` and stops it after the block. */
  btd(args: string[]): BtdProcess;
  /** Stops `p` after the block; returns it. */
  track<T extends Stoppable>(p: T): T;
  /** A sample file and its torrent (announcing to this swarm's tracker unless `trackers` is given), removed after the block. */
  fixture(opts: { name: string; size: number; pieceLength: number; trackers?: string[]; seed?: number }): Promise<Fixture>;
}

/** Registers before/after hooks in the current describe block and returns the swarm they manage; `udp` also serves BEP 15. */
export function useSwarm(opts: { udp?: boolean } = {}): Swarm {
  let tracker: RunningTracker | undefined;
  const running: Stoppable[] = [];
  const fixtures: Fixture[] = [];
  before(async () => {
    tracker = await startTracker({ host: '127.0.0.1', port: 0, udp: opts.udp === true });
  });
  after(async () => {
    await Promise.all(running.map((p) => p.kill()));
    await tracker?.close();
    await Promise.all(fixtures.map((f) => f.remove()));
  });
  const track = <T extends Stoppable>(p: T): T => {
    running.push(p);
    return p;
  };
  return {
    get tracker() {
      if (!tracker) throw new Error('the swarm starts in the block\'s before hook');
      return tracker;
    },
    btd: (args) => track(startBtd(args)),
    track,
    fixture: async (opts) => {
      const fx = await makeFixture({ ...opts, trackers: opts.trackers ?? [tracker?.url ?? ''] });
      fixtures.push(fx);
      return fx;
    },
  };
}
