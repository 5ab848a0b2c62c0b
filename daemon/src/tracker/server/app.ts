/** The tracker as a Koa app: parse → swarm → encode, with statistics; no listening socket here. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { parseAnnounceParams, parseScrapeParams, TrackerRequestError, type AnnounceParams } from './params';
import { SwarmTable, type ScrapeEntry } from './swarm';
import { CompactAnnounceEncoder, encodeAnnounce, encodeFailure, encodeScrape, type AnnounceIntervals } from './responses';
import { RateCounter, type TrackerStats } from './stats';
import { renderStatsPage } from './stats-page';

/** How the tracker behaves; every field has a default. */
export interface TrackerOptions {
  /** Seconds between announces asked of clients (default 1800). */
  interval?: number;
  /** Seconds clients must wait at least between announces (default interval / 2, at most 900). */
  minInterval?: number;
  /** Seconds a silent peer stays listed (default 2 × interval + 60). */
  peerTtl?: number;
  defaultNumwant?: number;
  maxNumwant?: number;
  maxTorrents?: number;
  maxPeersPerTorrent?: number;
  maxPeers?: number;
  /** Most info hashes in one scrape request. */
  maxScrapeInfoHashes?: number;
  /** Most torrents listed by a scrape that names none. */
  maxScrapeAll?: number;
  /** Hex info hashes this tracker serves; absent means any. */
  allowList?: Iterable<string>;
  /** Take the peer's address from the last X-Forwarded-For entry (behind one reverse proxy). */
  trustProxy?: boolean;
  /** Let `ip`, `ipv4` and `ipv6` parameters replace the source address (trusted networks only). */
  trustIpParam?: boolean;
  /** Called after each accepted announce (logging, tests waiting for a peer to appear). */
  onAnnounce?: (info: AnnounceNotice) => void;
  /** Milliseconds since the epoch; injectable for tests. */
  clock?: () => number;
  random?: () => number;
}

/** One accepted announce, as passed to `onAnnounce`. */
export interface AnnounceNotice {
  /** Hex info hash. */
  infoHash: string;
  ip: string;
  port: number;
  event: AnnounceParams['event'];
  seeder: boolean;
}

/** What `createTrackerApp` returns: the app and the state behind it. */
export interface TrackerApp {
  app: Koa;
  swarms: SwarmTable;
  stats(): TrackerStats;
  /**
   * Answers GET /announce and /scrape straight from node:http and returns true; false for anything else.
   * The app runs it first too; a server may call it before the app to skip Koa's per-request context.
   */
  hotPath(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops the expiry timer; the app itself holds no sockets. */
  close(): void;
}

const TEXT = 'text/plain; charset=latin1';
const INTERNAL = Buffer.from(encodeFailure('internal tracker error'));

function resolve(opts: TrackerOptions) {
  const interval = opts.interval ?? 1800;
  return {
    interval,
    minInterval: opts.minInterval ?? Math.min(Math.max(Math.floor(interval / 2), 1), 900),
    peerTtlMs: (opts.peerTtl ?? 2 * interval + 60) * 1000,
    defaultNumwant: opts.defaultNumwant ?? 50,
    maxNumwant: opts.maxNumwant ?? 200,
    maxTorrents: opts.maxTorrents ?? 100_000,
    maxPeersPerTorrent: opts.maxPeersPerTorrent ?? 20_000,
    maxPeers: opts.maxPeers ?? 500_000,
    maxScrapeInfoHashes: opts.maxScrapeInfoHashes ?? 256,
    maxScrapeAll: opts.maxScrapeAll ?? 1000,
    clock: opts.clock ?? Date.now,
  };
}

function toAllowSet(hexes: Iterable<string> | undefined): Set<string> | undefined {
  if (hexes === undefined) return undefined;
  const out = new Set<string>();
  for (const hex of hexes) {
    if (!/^[0-9a-fA-F]{40}$/.test(hex)) throw new RangeError(`allow-list entry is not a 40-digit hex info hash: ${hex}`);
    out.add(Buffer.from(hex, 'hex').toString('latin1'));
  }
  return out;
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** True when the URL's path is exactly `path` (with or without a query string). */
function isPath(url: string, path: string): boolean {
  return url.startsWith(path) && (url.length === path.length || url.charCodeAt(path.length) === 0x3f);
}

/** The last hop of X-Forwarded-For is what our own proxy saw; earlier entries are client-supplied. */
function sourceAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header[header.length - 1] : header;
    const last = value?.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}

/** Writes a tracker answer straight to the response: Koa's generic body handling is measurable per announce. */
function reply(res: ServerResponse, body: Uint8Array): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', TEXT);
  res.setHeader('Content-Length', body.byteLength);
  res.end(body);
}

