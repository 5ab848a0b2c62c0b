/** The HTTP tracker: app factory, a listening runner, and the pieces tests and benchmarks reach for. */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createTrackerApp } from './app';
import { limitsOf, resolveOptions, toAllowSet, type TrackerOptions } from './options';
import { connectRedis } from './redis-connect';
import { RedisSwarmStore } from './redis-store';
import type { SwarmStore } from './store';
import { listenUdpTracker, type UdpTrackerSocket } from './udp';
import { encodeFailure } from './responses';
import type { TrackerStats } from './stats';

export { createTrackerApp, type TrackerApp } from './app';
export type { TrackerOptions, AnnounceNotice } from './options';
export type { TrackerStats } from './stats';
export { SwarmTable, type SwarmLimits, type SwarmPeer, type Swarm, type AnnounceOutcome, type ScrapeEntry } from './swarm';
export type { PeerSelection } from './selection';
export { MemorySwarmStore } from './memory-store';
export { StoreUnavailableError, STORE_UNAVAILABLE, type SwarmStore, type StoreHealth, type StoreTotals, type SwarmSummary, type SharedCounters } from './store';
export type { PeerPool } from './pool';
export { parseAnnounceParams, parseScrapeParams, TrackerRequestError, type AnnounceParams, type ScrapeParams } from './params';
export { RedisSwarmStore, type RedisStoreSettings, type RedisClient } from './redis-store';
export { connectRedis, parseRedisUrl, StoreUrlError, REDIS_PASSWORD_ENV, type RedisTarget } from './redis-connect';
export { UdpTrackerProtocol, listenUdpTracker, MAX_UDP_SCRAPE, type UdpTrackerContext, type UdpTrackerSocket } from './udp';

/** A tracker listening on a socket. */
export interface RunningTracker {
  /** `http://host:port/announce`, ready to put in a metainfo. */
  url: string;
  /** `udp://host:port/announce` when started with `udp: true` (BEP 15, same port number, same swarms). */
  udpUrl?: string;
  host: string;
  port: number;
  stats(): TrackerStats;
  /** Stops listening, drops open connections and the expiry timer. */
  close(): Promise<void>;
}

/** Largest request head accepted; longer URLs get a bencoded failure instead of a bare 431. */
const MAX_HEADER_BYTES = 32 * 1024;
const TOO_LONG = Buffer.from(encodeFailure('request too long'));

function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = err.code === 'HPE_HEADER_OVERFLOW' ? TOO_LONG : Buffer.from(encodeFailure('malformed HTTP request'));
  socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`, 'latin1');
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolvePort(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Where `startTracker` keeps swarms: `memory` (the default) or a `redis://` / `rediss://` URL. */
export type StoreUrl = string;

/** Opens the store a URL names, with the caps, TTL, clock and allow-list of the tracker options. */
export async function openSwarmStore(url: StoreUrl, opts: TrackerOptions = {}): Promise<SwarmStore | undefined> {
  if (url === 'memory') return undefined;
  const o = resolveOptions(opts);
  const client = await connectRedis(url, o.storeTimeoutMs);
  const limits = limitsOf(o);
  return new RedisSwarmStore(client, { limits, timeoutMs: o.storeTimeoutMs, allowList: toAllowSet(opts.allowList), clock: o.clock });
}

/** What `startTracker` takes besides the tracker options. */
export interface StartTrackerOptions extends TrackerOptions {
  host?: string;
  port?: number;
  udp?: boolean;
  /** `memory` (default) or `redis://HOST:PORT[/DB]` / `rediss://…`; the password comes from BTD_REDIS_PASSWORD. */
  store?: StoreUrl;
}

/**
 * Starts the tracker on `host:port` (defaults 127.0.0.1:6969; port 0 picks a free one), and with `udp`
 * also on UDP at the same port number. A store opened from `store` is closed with the tracker.
 */
export async function startTracker(opts: StartTrackerOptions = {}): Promise<RunningTracker> {
  const host = opts.host ?? '127.0.0.1';
  const owned = opts.swarmStore ? undefined : await openSwarmStore(opts.store ?? 'memory', opts);
  const tracker = createTrackerApp(owned ? { ...opts, swarmStore: owned } : opts);
  const koa = tracker.app.callback();
  // A client that sends no Host header still gets a bencoded answer, not Node's bare 400.
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false }, (req, res) => {
    if (!tracker.hotPath(req, res)) void koa(req, res);
  });
  server.on('clientError', answerClientError);
  let port: number;
  try {
    port = await listen(server, opts.port ?? 6969, host);
  } catch (err) {
    tracker.close();
    await owned?.close();
    throw err;
  }
  let udp: UdpTrackerSocket | undefined;
  if (opts.udp) {
    try {
      udp = await listenUdpTracker(tracker.udpContext, host, port);
    } catch (err) {
      tracker.close();
      await new Promise<void>((done) => server.close(() => done()));
      await owned?.close();
      throw err;
    }
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/announce`,
    ...(udp && { udpUrl: `udp://${urlHost}:${udp.port}/announce` }),
    host,
    port,
    stats: tracker.stats,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        tracker.close();
        server.close(() => done());
        server.closeAllConnections();
      })
        .then(() => udp?.close())
        .then(() => owned?.close())),
  };
}
