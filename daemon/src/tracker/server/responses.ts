/** Bencoded tracker answers: announce (compact or dictionary model), scrape, and failure. */
import { bencode, type BValue } from '../../bencode';
import type { AnnounceParams } from './params';
import type { AnnounceOutcome, ScrapeEntry, SwarmPeer } from './swarm';

/** Seconds sent as `interval` and `min interval`. */
export interface AnnounceIntervals {
  interval: number;
  minInterval: number;
}

/** `d14:failure reason<len>:<reason>e`: every refusal is a 200 with this body. */
export function encodeFailure(reason: string): Uint8Array {
  return bencode(new Map([['failure reason', reason]]));
}

function concatCompact(peers: SwarmPeer[], family: 4 | 6): Buffer {
  const size = family === 4 ? 6 : 18;
  let n = 0;
  for (const p of peers) if ((family === 4 ? p.compact4 : p.compact6) !== undefined) n++;
  const out = Buffer.allocUnsafe(n * size);
  let at = 0;
  for (const p of peers) {
    const c = family === 4 ? p.compact4 : p.compact6;
    if (c === undefined) continue;
    out.set(c, at);
    at += size;
  }
  return out;
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
  const body = new Map<string, BValue>([
    ['complete', outcome.complete],
    ['incomplete', outcome.incomplete],
    ['interval', intervals.interval],
    ['min interval', intervals.minInterval],
  ]);
  if (params.compact) {
    body.set('peers', concatCompact(outcome.peers, 4));
    const peers6 = concatCompact(outcome.peers, 6);
    if (peers6.length > 0) body.set('peers6', peers6);
  } else {
    body.set('peers', dictionaryPeers(outcome.peers, params.noPeerId));
  }
  return bencode(body);
}

/** The answer to a scrape (BEP 48): `files` keyed by raw info hash (latin1 byte strings). */
export function encodeScrape(entries: Iterable<[string, ScrapeEntry]>): Uint8Array {
  const files = new Map<string, BValue>();
  for (const [infoHash, e] of entries) {
    files.set(infoHash, new Map<string, BValue>([['complete', e.complete], ['downloaded', e.downloaded], ['incomplete', e.incomplete]]));
  }
  return bencode(new Map([['files', files]]));
}
