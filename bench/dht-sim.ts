/**
 * DHT simulation toward Internet scale: thousands of nodes running btd's own KRPC socket, routing
 * table and lookup on an in-memory network in simulated time (a discrete-event scheduler), round trips
 * log-normal (median 100 ms, 5 % over 1 s), 15 % of nodes silent, 10 % churn per hour. Tables are
 * seeded as refreshed tables would be, then 15 simulated minutes of churn run (joiners bootstrap with
 * the real lookup), then random find_node lookups from random nodes are timed and checked against a
 * brute-force search of the live nodes. See bench/dht.md.
 *
 *   node --expose-gc out/bench/dht-sim.js [--nodes 10000] [--lookups 1000] [--seed N] [--warm-hours 0.25]
 *     [--rtt-persist P]   share of the round trips' log-variance fixed per destination node (default 0:
 *                         every datagram draws its own; 0.5: a slow node stays slowish)
 */
import { parseArgs } from 'node:util';
import { commonPrefixLength } from '../daemon/src/dht/node-id';
import { Scheduler } from './dht/scheduler';
import { addressOf, logNormal, prng, SimNetwork, SimNode, type LookupTrace } from './dht/sim-net';
import { diagnoseMiss, neighbourhood } from './dht/diagnose';

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10000' },
    lookups: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(Date.now() % 0x7fffffff) },
    'warm-hours': { type: 'string', default: '0.25' },
    'silent-share': { type: 'string', default: '0.15' },
    'churn-per-hour': { type: 'string', default: '0.10' },
    diagnose: { type: 'boolean', default: false },
    'rtt-persist': { type: 'string', default: '0' },
  },
});
const N = Number(args.nodes);
const LOOKUPS = Number(args.lookups);
const SEED = Number(args.seed);
const SILENT = Number(args['silent-share']);
const CHURN = Number(args['churn-per-hour']);
const HOUR = 3_600_000;

const rand = prng(SEED);
const clock = new Scheduler();
const PERSIST = Number(args['rtt-persist']);
const rtt = logNormal(rand, 100, 1000, 0.05, PERSIST);
const net = new SimNetwork(clock, rtt.draw);
const nodes: SimNode[] = [];

function randomBytes20(): Uint8Array {
  const id = new Uint8Array(20);
  for (let i = 0; i < 20; i++) id[i] = Math.floor(rand() * 256);
  return id;
}

function addNode(): SimNode {
  const node = new SimNode(net, randomBytes20(), addressOf(nodes.length), rand() < SILENT, rtt.nodeFactor());
  nodes.push(node);
  for (let i = 0; i < 8; i++) node.rpc.rtt.add(net.drawRtt()); // stands in for the refresh traffic not simulated
  return node;
}

function pick<T>(xs: T[], ok: (x: T) => boolean): T {
  for (;;) {
    const x = xs[Math.floor(rand() * xs.length)];
    if (ok(x)) return x;
  }
}

/** Tables as a refresh leaves them: into each bucket, nodes of its range from a sorted view of all ids. */
function seedTables(): void {
  const sorted = [...nodes].sort((a, b) => Buffer.compare(a.id, b.id));
  const depth = Math.ceil(Math.log2(N)) + 3;
  for (const node of nodes) {
    for (let b = 0; b < depth; b++) {
      const target = randomBytes20();
      for (let bit = 0; bit <= b && bit < 160; bit++) {
        const mask = 0x80 >> (bit % 8);
        const want = bit < b ? node.id[bit >> 3] & mask : ~node.id[bit >> 3] & mask;
        target[bit >> 3] = (target[bit >> 3] & ~mask) | want;
      }
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (Buffer.compare(sorted[mid].id, target) < 0) lo = mid + 1;
        else hi = mid;
      }
      for (let j = Math.max(0, lo - 12); j < Math.min(sorted.length, lo + 12); j++) {
        const other = sorted[j];
        if (other !== node && commonPrefixLength(node.id, other.id) === b) node.table.responded(other.compact, clock.now());
      }
    }
  }
}

/** One node leaves and a new one joins, bootstrapping from three answering nodes; then the next churn event. */
function churn(): void {
  pick(nodes, (n) => n.answers).leave();
  const joiner = addNode();
  if (!joiner.silent) {
    const from = [0, 1, 2].map(() => pick(nodes, (n) => n.answers && n !== joiner).address);
    void joiner.bootstrap(from);
  }
  const meanGapMs = HOUR / (CHURN * N);
  clock.setTimeout(churn, -Math.log(1 - rand()) * meanGapMs);
}

