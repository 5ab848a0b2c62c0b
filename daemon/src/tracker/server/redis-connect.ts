/**
 * Store URLs and the Redis connection behind them: `memory`, `redis://HOST:PORT[/DB]` or `rediss://…`
 * (TLS). The password comes from an environment variable, never from the URL or the command line; a
 * node with cluster mode on is reached as a Redis Cluster.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-store';

/** The environment variable the Redis password is read from. */
export const REDIS_PASSWORD_ENV = 'BTD_REDIS_PASSWORD';

/** Where a store URL points. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
}

/** A store URL that cannot be used; the message says why. */
export class StoreUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

/** Parses `redis://[user@]host[:port][/db]` or `rediss://…`; refuses a password in the URL. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StoreUrlError(`not a store URL: "${text}" (use memory, redis://HOST:PORT[/DB] or rediss://HOST:PORT[/DB])`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new StoreUrlError(`unknown store scheme ${url.protocol} (use redis:// or rediss://)`);
  if (url.password !== '') throw new StoreUrlError(`put the Redis password in the ${REDIS_PASSWORD_ENV} environment variable, not in the URL`);
  if (url.hostname === '') throw new StoreUrlError(`store URL names no host: "${text}"`);
  const path = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path) || Number(path) > 15) throw new StoreUrlError(`Redis database must be a number from 0 to 15, got "${path}"`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port === '' ? 6379 : Number(url.port), db: path === '' ? 0 : Number(path), tls: url.protocol === 'rediss:', ...(url.username !== '' && { username: decodeURIComponent(url.username) }) };
}

/** How the client behaves: fail fast while disconnected, reconnect by itself; the store bounds each call. */
function nodeOptions(t: RedisTarget, timeoutMs: number, env: NodeJS.ProcessEnv): RedisOptions {
  const password = env[REDIS_PASSWORD_ENV];
  return {
    ...(t.username !== undefined && { username: t.username }),
    ...(password !== undefined && password !== '' && { password }),
    ...(t.tls && { tls: { servername: t.host } }),
    connectTimeout: timeoutMs,
    // Measured: automatic pipelining builds a Pipeline per tick and costs more than it saves here.
    enableAutoPipelining: false,
    maxRetriesPerRequest: 0,
    // A steady retry: an outage ends within a second of Redis coming back.
    retryStrategy: (times: number) => Math.min(times * 100, 1000),
  };
}

function ready(client: RedisClient, timeoutMs: number, what: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at ${what} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

/**
 * Connects to the Redis the URL names, as a Cluster when that node runs in cluster mode. Rejects when it
 * does not answer within `timeoutMs`; once connected, the client reconnects by itself.
 */
export async function connectRedis(url: string, timeoutMs = 2000, env: NodeJS.ProcessEnv = process.env): Promise<RedisClient> {
  const target = parseRedisUrl(url);
  const options = nodeOptions(target, timeoutMs, env);
  const where = `${target.host}:${target.port}`;
  const probe = new Redis({ host: target.host, port: target.port, db: target.db, ...options, enableOfflineQueue: true, lazyConnect: true });
  let lastError: Error | undefined;
  probe.on('error', (err: Error) => {
    lastError = err;
  });
  let clustered: boolean;
  let version: RegExpExecArray | null;
  try {
    await Promise.race([probe.connect(), ready(probe, timeoutMs, where)]);
    await ready(probe, timeoutMs, where);
    const info = await probe.info();
    clustered = /cluster_enabled:1/.test(info);
    version = /redis_version:(\d+)\.(\d+)/.exec(info);
  } catch (err) {
    probe.disconnect();
    throw new Error(`cannot reach Redis at ${where}: ${(lastError ?? (err as Error)).message}`);
  }
  // ZRANDMEMBER, which the announce script hands out peers with, came in Redis 6.2.
  if (version && (Number(version[1]) < 6 || (Number(version[1]) === 6 && Number(version[2]) < 2))) {
    probe.disconnect();
    throw new Error(`Redis at ${where} is ${version[1]}.${version[2]}; the tracker needs Redis 6.2 or later`);
  }
  if (!clustered) {
    probe.options.enableOfflineQueue = false;
    return probe;
  }
  probe.disconnect();
  if (target.db !== 0) throw new StoreUrlError('a Redis Cluster has only database 0');
  const cluster = new Cluster([{ host: target.host, port: target.port }], {
    redisOptions: options,
    enableOfflineQueue: false,
    enableAutoPipelining: false,
    clusterRetryStrategy: (times: number) => Math.min(times * 100, 1000),
  });
  cluster.on('error', () => undefined);
  try {
    await ready(cluster, timeoutMs, where);
  } catch (err) {
    cluster.disconnect();
    throw err;
  }
  return cluster;
}
