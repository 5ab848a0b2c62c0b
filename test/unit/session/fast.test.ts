import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { allowedFastSet } from '../../../daemon/src/wire/fast';
import { ALLOWED_FAST_COUNT } from '../../../daemon/src/session/peer';
import { until, within } from '../../support/deadline';
import { connectRemote, memoryTorrent, setup, setupSeed } from './swarm-fixtures';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Swarm with the fast extension (BEP 6)', () => {
  test('a seed sends have all and its allowed-fast set; a choked peer is served those pieces and rejected the rest', async () => {
    const { m, data } = memoryTorrent(40 * 16384, 16384);
    const { swarm } = await setupSeed(m, data);
    const allowed: number[] = [];
    let sawAll = false;
    const { remote } = await connectRemote(swarm, m, (r) => {
      r.on('bitfield', (field) => (sawAll = field.complete));
      r.on('allowed-fast', (i) => allowed.push(i));
    });
    await until(() => allowed.length >= ALLOWED_FAST_COUNT, 5000, 'the allowed-fast set never came');
    assert.ok(remote.fast && sawAll, 'have all, over the fast extension');
    assert.deepEqual([...allowed].sort((a, b) => a - b), allowedFastSet(m.infoHash, '10.0.0.2', m.pieceCount, ALLOWED_FAST_COUNT).sort((a, b) => a - b));
    const refused = [...Array(m.pieceCount).keys()].find((i) => !allowed.includes(i)) as number;
    const rejected = once(remote, 'reject');
    const block = once(remote, 'piece');
    remote.request(refused, 0, 16384);
    remote.request(allowed[0], 0, 16384);
    assert.deepEqual((await within(5000, rejected, 'no reject'))?.slice(0, 3), [refused, 0, 16384]);
    const [index, , got] = (await within(5000, block, 'the allowed-fast block never came')) as [number, number, Uint8Array];
    assert.equal(index, allowed[0]);
    assert.deepEqual(Buffer.from(got), data.subarray(allowed[0] * 16384, allowed[0] * 16384 + 16384));
    swarm.stop();
  });

  test('every request of a peer flooding past our queue is answered: a block or a reject', async () => {
    const { m, data } = memoryTorrent(1300 * 16384, 16384 * 4);
    const { swarm } = await setupSeed(m, data);
    const { remote } = await connectRemote(swarm, m);
    const unchoked = once(remote, 'unchoke');
    remote.interested();
    await within(5000, unchoked, 'never unchoked');
    let answers = 0;
    remote.on('piece', () => answers++);
    remote.on('reject', () => answers++);
    const blocks = m.totalLength / 16384;
    for (let b = 0; b < blocks; b++) remote.request(Math.floor(b / 4), (b % 4) * 16384, 16384);
    await until(() => answers >= blocks, 20_000, 'not every request was answered');
    assert.equal(remote.outstandingRequests, 0);
    swarm.stop();
  });

  test("a peer's reqq bounds the requests we keep outstanding with it", async () => {
    const { m, data } = memoryTorrent(64 * 16384, 16384 * 8);
    const { swarm } = setup(m);
    let most = 0;
    const { remote } = await connectRemote(swarm, m, (r) => {
      r.on('ready', () => r.ext.sendHandshake({ m: {}, reqq: 3 }));
      r.on('interested', () => r.unchoke());
    });
    let open = 0;
    remote.on('request', (i, begin, len) => {
      most = Math.max(most, ++open);
      setImmediate(() => {
        open--;
        remote.piece(i, begin, data.subarray(i * m.pieceLength + begin, i * m.pieceLength + begin + len));
      });
    });
    await turn();
    remote.bitfield(Bitfield.full(m.pieceCount));
    await until(() => remote.uploadedBytes >= 40 * 16384, 5000, 'the download stalled');
    assert.ok(most > 0 && most <= 3, `at most reqq (3) outstanding, saw ${most}`);
    swarm.stop();
  });

  test('have all then have counts the peer once; a reject of a block never asked for is ignored', async () => {
    const { m } = memoryTorrent(8 * 16384, 16384);
    const { swarm, picker } = setup(m);
    const { ours, remote } = await connectRemote(swarm, m);
    remote.stream.write(Buffer.from([0, 0, 0, 1, 14])); // have all
    remote.stream.write(Buffer.from([0, 0, 0, 5, 4, 0, 0, 0, 3])); // have 3
    remote.stream.write(Buffer.from([0, 0, 0, 13, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 64, 0])); // reject 5/0/16384
    await until(() => ours.peerPieces.complete, 5000, 'have all not seen');
    await turn();
    assert.equal(picker.availability(3), 1);
    assert.equal(picker.availability(0), 1);
    assert.equal(ours.closed, false);
    swarm.stop();
  });
});
