/** Pure parsers of tracker answers: announce (compact and dictionary peers, IPv4 and IPv6) and scrape. */
import { isIPv4, isIPv6 } from 'node:net';
import { bdecode, BencodeError, isBytes, isDict, isList, type BDict, type BValue } from '../../bencode';
import { decodeCompactPeers, type PeerAddress } from '../compact';

/** A tracker answer that cannot be read at all (not bencode, not a dictionary, wrong types). */
export class TrackerResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrackerResponseError';
  }
}

/** A decoded announce answer. A `failureReason` means the tracker refused; other fields are then absent. */
export interface AnnounceResponse {
  failureReason?: string;
  warningMessage?: string;
  interval?: number;
  minInterval?: number;
  complete?: number;
  incomplete?: number;
  trackerId?: Uint8Array;
  peers: PeerAddress[];
}

/** Largest answer read; 200 peers in the dictionary model fit many times over. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const LIMITS = { maxDepth: 8, maxSize: MAX_RESPONSE_BYTES };
const utf8 = new TextDecoder();

function decodeDict(bytes: Uint8Array): BDict {
  let value: BValue;
  try {
    value = bdecode(bytes, LIMITS);
  } catch (err) {
    if (err instanceof BencodeError) throw new TrackerResponseError(`tracker answer is not bencode: ${err.message}`);
    throw err;
  }
  if (!isDict(value)) throw new TrackerResponseError('tracker answer is not a dictionary');
  return value;
}

function optCount(d: BDict, key: string): number | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new TrackerResponseError(`${key} is not an integer`);
  return v >= 0 ? v : undefined;
}

function optText(d: BDict, key: string): string | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (!isBytes(v)) throw new TrackerResponseError(`${key} is not a string`);
  return utf8.decode(v);
}

function dictionaryPeer(entry: BValue): PeerAddress | undefined {
  if (!isDict(entry)) return undefined;
  const ip = entry.get('ip');
  const port = entry.get('port');
  if (!isBytes(ip) || typeof port !== 'number') return undefined;
  const text = Buffer.from(ip).toString('latin1');
  if (!isIPv4(text) && !isIPv6(text)) return undefined;
  return { ip: text, port };
}

function peersOf(d: BDict): PeerAddress[] {
  const out: PeerAddress[] = [];
  const peers = d.get('peers');
  if (isBytes(peers)) out.push(...decodeCompactPeers(peers, 4));
  else if (isList(peers)) for (const e of peers) {
    const p = dictionaryPeer(e);
    if (p) out.push(p);
  }
  else if (peers !== undefined) throw new TrackerResponseError('peers is neither a string nor a list');
  const peers6 = d.get('peers6');
  if (isBytes(peers6)) out.push(...decodeCompactPeers(peers6, 6));
  const seen = new Set<string>();
  return out.filter((p) => {
    const id = `${p.ip}|${p.port}`;
    if (p.port < 1 || p.port > 65535 || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Parses an announce answer; throws `TrackerResponseError` only when it is unreadable. */
export function parseAnnounceResponse(bytes: Uint8Array): AnnounceResponse {
  const d = decodeDict(bytes);
  const failureReason = optText(d, 'failure reason');
  if (failureReason !== undefined) return { failureReason, peers: [] };
  const trackerId = d.get('tracker id');
  return {
    warningMessage: optText(d, 'warning message'),
    interval: optCount(d, 'interval'),
    minInterval: optCount(d, 'min interval'),
    complete: optCount(d, 'complete'),
    incomplete: optCount(d, 'incomplete'),
    trackerId: isBytes(trackerId) ? trackerId : undefined,
    peers: peersOf(d),
  };
}

/** Scrape figures of one torrent. */
export interface ScrapeFigures {
  complete: number;
  incomplete: number;
  downloaded: number;
}

/** Parses a scrape answer into figures keyed by hex info hash; throws `TrackerResponseError`. */
export function parseScrapeResponse(bytes: Uint8Array): Map<string, ScrapeFigures> {
  const d = decodeDict(bytes);
  const failureReason = optText(d, 'failure reason');
  if (failureReason !== undefined) throw new TrackerResponseError(`tracker refused the scrape: ${failureReason}`);
  const files = d.get('files');
  if (!isDict(files)) throw new TrackerResponseError('scrape answer has no files dictionary');
  const out = new Map<string, ScrapeFigures>();
  for (const [key, value] of files) {
    if (key.length !== 20 || !isDict(value)) continue;
    out.set(Buffer.from(key, 'latin1').toString('hex'), {
      complete: optCount(value, 'complete') ?? 0,
      incomplete: optCount(value, 'incomplete') ?? 0,
      downloaded: optCount(value, 'downloaded') ?? 0,
    });
  }
  return out;
}
