/** How often the regular unchoke slots are re-ranked. */
export const UNCHOKE_INTERVAL_MS = 10_000;
/** How often the optimistic unchoke moves to another peer. */
export const OPTIMISTIC_INTERVAL_MS = 30_000;
/** Regular unchoke slots when none are configured. */
export const DEFAULT_UNCHOKE_SLOTS = 4;
/** While seeding, an unchoked peer keeps its slot this long, then yields it to a peer that waited longer. */
export const SEED_TURN_MS = 30_000;
/** A peer that left an unchoke unused is this many times as likely to become the optimistic peer. */
export const UNUSED_WEIGHT = 0.2;
/** New connections are this many times as likely to become the optimistic peer (BEP 3 practice). */
export const NEW_CONNECTION_WEIGHT = 3;

/** What the choker knows of one connection; rates in bytes per second. */
export interface ChokePeer {
  key: string;
  /** The peer wants our data. */
  interested: boolean;
  /** Rate we receive from the peer. */
  downloadRate: number;
  /** The peer has sent us nothing for a while although we asked. */
  snubbed?: boolean;
  /** Connected recently (within the last optimistic rounds): favoured by pickOptimistic. */
  newConnection?: boolean;
  /** We choke it now (default true). */
  choked?: boolean;
  /** When we last choked or unchoked it (default 0: long ago). */
  chokeChangedAt?: number;
  /** We unchoked it and it requested nothing: no regular slot until it requests; rarely optimistic. */
  unused?: boolean;
  /** It has asked us for data on this connection (e.g. its allowed-fast pieces while choked). */
  asked?: boolean;
}

/** Options of one unchoke round. */
export interface ChokeOptions {
  /** Regular slots (default DEFAULT_UNCHOKE_SLOTS). */
  slots?: number;
  /** Seeding rotates slots round robin; leeching ranks by download rate (tit for tat). */
  seeding: boolean;
  /** The current optimistic peer, unchoked on top of the regular slots. */
  optimistic?: string;
  /** The clock for seeding turns (default 0). */
  now?: number;
}

/**
 * The peers to unchoke, in `slots` slots plus the optimistic peer. Leeching is tit for tat:
 * interested peers ranked by what they give us, snubbed ones left out. Peers that left an unchoke
 * unused get no regular slot in either mode. Seeding is round robin:
 * ranking by how fast we feed them would keep the same peers unchoked for ever (the others' rate is
 * zero), so an unchoked peer keeps its slot for SEED_TURN_MS, then waiting peers that have asked for
 * data come first (a connection that only says interested and never requests, even its allowed-fast
 * pieces, cannot hold turns that others would use), the longest waiting first. Leeching peers that
 * give the same rate are ranked the same way. Ties break on the key so a round is reproducible.
 */
export function chooseUnchoked(peers: readonly ChokePeer[], opts: ChokeOptions): Set<string> {
  const slots = Math.max(0, Math.floor(opts.slots ?? DEFAULT_UNCHOKE_SLOTS));
  const byKey = (a: ChokePeer, b: ChokePeer): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const interested = peers.filter((p) => p.interested && !p.unused && (opts.seeding || !p.snubbed));
  const ranked = opts.seeding
    ? interested.sort((a, b) => seedTurn(a, opts.now ?? 0) - seedTurn(b, opts.now ?? 0) || (a.chokeChangedAt ?? 0) - (b.chokeChangedAt ?? 0) || byKey(a, b))
    : interested.sort((a, b) => b.downloadRate - a.downloadRate || Number(b.asked ?? false) - Number(a.asked ?? false) || byKey(a, b));
  const chosen = new Set(ranked.slice(0, slots).map((p) => p.key));
  if (opts.optimistic !== undefined && peers.some((p) => p.key === opts.optimistic)) chosen.add(opts.optimistic);
  return chosen;
}

/** Seeding order: 0 for an unchoked peer within its turn, 1 for a waiting peer that has asked for data, 2 for one that has not, 3 for one whose turn is over. */
function seedTurn(p: ChokePeer, now: number): number {
  if (p.choked ?? true) return p.asked ? 1 : 2;
  return now - (p.chokeChangedAt ?? 0) < SEED_TURN_MS ? 0 : 3;
}

/**
 * The next optimistic peer: a random interested peer other than `current`, new connections
 * weighted up and those that left an unchoke unused weighted down; `current` again if it is the only candidate. Peers in `exclude` (those the
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
  const weight = (p: ChokePeer): number => (p.unused ? UNUSED_WEIGHT : p.newConnection ? NEW_CONNECTION_WEIGHT : 1);
  const total = others.reduce((sum, p) => sum + weight(p), 0);
  let ticket = Math.min(total - 1e-9, Math.max(0, random() * total));
  for (const p of others) {
    ticket -= weight(p);
    if (ticket < 0) return p.key;
  }
  return others[others.length - 1].key;
}
