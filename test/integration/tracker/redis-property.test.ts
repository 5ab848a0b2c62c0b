/**
 * The memory store and the Redis store (a real redis-server) give the same answers to any sequence of
 * announces, stops, moves and clock steps: counts, the peers handed out, refusals, scrapes and totals.
 * Peers share source addresses, so the per-IP cap, the new-swarm rate and eviction at the caps (the
 * over-represented IP's oldest gives way) are compared too.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { MemorySwarmStore, RedisSwarmStore, SwarmTable, type AnnounceParams, type SwarmStore } from '../../../daemon/src/tracker/server';
import type { AnnounceOutcome } from '../../../daemon/src/tracker/server/swarm';
import { NEEDS_REDIS, startRedis, type RedisProcess } from '../../support/redis';

const BASE_LIMITS = { maxTorrents: 2, maxPeersPerTorrent: 4, maxPeers: 6, peerTtlMs: 60_000, maxNewSwarmsPerIpPerMinute: 2 };
/** 2 makes one address reach its cap often; 3 lets two addresses fill a swarm, so eviction at the swarm cap runs. */
const PER_IP_CAPS = [2, 3];
/** Source address of each peer: 0–2 behind one IP, 3–4 behind another, 5 and 6 alone. */
const PEER_IPS = [1, 1, 1, 2, 2, 3, 4];
const HASHES = [Buffer.alloc(20, 0xa1).toString('latin1'), Buffer.alloc(20, 0xb2).toString('latin1'), Buffer.alloc(20, 0xc3).toString('latin1')];
const PEERS = 7;

type Command =
  | { kind: 'announce'; swarm: number; peer: number; left: number; event: AnnounceParams['event']; numwant: number; moved: boolean; withKey: boolean }
  | { kind: 'step'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      swarm: fc.nat(HASHES.length - 1),
      peer: fc.nat(PEERS - 1),
      left: fc.constantFrom(0, 100),
      event: fc.constantFrom<AnnounceParams['event']>('', 'started', 'completed', 'stopped'),
      numwant: fc.constantFrom(0, 1, 2, 50),
      moved: fc.boolean(),
      withKey: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('step' as const), ms: fc.integer({ min: 1, max: 90_000 }) }) },
);

function params(c: Extract<Command, { kind: 'announce' }>): AnnounceParams {
  // Peers below 3 always send a key; a moved peer announces from another port and address.
  const key = c.peer < 3 ? `k${c.peer}${c.withKey ? '' : 'x'}` : undefined;
  return {
    infoHash: HASHES[c.swarm],
    peerId: `-XX0001-${String(c.peer).padStart(12, '0')}`,
    port: 6000 + c.peer * 10 + (c.moved ? 1 : 0),
    uploaded: 0,
    downloaded: 0,
    left: c.left,
    event: c.event,
    numwant: c.numwant,
    // The dictionary model, so both stores name the peers they hand out (HTTP tests cover compact answers).
    compact: false,
    noPeerId: false,
    ipv4: c.moved ? '10.0.0.9' : `10.0.0.${PEER_IPS[c.peer]}`,
    ipv6: c.peer === 5 ? '2001:db8::5' : undefined,
    key,
  };
}

interface Answer {
  complete: number;
  incomplete: number;
  size: number;
  /** Peer ids handed out, sorted: compared when every other peer fits in numwant. */
  ids: string[];
  /** Leechers among them, for a seeder (-1 for a leecher). */
  leechersHandedOut: number;
}

async function answer(store: SwarmStore, p: AnnounceParams, seeders: (infoHash: string) => Promise<Set<string>>): Promise<Answer | string> {
  try {
    const seen = await store.announce(p, (o: AnnounceOutcome) => ({ complete: o.complete, incomplete: o.incomplete, peers: o.selection.peers().map((x) => x.peerId) }));
    // Seeders of this swarm only: a peer may seed one torrent and leech another.
    const seederIds = await seeders(p.infoHash);
    const others = seen.complete + seen.incomplete - (p.event === 'stopped' ? 0 : 1);
    return {
      complete: seen.complete,
      incomplete: seen.incomplete,
      size: seen.peers.length,
      ids: others <= p.numwant ? [...seen.peers].sort() : [],
      // Seeders get leechers first in both; which mix a leecher gets is each store's own choice.
      leechersHandedOut: p.left === 0 ? seen.peers.filter((id) => !seederIds.has(id)).length : -1,
    };
  } catch (err) {
    return (err as Error).message;
  }
}

