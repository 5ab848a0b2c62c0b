/** Magnet URIs (BEP 9): `magnet:?xt=urn:btih:<hex or base32>&dn=<name>&tr=<tracker>&x.pe=<ip:port>&so=<files>...`. */
import { isIP } from 'node:net';
import { MetainfoError } from './errors';
import { formatSelectOnly, parseSelectOnly, type FileSelection } from './select-only';
import type { Metainfo } from './types';

/** What a magnet link carries. */
export interface Magnet {
  infoHash: Uint8Array;
  infoHashHex: string;
  name?: string;
  trackers: string[];
  /** `x.pe` peers to dial (numeric addresses only: a host name would need a DNS lookup). */
  peers: { ip: string; port: number }[];
  /** BEP 53 `so`: the only files to download, by index (absent: all of them). */
  selectOnly?: FileSelection;
}

/** Longest magnet URI accepted. */
export const MAX_MAGNET_LENGTH = 64 * 1024;
/** Most `x.pe` peers kept from one magnet. */
export const MAX_MAGNET_PEERS = 64;

/** `ip:port` or `[ipv6]:port` with a numeric address, else undefined. */
export function parsePeerAddress(text: string): { ip: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (m === null || isIP(m[1]) === 0) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { ip: m[1], port } : undefined;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Decode(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let acc = 0;
  let i = 0;
  for (const ch of text.toUpperCase()) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new MetainfoError('bad-magnet', `magnet: "${ch}" is not a base32 digit`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[i++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function decodeInfoHash(text: string): Uint8Array {
  if (/^[0-9a-f]{40}$/i.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
  if (text.length === 32) return base32Decode(text);
  throw new MetainfoError('bad-magnet', `magnet: info hash "${text}" is neither 40 hex nor 32 base32 digits`);
}

/**
 * Parses a magnet URI; throws MetainfoError('bad-magnet') if it has no usable v1 info hash, and
 * MetainfoError('bad-select-only') for a malformed `so` (see select-only.ts).
 */
export function parseMagnet(uri: string): Magnet {
  if (uri.length > MAX_MAGNET_LENGTH) throw new MetainfoError('bad-magnet', 'magnet: URI too long');
  if (!/^magnet:\?/i.test(uri)) throw new MetainfoError('bad-magnet', 'not a magnet URI (expected "magnet:?...")');
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
  } catch {
    throw new MetainfoError('bad-magnet', 'magnet: malformed query');
  }
  let infoHash: Uint8Array | undefined;
  let name: string | undefined;
  const trackers: string[] = [];
  const peers: { ip: string; port: number }[] = [];
  const so: string[] = [];
  for (const [key, value] of params) {
    const base = key.replace(/\.\d+$/, ''); // "xt.1", "tr.2" forms
    if (base === 'xt' && !infoHash && /^urn:btih:/i.test(value)) infoHash = decodeInfoHash(value.slice(9));
    else if (base === 'dn' && name === undefined) name = value;
    else if (base === 'tr' && value && !trackers.includes(value)) trackers.push(value);
    else if (base === 'x.pe' && peers.length < MAX_MAGNET_PEERS) {
      const peer = parsePeerAddress(value);
      if (peer && !peers.some((p) => p.ip === peer.ip && p.port === peer.port)) peers.push(peer);
    } else if (base === 'so') so.push(value);
  }
  if (!infoHash) throw new MetainfoError('bad-magnet', 'magnet: no "xt=urn:btih:" info hash (v2-only magnets are not supported)');
  const magnet: Magnet = { infoHash, infoHashHex: Buffer.from(infoHash).toString('hex'), name, trackers, peers };
  if (so.length > 0) magnet.selectOnly = parseSelectOnly(so);
  return magnet;
}

/** What `buildMagnet` needs: a Metainfo, or an info hash with optional name, trackers and `so` selection. */
export type MagnetSource = Metainfo | { infoHash: Uint8Array; name?: string; trackers?: string[]; selectOnly?: FileSelection };

/** Builds `magnet:?xt=urn:btih:<hex>&dn=<name>&tr=...&so=...` (trackers from every announce tier, in order). */
export function buildMagnet(m: MagnetSource): string {
  if (m.infoHash.length !== 20) throw new RangeError('info hash must be 20 bytes');
  const trackers = 'announceList' in m ? m.announceList.flat() : (m.trackers ?? []);
  let uri = `magnet:?xt=urn:btih:${Buffer.from(m.infoHash).toString('hex')}`;
  if (m.name) uri += `&dn=${encodeURIComponent(m.name)}`;
  for (const tr of new Set(trackers)) uri += `&tr=${encodeURIComponent(tr)}`;
  if ('selectOnly' in m && m.selectOnly && m.selectOnly.length > 0) uri += `&so=${formatSelectOnly(m.selectOnly)}`;
  return uri;
}
