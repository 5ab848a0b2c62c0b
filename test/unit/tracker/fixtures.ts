/** Announces for the swarm-table tests: a named peer of info hash 1, from 10.0.0.1 unless told otherwise. */
import type { AnnounceParams } from '../../../daemon/src/tracker/server/params';

/** A 20-character info hash of one repeated character code. */
export const hash = (n: number): string => String.fromCharCode(n).repeat(20);
/** A 20-character peer id from a short name. */
export const id = (name: string): string => name.padEnd(20, '.');

/** A leecher's announce, with `over` on top. */
export function announceOf(name: string, over: Partial<AnnounceParams> = {}): AnnounceParams {
  return {
    infoHash: hash(1),
    peerId: id(name),
    port: 6881,
    uploaded: 0,
    downloaded: 0,
    left: 100,
    event: '',
    numwant: 50,
    compact: true,
    noPeerId: false,
    ipv4: '10.0.0.1',
    ipv6: undefined,
    key: undefined,
    ...over,
  };
}
