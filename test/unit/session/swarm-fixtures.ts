/** Shared set-up of the swarm tests: a torrent over memory, a swarm on it, scripted remote peers. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Picker } from '../../../daemon/src/picker';
import { createMemoryStorage } from '../../../daemon/src/storage';
import type { Metainfo } from '../../../daemon/src/metainfo/types';
import { Penalties } from '../../../daemon/src/session/penalties';
import { ReadCache } from '../../../daemon/src/session/read-cache';
import { Swarm, type SwarmContext } from '../../../daemon/src/session/swarm';
import { Bitfield } from '../../../daemon/src/util/bitfield';
import { Throttle } from '../../../daemon/src/util/throttle';
import { PeerConnection, type PeerConnectionOptions } from '../../../daemon/src/wire/connection';
import { duplexPair } from '../wire/pair';

export const ourId = Buffer.from('-BT0100-ourselves000');
export const theirId = Buffer.from('-TR3000-remotepeer00');

/** A metainfo over random in-memory data. */
export function memoryTorrent(totalLength: number, pieceLength: number): { m: Metainfo; data: Buffer } {
  const data = randomBytes(totalLength);
  const pieceCount = Math.ceil(totalLength / pieceLength);
  const pieces = Buffer.concat(
    Array.from({ length: pieceCount }, (_, i) => createHash('sha1').update(data.subarray(i * pieceLength, (i + 1) * pieceLength)).digest()),
  );
  const infoHash = createHash('sha1').update(pieces).digest();
  const m = {
    infoHash,
    infoHashHex: infoHash.toString('hex'),
    name: 'mem',
    pieceLength,
    pieceCount,
    totalLength,
    pieces,
    files: [{ path: ['mem'], length: totalLength, offset: 0 }],
    announceList: [],
    private: false,
  } as unknown as Metainfo;
  return { m, data };
}

export function setup(m: Metainfo, have?: Bitfield, downloadThrottle = new Throttle(0), maxHeldBytes?: number, extra: Partial<SwarmContext> = {}) {
  const storage = createMemoryStorage(m);
  const picker = new Picker(m, have);
  const verified: number[] = [];
  const banned: string[] = [];
  const swarm = new Swarm({
    metainfo: m,
    peerId: ourId,
    storage,
    picker,
    readCache: new ReadCache(),
    penalties: new Penalties(),
    uploadThrottle: new Throttle(0),
    downloadThrottle,
    log: () => undefined,
    pieceVerified: (p) => verified.push(p),
    storageFailed: (err) => assert.fail(String(err)),
    peerChanged: () => undefined,
    banned: (peer) => banned.push(peer.key),
    useless: () => undefined,
    maxHeldBytes,
    ...extra,
  });
  return { storage, picker, swarm, verified, banned };
}

/** Connects a scripted remote peer to the swarm; resolves when both handshakes are done. */
export async function connectRemote(
  swarm: Swarm,
  m: Metainfo,
  prepare: (remote: PeerConnection) => void = () => undefined,
  remoteOptions: Partial<PeerConnectionOptions> = {},
): Promise<{ ours: PeerConnection; remote: PeerConnection }> {
  const [sa, sb] = duplexPair();
  const remote = new PeerConnection(sb, { peerId: theirId, ...remoteOptions });
  prepare(remote);
  remote.on('handshake', () => remote.accept(m.infoHash, m));
  const ours = PeerConnection.connect(sa, { peerId: ourId }, m.infoHash, m);
  ours.once('ready', () => assert.ok(swarm.attach(ours, '10.0.0.2', 6881)));
  await Promise.all([once(ours, 'ready'), once(remote, 'ready')]);
  return { ours, remote };
}

/** A swarm that has every piece of `data` in its storage. */
export async function setupSeed(m: Metainfo, data: Buffer, extra: Partial<SwarmContext> = {}) {
  const s = setup(m, Bitfield.full(m.pieceCount), undefined, undefined, extra);
  for (let i = 0; i < m.pieceCount; i++) await s.storage.write(i, 0, data.subarray(i * m.pieceLength, (i + 1) * m.pieceLength));
  return s;
}
