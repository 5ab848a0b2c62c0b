/**
 * Peer exchange (BEP 11, `ut_pex`): a bencoded dictionary of compact peer lists — `added` (6 bytes
 * each, IPv4) with one flags byte each in `added.f`, `dropped`, and their IPv6 forms (18 bytes).
 * Decoding is lenient per field and bounded as a whole.
 */
import { bencode, isBytes, type Encodable } from '../bencode';
import { addressBytes, addressText, decodeExtensionDict } from './extended';

/** BEP 11 flags of an added peer. */
export const PexFlag = { encryption: 0x01, seed: 0x02, utp: 0x04, holepunch: 0x08, reachable: 0x10 } as const;
/** Most peers kept from one message, added and dropped together (BEP 11 sends at most 50 added). */
export const MAX_PEX_PEERS = 200;
/** Most peers we put in one message's added list, and in its dropped list (BEP 11). */
export const PEX_BATCH = 50;

/** A peer as PEX names it. */
export interface PexPeer {
  ip: string;
  port: number;
  flags: number;
}

/** One PEX message. */
export interface PexMessage {
  added: PexPeer[];
  dropped: { ip: string; port: number }[];
}

/** Decodes a message; throws only WireError (for a payload that is not a bounded dictionary). */
export function decodePex(payload: Uint8Array): PexMessage {
  const d = decodeExtensionDict(payload, 'ut_pex message');
  const out: PexMessage = { added: [], dropped: [] };
  let room = MAX_PEX_PEERS;
  for (const [key, flagsKey, width] of [['added', 'added.f', 4], ['added6', 'added6.f', 16]] as const) {
    const flags = d.get(flagsKey);
    // Flags go by position in their own list (a peer with port 0 is skipped but keeps its place).
    for (const p of compactPeers(d.get(key), width, room)) {
      out.added.push({ ip: p.ip, port: p.port, flags: isBytes(flags) && flags.length > p.index ? flags[p.index] : 0 });
    }
    room = MAX_PEX_PEERS - out.added.length;
  }
  for (const [key, width] of [['dropped', 4], ['dropped6', 16]] as const) {
    for (const p of compactPeers(d.get(key), width, MAX_PEX_PEERS - out.added.length - out.dropped.length)) out.dropped.push({ ip: p.ip, port: p.port });
  }
  return out;
}

/** The peers of a compact string (`width`-byte address + 2-byte port each); nothing if malformed. */
function compactPeers(v: unknown, width: 4 | 16, limit: number): { ip: string; port: number; index: number }[] {
  if (!isBytes(v as never) || limit <= 0) return [];
  const b = v as Uint8Array;
  const size = width + 2;
  if (b.length % size !== 0) return [];
  const out: { ip: string; port: number; index: number }[] = [];
  for (let at = 0; at < b.length && out.length < limit; at += size) {
    const port = (b[at + width] << 8) | b[at + width + 1];
    if (port === 0) continue;
    out.push({ ip: addressText(b.subarray(at, at + width)), port, index: at / size });
  }
  return out;
}

/** Encodes a message, IPv4 and IPv6 peers in their own lists. */
export function encodePex(m: PexMessage): Uint8Array {
  const v4 = m.added.filter((p) => !p.ip.includes(':') || p.ip.startsWith('::ffff:'));
  const v6 = m.added.filter((p) => !v4.includes(p));
  const d4 = m.dropped.filter((p) => !p.ip.includes(':') || p.ip.startsWith('::ffff:'));
  const d6 = m.dropped.filter((p) => !d4.includes(p));
  const d = new Map<string, Encodable>([
    ['added', compact(v4, 4)],
    ['added.f', Uint8Array.from(v4.map((p) => p.flags & 0xff))],
    ['dropped', compact(d4, 4)],
  ]);
  if (v6.length > 0) {
    d.set('added6', compact(v6, 16));
    d.set('added6.f', Uint8Array.from(v6.map((p) => p.flags & 0xff)));
  }
  if (d6.length > 0) d.set('dropped6', compact(d6, 16));
  return bencode(d);
}

function compact(peers: readonly { ip: string; port: number }[], width: 4 | 16): Uint8Array {
  const out = new Uint8Array(peers.length * (width + 2));
  peers.forEach((p, i) => {
    const at = i * (width + 2);
    out.set(addressBytes(p.ip).subarray(-width), at);
    out[at + width] = p.port >> 8;
    out[at + width + 1] = p.port & 0xff;
  });
  return out;
}

/**
 * What one connection was told: each call to `next` gives the peers added and dropped since the
 * previous message (at most PEX_BATCH of each; the rest wait for the next one), or undefined when
 * nothing changed.
 */
export class PexDiff {
  private readonly told = new Map<string, PexPeer>();

  next(current: ReadonlyMap<string, PexPeer>): PexMessage | undefined {
    const added: PexPeer[] = [];
    const dropped: { ip: string; port: number }[] = [];
    for (const [key, p] of current) {
      if (added.length >= PEX_BATCH) break;
      if (this.told.has(key)) continue;
      added.push(p);
      this.told.set(key, p);
    }
    for (const [key, p] of this.told) {
      if (dropped.length >= PEX_BATCH) break;
      if (current.has(key)) continue;
      dropped.push({ ip: p.ip, port: p.port });
      this.told.delete(key);
    }
    return added.length + dropped.length > 0 ? { added, dropped } : undefined;
  }
}
