/** The UDP tracker's packet handling (BEP 15) over a real swarm table, without sockets. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SwarmTable, MemorySwarmStore, UdpTrackerProtocol, MAX_UDP_SCRAPE } from '../../../daemon/src/tracker/server';
import { encodeAnnounce, encodeConnect, parseUdpAnswer, type AnnounceRequest } from '../../../daemon/src/tracker/client';

const LIMITS = { maxTorrents: 10, maxPeersPerTorrent: 10, maxPeers: 100, peerTtlMs: 3_600_000 };
const HASH = Buffer.alloc(20, 0x11);

function setup(now = { t: 1_000_000 }) {
  const swarms = new SwarmTable(LIMITS, () => now.t, () => 0.5);
  const counts = { announces: 0, scrapes: 0 };
  const protocol = new UdpTrackerProtocol({
    store: new MemorySwarmStore(swarms),
    interval: 900,
    defaultNumwant: 50,
    maxNumwant: 200,
    countAnnounce: () => counts.announces++,
    countScrape: () => counts.scrapes++,
    clock: () => now.t,
  });
  return { swarms, protocol, counts, now };
}

function request(n: number, extra: Partial<AnnounceRequest> = {}): AnnounceRequest {
  return { infoHash: HASH, peerId: Buffer.from(`-XX0001-${String(n).padStart(12, '0')}`), port: 6000 + n, uploaded: 0, downloaded: 0, left: 100, event: 'started', ...extra };
}

async function connectionId(protocol: UdpTrackerProtocol, address: string): Promise<bigint> {
  const answer = parseUdpAnswer((await protocol.handle(encodeConnect(5), address)) as Buffer, 4);
  assert.equal(answer.action, 'connect');
  assert.equal(answer.transactionId, 5);
  return answer.action === 'connect' ? answer.connectionId : 0n;
}

describe('UDP tracker protocol', () => {
  test('connect, then announces: peers of the swarm without the asker, counts, statistics', async () => {
    const { protocol, counts } = setup();
    const id1 = await connectionId(protocol, '10.0.0.1');
    const first = parseUdpAnswer((await protocol.handle(encodeAnnounce(id1, 1, request(1, { left: 0 })), '10.0.0.1')) as Buffer, 4);
    assert.deepEqual(first, { action: 'announce', transactionId: 1, interval: 900, leechers: 0, seeders: 1, peers: [] });
    const id2 = await connectionId(protocol, '::ffff:10.0.0.2');
    const second = parseUdpAnswer((await protocol.handle(encodeAnnounce(id2, 2, request(2)), '::ffff:10.0.0.2')) as Buffer, 4);
    assert.deepEqual(second, { action: 'announce', transactionId: 2, interval: 900, leechers: 1, seeders: 1, peers: [{ ip: '10.0.0.1', port: 6001 }] });
    assert.equal(counts.announces, 2);
  });

  test('announce answers are exact BEP 15 bytes: header, then the asker-family entries of the selection in order', async () => {
    // random 0: every window starts at the first leecher, so the answer lists the others in arrival order.
    const protocol = new UdpTrackerProtocol({ store: new MemorySwarmStore(new SwarmTable(LIMITS, () => 1_000_000, () => 0)), interval: 900, defaultNumwant: 50, maxNumwant: 200, clock: () => 1_000_000 });
    const answer = async (n: number, address: string): Promise<string> => {
      const reply = (await protocol.handle(encodeAnnounce(await connectionId(protocol, address), n, request(n)), address)) as Buffer;
      return reply.toString('hex');
    };
    const head = (tx: number, leechers: number): string => ['00000001', tx.toString(16).padStart(8, '0'), '00000384', leechers.toString(16).padStart(8, '0'), '00000000'].join('');
    const v4 = (last: number, port: number): string => `0a0000${last.toString(16).padStart(2, '0')}${port.toString(16)}`;
    const v6 = (last: number, port: number): string => `20010db8${'0'.repeat(22)}${last.toString(16).padStart(2, '0')}${port.toString(16)}`;
    assert.equal(await answer(1, '10.0.0.1'), head(1, 1));
    assert.equal(await answer(2, '10.0.0.2'), head(2, 2) + v4(1, 6001));
    assert.equal(await answer(3, '10.0.0.3'), head(3, 3) + v4(1, 6001) + v4(2, 6002));
    // An IPv6 asker gets 18-byte entries only, and an IPv4 one skips peers that have no IPv4 address.
    assert.equal(await answer(4, '2001:db8::4'), head(4, 4));
    assert.equal(await answer(5, '::ffff:10.0.0.5'), head(5, 5) + v4(1, 6001) + v4(2, 6002) + v4(3, 6003));
    assert.equal(await answer(6, '2001:db8::6'), head(6, 6) + v6(4, 6004));
  });

  test('stopped leaves the swarm; scrape reports seeders, completed and leechers in BEP 15 order', async () => {
    const { protocol, counts } = setup();
    const id = await connectionId(protocol, '10.0.0.1');
    await protocol.handle(encodeAnnounce(id, 1, request(1, { left: 0 })), '10.0.0.1');
    (await protocol.handle(encodeAnnounce(id, 2, request(2)), '10.0.0.1'));
    await protocol.handle(encodeAnnounce(id, 3, request(2, { event: 'stopped' })), '10.0.0.1');
    const scrape = Buffer.concat([encodeConnect(9).subarray(0, 16), HASH, Buffer.alloc(20, 0x22)]);
    scrape.writeBigUInt64BE(id, 0);
    scrape.writeUInt32BE(2, 8);
    const reply = (await protocol.handle(scrape, '10.0.0.1')) as Buffer;
    assert.deepEqual([reply.readUInt32BE(0), reply.readUInt32BE(4), reply.length], [2, 9, 8 + 24]);
    assert.deepEqual([reply.readUInt32BE(8), reply.readUInt32BE(12), reply.readUInt32BE(16)], [1, 0, 0]);
    assert.deepEqual([reply.readUInt32BE(20), reply.readUInt32BE(24), reply.readUInt32BE(28)], [0, 0, 0]);
    assert.equal(counts.scrapes, 1);
  });

  test('connection ids: bound to the IP address (any source port), valid for two slots, then refused with a reason', async () => {
    const { protocol, now } = setup();
    const id = await connectionId(protocol, '10.0.0.1');
    const refused = parseUdpAnswer((await protocol.handle(encodeAnnounce(id, 4, request(1)), '10.0.0.9')) as Buffer, 4);
    assert.equal(refused.action, 'error');
    now.t += 120_000;
    assert.equal(parseUdpAnswer((await protocol.handle(encodeAnnounce(id, 5, request(1)), '10.0.0.1')) as Buffer, 4).action, 'announce');
    now.t += 240_000;
    const expired = parseUdpAnswer((await protocol.handle(encodeAnnounce(id, 6, request(1)), '10.0.0.1')) as Buffer, 4);
    assert.deepEqual(expired.action === 'error' && expired.message, 'connection id expired or unknown: connect again');
  });

  test('bad packets: ignored when too short or not BEP 15, otherwise an error with the reason', async () => {
    const { protocol } = setup();
    assert.equal(await protocol.handle(Buffer.alloc(15), '10.0.0.1'), undefined);
    const wrongProtocol = encodeConnect(1);
    wrongProtocol.writeUInt32BE(7, 0);
    assert.equal(await protocol.handle(wrongProtocol, '10.0.0.1'), undefined);
    const id = await connectionId(protocol, '10.0.0.1');
    const reason = async (packet: Buffer): Promise<string> => {
      const a = parseUdpAnswer((await protocol.handle(packet, '10.0.0.1')) as Buffer, 4);
      return a.action === 'error' ? a.message : `not an error: ${a.action}`;
    };
    assert.match(await reason(encodeAnnounce(id, 1, request(1)).subarray(0, 97)), /shorter than 98 bytes/);
    assert.match(await reason(encodeAnnounce(id, 1, request(1, { port: 0 }))), /invalid port/);
    const badEvent = encodeAnnounce(id, 1, request(1));
    badEvent.writeUInt32BE(9, 80);
    assert.match(await reason(badEvent), /unknown event 9/);
    const tooMany = Buffer.alloc(16 + 20 * (MAX_UDP_SCRAPE + 1));
    tooMany.writeBigUInt64BE(id, 0);
    tooMany.writeUInt32BE(2, 8);
    assert.match(await reason(tooMany), /at most 74 info hashes/);
    const unknown = encodeAnnounce(id, 1, request(1)).subarray(0, 16);
    unknown.writeUInt32BE(8, 8);
    assert.match(await reason(Buffer.from(unknown)), /unknown action 8/);
  });

  test('a full swarm is refused with the cap in the reason', async () => {
    const { protocol } = setup();
    const id = await connectionId(protocol, '10.0.0.1');
    for (let n = 0; n < LIMITS.maxPeersPerTorrent; n++) await protocol.handle(encodeAnnounce(id, n, request(n)), '10.0.0.1');
    const a = parseUdpAnswer((await protocol.handle(encodeAnnounce(id, 99, request(99)), '10.0.0.1')) as Buffer, 4);
    assert.equal(a.action, 'error');
    assert.match(a.action === 'error' ? a.message : '', /full|at most/);
  });

  test('fuzz: random and mutated datagrams get no answer or a well-formed one, never an exception', async () => {
    const { protocol } = setup();
    const id = await connectionId(protocol, '10.0.0.1');
    const scrape = Buffer.concat([encodeConnect(3).subarray(0, 16), HASH]);
    scrape.writeBigUInt64BE(id, 0);
    scrape.writeUInt32BE(2, 8);
    const valid = [encodeConnect(1), encodeAnnounce(id, 2, request(1)), encodeAnnounce(id, 2, request(2, { event: 'stopped' })), scrape];
    const mutated = fc
      .tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(120), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }), fc.option(fc.nat(120)))
      .map(([base, edits, cut]) => {
        const b = Buffer.from(base);
        for (const [at, value] of edits) if (at < b.length) b[at] = value;
        return cut === null ? b : b.subarray(0, cut);
      });
    const kinds = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, fc.uint8Array({ maxLength: 300, size: 'max' }).map((u) => Buffer.from(u))), async (packet) => {
        const reply = await protocol.handle(packet, '10.0.0.1');
        if (!reply) return;
        kinds.add(reply.readUInt32BE(0));
        if (reply.readUInt32BE(0) === 2) assert.equal((reply.length - 8) % 12, 0);
        else assert.ok(['connect', 'announce', 'error'].includes(parseUdpAnswer(reply, 4).action));
      }),
      { numRuns: 5000 },
    );
    assert.deepEqual([...kinds].sort(), [0, 1, 2, 3], 'every kind of answer was produced');
  });
});
