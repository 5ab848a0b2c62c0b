/** The default swarm store: one process's swarm table behind the `SwarmStore` interface. */
import type { AnnounceParams } from './params';
import { scrapeEntryOf, NO_SCRAPE, type AnnounceOutcome, type ScrapeEntry, type SwarmTable } from './swarm';
import type { StoreHealth, StoreTotals, SwarmStore, SwarmSummary } from './store';

/** A swarm table behind the store interface; every answer is ready at once. */
export class MemorySwarmStore implements SwarmStore {
  readonly kind = 'memory';
  private readonly healthy: StoreHealth = { kind: 'memory', available: true, outages: 0, failures: 0 };

  constructor(readonly table: SwarmTable) {}

  announce<T>(p: AnnounceParams, encode: (outcome: AnnounceOutcome) => T): Promise<T> {
    try {
      // Encoded right away: the table's selection is reused by its next announce.
      return Promise.resolve(encode(this.table.announce(p)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  scrape(infoHashes: readonly string[]): Promise<ScrapeEntry[]> {
    return Promise.resolve(infoHashes.map((h) => this.table.scrape(h) ?? NO_SCRAPE));
  }

  scrapeAll(limit: number): Promise<[string, ScrapeEntry][]> {
    const out: [string, ScrapeEntry][] = [];
    for (const s of this.table.entries()) {
      if (out.length >= limit) break;
      out.push([s.key, scrapeEntryOf(s)]);
    }
    return Promise.resolve(out);
  }

  busiest(limit: number): Promise<SwarmSummary[]> {
    const all = [...this.table.entries()];
    all.sort((a, b) => b.peers.size - a.peers.size);
    return Promise.resolve(all.slice(0, limit).map((s) => ({ infoHash: s.key, ...scrapeEntryOf(s) })));
  }

  sweep(): Promise<number> {
    return Promise.resolve(this.table.sweep());
  }

  totals(): StoreTotals {
    const t = this.table;
    return { torrents: t.torrents, seeders: t.seeders, leechers: t.leechers, peers: t.peers };
  }

  health(): StoreHealth {
    return { ...this.healthy };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
