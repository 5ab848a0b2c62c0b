/**
 * The tracker's request parser: one pure function per endpoint turning a raw query string into one
 * validated params object, or a `TrackerRequestError` whose message becomes the `failure reason`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { QueryError, scanQuery, splitQuery, valuesOf, type QueryLimits, type RawQuery, type ScannedQuery, DEFAULT_QUERY_LIMITS } from './query';

/** A request the tracker refuses; the message is safe to send back as `failure reason`. */
export class TrackerRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackerRequestError';
  }
}

/** Announce events; `''` is a regular re-announce. */
export type AnnounceEvent = '' | 'started' | 'completed' | 'stopped';

/** One validated announce. Info hash and peer id are byte strings: 20 latin1 characters, one per byte. */
export interface AnnounceParams {
  infoHash: string;
  peerId: string;
  port: number;
  uploaded: number;
  downloaded: number;
  /** Bytes still missing; absent when the client did not say (treated as a leecher). */
  left: number | undefined;
  event: AnnounceEvent;
  numwant: number;
  compact: boolean;
  noPeerId: boolean;
  /** Address the peer is reachable at over IPv4, if any. */
  ipv4: string | undefined;
  /** Address the peer is reachable at over IPv6 (BEP 7), if any. */
  ipv6: string | undefined;
  key: string | undefined;
}

/** What the announce parser needs besides the query string. */
export interface AnnounceParseOptions extends NumwantLimits {
  /** Address the request came from (socket or trusted proxy header). */
  source: string;
  /** Whether `ip`, `ipv4` and `ipv6` parameters may replace the source address. */
  trustIpParam: boolean;
  limits?: QueryLimits;
}

/** The two numwant settings, as both the HTTP and the UDP tracker hold them. */
export interface NumwantLimits {
  defaultNumwant: number;
  maxNumwant: number;
}

/**
 * How many peers to hand out for a requested `numwant`: the default when the client gave none (absent over
 * HTTP, negative over UDP where -1 means "default"), and never more than the maximum.
 */
export function effectiveNumwant(requested: number | undefined, limits: NumwantLimits): number {
  const wanted = requested === undefined || requested < 0 ? limits.defaultNumwant : requested;
  return Math.min(wanted, limits.maxNumwant);
}

/** One validated scrape: zero info hashes means "all torrents". Each is a 20-character byte string. */
export interface ScrapeParams {
  infoHashes: string[];
}

const EVENTS: Record<string, AnnounceEvent> = { '': '', started: 'started', completed: 'completed', stopped: 'stopped', paused: '' };

/** The announce keys, in the order of the `K` indexes below. */
const ANNOUNCE_KEYS = ['info_hash', 'peer_id', 'port', 'uploaded', 'downloaded', 'left', 'event', 'numwant', 'compact', 'no_peer_id', 'ip', 'ipv4', 'ipv6', 'key'] as const;
type AnnounceKey = (typeof ANNOUNCE_KEYS)[number];
const K = Object.fromEntries(ANNOUNCE_KEYS.map((name, i) => [name, i])) as Record<AnnounceKey, number>;

function malformed(err: unknown): never {
  if (err instanceof QueryError) throw new TrackerRequestError(`malformed query string: ${err.message}`);
  throw err;
}

function split(raw: string, limits: QueryLimits | undefined): RawQuery {
  try {
    return splitQuery(raw, limits ?? DEFAULT_QUERY_LIMITS);
  } catch (err) {
    return malformed(err);
  }
}

function single(q: ScannedQuery, name: AnnounceKey): string | undefined {
  const k = K[name];
  if ((q.repeated >> k) & 1) throw new TrackerRequestError(`${name} given more than once`);
  return q.values[k];
}

function id20(q: ScannedQuery, name: AnnounceKey): string {
  const v = single(q, name);
  if (v === undefined) throw new TrackerRequestError(`missing ${name}`);
  if (v.length !== 20) throw new TrackerRequestError(`${name} must be 20 bytes, got ${v.length}`);
  return v;
}

/**
 * The value of a string of decimal digits, NaN when it has anything else or nothing. Accumulated in the
 * loop that checks the digits: exact up to 15 digits, and longer strings go through `Number` anyway.
 */
function digitsValue(text: string): number {
  if (text.length === 0) return NaN;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return NaN;
    n = n * 10 + (c - 0x30);
  }
  if (text.length <= 15) return n;
  return text.length > 16 ? Infinity : Number(text);
}

