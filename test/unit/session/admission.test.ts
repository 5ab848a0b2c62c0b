import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admitIncoming, INCOMING_SHARE, MAX_CONNECTIONS_PER_IP } from '../../../daemon/src/session/admission';
import type { Peer } from '../../../daemon/src/session/peer';
import type { Swarm } from '../../../daemon/src/session/swarm';

/** The parts of a swarm admission looks at: its peers' addresses and directions, and makeRoom. */
function fakeSwarm(peers: { ip: string; direction: 'incoming' | 'outgoing' }[], canMakeRoom = true) {
  const asked: ((p: Peer) => boolean)[] = [];
  const swarm = {
    connectionsFrom: (ip: string) => peers.filter((p) => p.ip === ip).length,
    get incomingCount() {
      return peers.filter((p) => p.direction === 'incoming').length;
    },
    makeRoom: (_now: number, eligible?: (p: Peer) => boolean) => {
      asked.push(eligible ?? (() => true));
      return canMakeRoom;
    },
  };
  return { swarm: swarm as unknown as Swarm, asked };
}

const roomy = { connections: 0, cap: 50, globalRoom: true, perIp: MAX_CONNECTIONS_PER_IP };
const from = (ip: string, n: number) => Array.from({ length: n }, () => ({ ip, direction: 'incoming' as const }));

describe('admitIncoming', () => {
  test('one outside address gets at most maxConnectionsPerIp connections to a torrent', () => {
    const two = fakeSwarm(from('203.0.113.7', MAX_CONNECTIONS_PER_IP - 1));
    assert.equal(admitIncoming(two.swarm, '203.0.113.7', { ...roomy, connections: 2 }, 0), true);
    const full = fakeSwarm(from('203.0.113.7', MAX_CONNECTIONS_PER_IP));
    assert.equal(admitIncoming(full.swarm, '203.0.113.7', { ...roomy, connections: 3 }, 0), false);
    assert.equal(full.asked.length, 0, 'a refused address does not push anyone out');
    // Another address is still welcome, and so is the same address on another torrent (its own swarm).
    assert.equal(admitIncoming(full.swarm, '198.51.100.1', { ...roomy, connections: 3 }, 0), true);
    assert.equal(admitIncoming(fakeSwarm([]).swarm, '203.0.113.7', roomy, 0), true);
  });

  test('the cap is the setting: 1 refuses a second connection from an IPv6 address', () => {
    const one = fakeSwarm(from('2001:db8::5', 1));
    assert.equal(admitIncoming(one.swarm, '2001:db8::5', { ...roomy, connections: 1, perIp: 1 }, 0), false);
    assert.equal(admitIncoming(one.swarm, '2001:db8::5', { ...roomy, connections: 1, perIp: 2 }, 0), true);
  });

  test('loopback addresses are exempt (every local peer shares them)', () => {
    for (const ip of ['127.0.0.1', '127.4.5.6', '::1', '::ffff:127.0.0.1']) {
      const many = fakeSwarm(from(ip, 20));
      assert.equal(admitIncoming(many.swarm, ip, { ...roomy, connections: 20, perIp: 1 }, 0), true, ip);
    }
  });

  test('when incoming connections fill their share, only an incoming one may give way', () => {
    const share = Math.floor(roomy.cap * INCOMING_SHARE);
    const peers = Array.from({ length: share }, (_, i) => ({ ip: `198.51.100.${i}`, direction: 'incoming' as const }));
    const s = fakeSwarm(peers, false);
    assert.equal(admitIncoming(s.swarm, '203.0.113.9', { ...roomy, connections: share }, 0), false);
    assert.equal(s.asked.length, 1);
    const eligible = s.asked[0];
    assert.equal(eligible({ conn: { direction: 'incoming' } } as Peer), true);
    assert.equal(eligible({ conn: { direction: 'outgoing' } } as Peer), false);
  });

  test('a torrent at its cap admits a newcomer only if someone can make room', () => {
    const full = { ...roomy, connections: 50 };
    const peers = [...from('198.51.100.1', 1), ...Array.from({ length: 49 }, (_, i) => ({ ip: `192.0.2.${i}`, direction: 'outgoing' as const }))];
    assert.equal(admitIncoming(fakeSwarm(peers, true).swarm, '203.0.113.9', full, 0), true);
    assert.equal(admitIncoming(fakeSwarm(peers, false).swarm, '203.0.113.9', full, 0), false);
    assert.equal(admitIncoming(fakeSwarm(peers, false).swarm, '203.0.113.9', { ...roomy, globalRoom: false }, 0), false);
  });
});
