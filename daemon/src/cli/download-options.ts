/** Option parsers shared by `btd download` and `btd seed`; each turns bad input into a one-line CliError. */
import type { Command } from 'commander';
import { isIP } from 'node:net';
import { CliError } from './errors';

/** A peer given on the command line with `--peer IP:PORT`. */
export interface PeerAddress {
  ip: string;
  port: number;
}

/** Parses a listening port: an integer 0..65535 (0 = any free port). */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text.trim())) throw new CliError(`invalid port: ${text}`);
  const port = Number(text.trim());
  if (port > 65535) throw new CliError(`invalid port: ${text} (must be 0..65535)`);
  return port;
}

/** Parses an IPv4 or IPv6 address (used for `--ip` and `--bind`). */
export function parseIp(text: string): string {
  if (isIP(text) === 0) throw new CliError(`invalid IP address: ${text}`);
  return text;
}

/** Parses `IP:PORT` or `[IPv6]:PORT`; commander calls it once per `--peer`, collecting them all. */
export function parsePeer(text: string, previous: PeerAddress[] = []): PeerAddress[] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:]+):(\d+)$/.exec(text);
  if (m === null || isIP(m[1]) === 0) throw new CliError(`invalid peer: ${text} (expected IP:PORT)`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new CliError(`invalid peer: ${text} (port must be 1..65535)`);
  return [...previous, { ip: m[1], port }];
}

/** Parses a DHT bootstrap node, `HOST:PORT` (a host name or an address; `[IPv6]:PORT`); repeatable. */
export function parseBootstrap(text: string, previous: string[] = []): string[] {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : 0;
  if (m === null || port < 1 || port > 65535) throw new CliError(`invalid DHT bootstrap node: ${text} (expected HOST:PORT)`);
  return [...previous, text];
}

/** DHT flags shared by `btd download` and `btd seed`. */
export interface DhtFlags {
  /** false with --no-dht; undefined (on) otherwise. */
  dht?: boolean;
  dhtBootstrap?: string[];
  dhtPort?: number;
}

/** Registers --dht, --no-dht, --dht-bootstrap and --dht-port on a command. */
export function addDhtOptions(cmd: Command): Command {
  return cmd
    .option('--dht', 'find peers through the DHT (the default)')
    .option('--no-dht', 'do not use the DHT')
    .option('--dht-bootstrap <host:port>', 'DHT node to join through (repeatable; default the well-known routers)', parseBootstrap)
    .option('--dht-port <port>', 'UDP port of the DHT (default: the peer port)', parsePort);
}

/** The session options the DHT flags make. */
export function dhtSessionOptions(flags: DhtFlags): { dht: boolean; dhtBootstrap?: string[]; dhtPort?: number } {
  return {
    dht: flags.dht !== false,
    ...(flags.dhtBootstrap ? { dhtBootstrap: flags.dhtBootstrap } : {}),
    ...(flags.dhtPort !== undefined ? { dhtPort: flags.dhtPort } : {}),
  };
}

const RATE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses a rate in bytes per second: `500k`, `2M`, `1.5MiB`, `0` (unlimited). Units are binary. */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text.trim());
  if (m === null) throw new CliError(`invalid rate: ${text} (examples: 0, 500k, 2M)`);
  const bytes = Math.round(Number(m[1]) * RATE_UNITS[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw new CliError(`invalid rate: ${text}`);
  return bytes;
}

/** Parses a positive number of seconds (e.g. the status line interval). */
export function parseSeconds(text: string): number {
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0 || s > 86400) throw new CliError(`invalid number of seconds: ${text}`);
  return s;
}
