/**
 * Compact peer addresses (BEP 23 for IPv4, BEP 7 for IPv6): address bytes then a big-endian port.
 * Shared by the tracker server (encoding) and the client (decoding).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A peer's address as announced or as received from a tracker. */
export interface PeerAddress {
  ip: string;
  port: number;
}

/** Bytes of an IPv4 dotted quad; the caller has checked it with `isIPv4`. */
function ipv4Bytes(ip: string, out: Uint8Array, at: number): void {
  const parts = ip.split('.');
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
}

/** Bytes of an IPv6 address (with `::` and a dotted IPv4 tail); the caller has checked it with `isIPv6`. */
function ipv6Bytes(ip: string, out: Uint8Array, at: number): void {
  const zone = ip.indexOf('%');
  const text = zone >= 0 ? ip.slice(0, zone) : ip;
  const words: number[] = [];
  const pushGroups = (groups: string[]): number[] => {
    const w: number[] = [];
    for (const g of groups) {
      if (g.includes('.')) {
        const b = new Uint8Array(4);
        ipv4Bytes(g, b, 0);
        w.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
      } else if (g !== '') {
        w.push(parseInt(g, 16));
      }
    }
    return w;
  };
  const gap = text.indexOf('::');
  if (gap >= 0) {
    const head = pushGroups(text.slice(0, gap).split(':'));
    const tail = pushGroups(text.slice(gap + 2).split(':'));
    words.push(...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    words.push(...pushGroups(text.split(':')));
  }
  for (let i = 0; i < 8; i++) {
    out[at + 2 * i] = words[i] >> 8;
    out[at + 2 * i + 1] = words[i] & 0xff;
  }
}

/** Encodes one peer as 6 (IPv4) or 18 (IPv6) bytes. */
export function encodeCompactPeer(ip: string, port: number): Buffer {
  if (isIPv4(ip)) {
    const out = Buffer.allocUnsafe(6);
    ipv4Bytes(ip, out, 0);
    out.writeUInt16BE(port, 4);
    return out;
  }
  if (isIPv6(ip)) {
    const out = Buffer.allocUnsafe(18);
    ipv6Bytes(ip, out, 0);
    out.writeUInt16BE(port, 16);
    return out;
  }
  throw new RangeError(`not an IP address: ${ip}`);
}

function formatIpv6(b: Uint8Array, at: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  // Shorten the longest run of zero words (RFC 5952) so addresses compare equal to Node's own form.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Decodes a compact peer list; `family` 4 reads 6-byte entries, 6 reads 18-byte entries. Trailing partial entries are ignored. */
export function decodeCompactPeers(bytes: Uint8Array, family: 4 | 6): PeerAddress[] {
  const size = family === 4 ? 6 : 18;
  const out: PeerAddress[] = [];
  for (let at = 0; at + size <= bytes.length; at += size) {
    const ip = family === 4 ? `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}` : formatIpv6(bytes, at);
    const port = (bytes[at + size - 2] << 8) | bytes[at + size - 1];
    out.push({ ip, port });
  }
  return out;
}