/** The `k` answering nodes closest to `target` (brute force on the first 64 bits of the distance). */
function trueClosest(target: Uint8Array, k: number, except: SimNode): SimNode[] {
  const th = Buffer.from(target).readUInt32BE(0);
  const tl = Buffer.from(target).readUInt32BE(4);
  const best: { n: SimNode; h: number; l: number }[] = [];
  for (const n of nodes) {
    if (!n.answers || n === except) continue;
    const h = (n.id[0] * 2 ** 24 + ((n.id[1] << 16) | (n.id[2] << 8) | n.id[3])) ^ th;
    const hu = h >>> 0;
    const lu = ((n.id[4] * 2 ** 24 + ((n.id[5] << 16) | (n.id[6] << 8) | n.id[7])) ^ tl) >>> 0;
    if (best.length === k && (hu > best[k - 1].h || (hu === best[k - 1].h && lu >= best[k - 1].l))) continue;
    let i = best.length;
    while (i > 0 && (best[i - 1].h > hu || (best[i - 1].h === hu && best[i - 1].l > lu))) i--;
    best.splice(i, 0, { n, h: hu, l: lu });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.n);
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function heapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function main(): Promise<void> {
  const wall = performance.now();
  console.log(`DHT simulation: ${N} nodes, ${LOOKUPS} lookups, seed ${SEED}, ${SILENT * 100} % silent, churn ${CHURN * 100} % per hour, RTT log-normal median 100 ms, 5 % over 1 s, ${PERSIST * 100} % of its log-variance fixed per node`);
  const heapBefore = heapMiB();
  for (let i = 0; i < N; i++) addNode();
  seedTables();
  const sizes = nodes.map((n) => n.table.size);
  console.log(`tables seeded: mean ${(sizes.reduce((a, b) => a + b, 0) / N).toFixed(1)} nodes per table (${((performance.now() - wall) / 1000).toFixed(1)} s wall)`);
  const t0 = clock.now();
  clock.setTimeout(churn, 0);
  const warmEnd = t0 + Number(args['warm-hours']) * HOUR;
  await clock.run(() => clock.now() >= warmEnd);
  const heapWarm = heapMiB();
  console.log(`after ${args['warm-hours']} h of churn: ${nodes.length} nodes ever, ${nodes.filter((n) => n.answers).length} answering, ${net.datagrams} datagrams, ${clock.events} events (${((performance.now() - wall) / 1000).toFixed(1)} s wall)`);

  const causes = new Map<string, number>();
  if (args.diagnose) console.log(neighbourhood(nodes, trueClosest));
  const results: { ms: number; closestMs: number; queries: number; all8: boolean; first: boolean; joiner: boolean }[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    clock.setTimeout(() => {
      const from = pick(nodes, (n) => n.answers);
      const target = randomBytes20();
      const trace: LookupTrace | undefined = args.diagnose ? { asked: new Map(), learned: new Set() } : undefined;
      const seeds = from.table.closest(target);
      void from.lookup('find_node', target, seeds, trace).then((r) => {
        const truth = trueClosest(target, 8, from);
        if (trace && !r.closest.some((c) => Buffer.compare(c.node.id, truth[0].id) === 0)) diagnoseMiss(causes, { from, target, truth, trace, result: r, seeds, nodes });
        const got = new Set(r.closest.map((c) => Buffer.from(c.node.id).toString('hex')));
        const hex = (n: SimNode): string => Buffer.from(n.id).toString('hex');
        results.push({ ms: r.ms, closestMs: r.closestMs, queries: r.queries, all8: truth.every((n) => got.has(hex(n))), first: got.has(hex(truth[0])), joiner: nodes.indexOf(truth[0]) >= N });
      });
    }, i * 100);
  }
  await clock.run(() => results.length >= LOOKUPS);
  const ms = results.map((r) => r.ms);
  const median = quantile(ms, 0.5);
  const p90 = quantile(ms, 0.9);
  const p99 = quantile(ms, 0.99);
  const q = results.map((r) => r.queries);
  const all8 = results.filter((r) => r.all8).length / LOOKUPS;
  const first = results.filter((r) => r.first).length / LOOKUPS;
  const perNode = ((heapWarm - heapBefore) * 2 ** 20) / nodes.length;
  const head = results.map((r) => r.closestMs);
  console.log(`lookup time to the end, the k closest answered (virtual ms): median ${median.toFixed(0)}, p90 ${p90.toFixed(0)}, p99 ${p99.toFixed(0)}`);
  console.log(`lookup time to the closest node's answer (virtual ms): median ${quantile(head, 0.5).toFixed(0)}, p90 ${quantile(head, 0.9).toFixed(0)}, p99 ${quantile(head, 0.99).toFixed(0)}`);
  console.log(`queries per lookup: mean ${(q.reduce((a, b) => a + b, 0) / LOOKUPS).toFixed(1)}, median ${quantile(q, 0.5)}, p99 ${quantile(q, 0.99)}`);
  const missed = results.filter((r) => !r.first);
  console.log(`found the true 8 closest live nodes: ${(all8 * 100).toFixed(1)} %; found the closest one: ${(first * 100).toFixed(1)} %`);
  console.log(`of the ${missed.length} lookups that missed the closest node, ${missed.filter((r) => r.joiner).length} missed a node that joined during the run`);
  console.log(`heap per node: ${(perNode / 1024).toFixed(1)} KiB (${(heapWarm - heapBefore).toFixed(0)} MiB for ${nodes.length} nodes); wall ${((performance.now() - wall) / 1000).toFixed(1)} s`);
  if (args.diagnose) for (const [cause, n] of [...causes].sort((a, b) => b[1] - a[1])) console.log(`  miss: ${n} x ${cause}`);
  const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const headMedian = quantile(head, 0.5);
  const headP99 = quantile(head, 0.99);
  console.log(`goal, time to the closest node's answer: median <= 300 ms: ${verdict(headMedian <= 300)}; p99 < 1000 ms: ${verdict(headP99 < 1000)}`);
  console.log(`goal, time to the end: median <= 300 ms: ${verdict(median <= 300)}; p99 < 1000 ms: ${verdict(p99 < 1000)}`);
  console.log(`goal >= 99 % find the closest node: ${verdict(first >= 0.99)}`);
  process.exit(0);
}

void main();