/** Builds the tracker app; the caller listens (see `startTracker`) or mounts it. */
export function createTrackerApp(opts: TrackerOptions = {}): TrackerApp {
  const o = resolve(opts);
  const startMs = o.clock();
  const swarms = new SwarmTable(
    { maxTorrents: o.maxTorrents, maxPeersPerTorrent: o.maxPeersPerTorrent, maxPeers: o.maxPeers, peerTtlMs: o.peerTtlMs },
    o.clock,
    opts.random,
    toAllowSet(opts.allowList),
  );
  const announces = new RateCounter(o.clock, startMs);
  const scrapes = new RateCounter(o.clock, startMs);
  const intervals: AnnounceIntervals = { interval: o.interval, minInterval: o.minInterval };
  const compactEncoder = new CompactAnnounceEncoder(intervals);
  const parseOptions = { trustIpParam: opts.trustIpParam ?? false, defaultNumwant: o.defaultNumwant, maxNumwant: o.maxNumwant };
  const trustProxy = opts.trustProxy ?? false;

  const stats = (): TrackerStats => ({
    torrents: swarms.torrents,
    seeders: swarms.seeders,
    leechers: swarms.leechers,
    peers: swarms.peers,
    announces: announces.total,
    scrapes: scrapes.total,
    announcesPerSecond: announces.perSecond(),
    scrapesPerSecond: scrapes.perSecond(),
    uptimeSeconds: Math.floor((o.clock() - startMs) / 1000),
    startedAt: new Date(startMs).toISOString(),
  });

  const announce = (req: IncomingMessage, res: ServerResponse, url: string): void => {
    announces.hit();
    try {
      const params = parseAnnounceParams(rawQuery(url), { ...parseOptions, source: sourceAddress(req, trustProxy) });
      const outcome = swarms.announce(params);
      if (opts.onAnnounce) notify(opts.onAnnounce, params);
      reply(res, params.compact ? compactEncoder.encode(outcome) : encodeAnnounce(outcome, params, intervals));
    } catch (err) {
      reply(res, err instanceof TrackerRequestError ? encodeFailure(err.message) : INTERNAL);
    }
  };
  const scrape = (res: ServerResponse, url: string): void => {
    scrapes.hit();
    try {
      const { infoHashes } = parseScrapeParams(rawQuery(url), o.maxScrapeInfoHashes);
      reply(res, encodeScrape(scrapeEntries(swarms, infoHashes, o.maxScrapeAll)));
    } catch (err) {
      reply(res, err instanceof TrackerRequestError ? encodeFailure(err.message) : INTERNAL);
    }
  };
  const hotPath = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (req.method !== 'GET') return false;
    if (isPath(url, '/announce')) announce(req, res, url);
    else if (isPath(url, '/scrape')) scrape(res, url);
    else return false;
    return true;
  };

  const router = new Router();
  router.get('/stats.json', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = stats();
  });
  router.get('/stats', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'html';
    ctx.body = renderStatsPage(stats(), swarms.entries());
  });
  router.get('/', (ctx) => ctx.redirect('/stats'));

  const app = new Koa();
  app.silent = true;
  // Announce and scrape are the hot path: matched on the raw URL before any routing, synchronously.
  app.use((ctx, next) => {
    if (hotPath(ctx.req, ctx.res)) {
      ctx.respond = false;
      return;
    }
    // Anything unforeseen still answers like a tracker: 200 with a failure reason, never a 500.
    return next().catch(() => {
      ctx.respond = false;
      reply(ctx.res, INTERNAL);
    });
  });
  app.use(router.routes());

  const sweepMs = Math.max(1000, Math.min(o.peerTtlMs / 4, 60_000));
  const timer = setInterval(() => swarms.sweep(), sweepMs);
  timer.unref();
  return { app, swarms, stats, hotPath, close: () => clearInterval(timer) };
}

function notify(onAnnounce: (info: AnnounceNotice) => void, p: AnnounceParams): void {
  const infoHash = Buffer.from(p.infoHash, 'latin1').toString('hex');
  onAnnounce({ infoHash, ip: p.ipv4 ?? p.ipv6 ?? '', port: p.port, event: p.event, seeder: p.left === 0 });
}

function scrapeEntries(swarms: SwarmTable, infoHashes: string[], maxAll: number): [string, ScrapeEntry][] {
  const zero: ScrapeEntry = { complete: 0, incomplete: 0, downloaded: 0 };
  if (infoHashes.length > 0) return infoHashes.map((h) => [h, swarms.scrape(h) ?? zero]);
  const out: [string, ScrapeEntry][] = [];
  for (const s of swarms.entries()) {
    if (out.length >= maxAll) break;
    out.push([s.key, { complete: s.seeders.length, incomplete: s.leechers.length, downloaded: s.completed }]);
  }
  return out;
}
