import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connectRemote, memoryTorrent, setup } from './swarm-fixtures';
import { YIELD_BATCH, YIELD_KEEP } from '../../../daemon/src/session/deadline-yield';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { until } from '../../support/deadline';

describe('Swarm with piece deadlines', () => {
  test('the first requests are for the deadline piece, whatever rarest first would pick', async () => {
    const { m } = memoryTorrent(20 * 32768, 32768);
    const { swarm, picker } = setup(m);
    const { remote } = await connectRemote(swarm, m);
    picker.setDeadlines(new Map([[17, Date.now() + 60_000]]));
    const asked: number[] = [];
    remote.on('request', (i) => asked.push(i));
    remote.on('interested', () => remote.unchoke());
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'request');
    await new Promise((r) => setImmediate(r));
    assert.ok(asked.length >= 2, `${asked.length} requests`);
    assert.deepEqual(asked.slice(0, 2), [17, 17], `requests in order: ${asked.join(' ')}`);
    swarm.stop();
  });

  test('a seek: queued blocks without a deadline are cancelled and the deadline piece is asked for next', async () => {
    const { m } = memoryTorrent(40 * 32768, 32768);
    const { swarm, picker } = setup(m);
    const { remote } = await connectRemote(swarm, m);
    picker.setSequential(true);
    const asked: number[] = [];
    const cancelled: number[] = [];
    remote.on('request', (i) => asked.push(i));
    remote.on('cancel', (i) => cancelled.push(i));
    remote.on('interested', () => remote.unchoke());
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'request');
    await new Promise((r) => setImmediate(r));
    const queued = asked.length;
    assert.ok(queued >= YIELD_KEEP + YIELD_BATCH, `${queued} requests queued`);
    assert.ok(!asked.includes(35));
    picker.setDeadlines(new Map([[35, Date.now()]]));
    swarm.fillAll();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.equal(cancelled.length, YIELD_BATCH, `a batch of blocks gives way: ${cancelled.join(' ')}`);
    assert.ok(cancelled.every((i) => i !== 35));
    assert.deepEqual(asked.slice(queued, queued + 2), [35, 35], `then piece 35 is asked for first: ${asked.slice(queued).join(' ')}`);
    swarm.stop();
  });

  test('the rejects that answer our cancels do not keep the peer from being asked for those pieces again', async () => {
    const { m, data } = memoryTorrent(40 * 32768, 32768);
    const { swarm, picker, verified } = setup(m);
    const { remote } = await connectRemote(swarm, m);
    picker.setSequential(true);
    let serving = false;
    const queued: [number, number, number][] = [];
    const answer = (i: number, begin: number, len: number): void => remote.piece(i, begin, data.subarray(i * m.pieceLength + begin, i * m.pieceLength + begin + len));
    remote.on('request', (i, begin, len) => (serving ? setImmediate(() => answer(i, begin, len)) : queued.push([i, begin, len])));
    // BEP 6: a cancelled request still queued is answered with a reject.
    remote.on('cancel', (i, begin, len) => {
      const at = queued.findIndex(([qi, qb]) => qi === i && qb === begin);
      if (at >= 0) queued.splice(at, 1);
      remote.reject(i, begin, len);
    });
    remote.on('interested', () => remote.unchoke());
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'request');
    await new Promise((r) => setImmediate(r));
    picker.setDeadlines(new Map([[35, Date.now()]]));
    swarm.fillAll();
    await new Promise((r) => setImmediate(r));
    serving = true;
    for (const q of queued.splice(0)) answer(...q);
    picker.setDeadlines(undefined);
    await until(() => verified.length === m.pieceCount, 10_000, `every piece (${verified.length} of ${m.pieceCount})`);
    swarm.stop();
  });
});

