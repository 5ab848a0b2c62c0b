/** How often the regular unchoke slots are re-ranked. */
export const UNCHOKE_INTERVAL_MS = 10_000;
/** How often the optimistic unchoke moves to another peer. */
export const OPTIMISTIC_INTERVAL_MS = 30_000;
/** Regular unchoke slots when none are configured. */
export const DEFAULT_UNCHOKE_SLOTS = 4;
/** New connections are this many times as likely to become the optimistic peer (BEP 3 practice). */
export const NEW_CONNECTION_WEIGHT = 3;

/** What the choker knows of one connection; rates in bytes per second. */
export interface ChokePeer {
  key: string;
  /** The peer wants our data. */
  interested: boolean;
  /** Rate we receive from the peer. */
  downloadRate: number;
  /** Rate we send to the peer. */
  uploadRate: number;
  /** The peer has sent us nothing for a while although we asked. */
  snubbed?: boolean;
  /** Connected recently (within the last optimistic rounds): favoured by pickOptimistic. */
  newConnection?: boolean;
}

/** Options of one unchoke round. */
export interface ChokeOptions {
  /** Regular slots (default DEFAULT_UNCHOKE_SLOTS). */
  slots?: number;
  /** Seeding ranks by upload rate, leeching by download rate (tit for tat). */
  seeding: boolean;
  /** The current optimistic peer, unchoked on top of the regular slots. */
  optimistic?: string;
}

/**
 * The peers to unchoke: interested peers ranked by what they give us (leeching) or by how fast
 * we can feed them (seeding), best first, in `slots` slots, plus the optimistic peer. Snubbed
 * peers get no regular slot while leeching. Ties break on the key so a round is reproducible.
 */
export function chooseUnchoked(peers: readonly ChokePeer[], opts: ChokeOptions): Set<string> {
  const slots = Math.max(0, Math.floor(opts.slots ?? DEFAULT_UNCHOKE_SLOTS));
  const rate = opts.seeding ? (p: ChokePeer) => p.uploadRate : (p: ChokePeer) => p.downloadRate;
  const ranked = peers
    .filter((p) => p.interested && (opts.seeding || !p.snubbed))
    .sort((a, b) => rate(b) - rate(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const chosen = new Set(ranked.slice(0, slots).map((p) => p.key));
  if (opts.optimistic !== undefined && peers.some((p) => p.key === opts.optimistic)) chosen.add(opts.optimistic);
  return chosen;
}

/**
 * The next optimistic peer: a random interested peer other than `current`, new connections
 * weighted up; `current` again if it is the only candidate. Peers in `exclude` (those the
 * regular slots already unchoke) are skipped.
 */
export function pickOptimistic(
  peers: readonly ChokePeer[],
  current: string | undefined,
  random: () => number,
  exclude: ReadonlySet<string> = new Set(),
): string | undefined {
  const candidates = peers.filter((p) => p.interested && !exclude.has(p.key));
  const others = candidates.filter((p) => p.key !== current);
  if (others.length === 0) return candidates.length > 0 ? current : undefined;
  const weight = (p: ChokePeer): number => (p.newConnection ? NEW_CONNECTION_WEIGHT : 1);
  const total = others.reduce((sum, p) => sum + weight(p), 0);
  let ticket = Math.min(total - 1e-9, Math.max(0, random() * total));
  for (const p of others) {
    ticket -= weight(p);
    if (ticket < 0) return p.key;
  }
  return others[others.length - 1].key;
}
