import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { REQUEST_TIMEOUT_MS, UNUSED_UNCHOKE_MS } from '../../../daemon/src/session/swarm';
import { OVERFLOW_PIECES } from '../../../daemon/src/session/requests';
import { connectRemote, memoryTorrent, ourId, setup, setupSeed, theirId } from './swarm-fixtures';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Throttle } from '../../../daemon/src/util/throttle';
import { PeerConnection } from '../../../daemon/src/wire/connection';
import { duplexPair } from '../wire/pair';
import { until } from '../../support/deadline';

function untilVerified(verified: number[], n: number): Promise<void> {
  return until(() => verified.length >= n, 10_000, `${n} pieces verified (${verified.length} so far)`);
}

describe('Swarm', () => {
  test('downloads every piece from a peer, pipelined, into storage', async () => {
    const { m, data } = memoryTorrent(300_000, 32768);
    const { swarm, storage, verified, picker } = setup(m);
    const { remote } = await connectRemote(swarm, m);
    let maxInFlight = 0;
    let inFlight = 0;
    remote.on('interested', () => remote.unchoke());
    remote.on('request', (i, begin, len) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Answer on the next turn so requests can pile up as they would on a network.
      setImmediate(() => {
        inFlight--;
        remote.piece(i, begin, data.subarray(i * m.pieceLength + begin, i * m.pieceLength + begin + len));
      });
    });
    remote.bitfield(Bitfield.full(m.pieceCount));
    await untilVerified(verified, m.pieceCount);
    assert.equal(picker.missingPieces, 0);
    assert.ok(maxInFlight > 1, `requests were pipelined (${maxInFlight} in flight)`);
    assert.equal(swarm.downloadedFromSeeds, swarm.downloaded, 'every byte came from a peer with every piece');
    for (let i = 0; i < m.pieceCount; i++) {
      const len = Math.min(m.pieceLength, m.totalLength - i * m.pieceLength);
      assert.deepEqual(Buffer.from(await storage.read(i, 0, len)), data.subarray(i * m.pieceLength, i * m.pieceLength + len));
    }
    swarm.stop();
  });

  test('a peer that never answers is snubbed and its blocks are released', async () => {
    const { m } = memoryTorrent(200_000, 32768);
    const { swarm, picker } = setup(m);
    const { ours, remote } = await connectRemote(swarm, m);
    remote.on('interested', () => remote.unchoke());
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'request');
    const key = '10.0.0.2:6881';
    assert.ok(picker.outstanding(key) > 0);
    const cancelled = once(remote, 'cancel');
    swarm.tick(Date.now() + REQUEST_TIMEOUT_MS + 1);
    await cancelled;
    // Its blocks went back to the pool; a snubbed peer keeps a pipeline of one request.
    assert.ok(picker.outstanding(key) <= 1);
    assert.ok(ours.outstandingRequests <= 1);
    assert.ok(swarm.peers.get(key)?.snubbed);
    swarm.stop();
  });

  test('a peer that leaves its unchoke unused is choked and gets no slot back until it requests', async () => {
    const { m, data } = memoryTorrent(100_000, 32768);
    const { swarm } = await setupSeed(m, data);
    const { remote } = await connectRemote(swarm, m);
    remote.interested();
    await once(remote, 'unchoke');
    const peer = swarm.peers.get('10.0.0.2:6881');
    assert.ok(peer);
    swarm.tick(Date.now() + UNUSED_UNCHOKE_MS - 1_000);
    assert.equal(peer.conn.amChoking, false, 'still within its time');
    const choked = once(remote, 'choke');
    swarm.tick(Date.now() + UNUSED_UNCHOKE_MS + 1_000);
    await choked;
    assert.equal(peer.unusedUnchoke, true);
    remote.notInterested();
    remote.interested();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(peer.conn.amChoking, true, 'saying interested again does not win a free slot');
    remote.request(0, 0, 16384);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(peer.unusedUnchoke, false, 'a request shows use');
    swarm.stop();
  });

  test('serves requests for pieces we have once the peer is interested', async () => {
    const { m, data } = memoryTorrent(100_000, 32768);
    const { swarm, storage } = setup(m, Bitfield.full(4));
    for (let i = 0; i < m.pieceCount; i++) await storage.write(i, 0, data.subarray(i * m.pieceLength, (i + 1) * m.pieceLength));
    let field: Bitfield | undefined;
    const { remote } = await connectRemote(swarm, m, (r) => r.on('bitfield', (f) => (field = f)));
    if (!field) await once(remote, 'bitfield');
    assert.ok(remote.peerPieces.complete);
    remote.interested();
    await once(remote, 'unchoke');
    remote.request(3, 0, 100_000 - 3 * 32768);
    const [index, begin, block] = await once(remote, 'piece');
    assert.deepEqual([index, begin], [3, 0]);
    assert.deepEqual(Buffer.from(block as Uint8Array), data.subarray(3 * 32768));
    assert.equal(swarm.uploaded, 100_000 - 3 * 32768);
    swarm.stop();
  });

  test('the only sender of a corrupt piece is banned and disconnected', async () => {
    const { m } = memoryTorrent(65536, 32768);
    const { swarm, banned, verified } = setup(m);
    const { remote } = await connectRemote(swarm, m);
    remote.on('interested', () => remote.unchoke());
    remote.on('request', (i, begin, len) => remote.piece(i, begin, randomBytes(len)));
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'close');
    assert.deepEqual(banned, ['10.0.0.2:6881']);
    assert.equal(verified.length, 0);
    assert.equal(swarm.peers.size, 0);
    swarm.stop();
  });

  test('the download limit holds requests back until tokens come', async () => {
    const { m } = memoryTorrent(300_000, 32768);
    let now = 0;
    const { swarm } = setup(m, undefined, new Throttle(16384, () => now));
    const requests: number[] = [];
    const { remote } = await connectRemote(swarm, m, (r) => r.on('request', (i) => requests.push(i)));
    remote.on('interested', () => remote.unchoke());
    remote.bitfield(Bitfield.full(m.pieceCount));
    await once(remote, 'request');
    await new Promise((r) => setImmediate(r));
    assert.equal(requests.length, 2, 'a burst of two blocks, then nothing');
    now += 2000;
    swarm.fillAll();
    await new Promise((r) => setImmediate(r));
    assert.equal(requests.length, 4, 'two more seconds, two more blocks');
    swarm.stop();
  });

  test('pieces in progress stay within the memory budget for pieces', async () => {
    const { m, data } = memoryTorrent(640 * 1024, 32768); // 20 pieces of two blocks
    const { swarm, storage, verified } = setup(m, undefined, undefined, 2 * 32768); // room for two pieces
    const { remote } = await connectRemote(swarm, m);
    const open = new Map<number, number>(); // piece -> blocks requested and not yet answered
    let mostOpen = 0;
    remote.on('interested', () => remote.unchoke());
    remote.on('request', (i, begin, len) => {
      open.set(i, (open.get(i) ?? 0) + 1);
      mostOpen = Math.max(mostOpen, open.size);
      setImmediate(() => {
        const left = (open.get(i) as number) - 1;
        if (left === 0) open.delete(i);
        else open.set(i, left);
        remote.piece(i, begin, data.subarray(i * m.pieceLength + begin, i * m.pieceLength + begin + len));
      });
    });
    remote.bitfield(Bitfield.full(m.pieceCount));
    await untilVerified(verified, m.pieceCount);
    // The pipeline (16 blocks and growing) would span eight pieces and more; the budget allows
    // two, plus the overflow for a peer that would otherwise sit idle while those two are checked.
    assert.ok(mostOpen <= 2 + OVERFLOW_PIECES, `${mostOpen} pieces were requested at once`);
    assert.deepEqual(Buffer.from(await storage.read(19, 0, 32768)), data.subarray(19 * 32768));
    swarm.stop();
  });

  test('a budget taken by pieces one peer cannot finish never stalls the others', async () => {
    const { m, data } = memoryTorrent(320 * 1024, 32768); // 10 pieces
    const { swarm, verified } = setup(m, undefined, undefined, 2 * 32768);
    // The first peer has pieces 0 and 1 only, takes both into progress and never answers.
    const silent = await connectRemote(swarm, m);
    const asked = new Set<number>();
    silent.remote.on('interested', () => silent.remote.unchoke());
    silent.remote.on('request', (i) => asked.add(i));
    silent.remote.bitfield(Bitfield.fromString('**        '));
    await until(() => asked.size === 2, 10_000, 'the silent peer asked for both of its pieces');
    // The second peer has every other piece; with no room for new pieces it still gets work.
    const [sa, sb] = duplexPair();
    const remote = new PeerConnection(sb, { peerId: Buffer.from('-TR3000-secondpeer00') });
    remote.on('handshake', () => remote.accept(m.infoHash, m));
    remote.on('interested', () => remote.unchoke());
    remote.on('request', (i, begin, len) => setImmediate(() => remote.piece(i, begin, data.subarray(i * m.pieceLength + begin, i * m.pieceLength + begin + len))));
    const ours = PeerConnection.connect(sa, { peerId: ourId }, m.infoHash, m);
    ours.once('ready', () => assert.ok(swarm.attach(ours, '10.0.0.3', 6881)));
    await Promise.all([once(ours, 'ready'), once(remote, 'ready')]);
    remote.bitfield(Bitfield.fromString('  ********'));
    await untilVerified(verified, 8);
    assert.deepEqual([...verified].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(swarm.downloaded >= 8 * 32768);
    assert.equal(swarm.downloadedFromSeeds, 0, 'neither peer had every piece');
    swarm.stop();
  });

  test('peers that each have other pieces all get work, however small the budget (the overflow goes to disk)', async () => {
    const { m } = memoryTorrent(12 * 32768, 32768); // 12 pieces
    const { swarm } = setup(m, undefined, undefined, 2 * 32768); // room for two pieces in memory
    // Six slow peers, peer k has pieces 2k and 2k + 1 only; none answers during the test.
    const asked = new Map<number, Set<number>>();
    for (let k = 0; k < 6; k++) {
      const [sa, sb] = duplexPair();
      const remote = new PeerConnection(sb, { peerId: Buffer.from(`-TR3000-slowpeer${k}000`) });
      remote.on('handshake', () => remote.accept(m.infoHash, m));
      remote.on('interested', () => remote.unchoke());
      remote.on('request', (i) => {
        if (!asked.has(k)) asked.set(k, new Set());
        asked.get(k)?.add(i);
      });
      const ours = PeerConnection.connect(sa, { peerId: ourId }, m.infoHash, m);
      ours.once('ready', () => assert.ok(swarm.attach(ours, `10.0.1.${k}`, 6881)));
      await Promise.all([once(ours, 'ready'), once(remote, 'ready')]);
      const field = new Bitfield(m.pieceCount);
      field.set(2 * k);
      field.set(2 * k + 1);
      remote.bitfield(field);
    }
    await new Promise<void>((resolve, reject) => {
      let turns = 0;
      const poll = (): void => {
        if (asked.size === 6) resolve();
        else if (++turns > 5000) reject(new Error(`only peers ${[...asked.keys()]} were asked for blocks`));
        else setImmediate(poll);
      };
      poll();
    });
    for (const [k, pieces] of asked) for (const i of pieces) assert.ok(i === 2 * k || i === 2 * k + 1, `peer ${k} asked for piece ${i}`);
    await swarm.stop();
  });

  test('a second connection with the same peer id keeps only one', async () => {
    const { m } = memoryTorrent(65536, 32768);
    const { swarm } = setup(m);
    await connectRemote(swarm, m);
    const [sa, sb] = duplexPair();
    const remote = new PeerConnection(sb, { peerId: theirId });
    remote.on('handshake', () => remote.accept(m.infoHash, m));
    const ours = PeerConnection.connect(sa, { peerId: ourId }, m.infoHash, m);
    await once(ours, 'ready');
    swarm.attach(ours, '10.0.0.2', 7000);
    assert.equal(swarm.peers.size, 1);
    swarm.stop();
  });
});
