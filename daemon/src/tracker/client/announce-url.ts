/** Announce and scrape URLs, with info hash and peer id percent-encoded byte by byte (never as UTF-8). */

/** Announce events a client sends; `undefined` is a regular re-announce. */
export type ClientEvent = 'started' | 'completed' | 'stopped';

/** Everything an announce request carries. */
export interface AnnounceRequest {
  infoHash: Uint8Array;
  peerId: Uint8Array;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: ClientEvent;
  numwant?: number;
  key?: string;
  ip?: string;
  trackerId?: Uint8Array;
}

const HEX = '0123456789ABCDEF';

/** RFC 3986 percent-encoding of raw bytes: unreserved characters stay, everything else is %XX. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const unreserved =
      (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

function appendQuery(base: string, query: string): string {
  const hash = base.indexOf('#');
  const clean = hash >= 0 ? base.slice(0, hash) : base;
  const sep = !clean.includes('?') ? '?' : clean.endsWith('?') || clean.endsWith('&') ? '' : '&';
  return `${clean}${sep}${query}`;
}

function count(n: number): string {
  return String(Math.max(0, Math.floor(Number.isFinite(n) ? n : 0)));
}

/** The full announce URL for `base` (which may already carry a query, such as a passkey). */
export function buildAnnounceUrl(base: string, r: AnnounceRequest): string {
  const parts = [
    `info_hash=${percentEncodeBytes(r.infoHash)}`,
    `peer_id=${percentEncodeBytes(r.peerId)}`,
    `port=${r.port}`,
    `uploaded=${count(r.uploaded)}`,
    `downloaded=${count(r.downloaded)}`,
    `left=${count(r.left)}`,
    'compact=1',
  ];
  if (r.event) parts.push(`event=${r.event}`);
  if (r.numwant !== undefined) parts.push(`numwant=${count(r.numwant)}`);
  if (r.key !== undefined) parts.push(`key=${percentEncodeBytes(Buffer.from(r.key, 'latin1'))}`);
  if (r.ip !== undefined) parts.push(`ip=${percentEncodeBytes(Buffer.from(r.ip, 'latin1'))}`);
  if (r.trackerId !== undefined) parts.push(`trackerid=${percentEncodeBytes(r.trackerId)}`);
  return appendQuery(base, parts.join('&'));
}

/**
 * The scrape URL by the common convention (BEP 48): the last path segment `announce...` becomes
 * `scrape...`. Undefined when the tracker's URL does not allow it.
 */
export function scrapeUrlFor(announceUrl: string, infoHashes: Uint8Array[]): string | undefined {
  const query = announceUrl.indexOf('?');
  const path = query >= 0 ? announceUrl.slice(0, query) : announceUrl;
  const slash = path.lastIndexOf('/');
  if (slash < 0 || !path.startsWith('announce', slash + 1)) return undefined;
  const base = `${path.slice(0, slash + 1)}scrape${path.slice(slash + 1 + 'announce'.length)}${query >= 0 ? announceUrl.slice(query) : ''}`;
  if (infoHashes.length === 0) return base;
  return appendQuery(base, infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`).join('&'));
}
