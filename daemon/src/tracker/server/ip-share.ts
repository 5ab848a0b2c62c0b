/**
 * Fair shares per source address: which entries (peers of a swarm, swarms of the table) each IP holds,
 * which IP gives way when a table is full, and how many new swarms an IP may create per minute. Pure:
 * the clock is injected. The memory store and the Redis store apply the same rules.
 */
import { encodeCompactPeer } from '../compact';
import type { AnnounceParams } from './params';

/** Milliseconds of one rate window for new swarms. */
export const RATE_WINDOW_MS = 60_000;

/**
 * The announcer's address as a latin1 string of its 4 (IPv4, preferred) or 16 (IPv6) bytes: the form the
 * Redis store keeps, so both stores order addresses the same way.
 */
export function ipKeyOf(p: Pick<AnnounceParams, 'ipv4' | 'ipv6'>): string {
  if (p.ipv4 !== undefined) return encodeCompactPeer(p.ipv4, 0).toString('latin1', 0, 4);
  if (p.ipv6 !== undefined) return encodeCompactPeer(p.ipv6, 0).toString('latin1', 0, 16);
  return '';
}

/**
 * Entries grouped by the IP that holds them, oldest first within an IP. Callers name the IP on removal
 * (they keep it, or derive it from the entry), and an IP with one entry holds it as a bare string: most
 * peers of a swarm are alone at their address, and this index costs them little heap.
 */
export class IpEntries {
  private readonly byIp = new Map<string, string | string[]>();
  /**
   * No IP holds more entries than this (raised by `add`, made exact by `top`): a full table where nobody
   * can be over-represented refuses without a scan, so newcomers to a truly full swarm cost O(1).
   */
  private bound = 0;

  /** Whether some IP may hold more than `n` entries. */
  mayExceed(n: number): boolean {
    return this.bound > n;
  }

  /** Entries held by `ip`. */
  count(ip: string): number {
    const e = this.byIp.get(ip);
    return e === undefined ? 0 : typeof e === 'string' ? 1 : e.length;
  }

  /** The oldest entry of `ip`. */
  oldest(ip: string): string | undefined {
    const e = this.byIp.get(ip);
    return typeof e === 'string' ? e : e?.[0];
  }

  /** Records `key` as the newest entry of `ip`. */
  add(ip: string, key: string): void {
    const e = this.byIp.get(ip);
    let n = 1;
    if (e === undefined) this.byIp.set(ip, key);
    else if (typeof e === 'string') {
      this.byIp.set(ip, [e, key]);
      n = 2;
    } else n = e.push(key);
    if (n > this.bound) this.bound = n;
  }

  /** Forgets `key` of `ip` (nothing when `ip` does not hold it). */
  remove(ip: string, key: string): void {
    const e = this.byIp.get(ip);
    if (e === undefined) return;
    if (typeof e === 'string') {
      if (e === key) this.byIp.delete(ip);
      return;
    }
    const at = e.indexOf(key);
    if (at < 0) return;
    e.splice(at, 1);
    if (e.length === 1) this.byIp.set(ip, e[0]);
  }

  /** The IP holding the most entries, the greatest address among ties (a scan: called only at a cap). */
  top(): { ip: string; count: number } | undefined {
    let best: { ip: string; count: number } | undefined;
    for (const [ip, e] of this.byIp) {
      const n = typeof e === 'string' ? 1 : e.length;
      if (!best || n > best.count || (n === best.count && ip > best.ip)) best = { ip, count: n };
    }
    this.bound = best?.count ?? 0;
    return best;
  }
}

/**
 * Whom a full table evicts to make room for an entry of `own`: the IP holding the most entries, when it
 * holds at least two more than `own` (so a newcomer from a fresh IP gets in while anyone holds two, and
 * two IPs never take turns evicting each other). Undefined: nobody is over-represented, the newcomer is refused.
 */
export function evictionVictim(top: { ip: string; count: number } | undefined, ownCount: number): string | undefined {
  return top && top.count > ownCount + 1 ? top.ip : undefined;
}

/** `evictionVictim` among `entries`, scanning them only when some IP may hold two more than `ownCount`. */
export function victimAmong(entries: IpEntries, ownCount: number): string | undefined {
  return entries.mayExceed(ownCount + 1) ? evictionVictim(entries.top(), ownCount) : undefined;
}

/** New swarms created per IP in the current minute; forgets everyone when the minute turns (bounded). */
export class NewSwarmRate {
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(private readonly perMinute: number, private readonly clock: () => number) {}

  /** Whether `ip` may create one more swarm in this minute. */
  allows(ip: string): boolean {
    this.roll();
    return (this.counts.get(ip) ?? 0) < this.perMinute;
  }

  /** Counts one swarm created by `ip`. */
  record(ip: string): void {
    this.roll();
    this.counts.set(ip, (this.counts.get(ip) ?? 0) + 1);
  }

  private roll(): void {
    const w = Math.floor(this.clock() / RATE_WINDOW_MS);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
  }
}

/** The refusal of a new swarm past the per-IP rate. */
export const TOO_MANY_NEW_SWARMS = 'too many new torrents from this address, retry in a minute';
