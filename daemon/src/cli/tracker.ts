/** `btd tracker`: runs the HTTP tracker in the foreground until SIGINT/SIGTERM, which closes it cleanly. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import cluster from 'node:cluster';
import { parseRedisUrl, startTracker, StoreUrlError, type StartTrackerOptions } from '../tracker/server';
import { CliError } from './errors';
import { runWorkers, reportToPrimary } from './tracker-workers';

/** Parsed flags of `btd tracker`. */
interface TrackerFlags {
  host: string;
  port: number;
  interval: number;
  allowList?: string;
  maxTorrents?: number;
  maxPeersPerTorrent?: number;
  maxPeersPerIp?: number;
  maxNewTorrentsPerIp?: number;
  trustProxy?: boolean;
  trustIpParam?: boolean;
  udp?: boolean;
  store: string;
  workers: number;
}

function integerIn(name: string, min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new CliError(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return n;
  };
}

function host(text: string): string {
  if (isIP(text) === 0 && text !== 'localhost') throw new CliError(`--host must be an IP address, got "${text}"`);
  return text;
}

/** Reads hex info hashes, one a line; `#` starts a comment. */
async function readAllowList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read allow-list ${path}: ${(err as Error).message}`);
  }
  const hashes = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0);
  const bad = hashes.find((h) => !/^[0-9a-fA-F]{40}$/.test(h));
  if (bad !== undefined) throw new CliError(`allow-list ${path}: not a 40-digit hex info hash: "${bad}"`);
  return hashes;
}

/** `memory`, or a Redis URL checked here so that a mistake is reported before anything starts. */
function storeUrl(text: string): string {
  if (text === 'memory') return text;
  try {
    parseRedisUrl(text);
  } catch (err) {
    throw new CliError(err instanceof StoreUrlError ? `--store: ${err.message}` : `--store: not a store URL: "${text}"`);
  }
  return text;
}

/** The environment variable with the UDP connection-id key (hex) that trackers behind one address share. */
export const UDP_SECRET_ENV = 'BTD_TRACKER_UDP_SECRET';

function udpSecret(): { udpSecret?: Uint8Array } {
  const hex = process.env[UDP_SECRET_ENV];
  if (hex === undefined || hex === '') return {};
  if (!/^([0-9a-fA-F]{2}){16,64}$/.test(hex)) throw new CliError(`${UDP_SECRET_ENV} must be 32 to 128 hex digits`);
  return { udpSecret: Buffer.from(hex, 'hex') };
}

/** Registers `btd tracker` on the program. */
export function registerTracker(program: Command): void {
  program
    .command('tracker')
    .description('run an HTTP BitTorrent tracker (announce, scrape, statistics) until interrupted (Ctrl-C)')
    .option('--host <ip>', 'address to listen on', host, '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on (0 = any free port)', integerIn('--port', 0, 65535), 6969)
    .option('--interval <seconds>', 'seconds between announces asked of clients', integerIn('--interval', 10, 86400), 1800)
    .option('--allow-list <file>', 'serve only the hex info hashes listed in this file (one a line)')
    .option('--max-torrents <n>', 'most torrents tracked at once', integerIn('--max-torrents', 1, 10_000_000))
    .option('--max-peers-per-torrent <n>', 'most peers per torrent', integerIn('--max-peers-per-torrent', 1, 10_000_000))
    .option('--max-peers-per-ip <n>', 'most peers one IP holds in one torrent; a new one replaces its oldest', integerIn('--max-peers-per-ip', 1, 10_000_000))
    .option('--max-new-torrents-per-ip <n>', 'most new torrents one IP adds per minute', integerIn('--max-new-torrents-per-ip', 1, 10_000_000))
    .option('--trust-proxy', 'take peer addresses from X-Forwarded-For (only behind a reverse proxy)')
    .option('--trust-ip-param', 'let clients name their address with ip/ipv4/ipv6 (trusted networks only)')
    .option('--udp', 'also serve UDP announces and scrapes (BEP 15) on the same port number')
    .option('--store <url>', 'where swarms live: memory, or redis://HOST:PORT[/DB] / rediss://… shared by many trackers (password from BTD_REDIS_PASSWORD)', storeUrl, 'memory')
    .option('--workers <n>', 'processes serving the same port (needs a shared --store)', integerIn('--workers', 1, 256), 1)
    .action((flags: TrackerFlags) => runTracker(flags));
}

async function runTracker(flags: TrackerFlags): Promise<void> {
  if (flags.workers > 1 && flags.store === 'memory') {
    throw new CliError('--workers needs a shared store: with the memory store every worker would keep swarms of its own and peers would not find each other; add --store redis://HOST:PORT');
  }
  if (flags.workers > 1 && cluster.isPrimary) return runWorkers(flags.workers, flags);
  const options: StartTrackerOptions & { host: string; port: number; udp: boolean } = {
    host: flags.host,
    port: flags.port,
    udp: flags.udp === true,
    interval: flags.interval,
    maxTorrents: flags.maxTorrents,
    maxPeersPerTorrent: flags.maxPeersPerTorrent,
    maxPeersPerIp: flags.maxPeersPerIp,
    maxNewSwarmsPerIpPerMinute: flags.maxNewTorrentsPerIp,
    trustProxy: flags.trustProxy === true,
    trustIpParam: flags.trustIpParam === true,
    allowList: flags.allowList === undefined ? undefined : await readAllowList(flags.allowList),
    store: flags.store,
    ...udpSecret(),
  };
  const tracker = await startTracker(options).catch((err: NodeJS.ErrnoException) => {
    if (err.syscall === undefined && flags.store !== 'memory') throw new CliError(`--store: ${err.message}`);
    throw new CliError(`cannot listen on ${flags.host}:${flags.port}: ${err.code ?? err.message}`);
  });
  if (cluster.isWorker) {
    reportToPrimary(tracker);
    return;
  }
  const base = tracker.url.slice(0, -'/announce'.length);
  process.stdout.write(`announce URL: ${tracker.url}\n`);
  if (tracker.udpUrl) process.stdout.write(`UDP announce: ${tracker.udpUrl}\n`);
  process.stdout.write(`stats:        ${base}/stats  (JSON: ${base}/stats.json)\n`);
  if (flags.store !== 'memory') process.stdout.write(`store:        ${flags.store}\n`);
  process.stdout.write('press Ctrl-C to stop\n');
  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const s = tracker.stats();
    void tracker.close().then(() => {
      process.stdout.write(`stopped after ${s.uptimeSeconds} s: ${s.announces} announces, ${s.scrapes} scrapes, ${s.torrents} torrents\n`);
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
