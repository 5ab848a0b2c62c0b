import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ShareLedger } from '../../../daemon/src/cli/demo-view';
import type { PeerSummary } from '../../../daemon/src/session';

function peer(port: number, direction: 'incoming' | 'outgoing', downloaded: number, uploaded: number): PeerSummary {
  return {
    id: `127.0.0.1:${port}`, ip: '127.0.0.1', port, client: 'btd 0.1.0', progress: 0.5, downloadRate: 0, uploadRate: 0,
    downloaded, uploaded, amChoking: false, amInterested: true, peerChoking: false, peerInterested: true, direction, source: 'tracker',
  };
}

describe('demo share ledger', () => {
  test('counts each connection from its dialing end, keeping the largest snapshot', () => {
    const ledger = new ShareLedger([
      { name: 'seeder', port: 1000 },
      { name: 'a', port: 2000 },
      { name: 'b', port: 3000 },
    ]);
    ledger.observe('a', peer(1000, 'outgoing', 10, 0)); // a dialed the seeder
    ledger.observe('a', peer(1000, 'outgoing', 30, 0));
    ledger.observe('a', peer(1000, 'outgoing', 20, 0)); // an older snapshot never lowers a count
    ledger.observe('b', peer(2000, 'outgoing', 7, 5)); // b dialed a: b got 7 from a, a got 5 from b
    ledger.observe('a', peer(45678, 'incoming', 5, 7)); // the same connection from a's end is not counted twice
    ledger.observe('seeder', peer(3000, 'outgoing', 0, 40)); // the seeder dialed b
    assert.equal(ledger.received('seeder', 'a'), 30);
    assert.equal(ledger.received('a', 'b'), 7);
    assert.equal(ledger.received('b', 'a'), 5);
    assert.equal(ledger.received('seeder', 'b'), 40);
    assert.equal(ledger.received('b', 'seeder'), 0);
  });
});
