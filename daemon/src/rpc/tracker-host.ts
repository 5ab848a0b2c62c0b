/** The daemon's one built-in tracker: start, stop, counters, and a change signal polled once a second. */
import { ErrorCodes, type TrackerServerInfo, type TrackerServerStats, type TrackerStartParams } from '../../../protocol/src';
import type { Engine, EngineTracker } from './engine';
import { rpcError } from './errors';

/** How often the counters are compared for the `tracker/stats` notification. */
export const TRACKER_STATS_INTERVAL_MS = 1000;

/** Holds at most one running tracker. */
export class TrackerHost {
  private tracker: EngineTracker | undefined;
  private starting = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastStats = '';

  constructor(
    private readonly engine: Engine,
    private readonly onStats: (stats: TrackerServerStats) => void,
  ) {}

  /** Starts the tracker; refused while one runs or is starting. */
  async start(p: TrackerStartParams): Promise<TrackerServerInfo> {
    if (this.tracker || this.starting) throw rpcError(ErrorCodes.TrackerAlreadyRunning, `a tracker is already running${this.tracker ? ` at ${this.tracker.url}` : ''}`);
    this.starting = true;
    try {
      const opts: { host: string; port: number; interval?: number; udp?: boolean; store?: string } = { host: p.host ?? '127.0.0.1', port: p.port ?? 0 };
      if (p.interval !== undefined) opts.interval = p.interval;
      if (p.udp) opts.udp = true;
      if (p.store !== undefined && p.store !== 'memory') opts.store = p.store;
      this.tracker = await this.engine.startTracker(opts).catch((err: unknown) => {
        // A store that cannot be reached is an I/O failure the caller can act on, with the reason.
        if (opts.store !== undefined && err instanceof Error && !('syscall' in err)) throw rpcError(ErrorCodes.IoError, err.message);
        throw err;
      });
    } finally {
      this.starting = false;
    }
    this.lastStats = '';
    this.timer = setInterval(() => this.poll(), TRACKER_STATS_INTERVAL_MS);
    this.timer.unref();
    return this.info(this.tracker);
  }

  /** Stops the running tracker. */
  async stop(): Promise<void> {
    const t = this.running();
    this.tracker = undefined;
    clearInterval(this.timer);
    await t.close();
  }

  /** Counters of the running tracker. */
  stats(): TrackerServerStats {
    const t = this.running();
    const s = t.stats();
    return { ...this.info(t), torrents: s.torrents, seeders: s.seeders, leechers: s.leechers, announces: s.announces, scrapes: s.scrapes };
  }

  /** Stops the tracker if one runs. */
  async close(): Promise<void> {
    if (this.tracker) await this.stop();
  }

  private poll(): void {
    if (!this.tracker) return;
    const s = this.stats();
    const key = JSON.stringify(s);
    if (key === this.lastStats) return;
    this.lastStats = key;
    this.onStats(s);
  }

  private running(): EngineTracker {
    if (!this.tracker) throw rpcError(ErrorCodes.TrackerNotRunning, 'no tracker is running; start one with tracker/start');
    return this.tracker;
  }

  private info(t: EngineTracker): TrackerServerInfo {
    return { url: t.url, ...(t.udpUrl !== undefined && { udpUrl: t.udpUrl }), host: t.host, port: t.port };
  }
}
