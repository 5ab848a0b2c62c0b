/** Most addresses remembered per torrent; trackers and peers cannot grow it further. */
export const MAX_ADDRESSES = 2000;
/** Wait before redialling an address after a failure; doubles per failure up to the maximum. */
const RETRY_BASE_MS = 15_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Where an address came from. */
export type PeerSource = 'tracker' | 'pex' | 'manual' | 'magnet' | 'incoming' | 'dht';

/** An address with where it came from. */
export interface KnownAddress {
  ip: string;
  port: number;
  source: PeerSource;
}

interface Entry {
  ip: string;
  port: number;
  source: PeerSource;
  failures: number;
  /** Not dialled before this time. */
  notBefore: number;
  banned: boolean;
}

/** The peers we know of for one torrent and when each may be dialled. */
export class AddressBook {
  private readonly entries = new Map<string, Entry>();

  get size(): number {
    return this.entries.size;
  }

  /** Learns an address; `now` makes it dialable at once. Returns false if it was known or ignored. */
  add(ip: string, port: number, now = false, source: PeerSource = 'tracker'): boolean {
    if (!Number.isInteger(port) || port <= 0 || port > 65535 || ip.length === 0) return false;
    const key = `${ip}:${port}`;
    const e = this.entries.get(key);
    if (e) {
      // A tracker listing it again is a hint it is alive: let it be dialled soon.
      if (!e.banned) e.notBefore = now ? 0 : Math.min(e.notBefore, Date.now() + RETRY_BASE_MS);
      return false;
    }
    if (this.entries.size >= MAX_ADDRESSES) return false;
    this.entries.set(key, { ip, port, source, failures: 0, notBefore: 0, banned: false });
    return true;
  }

  /** Addresses that may be dialled now, excluding `busy` keys; each is held back until reported. */
  take(now: number, busy: ReadonlySet<string>, limit: number): { ip: string; port: number }[] {
    const out: { ip: string; port: number }[] = [];
    for (const [key, e] of this.entries) {
      if (out.length >= limit) break;
      if (e.banned || e.notBefore > now || busy.has(key)) continue;
      e.notBefore = now + RETRY_BASE_MS;
      out.push({ ip: e.ip, port: e.port });
    }
    return out;
  }

  /** A dial failed or the connection ended early: back off. */
  failed(ip: string, port: number, now: number): void {
    const e = this.entries.get(`${ip}:${port}`);
    if (!e) return;
    e.failures++;
    e.notBefore = now + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (e.failures - 1));
  }

  /** Holds an address back for `ms` (e.g. a seed while we seed too). */
  park(ip: string, port: number, now: number, ms: number): void {
    const e = this.entries.get(`${ip}:${port}`);
    if (e && !e.banned) e.notBefore = now + ms;
  }

  /** A connection worked: forget past failures. */
  succeeded(ip: string, port: number): void {
    const e = this.entries.get(`${ip}:${port}`);
    if (e) e.failures = 0;
  }

  /** Never dial this address again (corrupt data, or it is ourselves). */
  ban(ip: string, port: number): void {
    const key = `${ip}:${port}`;
    const e = this.entries.get(key);
    if (e) e.banned = true;
    else if (this.entries.size < MAX_ADDRESSES) this.entries.set(key, { ip, port, source: 'manual', failures: 0, notBefore: Infinity, banned: true });
  }

  /** Where an address came from, if known. */
  sourceOf(ip: string, port: number): PeerSource | undefined {
    return this.entries.get(`${ip}:${port}`)?.source;
  }

  /** Addresses not banned, at most `limit` (to hand over, e.g. from a metadata fetch to its torrent). */
  known(limit = MAX_ADDRESSES): KnownAddress[] {
    const out: KnownAddress[] = [];
    for (const e of this.entries.values()) {
      if (out.length >= limit) break;
      if (!e.banned) out.push({ ip: e.ip, port: e.port, source: e.source });
    }
    return out;
  }

  /** Is some address (not in `busy`) dialable now? */
  hasDue(now: number, busy: ReadonlySet<string>): boolean {
    for (const [key, e] of this.entries) if (!e.banned && e.notBefore <= now && !busy.has(key)) return true;
    return false;
  }

  /** Makes every address that is not banned dialable now (the torrent was resumed). */
  wake(): void {
    for (const e of this.entries.values()) if (!e.banned) e.notBefore = 0;
  }
}
