import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connectRemote, memoryTorrent, setup } from './swarm-fixtures';
import { Bitfield } from '../../../daemon/src/util/bitfield';

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
});