describe('memory store and Redis store agree', { skip: NEEDS_REDIS }, () => {
  let redis: RedisProcess;
  let client: Redis;
  before(async () => {
    redis = await startRedis();
    client = new Redis({ host: '127.0.0.1', port: redis.port, enableAutoPipelining: true });
    await client.ping();
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  /** Runs `commands` on both stores from empty, comparing every answer, scrape and the totals. */
  async function compare(maxPeersPerIp: number, bucketPeers: number, commands: Command[]): Promise<void> {
    const LIMITS = { ...BASE_LIMITS, maxPeersPerIp };
    await client.flushall();
    const now = { t: 1_800_000_000_000 };
    const clock = (): number => now.t;
    const table = new SwarmTable(LIMITS, clock);
    const memory = new MemorySwarmStore(table);
    const shared = new RedisSwarmStore(client, { limits: LIMITS, clock, flushMs: 3_600_000, ownsClient: false, bucketPeers });
    const memorySeeders = async (h: string): Promise<Set<string>> =>
      new Set([...table.entries()].filter((s) => s.key === h).flatMap((s) => s.seeders.peers.map((x) => x.peerId)));
    // Every bucket of the seeders (`:s`, `:s:1`, ...).
    const redisSeeders = async (h: string): Promise<Set<string>> => {
      const keys = await client.keys(`btd:{${Buffer.from(h, 'latin1').toString('hex')}}:s*`);
      return new Set((await Promise.all(keys.map((k) => client.zrange(k, 0, -1)))).flat());
    };
    try {
      for (const [i, c] of commands.entries()) {
        if (c.kind === 'step') {
          now.t += c.ms;
          await shared.flush();
          await Promise.all([memory.sweep(), shared.sweep()]);
        } else {
          const p = params(c);
          const a = await answer(memory, p, memorySeeders);
          const b = await answer(shared, p, redisSeeders);
          assert.deepEqual(b, a, `command ${i}: ${JSON.stringify(c)}`);
        }
        assert.deepEqual(await shared.scrape(HASHES), await memory.scrape(HASHES), `scrape after command ${i}`);
      }
      await shared.flush();
      assert.deepEqual(shared.totals(), memory.totals(), 'totals');
    } finally {
      await shared.close();
    }
  }

  test('on random sequences of announces, stops, moves and clock steps, with peers sharing addresses', { timeout: 120_000 }, async () => {
    await fc.assert(
      // Bucket size 1 spreads even these small swarms over 2 and 4 buckets, so every path runs on buckets too.
      fc.asyncProperty(fc.constantFrom(...PER_IP_CAPS), fc.constantFrom(80, 1), fc.array(command, { minLength: 1, maxLength: 40 }), compare),
      // A fixed seed: the same 800 sequences on every run (a failure names its seed and path to replay).
      { numRuns: 800, seed: 20261203 },
    );
  });

  test('at a full swarm: an address holding one more than the newcomer\'s keeps its peers, two more gives way', async () => {
    const at = (swarm: number, peer: number): Command => ({ kind: 'announce', swarm, peer, left: 100, event: '', numwant: 50, moved: false, withKey: true });
    // Swarm 0 full with 10.0.0.1 ×2, 10.0.0.2 and 10.0.0.3; then a second peer of 10.0.0.2, then one of 10.0.0.4.
    for (const bucketPeers of [80, 1]) await compare(2, bucketPeers, [at(0, 0), at(0, 1), at(0, 3), at(0, 5), at(0, 4), at(0, 6), at(0, 0)]);
  });
});
