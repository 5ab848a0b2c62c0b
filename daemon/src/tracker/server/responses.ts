/** Bencoded tracker answers: announce (compact or dictionary model), scrape, and failure. */
import { bencode, type BValue } from '../../bencode';
import type { AnnounceParams } from './params';
import type { AnnounceOutcome, ScrapeEntry } from './swarm';
import { V4_BYTES, V6_BYTES, type PeerPool, type SwarmPeer } from './pool';
import type { PeerSelection } from './selection';

/** Seconds sent as `interval` and `min interval`. */
export interface AnnounceIntervals {
  interval: number;
  minInterval: number;
}

/** `d14:failure reason<len>:<reason>e`: every refusal is a 200 with this body. */
export function encodeFailure(reason: string): Uint8Array {
  return bencode(new Map([['failure reason', reason]]));
}

function dictionaryPeers(peers: SwarmPeer[], noPeerId: boolean): BValue[] {
  const out: BValue[] = [];
  for (const p of peers) {
    for (const ip of [p.ipv4, p.ipv6]) {
      if (ip === undefined) continue;
      const entry = new Map<string, BValue>([['ip', Buffer.from(ip, 'latin1')], ['port', p.port]]);
      if (!noPeerId) entry.set('peer id', Buffer.from(p.peerId, 'latin1'));
      out.push(entry);
    }
  }
  return out;
}

/** The answer to a successful announce, in the model the client asked for. */
export function encodeAnnounce(outcome: AnnounceOutcome, params: AnnounceParams, intervals: AnnounceIntervals): Uint8Array {
  if (params.compact) return new CompactAnnounceEncoder(intervals).encode(outcome);
  return bencode(
    new Map<string, BValue>([
      ['complete', outcome.complete],
      ['incomplete', outcome.incomplete],
      ['interval', intervals.interval],
      ['min interval', intervals.minInterval],
      ['peers', dictionaryPeers(outcome.selection.peers(), params.noPeerId)],
    ]),
  );
}

/**
 * Compact entries of one family in a selection (what a BEP 23/BEP 7 `peers`/`peers6` string or a BEP 15
 * announce answer holds): whole ranges when the pool has no gaps, else a count of real ones.
 */
export function countCompactEntries(sel: PeerSelection, family: 4 | 6): number {
  let n = 0;
  for (let r = 0; r < sel.ranges; r++) {
    const pool = sel.pools[r] as PeerPool;
    const from = sel.from[r];
    const to = sel.to[r];
    if (family === 4 ? pool.withoutV4 === 0 : pool.withV6 === pool.length) {
      n += to - from;
    } else if (family === 4 || pool.withV6 > 0) {
      const store = family === 4 ? pool.v4 : pool.v6;
      const size = family === 4 ? V4_BYTES : V6_BYTES;
      for (let i = from; i < to; i++) if (store[i * size + size - 2] !== 0 || store[i * size + size - 1] !== 0) n++;
    }
  }
  return n;
}

/**
 * Copies `src[from, to)` into `out` at `at`; returns the new offset. A plain loop: the runs here are a few
 * dozen bytes, below the cost of the view object that `set`/`copy` need.
 */
function put(src: Uint8Array, from: number, to: number, out: Buffer, at: number): number {
  for (let i = from; i < to; i++) out[at++] = src[i];
  return at;
}

/** Copies the family's compact entries of every range into `out` at `at`; returns the new offset. */
export function copyCompactEntries(sel: PeerSelection, family: 4 | 6, out: Buffer, at: number): number {
  const size = family === 4 ? V4_BYTES : V6_BYTES;
  for (let r = 0; r < sel.ranges; r++) {
    const pool = sel.pools[r] as PeerPool;
    const store = family === 4 ? pool.v4 : pool.v6;
    const from = sel.from[r] * size;
    const to = sel.to[r] * size;
    if (family === 4 ? pool.withoutV4 === 0 : pool.withV6 === pool.length) {
      at = put(store, from, to, out, at);
    } else if (family === 4 || pool.withV6 > 0) {
      for (let e = from; e < to; e += size) {
        if (store[e + size - 2] === 0 && store[e + size - 1] === 0) continue;
        for (let i = 0; i < size; i++) out[at + i] = store[e + i];
        at += size;
      }
    }
  }
  return at;
}

/** Digits of a non-negative integer in decimal (a loop: `log10` rounds wrongly near powers of ten). */
function decimalLength(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

/** Writes the decimal digits of a non-negative integer; returns the new offset. */
function writeDigits(n: number, out: Buffer, at: number): number {
  const digits = decimalLength(n);
  let rest = n;
  for (let i = digits - 1; i >= 0; i--) {
    out[at + i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const COMPLETE = ascii('d8:completei');
const INCOMPLETE = ascii('e10:incompletei');
const PEERS = ascii('5:peers');
const PEERS6 = ascii('6:peers6');

/**
 * Encodes compact announce answers (the hot path) in one allocation: the dictionary's keys are fixed and
 * its interval part never changes, so that part is encoded once with `bencode` and the rest is written
 * around it. The output is byte-identical to `bencode` of the same dictionary (a property test checks).
 */
export class CompactAnnounceEncoder {
  private readonly intervalsPart: Buffer;

  constructor(intervals: AnnounceIntervals) {
    const full = bencode(new Map([['interval', intervals.interval], ['min interval', intervals.minInterval]]));
    // `e` closes `incomplete`; then the interval keys without the dictionary's own `d` and `e`.
    this.intervalsPart = Buffer.concat([ascii('e'), full.subarray(1, full.length - 1)]);
  }

  /** `complete`, `incomplete`, `interval`, `min interval`, `peers` and, when any, `peers6`. */
  encode(outcome: AnnounceOutcome): Buffer {
    const { complete, incomplete, selection } = outcome;
    const n4 = countCompactEntries(selection, 4);
    const n6 = countCompactEntries(selection, 6);
    const b4 = n4 * V4_BYTES;
    const b6 = n6 * V6_BYTES;
    const size =
      COMPLETE.length + decimalLength(complete) + INCOMPLETE.length + decimalLength(incomplete) + this.intervalsPart.length +
      PEERS.length + decimalLength(b4) + 1 + b4 + (n6 > 0 ? PEERS6.length + decimalLength(b6) + 1 + b6 : 0) + 1;
    const out = Buffer.allocUnsafe(size);
    let at = put(COMPLETE, 0, COMPLETE.length, out, 0);
    at = writeDigits(complete, out, at);
    at = put(INCOMPLETE, 0, INCOMPLETE.length, out, at);
    at = writeDigits(incomplete, out, at);
    at = put(this.intervalsPart, 0, this.intervalsPart.length, out, at);
    at = put(PEERS, 0, PEERS.length, out, at);
    at = writeDigits(b4, out, at);
    out[at++] = 0x3a;
    at = copyCompactEntries(selection, 4, out, at);
    if (n6 > 0) {
      at = put(PEERS6, 0, PEERS6.length, out, at);
      at = writeDigits(b6, out, at);
      out[at++] = 0x3a;
      at = copyCompactEntries(selection, 6, out, at);
    }
    out[at] = 0x65;
    return out;
  }
}

/** The answer to a scrape (BEP 48): `files` keyed by raw info hash (latin1 byte strings). */
export function encodeScrape(entries: Iterable<[string, ScrapeEntry]>): Uint8Array {
  const files = new Map<string, BValue>();
  for (const [infoHash, e] of entries) {
    files.set(infoHash, new Map<string, BValue>([['complete', e.complete], ['downloaded', e.downloaded], ['incomplete', e.incomplete]]));
  }
  return bencode(new Map([['files', files]]));
}
