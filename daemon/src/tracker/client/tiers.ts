/** BEP 12 announce tiers: shuffled once within each tier; a tracker that answers moves to its tier's front. */

/** One tracker URL and the tier it belongs to. */
export interface TierEntry {
  url: string;
  tier: number;
}

/** The tiers as a client walks them. Pure: randomness is injected. */
export class AnnounceTiers {
  private readonly tiers: string[][];

  constructor(announceList: string[][], random: () => number = Math.random) {
    const seen = new Set<string>();
    this.tiers = [];
    for (const tier of announceList) {
      const urls = tier.filter((u) => u.length > 0 && !seen.has(u));
      urls.forEach((u) => seen.add(u));
      if (urls.length === 0) continue;
      for (let i = urls.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [urls[i], urls[j]] = [urls[j], urls[i]];
      }
      this.tiers.push(urls);
    }
  }

  /** Every tracker in the order to try them: tier by tier, front of each tier first. */
  order(): TierEntry[] {
    return this.tiers.flatMap((urls, tier) => urls.map((url) => ({ url, tier })));
  }

  /** Moves `url` to the front of its tier, so the next announce tries it first. */
  promote(url: string): void {
    for (const urls of this.tiers) {
      const i = urls.indexOf(url);
      if (i > 0) {
        urls.splice(i, 1);
        urls.unshift(url);
      }
      if (i >= 0) return;
    }
  }
}
