/** The tracker as a Koa app: the hot path first, then routed statistics; no listening socket here. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { SwarmTable } from './swarm';
import { MemorySwarmStore } from './memory-store';
import type { SwarmStore } from './store';
import { RateCounter, type TrackerStats } from './stats';
import { renderStatsPage, STATS_PAGE_ROWS } from './stats-page';
import { INTERNAL, reply, TrackerEndpoints } from './endpoints';
import { limitsOf, resolveOptions, toAllowSet, type TrackerOptions } from './options';
import type { UdpTrackerContext } from './udp';

export type { TrackerOptions, AnnounceNotice } from './options';

/** What `createTrackerApp` returns: the app and the state behind it. */
export interface TrackerApp {
  app: Koa;
  /** Where the swarms live: the given store, or a memory store made for this app. */
  store: SwarmStore;
  stats(): TrackerStats;
  /**
   * Answers GET /announce and /scrape straight from node:http and returns true; false for anything else.
   * The app runs it first too; a server may call it before the app to skip Koa's per-request context.
   */
  hotPath(req: IncomingMessage, res: ServerResponse): boolean;
  /** What a UDP tracker beside this app needs: the same swarms, options, statistics and announce callback. */
  udpContext: UdpTrackerContext;
  /** Stops the expiry timer; the store stays open (its owner closes it). */
  close(): void;
}

function statsRouter(stats: () => TrackerStats, store: SwarmStore): Router {
  const router = new Router();
  router.get('/stats.json', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = stats();
  });
  router.get('/stats', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    // During a store outage the page still shows, with the outage and without the per-torrent rows.
    ctx.body = renderStatsPage(stats(), await store.busiest(STATS_PAGE_ROWS).catch(() => []));
  });
  router.get('/', (ctx) => ctx.redirect('/stats'));
  return router;
}

/** Builds the tracker app; the caller listens (see `startTracker`) or mounts it. */
export function createTrackerApp(opts: TrackerOptions = {}): TrackerApp {
  const o = resolveOptions(opts);
  const startMs = o.clock();
  const limits = limitsOf(o);
  const store: SwarmStore = opts.swarmStore ?? new MemorySwarmStore(new SwarmTable(limits, o.clock, opts.random, toAllowSet(opts.allowList)));
  const counters = { announces: new RateCounter(o.clock, startMs), scrapes: new RateCounter(o.clock, startMs) };
  const endpoints = new TrackerEndpoints(store, counters, o, opts.onAnnounce);
  const stats = (): TrackerStats => ({
    ...store.totals(),
    announces: counters.announces.total,
    scrapes: counters.scrapes.total,
    announcesPerSecond: counters.announces.perSecond(),
    scrapesPerSecond: counters.scrapes.perSecond(),
    uptimeSeconds: Math.floor((o.clock() - startMs) / 1000),
    startedAt: new Date(startMs).toISOString(),
    store: store.health(),
    ...(store.shared && { shared: store.shared() }),
  });

  const app = new Koa();
  app.silent = true;
  app.use((ctx, next) => {
    if (endpoints.hotPath(ctx.req, ctx.res)) {
      ctx.respond = false;
      return;
    }
    // Anything unforeseen still answers like a tracker: 200 with a failure reason, never a 500.
    return next().catch(() => {
      ctx.respond = false;
      reply(ctx.res, INTERNAL);
    });
  });
  app.use(statsRouter(stats, store).routes());

  const sweepMs = Math.max(1000, Math.min(o.peerTtlMs / 4, 60_000));
  const timer = setInterval(() => void store.sweep().catch(() => undefined), sweepMs);
  timer.unref();
  return {
    app,
    store,
    stats,
    hotPath: (req, res) => endpoints.hotPath(req, res),
    udpContext: {
      store,
      interval: o.interval,
      defaultNumwant: o.defaultNumwant,
      maxNumwant: o.maxNumwant,
      countAnnounce: () => counters.announces.hit(),
      countScrape: () => counters.scrapes.hit(),
      onAnnounce: opts.onAnnounce,
      ...(opts.udpSecret && { secret: opts.udpSecret }),
      clock: o.clock,
    },
    close: () => clearInterval(timer),
  };
}
