/** The routing table: k per bucket, splits only at our own id, node states, replacement after failed pings, refresh. */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { nodeState, QUESTIONABLE_AFTER_MS, RoutingTable, type Pinger } from '../../../daemon/src/dht/routing-table';
import { bep42Id, commonPrefixLength, randomId, randomIdWithPrefix } from '../../../daemon/src/dht/node-id';

const OWN = new Uint8Array(20); // all zeros: a node's bucket is its leading zero bits
let port = 1000;
function nodeAt(bits: number): { id: Uint8Array; ip: string; port: number } {
  return { id: randomIdWithPrefix(OWN, bits), ip: '127.0.0.1', port: port++ };
}
const never: Pinger = () => Promise.resolve(true);

describe('routing table', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 10_000_000, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => clock.restore());

  test('only answering nodes enter; our own id never does', () => {
    const t = new RoutingTable(OWN, never);
    t.responded({ id: OWN, ip: '127.0.0.1', port: 1 });
    const n = nodeAt(3);
    t.queried(n.id, n.ip, n.port);
    assert.equal(t.size, 0, 'a query alone does not add a node');
    t.responded(n);
    assert.equal(t.size, 1);
    t.responded({ ...n, port: n.port + 1 });
    assert.equal(t.get(n.id)?.port, n.port, 'the same id from another address does not move it');
  });

  test('buckets split only where our own id falls; far buckets stay at k', () => {
    const t = new RoutingTable(OWN, never);
    for (let i = 0; i < 30; i++) t.responded(nodeAt(0)); // all in the far half
    for (let i = 0; i < 30; i++) t.responded(nodeAt(5));
    const fill = t.fill();
    assert.equal(fill[0], 8, 'k nodes with no shared prefix');
    assert.equal(fill[5], 8);
    assert.equal(t.size, 16);
    assert.ok(fill.every((n) => n <= 8));
    for (let i = 0; i < 2000; i++) t.responded({ id: randomId(), ip: '127.0.0.1', port: port++ });
    assert.ok(t.size <= 8 * 160, 'bounded');
    assert.ok(t.fill().every((n) => n <= 8));
  });

  test('good, questionable and bad as BEP 5 defines them', () => {
    const t = new RoutingTable(OWN, never);
    const n = nodeAt(1);
    t.responded(n);
    const e = t.get(n.id);
    assert.ok(e);
    if (!e) return;
    assert.equal(nodeState(e, Date.now()), 'good');
    clock.tick(QUESTIONABLE_AFTER_MS);
    assert.equal(nodeState(e, Date.now()), 'questionable');
    t.queried(n.id, n.ip, n.port);
    assert.equal(nodeState(e, Date.now()), 'good', 'it answered once and queried us recently');
    t.failed(n.id);
    assert.equal(nodeState(e, Date.now()), 'good', 'one missed answer is not enough');
    t.failed(n.id);
    assert.equal(nodeState(e, Date.now()), 'bad');
    assert.deepEqual(t.closest(OWN), [], 'bad nodes are not handed out');
  });

  test('a full bucket of good nodes refuses a newcomer; a bad node is replaced at once', () => {
    const pings: unknown[] = [];
    const t = new RoutingTable(OWN, (n) => (pings.push(n), Promise.resolve(true)));
    const far = Array.from({ length: 8 }, () => nodeAt(0));
    for (const n of far) t.responded(n);
    t.responded(nodeAt(4)); // our half: splits off, far bucket stays full
    const newcomer = nodeAt(0);
    t.responded(newcomer);
    assert.equal(t.get(newcomer.id), undefined);
    assert.equal(pings.length, 0, 'no node was questionable, so none was pinged');
    t.failed(far[2].id);
    t.failed(far[2].id);
    t.responded(newcomer);
    assert.ok(t.get(newcomer.id));
    assert.equal(t.get(far[2].id), undefined);
  });

  test('a questionable node is replaced only after it fails a ping twice', async () => {
    const answers: boolean[] = [];
    const pinged: string[] = [];
    const t = new RoutingTable(OWN, (n) => {
      pinged.push(`${n.port}`);
      return Promise.resolve(answers.shift() ?? false);
    });
    const far = Array.from({ length: 8 }, () => nodeAt(0));
    for (const n of far) t.responded(n);
    t.responded(nodeAt(4));
    clock.tick(QUESTIONABLE_AFTER_MS + 1);
    for (const n of far.slice(1)) t.responded(n); // all good again but far[0]
    answers.push(false, true); // far[0] misses one ping, then answers
    const first = nodeAt(0);
    t.responded(first);
    await clock.tickAsync(0);
    assert.deepEqual(pinged, [`${far[0].port}`, `${far[0].port}`]);
    assert.equal(t.get(first.id), undefined, 'it answered the second ping: it stays');
    clock.tick(QUESTIONABLE_AFTER_MS + 1);
    for (const n of far.slice(1)) t.responded(n);
    const second = nodeAt(0);
    t.responded(second);
    await clock.tickAsync(0);
    assert.ok(t.get(second.id), 'it failed both pings: replaced');
    assert.equal(t.get(far[0].id), undefined);
  });

  test('BEP 42: a newcomer with a valid id replaces a node whose id does not match its address, not the reverse', () => {
    const t = new RoutingTable(OWN, never);
    const inFar = (ip: string): Uint8Array => {
      for (;;) {
        const id = bep42Id(ip);
        if (id[0] & 0x80) return id;
      }
    };
    const valid = Array.from({ length: 7 }, (_, i) => ({ id: inFar(`8.8.${i}.1`), ip: `8.8.${i}.1`, port: 6881 }));
    const invalid = { ...nodeAt(0), ip: '9.9.9.9' };
    for (const n of [...valid, invalid]) t.responded(n);
    t.responded(nodeAt(4)); // splits: the far bucket holds the 8 above
    assert.equal(t.fill()[0], 8);
    t.responded({ ...nodeAt(0), ip: '9.9.9.10' });
    assert.ok(t.get(invalid.id), 'an unverified newcomer does not push out anyone good');
    const newcomer = { id: inFar('1.2.3.4'), ip: '1.2.3.4', port: 6881 };
    t.responded(newcomer);
    assert.ok(t.get(newcomer.id));
    assert.equal(t.get(invalid.id), undefined, 'the node with an id not matching its address made room');
    assert.ok(valid.every((n) => t.get(n.id)));
  });

  test('buckets untouched for 15 minutes are refreshed with a target inside them', () => {
    const t = new RoutingTable(OWN, never);
    for (let i = 0; i < 9; i++) t.responded(nodeAt(i % 3));
    assert.deepEqual(t.staleTargets(), []);
    clock.tick(QUESTIONABLE_AFTER_MS);
    const targets = t.staleTargets();
    assert.equal(targets.length, t.fill().length);
    targets.slice(0, -1).forEach((target, i) => assert.equal(commonPrefixLength(OWN, target), i));
    assert.deepEqual(t.staleTargets(), [], 'marked as refreshed');
    clock.tick(QUESTIONABLE_AFTER_MS - 1);
    t.touch(randomIdWithPrefix(OWN, 0));
    clock.tick(1);
    assert.equal(t.staleTargets().length, t.fill().length - 1, 'a lookup into a bucket counts as a refresh');
  });

  test('closest sorts by XOR distance to the target', () => {
    const t = new RoutingTable(OWN, never);
    for (let i = 0; i < 40; i++) t.responded({ id: randomId(), ip: '127.0.0.1', port: port++ });
    const target = randomId();
    const got = t.closest(target, 8);
    assert.equal(got.length, 8);
    const dist = (id: Uint8Array): bigint => BigInt('0x' + Buffer.from(id.map((b, i) => b ^ target[i])).toString('hex'));
    for (let i = 1; i < got.length; i++) assert.ok(dist(got[i - 1].id) < dist(got[i].id));
    const worst = dist(got[7].id);
    assert.ok(t.all().filter((n) => dist(n.id) < worst).length === 7);
  });
});
