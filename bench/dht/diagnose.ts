/**
 * Diagnostics of the DHT simulation (`--diagnose`): for each lookup that missed the true closest node,
 * which case applied; and how well tables know their own neighbourhood.
 */
import type { LookupResult } from '../../daemon/src/dht/lookup';
import { compareDistance } from '../../daemon/src/dht/node-id';
import type { LookupTrace, SimNode } from './sim-net';

const key = (n: SimNode): string => `${n.address.ip}:${n.address.port}`;

/** What one missed lookup saw. */
export interface Miss {
  from: SimNode;
  target: Uint8Array;
  truth: SimNode[];
  trace: LookupTrace;
  result: LookupResult;
  seeds: { ip: string; port: number }[];
  nodes: SimNode[];
}

/** Counts the case of one miss under `causes`. */
export function diagnoseMiss(causes: Map<string, number>, m: Miss): void {
  const x = m.truth[0];
  const k = key(x);
  const asked = m.trace.asked.get(k);
  const byKey = new Map(m.nodes.map((n) => [key(n), n]));
  let cause: string;
  if (asked) cause = `asked, ${asked.outcome}`;
  else if (m.trace.learned.has(k) || m.seeds.some((s) => `${s.ip}:${s.port}` === k)) {
    // Learned but never asked: how many answered nodes closer than it did the lookup end with?
    const closer = m.result.closest.filter((c) => compareDistance(m.target, c.node.id, x.id) < 0).length;
    cause = `learned, never asked (${closer} answered closer)`;
  } else {
    const answered = [...m.trace.asked].filter(([, a]) => a.outcome === 'answered').map(([a]) => byKey.get(a)).filter((n): n is SimNode => !!n);
    const knowers = answered.filter((n) => n.table.get(x.id));
    if (knowers.length > 0) {
      // An answered node had it in its table but returned 8 others closer to the target: dead or silent ones?
      const n = knowers[0];
      const returned = n.table.closest(m.target, 8);
      const dead = returned.filter((r) => !byKey.get(`${r.ip}:${r.port}`)?.answers).length;
      cause = `never learned; ${knowers.length} answered node(s) knew it but returned 8 closer (${dead} of them silent or gone)`;
    } else {
      const near = m.truth.slice(1).filter((n) => n.table.get(x.id)).length;
      cause = `never learned; no answered node knew it (${near} of the true 2nd-8th know it)`;
    }
  }
  causes.set(cause, (causes.get(cause) ?? 0) + 1);
}

/** Table sizes, and how many of each node's own 8 closest live nodes its table holds (a sample). */
export function neighbourhood(nodes: SimNode[], trueClosest: (t: Uint8Array, k: number, except: SimNode) => SimNode[]): string {
  const live = nodes.filter((n) => n.answers);
  const sizes = live.map((n) => n.table.size).sort((a, b) => a - b);
  const sample = live.filter((_, i) => i % Math.max(1, Math.floor(live.length / 300)) === 0);
  let known = 0;
  let first = 0;
  for (const n of sample) {
    const near = trueClosest(n.id, 8, n);
    known += near.filter((o) => n.table.get(o.id)).length;
    if (n.table.get(near[0].id)) first++;
  }
  const fill = sample.map((n) => n.table.fill());
  const depth = fill.reduce((a, f) => a + f.length, 0) / fill.length;
  const silentShare = sample.reduce((a, n) => a + n.table.all().filter((t) => !nodes.find((o) => o.address.ip === t.ip)?.answers).length / Math.max(1, n.table.size), 0) / sample.length;
  return (
    `tables of live nodes: size median ${sizes[sizes.length >> 1]}, min ${sizes[0]}, ${depth.toFixed(1)} buckets; ` +
    `of a node's own 8 closest live nodes its table holds ${(known / sample.length).toFixed(2)}, the closest in ${((first / sample.length) * 100).toFixed(1)} %; ` +
    `${(silentShare * 100).toFixed(1)} % of table entries silent or gone`
  );
}