/** Reads a non-negative decimal integer below 2^53; `undefined` when absent. */
function integer(q: ScannedQuery, name: AnnounceKey, allowHuge = false): number | undefined {
  const text = single(q, name);
  if (text === undefined) return undefined;
  const n = digitsValue(text);
  if (Number.isNaN(n)) throw new TrackerRequestError(`${name} must be a non-negative integer`);
  if (!Number.isSafeInteger(n)) {
    if (allowHuge) return Number.MAX_SAFE_INTEGER;
    throw new TrackerRequestError(`${name} is too large`);
  }
  return n;
}

function flag(q: ScannedQuery, name: AnnounceKey, fallback: boolean): boolean {
  const v = single(q, name);
  if (v === undefined || v.length === 0) return fallback;
  if (v === '1') return true;
  if (v === '0') return false;
  throw new TrackerRequestError(`${name} must be 0 or 1`);
}

/** Strips the IPv4-mapped prefix so the same host is one address whichever socket family saw it. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function address(q: ScannedQuery, name: AnnounceKey): string | undefined {
  const v = single(q, name);
  if (v === undefined || v.length === 0) return undefined;
  let text = normalizeAddress(v);
  // BEP 7 allows `ipv6=[addr]:port`-style values; only the address part is used.
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracket) text = bracket[1];
  if (!isIPv4(text) && !isIPv6(text)) throw new TrackerRequestError(`${name} is not an IP address`);
  return text;
}

function addresses(q: ScannedQuery, opts: AnnounceParseOptions): { ipv4: string | undefined; ipv6: string | undefined } {
  const source = normalizeAddress(opts.source);
  let ipv4 = isIPv4(source) ? source : undefined;
  let ipv6 = ipv4 === undefined && isIPv6(source) ? source : undefined;
  const ip = address(q, 'ip');
  const v4 = address(q, 'ipv4');
  const v6 = address(q, 'ipv6');
  if (v4 !== undefined && !isIPv4(v4)) throw new TrackerRequestError('ipv4 is not an IPv4 address');
  if (v6 !== undefined && !isIPv6(v6)) throw new TrackerRequestError('ipv6 is not an IPv6 address');
  if (opts.trustIpParam) {
    for (const a of [ip, v4, v6]) {
      if (a === undefined) continue;
      if (isIPv4(a)) ipv4 = a;
      else ipv6 = a;
    }
  }
  return { ipv4, ipv6 };
}

/** Parses and validates an announce query string (without `?`); throws `TrackerRequestError`. */
export function parseAnnounceParams(raw: string, opts: AnnounceParseOptions): AnnounceParams {
  let q: ScannedQuery;
  try {
    q = scanQuery(raw, ANNOUNCE_KEYS, opts.limits);
  } catch (err) {
    return malformed(err);
  }
  const infoHash = id20(q, 'info_hash');
  const peerId = id20(q, 'peer_id');
  const port = integer(q, 'port');
  if (port === undefined) throw new TrackerRequestError('missing port');
  if (port < 1 || port > 65535) throw new TrackerRequestError('port must be between 1 and 65535');
  const eventText = single(q, 'event') ?? '';
  if (!Object.hasOwn(EVENTS, eventText)) throw new TrackerRequestError('event must be started, completed, stopped or empty');
  const event = EVENTS[eventText];
  const numwant = effectiveNumwant(integer(q, 'numwant', true), opts);
  const key = single(q, 'key');
  if (key !== undefined && key.length > 64) throw new TrackerRequestError('key is longer than 64 bytes');
  const { ipv4, ipv6 } = addresses(q, opts);
  if (ipv4 === undefined && ipv6 === undefined) throw new TrackerRequestError('no usable peer address');
  return {
    infoHash,
    peerId,
    port,
    uploaded: integer(q, 'uploaded') ?? 0,
    downloaded: integer(q, 'downloaded') ?? 0,
    // A magnet client that has no metadata yet does not know the size: Transmission sends 2^64 - 1.
    left: integer(q, 'left', true),
    event,
    numwant,
    compact: flag(q, 'compact', true),
    noPeerId: flag(q, 'no_peer_id', false),
    ipv4,
    ipv6,
    key,
  };
}

/** Parses a scrape query string: every `info_hash` must be 20 bytes; at most `maxInfoHashes`. */
export function parseScrapeParams(raw: string, maxInfoHashes: number, limits?: QueryLimits): ScrapeParams {
  const q = split(raw, limits);
  const values = valuesOf(q, 'info_hash');
  if (values.length > maxInfoHashes) throw new TrackerRequestError(`at most ${maxInfoHashes} info hashes per scrape`);
  for (const v of values) {
    if (v.length !== 20) throw new TrackerRequestError(`info_hash must be 20 bytes, got ${v.length}`);
  }
  return { infoHashes: values };
}
